"""Project-wide REST API pieces: pagination and the mapping of domain errors to answers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
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
    return drf_exception_handler(exc, context)
