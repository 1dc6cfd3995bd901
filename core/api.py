"""API-wide plumbing: the base viewset (visibility, ETag / If-Match, history), JSON errors,
the router of each app's resources and the API root that lists them all."""

import hashlib
import json
import re
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.views import exception_handler, set_rollback

from core import visibility
from core.parsers import PayloadTooLarge
from core.serializers import api_errors

WRITE_ACTIONS = ("update", "partial_update", "destroy")


def json_exception_handler(exc, context):
    """Turn Django model ValidationErrors (raised by services) into DRF 400 responses."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            api_errors(exc) if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):  # the body was read elsewhere than our parser
        exc = PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, ProtectedError | RestrictedError):
        set_rollback()
        return Response(deletion_refusal(exc), status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


def deletion_refusal(exc: ProtectedError | RestrictedError) -> dict:
    """A refused deletion as a 409's body: why, and how many rows of each kind depend on
    the row, never which (the user may not see them all)."""
    counts = getattr(exc, "counts", None)
    if counts is None:
        rows = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        counts = dict(Counter(str(row._meta.verbose_name_plural) for row in rows))
    detail = getattr(exc, "detail", None) or (
        "This cannot be deleted while other records depend on it ("
        + ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
        + "). Delete or move them first; published and retracted claims stay on the record."
    )
    return {"detail": detail, "depending": counts}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "This write needs an If-Match header with the ETag of the version you edited."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it: fetch it again and reapply your change."
    default_code = "precondition_failed"


def etag_of(data) -> str:
    """A strong ETag: the hash of the representation the client sees."""
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder)
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'


class ConditionalWriteMixin:
    """Detail responses carry an ETag; PUT, PATCH and DELETE need a matching If-Match.

    The object is read with SELECT ... FOR UPDATE (requests run in a transaction), so
    the comparison and the write happen under one row lock: of two writers holding the
    same ETag, exactly one wins and the other gets 412.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "action", None) in WRITE_ACTIONS:
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_object(self):
        instance = super().get_object()
        if self.action in WRITE_ACTIONS:
            self.check_if_match(instance)  # before the body is validated: 428/412 come first
        return instance

    def current_etag(self, instance) -> str:
        return etag_of(self.get_serializer(instance).data)

    def check_if_match(self, instance) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        offered = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        if "*" not in offered and self.current_etag(instance) not in offered:
            raise PreconditionFailed()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.with_etag(request, self.get_serializer(instance).data)

    @staticmethod
    def with_etag(request, data) -> Response:
        """A detail's answer with its ETag, or 304 when the client holds that version."""
        etag = etag_of(data)
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            # Answer with the object as a GET would show it, so body and ETag match a re-read.
            lookup = self.lookup_url_kwarg or self.lookup_field
            fresh = self.get_queryset().get(**{self.lookup_field: self.kwargs[lookup]})
            response.data = self.get_serializer(fresh).data
            response["ETag"] = etag_of(response.data)
        return response


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One recorded version of an object (documents the /history/ response)."""

    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = HistoryChangeSerializer(many=True)


class HistoryMixin:
    """GET <detail>/history/: every recorded version, newest first, with field-by-field changes."""

    history_excluded_fields: tuple[str, ...] = ("updated_at",)

    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(
        detail=True, methods=["get"], url_path="history", pagination_class=None, filter_backends=[]
    )
    def history(self, request, *args, **kwargs):
        instance = self.get_object()
        opts = instance._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            raise exceptions.PermissionDenied(
                "Reading history needs the view permission on this model."
            )
        records = list(
            instance.history.select_related("history_user").order_by("history_date", "history_id")
        )
        entries = [
            self.history_entry(record, previous)
            for previous, record in zip([None, *records], records, strict=False)
        ]
        entries.reverse()
        return Response(entries)

    def history_entry(self, record, previous) -> dict:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=self.history_excluded_fields)
            changes = [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
        return {
            "history_id": record.history_id,
            "date": record.history_date,
            "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
            "user": record.history_user.get_username() if record.history_user else None,
            "reason": record.history_change_reason,
            "changes": json.loads(json.dumps(changes, cls=DjangoJSONEncoder)),
        }


class ClaimbaseModelViewSet(ConditionalWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """The base of every resource: the visibility rule on every action's queryset, ETag /
    If-Match on writes and a /history/ action."""

    def get_queryset(self):
        return visibility.restrict(super().get_queryset(), self.request.user)


# A route whose last part is a file name, e.g. claims/export\.csv (url_path=r"export\.csv").
_FILE_NAME_ROUTE = re.compile(r"\\\.\w+\{trailing_slash\}\$$")


class ResourceRouter(DefaultRouter):
    r"""The router of one app's resources (each app's api/urls.py has one).

    DefaultRouter's routes and format suffixes, without its API root: config/urls.py
    serves one root for every app (api_root_view). An action named like a file
    (`url_path=r"export\.csv"`) also answers without the trailing slash, as a file name
    reads; the schema keeps the one path with the slash.
    """

    include_root_view = False

    def get_routes(self, viewset):
        routes = super().get_routes(viewset)
        return [
            route._replace(url=route.url.replace("{trailing_slash}$", "/?$"))
            if _FILE_NAME_ROUTE.search(route.url)
            else route
            for route in routes
        ]


def api_root_view(*routers: DefaultRouter):
    """The browsable root of /api/: every resource of the given routers, by prefix."""
    return APIRootView.as_view(
        api_root_dict={
            prefix: router.routes[0].name.format(basename=basename)
            for router in routers
            for prefix, _viewset, basename in router.registry
        }
    )
