"""Placeholders in statement templates: `{organization}`, `{incident_title}`, …

A deliberately small syntax for communications people: a name in braces. No attribute
access or formatting (str.format would allow both), and an unknown name is an error.
"""

import re

from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "organization": _("the organization's name"),
    "incident_title": _("the incident's title"),
    "date": _("today's date"),
    "time": _("the time now"),
    "next_update": _("when the next update will be published"),
    "channel": _("the channel the statement is published on"),
}

PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


def placeholders_in(body: str) -> list[str]:
    return [match.group(1) for match in PLACEHOLDER.finditer(body)]


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in placeholders_in(body) if name not in PLACEHOLDERS})


def fill(body: str, values: dict[str, str]) -> str:
    """Replace every placeholder with its value; a value not given stays visible as `[name]`."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), f"[{match.group(1)}]")), body)


def sample_values(*, organization: str) -> dict[str, str]:
    """Values to preview a template with, in the active language and time zone."""
    from django.utils import formats, timezone

    now = timezone.localtime()
    return {
        "organization": organization,
        "incident_title": str(_("Outage of the customer app")),
        "date": formats.date_format(now, "DATE_FORMAT"),
        "time": formats.time_format(now, "H:i"),
        "next_update": formats.time_format(now + timezone.timedelta(hours=1), "H:i"),
        "channel": "Mastodon",
    }
