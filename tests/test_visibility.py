"""The one visibility rule (core/visibility.py): every model has one, every view reads through it.

The draft-leak tests (tests/test_access.py, tests/test_research_privacy.py) send requests
and look for a secret in the answers. The tests here also catch a view that would leak
only with data the fixtures lack: they walk every URL the project serves, and fail for a
new API view whose queryset did not pass the rule, or a new reader page that shows an
anonymous reader anything of a draft.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIRequestFactory
from simple_history.models import HistoricalChanges

from claims.choices import ClaimStatus
from claims.models import Claim, Document, DocumentVersion, Evidence, Section, Topic
from core import visibility
from sources.models import Source
from sources.snapshots import snapshot_create
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    TopicFactory,
    user_with_permissions,
)

pytestmark = pytest.mark.django_db

SECRET = "Okapi-unpublished-marker"
CONTENT_APPS = ("claims", "sources")


def content_models():
    """The models of the content apps, without django-simple-history's history tables
    (read only through /history/, which needs the view permission)."""
    return [
        model
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models()
        if not issubclass(model, HistoricalChanges)
    ]


def walk(patterns, namespace=""):
    """Every URL pattern the project serves, with its namespace."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from walk(
                pattern.url_patterns, ":".join(filter(None, [namespace, inner])) or namespace
            )
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


@pytest.fixture
def world(document):
    """A published claim with its evidence, and a draft whose work must stay private."""
    published = ClaimFactory(document=document, key="C001", status=ClaimStatus.PUBLISHED)
    EvidenceFactory(claim=published)
    draft = ClaimFactory(
        document=document, key="C002", quote="Students number 400,000.", paraphrase=SECRET,
        status=ClaimStatus.DRAFT, verdict="", verdict_summary=SECRET,
    )  # fmt: skip
    EvidenceFactory(
        claim=draft,
        source=SourceFactory(key="draft-only", title=SECRET),
        stance="contradicts",
        excerpt=SECRET,
    )
    draft.topics.add(TopicFactory())
    return published, draft


def test_every_content_model_has_a_rule():
    for model in content_models():
        assert visibility.rule_for(model) is not None, model._meta.label


def test_a_model_without_a_rule_cannot_be_restricted():
    from accounts.models import ApiToken

    with pytest.raises(LookupError, match="no visibility rule"):
        visibility.rule_for(ApiToken)


def test_the_public_statuses_and_the_permission_exist():
    assert set(visibility.PUBLIC_CLAIM_STATUSES) <= set(ClaimStatus.values)
    app_label, codename = visibility.UNPUBLISHED_PERMISSION.split(".")
    assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()


def test_restricted_querysets_hold_the_public_rows_only(world, curator):
    """What each model shows an anonymous reader, and that a curator sees everything."""
    published, draft = world
    anonymous = AnonymousUser()
    assert list(Claim.objects.visible_to(anonymous)) == [published]
    assert [row.claim for row in Evidence.objects.visible_to(anonymous)] == [published]
    assert "draft-only" not in Source.objects.visible_to(anonymous).values_list("key", flat=True)
    for model in (Document, Section, Topic):
        assert model.objects.visible_to(anonymous).count() == model.objects.count()
    for model in (Claim, Evidence, Source):
        assert model.objects.visible_to(curator).count() == model.objects.count()


def test_is_public_follows_the_claim(world):
    published, draft = world
    assert visibility.is_public(published) and not visibility.is_public(draft)
    assert not visibility.is_public(draft.evidence.get())
    assert not visibility.is_public(Source.objects.get(key="draft-only"))
    assert visibility.is_public(published.evidence.get().source)
    assert visibility.is_public(draft.document) and visibility.is_public(draft.section)


def api_views():
    """(namespace:name, view class, {method: action}) of every DRF view with a queryset."""
    seen = set()
    for _namespace, pattern in walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None or not hasattr(view_class, "get_queryset"):
            continue  # not a DRF view reading a queryset (the schema and its docs)
        actions = getattr(pattern.callback, "actions", None) or {"get": "get"}
        key = (view_class, tuple(sorted(actions.items())))
        if key not in seen:
            seen.add(key)
            yield pattern.name, view_class, actions, pattern.callback.initkwargs


def test_every_api_view_reads_through_the_rule(world):
    """Each action of each view the routers register: its queryset passed the rule, and for
    an anonymous reader it holds no row the rule keeps private."""
    factory = APIRequestFactory()
    checked = []
    for name, view_class, actions, initkwargs in api_views():
        for method, action in actions.items():
            view = view_class(**initkwargs)
            view.action_map, view.action = actions, action
            view.format_kwarg, view.args, view.kwargs = None, (), {}
            view.request = view.initialize_request(getattr(factory, method)("/"))
            view.request.user = AnonymousUser()
            queryset = view.get_queryset()
            assert getattr(queryset, "visibility_checked", False), (
                f"{name} ({action}): its queryset did not pass core.visibility.restrict"
            )
            model = queryset.model
            public = model._default_manager.filter(visibility.public_q(model))
            assert set(queryset.values_list("pk", flat=True)) <= set(
                public.values_list("pk", flat=True)
            ), f"{name} ({action}) shows an anonymous reader rows the rule keeps private"
            checked.append((name, action))
    names = {name for name, _action in checked}
    assert {"claim-list", "claim-detail", "source-list", "evidence-list"} <= names
    assert len(checked) >= 40


def snapshot_of(source):
    return snapshot_create(
        source=source,
        data=b"A stored copy of the source, as text.",
        url="https://example.org/copy",
        retrieved_on=datetime.date(2026, 1, 1),
    )


def version_of(document):
    anchors = {claim.key: [claim.start, claim.end] for claim in document.claims.all()}
    version, _ = DocumentVersion.objects.get_or_create(
        document=document,
        number=1,
        defaults={"body": document.body, "body_sha256": document.body_sha256, "anchors": anchors},
    )
    return version


# Values for the path parameters of the reader's pages; a new page with another
# parameter must say here which value shows the draft world.
def reader_kwargs(pattern, published) -> dict:
    # The draft shares the published claim's document: its page must not show the draft.
    values = {"slug": published.document.slug, "key": published.key}
    if "pk" in pattern.pattern.converters:  # a stored copy of the published claim's source
        values["pk"] = snapshot_of(published.evidence.first().source).pk
    if "number" in pattern.pattern.converters:  # an earlier text naming every claim
        values["number"] = version_of(published.document).number
    missing = set(pattern.pattern.converters) - set(values)
    assert not missing, f"reader page {pattern.name}: give a value for {missing} in this test"
    return {name: values[name] for name in pattern.pattern.converters}


def test_no_reader_page_shows_an_anonymous_reader_anything_of_a_draft(world):
    published, draft = world
    client = Client()
    pages = [
        pattern for namespace, pattern in walk(get_resolver().url_patterns) if namespace == "reader"
    ]
    assert {pattern.name for pattern in pages} >= {
        "document-list",
        "document-detail",
        "claim-detail",
        "claim-list",
        "document-claims",
        "claim-panel",
        "about",
    }
    for pattern in pages:
        url = reverse(f"reader:{pattern.name}", kwargs=reader_kwargs(pattern, published))
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        assert SECRET not in body.decode(), f"{url} shows the draft"
    # The marker is there for a curator, so the test would notice a leak.
    curator_view = Client()
    curator_view.force_login(user_with_permissions("viewer", visibility.UNPUBLISHED_PERMISSION))
    url = reverse("reader:claim-panel", kwargs={"slug": draft.document.slug, "key": draft.key})
    assert SECRET in curator_view.get(url).content.decode()
    # ...and the same address tells an anonymous reader only that it is not published.
    response = client.get(url)
    assert response.status_code == 404 and SECRET not in response.content.decode()
