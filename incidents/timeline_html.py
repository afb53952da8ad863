"""The room's timeline as HTML: each entry rendered once per kind of reader, then taken from the cache.

An entry does not change once written (a correction is an entry of its own), so entry 17 looks
the same to every reader with the same language, time zone and right to correct it. The room
and its poll, which everyone in the room asks every 2 seconds, find the newest entries' ids in
one small query and their HTML in this process's own cache (settings.CACHES["timeline"]: no
network, and a deploy's restart starts it afresh); only entries nobody like this reader has
seen here yet are read in full and rendered.
"""

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from incidents import selectors

TEMPLATE = "incidents/partials/timeline_entry.html"


def newest_entries_html(incident_pk: int, *, perms: set[str], limit: int, after: int | None = None):
    """The HTML of the incident's newest entries after `after`, newest first, and their ids."""
    ids = list(selectors.timeline_ids(incident_pk, after=after)[:limit])
    return entries_html(incident_pk, ids, perms=perms), ids


def entries_html(incident_pk: int, ids: list[int], *, perms: set[str]) -> list[SafeString]:
    """The HTML of these entries of the incident, in the order of `ids`."""
    keys = {pk: _key(pk, perms) for pk in ids}
    cache = caches["timeline"]
    html = cache.get_many(keys.values())
    missing = [pk for pk in ids if keys[pk] not in html]
    if missing:
        rendered = {
            keys[entry.pk]: render_to_string(TEMPLATE, {"entry": entry, "perms": perms})
            for entry in selectors.timeline_of(incident_pk).filter(pk__in=missing)
        }
        cache.set_many(rendered)
        html.update(rendered)
    return [_safe(html[keys[pk]]) for pk in ids]


def _key(entry_pk: int, perms: set[str]) -> str:
    may_correct = int("add_timeline_entry" in perms)
    reader = f"{translation.get_language()}:{timezone.get_current_timezone_name()}:{may_correct}"
    return f"timeline-entry:{entry_pk}:{reader}"


def _safe(html: str) -> SafeString:
    return mark_safe(html)  # noqa: S308 - rendered by our own template, which escapes
