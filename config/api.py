"""API-wide plumbing: JSON errors with field names, model validation errors as 400."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler


def json_exception_handler(exc, context):
    """Turn Django model ValidationErrors (raised by services) into DRF 400 responses."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    return exception_handler(exc, context)
