"""Request text into values that fit the database: ids of at most 18 ASCII digits (so a huge
number or a digit like `²` is a 404 or a 400, never a DataError), moments that fit in UTC, and
text without a lone surrogate (no UTF-8 for it: PostgreSQL and SQLite refuse it)."""

import re
from datetime import UTC, datetime

from django.urls import register_converter

ID_REGEX = "[0-9]{1,18}"
ID_MAX = 10**18 - 1
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class IdConverter:
    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")


def id_or_none(value: object) -> int | None:
    """An id as a request writes it (a whole number, or its ASCII digits), or None.

    Stricter than `str.isdigit()` and `int()`, which take `²`, `٣`, ` 7`, `+7` and `1_0`.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= ID_MAX else None
    if isinstance(value, str) and re.fullmatch(ID_REGEX, value, flags=re.ASCII):
        return int(value)
    return None


def fits_in_utc(moment: datetime) -> bool:
    """Whether a time can be stored: `0001-01-01T00:00+05:00` falls before year 1 in UTC."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True
