"""What a mention must look like, however it arrives (API, CSV upload, a polled feed).

A plain function rather than a Django form: forms cost twice the sentiment scoring on a batch
of 1,000 (measured in bench/ingest.py); the messages are Django's and DRF's own, so they are
translated.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from crisisdesk.converters import LONE_SURROGATE, fits_in_utc

MAX_BATCH = 1000
LIMITS = {"external_id": 255, "author": 200, "text": 10_000, "url": 500}
# A mention is what has been posted: one dated later than this (a clock that runs ahead aside)
# would hold a rule's window, and its cooldown, in the future.
CLOCK_SKEW = timedelta(minutes=5)


def row_clean(row, *, now: datetime | None = None) -> tuple[dict | None, dict[str, list[str]]]:
    """The row's clean values, or None and the errors per field."""
    if not isinstance(row, dict):
        return None, {"non_field_errors": [_("Expected an object with the mention’s fields.")]}
    data, errors = {}, {}
    for name, limit in LIMITS.items():
        data[name], error = _text(row.get(name), limit)
        if error:
            errors[name] = [error]
    for name in ("external_id", "text"):
        if not data[name] and name not in errors:
            errors[name] = [_("This field is required.")]
    if data["url"] and "url" not in errors and not _is_web_address(data["url"]):
        errors["url"] = [_("Enter a valid URL.")]
    data["posted_at"], error = _moment(row.get("posted_at"), now or timezone.now())
    if error:
        errors["posted_at"] = [error]
    return (None, errors) if errors else (data, {})


def _text(value, limit: int) -> tuple[str, str | None]:
    """The value as stripped text, or the reason it cannot be stored as such."""
    if value is None:
        return "", None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return "", _("Not a valid string.")
    text = str(value).strip()
    if len(text) > limit:
        return "", _("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).") % {
            "limit_value": limit,
            "show_value": len(text),
        }
    if "\x00" in text:  # PostgreSQL cannot store it
        return "", _("Null characters are not allowed.")
    if surrogate := LONE_SURROGATE.search(text):
        return "", _("Surrogate characters are not allowed: U+{code_point:X}.").format(
            code_point=ord(surrogate.group())
        )
    return text, None


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _moment(value, now: datetime) -> tuple[datetime | None, str | None]:
    """The posted time, aware, or the reason it is refused."""
    moment = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        return None, _("Enter a valid date/time.")
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (OverflowError, ValueError):
            return None, _("Datetime value out of range.")
    if not fits_in_utc(moment):
        return None, _("Datetime value out of range.")
    if moment > now + CLOCK_SKEW:
        return None, _("This time is in the future: a mention is what has already been posted.")
    return moment, None
