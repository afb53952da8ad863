"""What a mention must look like, however it arrives (API, CSV upload, a polled feed).

A plain function rather than a Django form: forms cost twice the sentiment scoring on a batch
of 1,000 (measured in bench/ingest.py); the messages are Django's own, so they are translated.
"""

from datetime import datetime
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

MAX_BATCH = 1000
LIMITS = {"external_id": 255, "author": 200, "text": 10_000, "url": 500}


def row_clean(row) -> tuple[dict | None, dict[str, list[str]]]:
    """The row's clean values, or None and the errors per field."""
    if not isinstance(row, dict):
        return None, {"non_field_errors": [_("Expected an object with the mention’s fields.")]}
    data = {name: _text(row.get(name)) for name in LIMITS}
    errors = {}
    for name in ("external_id", "text"):
        if not data[name]:
            errors[name] = [_("This field is required.")]
    for name, limit in LIMITS.items():
        if len(data[name]) > limit:
            errors[name] = [
                _("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).")
                % {"limit_value": limit, "show_value": len(data[name])}
            ]
    if data["url"] and not _is_web_address(data["url"]):
        errors["url"] = [_("Enter a valid URL.")]
    data["posted_at"] = _moment(row.get("posted_at"))
    if data["posted_at"] is None:
        errors["posted_at"] = [_("Enter a valid date/time.")]
    return (None, errors) if errors else (data, {})


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
