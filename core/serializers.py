"""Serializer plumbing shared by every app: writes are validated by the model itself."""

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.settings import api_settings

from core.visibility import can_see_unpublished


def api_errors(error: DjangoValidationError) -> dict:
    """A model ValidationError as DRF shows errors: errors of no one field under non_field_errors."""
    return {
        api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: messages
        for name, messages in error.message_dict.items()
    }


class UniqueRaceMixin:
    """A write that loses a race for a unique key gets the 400 a sequential duplicate gets.

    Validation checks the unique constraints, but another request can commit the same
    key between that check and the INSERT, and the database then refuses the row
    (IntegrityError: a 500). The write runs in a savepoint; when the database refuses
    it, validation runs again, now sees the other row, and answers as it would have.
    """

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError:
            self.run_validation(self.initial_data)  # raises ValidationError for a taken key
            raise  # not a uniqueness race: a real error


class ModelCleanMixin(UniqueRaceMixin):
    """Run the model's full_clean() on the data a write would save.

    The model's clean() holds the rules across fields (a quote must match the text
    at its offsets, a counter-source needs an excerpt); running it here gives API
    clients the same field-level messages the admin shows.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        plain = {name: value for name, value in attrs.items() if name not in many_to_many}
        if self.instance is None:
            candidate = model(**plain)
        else:
            candidate = copy.copy(self.instance)
            for name, value in plain.items():
                setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(api_errors(error)) from error
        return attrs


class NaturalKeyRelatedField(serializers.SlugRelatedField):
    """A reference by slug or key (a document's slug, a source's key).

    Text no key can hold is refused before the lookup: PostgreSQL refuses a NUL character
    in a query (a database error, a 500), so it is a 400 naming the field instead.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError("The reference contains a NUL character.")
        return super().to_internal_value(data)


class InternalFieldsMixin:
    """Fields for the curators' side only (`Meta.internal_fields`), left out of what
    everyone else reads.

    The rule is the visibility rule's: who may see unpublished material (curators and
    reviewers) may read the curators' working notes; anonymous readers and signed-in
    users without that permission never receive them. They stay in the schema (optional),
    since the same operation answers both.
    """

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_see_unpublished(getattr(request, "user", None)):
            for name in getattr(self.Meta, "internal_fields", ()):
                data.pop(name, None)
        return data
