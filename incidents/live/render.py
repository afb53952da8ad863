"""The live parts of the room, as HTML for one kind of viewer.

A kind of viewer is what changes the HTML: language, time zone and rights on the incident. The
hub loads a room's state once and renders each part once per kind; the room page renders the
same templates from the same state. Nothing personal is in a part: no CSRF token (room.js adds
the page's own to a form when it is sent) and no control that depends on who looks beyond their
rights. Approve and Request changes carry `data-hide-for` (the people who may not decide now:
the writers and who decided already), and room.js removes them for those people.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents import selectors, timeline_html, timers
from incidents.forms import PublishForm, StatementEditForm
from incidents.models import Incident, Statement

PARTS = ("head", "statements", "tasks", "roles", "mentions")
TEMPLATES = {part: f"incidents/partials/live_{part}.html" for part in PARTS}
TRANSITION_LABELS = {
    "acknowledged": translation.gettext_lazy("Acknowledge"),
    "responding": translation.gettext_lazy("Respond"),
    "monitoring": translation.gettext_lazy("Move to monitoring"),
    "resolved": translation.gettext_lazy("Resolve"),
    "closed": translation.gettext_lazy("Close"),
}
MENTIONS_SHOWN = 20
PAGE_PARTS_SECONDS = 30  # the page's cached parts live this long, as the hub's refresh: timers count down
CSRF_MARK = secrets.token_hex(16)  # in a cached part where each reader's own CSRF token goes
ENTRY_LIMIT = 500  # a stream further behind than this reloads the page instead


@dataclass(frozen=True)
class Kind:
    language: str
    time_zone: str
    perms: frozenset[str]

    def key(self) -> str:
        """The same in every process (hash() of a str is not)."""
        text = "|".join([self.language, self.time_zone, *sorted(self.perms)])
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@dataclass
class RoomState:
    """What the room shows, loaded once in a constant number of queries, whoever looks."""

    incident: Incident
    statements: list[Statement]
    tasks: list
    channels: list
    last_update: Any
    mentions: list
    mention_count: int
    role_holders: dict[int, str] = field(default_factory=dict)  # user id -> full name


def room_state(incident_pk: int) -> RoomState | None:
    incident = selectors.incident_with_roles(incident_pk)
    if incident is None:
        return None
    # Mentions live in monitoring, to the right of incidents: read through the reverse relation.
    mentions = getattr(incident, "mentions", None)
    return RoomState(
        incident=incident,
        statements=list(selectors.statements_with_details(incident.statements.all())),
        tasks=list(selectors.tasks_of(incident)),
        channels=list(incident.organization.channels.filter(is_active=True)),
        last_update=selectors.last_public_updates([incident]).get(incident.pk),
        mentions=list(mentions.order_by("-posted_at")[:MENTIONS_SHOWN]) if mentions is not None else [],
        mention_count=mentions.count() if mentions is not None else 0,
        role_holders={a.user_id: a.user.get_full_name() for a in incident.role_assignments.all()},
    )


def part_context(state: RoomState, perms: set[str] | frozenset[str], *, viewer_id: int | None = None) -> dict:
    """The context of every live part. `viewer_id` is the page's own reader (None when pushed)."""
    incident = state.incident
    for statement in state.statements:
        statement.hide_decision_for = sorted(statement.not_deciding())
        statement.edit_form = StatementEditForm(
            initial={"body": statement.body, "version": statement.version}, prefix=f"s{statement.pk}"
        )
        statement.publishing = statement.is_publishing()
        statement.actions = statement.allowed_actions()  # the model's rule; the role is asked on top
        statement.publish_form = _publish_form(statement, state.channels, perms)
    return {
        "incident": incident,
        "perms": perms,
        "viewer_id": viewer_id,
        "statements": state.statements,
        "tasks": state.tasks,
        "timers": timers.with_states(
            timers.timers_for(incident, last_update=state.last_update), timers.now()
        ),
        "transitions": [(status, TRANSITION_LABELS[status]) for status in incident.allowed_transitions()],
        "mentions": state.mentions,
        "mention_count": state.mention_count,
    }


def _publish_form(statement: Statement, channels: list, perms) -> PublishForm | None:
    """A form for the channels this statement has not gone out on (or is going out on), if any."""
    if "publish_statement" not in perms or "publish" not in statement.actions:
        return None
    taken = {
        publication.channel_id
        for publication in statement.publications.all()
        if publication.in_flight or publication.status == publication.Status.PUBLISHED
    }
    open_channels = [channel for channel in channels if channel.pk not in taken]
    return PublishForm(channels=open_channels, prefix=f"p{statement.pk}") if open_channels else None


def parts_html(state: RoomState, kind: Kind) -> dict[str, str]:
    """Every live part of the room for `kind`, pushed: without a CSRF token, for no one in particular."""
    with translation.override(kind.language), timezone.override(kind.time_zone):
        context = part_context(state, kind.perms)  # no csrf_token: the parts' forms show none
        return {part: render_to_string(TEMPLATES[part], context) for part in PARTS}


def page_parts_html(
    incident: Incident,
    perms: set[str],
    *,
    viewer_id: int,
    csrf_token: str,
    entry_ids: list[int],
    edit_forms=None,
) -> dict[str, str]:
    """Every live part for the room page: the pushed parts, with the reader's CSRF token in its forms.

    Rendered once per kind of viewer for all web processes and kept until anything but the timeline
    changes (at most PAGE_PARTS_SECONDS: timers count down), so a crowd opening the room costs
    one rendering, not one each. `entry_ids` are the newest entries' ids, newest first, read after
    `incident`. Approve is cut out server-side for the people who may not decide (room.js
    removes it too); a page showing typed input (`edit_forms`) gets parts of its own.
    """
    if edit_forms:
        html, _undecided = _page_parts(incident.pk, perms, viewer_id=viewer_id, edit_forms=edit_forms)
        return _with_token(html, csrf_token)
    kind = Kind(translation.get_language(), timezone.get_current_timezone_name(), frozenset(perms))
    key = f"room-parts:{incident.pk}:{int(time.time() // PAGE_PARTS_SECONDS)}:{kind.key()}"
    cache = caches["default"]  # shared by the web processes (Redis in production)
    cached = cache.get(key)
    if (
        cached is not None
        and cached[0] == kind
        and _entries_only_since(cached, incident.live_version, entry_ids)
    ):
        *_same, not_deciding, html = cached
    else:
        html, not_deciding = _page_parts(incident.pk, perms, viewer_id=None)
        cursor = entry_ids[0] if entry_ids else 0
        cache.set(key, (kind, incident.live_version, cursor, not_deciding, html), PAGE_PARTS_SECONDS * 2)
    hidden = [pk for pk, people in not_deciding.items() if viewer_id in people]
    if hidden:
        html = {part: _without_decisions(text, hidden) for part, text in html.items()}
    return _with_token(html, csrf_token)


def _entries_only_since(cached, version: int, entry_ids: list[int]) -> bool:
    """Whether the counter moved only by new entries since the copy was made (as the hub's
    `_parts_changed`): each entry moves it by one, and every other write moves it too. Any race
    between the reads makes the two differ, so it can only cost a rendering, never show a stale
    part."""
    _kind, cached_version, cursor, *_rest = cached
    return version - cached_version == sum(1 for entry_id in entry_ids if entry_id > cursor)


def _page_parts(
    incident_pk: int, perms, *, viewer_id, edit_forms=None
) -> tuple[dict[str, str], dict[int, frozenset[int]]]:
    """The parts rendered for the page, and who may not decide on each of its statements."""
    state = room_state(incident_pk)
    if state is None:
        return {}, {}
    context = {**part_context(state, perms, viewer_id=viewer_id), "csrf_token": CSRF_MARK}
    not_deciding = {}
    for statement in state.statements:
        statement.edit_form = (edit_forms or {}).get(statement.pk) or statement.edit_form
        if statement.hide_decision_for:
            not_deciding[statement.pk] = frozenset(statement.hide_decision_for)
    return {part: render_to_string(TEMPLATES[part], context) for part in PARTS}, not_deciding


def _without_decisions(html: str, statement_ids: list[int]) -> str:
    """`html` without the Approve and Request changes of these statements (statement.html marks
    each such form with `<!--decision N-->` … `<!--/decision N-->`)."""
    for pk in statement_ids:
        start, end = f"<!--decision {pk}-->", f"<!--/decision {pk}-->"
        while (begins := html.find(start)) != -1 and (ends := html.find(end, begins)) != -1:
            html = html[:begins] + html[ends + len(end) :]
    return html


def _with_token(html: dict[str, str], csrf_token: str) -> dict[str, SafeString]:
    # The mark is hex and the token alphanumeric: nothing to escape either way.
    return {part: mark_safe(text.replace(CSRF_MARK, csrf_token)) for part, text in html.items()}  # noqa: S308


def entries_html(incident_pk: int, kind: Kind, ids: list[int]) -> list[str]:
    """The HTML of these entries for `kind`, in the order of `ids`."""
    with translation.override(kind.language), timezone.override(kind.time_zone):
        return timeline_html.entries_html(incident_pk, ids, perms=set(kind.perms))


def newest_entries(incident_pk: int, *, after: int) -> list[tuple[int, str]]:
    """(id, kind) of the newest entries after `after`, oldest first: at most ENTRY_LIMIT + 1."""
    newest = selectors.timeline_ids(incident_pk, after=after).values_list("id", "kind")
    return list(newest[: ENTRY_LIMIT + 1])[::-1]


def presence_html(names: list[str], others: int, language: str) -> str:
    """Who has the room open: the names of people with a role on it, and how many more."""
    with translation.override(language):
        if not names and not others:
            return ""
        shown = ", ".join(names)
        if not names:
            text = ngettext(
                "%(count)d person has the room open", "%(count)d people have the room open", others
            )
            text = text % {"count": others}
        elif others:
            more = ngettext("%(count)d other", "%(count)d others", others) % {"count": others}
            text = _("In the room: %(names)s and %(more)s") % {"names": shown, "more": more}
        else:
            text = _("In the room: %(names)s") % {"names": shown}
        return render_to_string("incidents/partials/live_presence.html", {"text": text})
