"""The hub's synchronous half: one look at the database for every room and person with a stream.

Takes a plain plan from the hub and returns plain results (no asyncio object crosses the
thread boundary). Queries: one for all rooms' change counters; per room that changed, its new
entries (one small query, their HTML mostly from the cache) and its state (a constant number);
one batch for everyone's rights when asked; one per feed.
"""

from dataclasses import dataclass, field

from incidents import selectors
from incidents.live import feeds, render
from incidents.live.render import Kind
from incidents.models import Incident


@dataclass
class RoomPlan:
    version: int | None
    cursor: int
    kinds: set[Kind]
    behind: int  # the oldest entry cursor among its streams
    full: set[Kind]
    refresh: bool
    presence: tuple[dict[int, str], set[str]] | None
    role_holders: set[int]


@dataclass
class Plan:
    rooms: dict[int, RoomPlan]
    rights: list[tuple[int, int]]
    feed_asks: list[tuple[set[int], frozenset[str] | None]]  # (people, which feeds: None for all)
    feed_tokens: dict[str, dict[int, object]]


@dataclass
class RoomOutcome:
    version: int | None = None
    gone: bool = False
    entries: list = field(default_factory=list)  # [(id, {kind: (html, entry kind)})], oldest first
    truncated: bool = False
    parts: dict[Kind, dict[str, str]] | None = None
    role_holders: set[int] | None = None
    presence: dict[str, str] | None = None  # language -> HTML


@dataclass
class Outcome:
    rooms: dict[int, RoomOutcome]
    rights: dict[tuple[int, int], set[str]]
    feeds: dict[str, dict[int, tuple[object, dict]]]


def run(plan: Plan) -> Outcome:
    versions = dict(Incident.objects.filter(pk__in=plan.rooms).values_list("pk", "live_version"))
    rooms = {pk: _room(pk, room, versions.get(pk)) for pk, room in plan.rooms.items()}
    rights = selectors.incident_permissions_many(
        [user for user, _ in plan.rights], [incident for _, incident in plan.rights]
    )
    return Outcome(
        rooms=rooms,
        rights={pair: rights.get(pair, set()) for pair in plan.rights},
        feeds=_feeds(plan),
    )


def _feeds(plan: Plan) -> dict[str, dict[int, tuple[object, dict | None]]]:
    moved: dict[str, dict[int, tuple[object, dict | None]]] = {}
    for user_ids, names in plan.feed_asks:
        for name, changed in feeds.changes(user_ids, plan.feed_tokens, names).items():
            moved.setdefault(name, {}).update(changed)
    return moved


def _room(pk: int, room: RoomPlan, version: int | None) -> RoomOutcome:
    if version is None:
        return RoomOutcome(gone=True)
    outcome = RoomOutcome(version=version)
    changed = version != room.version
    if changed or room.behind < room.cursor:
        outcome.entries, outcome.truncated = _entries(pk, room.kinds, after=min(room.behind, room.cursor))
    if _parts_changed(room, version, outcome) or room.full or room.refresh:
        state = render.room_state(pk)
        if state is None:
            return RoomOutcome(gone=True)
        outcome.parts = {kind: render.parts_html(state, kind) for kind in room.kinds}
        outcome.role_holders = set(state.role_holders)
    if room.presence is not None:
        holders = outcome.role_holders if outcome.role_holders is not None else room.role_holders
        outcome.presence = _presence(room.presence, holders)
    return outcome


def _parts_changed(room: RoomPlan, version: int, outcome: RoomOutcome) -> bool:
    """Whether anything but the timeline may have changed since the hub last looked.

    Each entry moves the counter by one (entry_write); every other write under the incident
    moves it too (incident_locked, statement_locked, incident_changed). So a counter that moved
    by exactly the number of new entries means entries only: the parts need no new rendering,
    which is most of what a busy room writes. A race (an entry committed between the two reads)
    can only hide a change until the next look, which that entry's own bump brings about.
    """
    if room.version is None or outcome.truncated:
        return True
    new_entries = sum(1 for entry_id, _html in outcome.entries if entry_id > room.cursor)
    return version - room.version > new_entries


def _entries(pk: int, kinds: set[Kind], *, after: int):
    """The newest entries after `after` (at most ENTRY_LIMIT), oldest first, for every kind."""
    newest = render.newest_entries(pk, after=after)
    truncated = len(newest) > render.ENTRY_LIMIT
    newest = newest[-render.ENTRY_LIMIT :]
    ids = [entry_id for entry_id, _kind in newest]
    html = {kind: render.entries_html(pk, kind, ids) for kind in kinds}
    entries = [
        (entry_id, {kind: (html[kind][n], entry_kind) for kind in kinds})
        for n, (entry_id, entry_kind) in enumerate(newest)
    ]
    return entries, truncated


def _presence(presence, role_holders: set[int]) -> dict[str, str]:
    people, languages = presence
    named = sorted(name for user_id, name in people.items() if user_id in role_holders)
    others = len([user_id for user_id in people if user_id not in role_holders])
    return {language: render.presence_html(named, others, language) for language in languages}
