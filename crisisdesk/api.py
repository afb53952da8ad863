"""Project-wide REST API pieces: pagination, the JSON parser, the input fields every app shares
(ids, times, slugs that fit the database) and the mapping of domain errors to answers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from crisisdesk.converters import LONE_SURROGATE, fits_in_utc, id_or_none
from crisisdesk.errors import DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class MomentField(serializers.DateTimeField):
    """DRF's DateTimeField that also refuses a time outside UTC's range (a naive
    `0001-01-01T00:00` in Amsterdam is before year 1 in UTC): a 400, not an OverflowError."""

    def enforce_timezone(self, value):
        try:
            value = super().enforce_timezone(value)  # its ambiguity check can overflow too
        except OverflowError:
            self.fail("overflow")
        if timezone.is_aware(value) and not fits_in_utc(value):
            self.fail("overflow")
        return value


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by its id: a whole number or its ASCII digits; `٣`, which int() reads
    as 3, names nothing (crisisdesk.converters.id_or_none)."""

    def to_internal_value(self, data):
        if id_or_none(data) is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """A related object by a text key (a role's slug); a text the database cannot take (a NUL,
    a lone surrogate) is "Invalid value." before the lookup, where PostgreSQL would refuse it."""

    def to_internal_value(self, data):
        if isinstance(data, str) and ("\x00" in data or LONE_SURROGATE.search(data)):
            self.fail("invalid")
        return super().to_internal_value(data)


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
