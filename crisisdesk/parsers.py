"""The JSON parser every API view uses. A module of its own: DRF imports it while it loads its
settings (DEFAULT_PARSER_CLASSES), so it must not import DRF's views (a circular import that
stops a fresh process, such as a Celery worker, from starting)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

JSON_MAX_DEPTH = 100


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a nesting limit: a body nested 100,000 deep would exhaust Python's
    stack (a RecursionError, a 500); one nested past JSON_MAX_DEPTH is a 400 on every endpoint."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if _depth_within(data, JSON_MAX_DEPTH):
                return data
        raise ParseError(
            _("JSON parse error - nested too deep (at most %(depth)d levels).") % {"depth": JSON_MAX_DEPTH}
        )


def _depth_within(data, limit: int) -> bool:
    """Whether lists and objects nest at most `limit` deep (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True
