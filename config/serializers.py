"""Serializer plumbing shared by every app: writes are validated by the model itself."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


class ModelCleanMixin:
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
            raise serializers.ValidationError(error.message_dict) from error
        return attrs
