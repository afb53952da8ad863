"""Project-wide REST API pieces: pagination and the mapping of domain errors to answers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from crisisdesk.errors import DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action is not allowed in the current state.")
    default_code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, plus a domain error answering 409 in DRF's usual `{"detail": ...}` shape."""
    if isinstance(exc, DomainError):
        exc = Conflict(detail=exc.message)
    elif isinstance(exc, DataError):
        # A number or text the database cannot hold (an id past bigint): bad input, not a crash.
        exc = ValidationError({"non_field_errors": [_("A value is out of range.")]})
    elif isinstance(exc, DjangoValidationError):
        # A model rule caught what the serializer let through: still a 400, never a 500.
        exc = ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return drf_exception_handler(exc, context)
