"""What a person's own pages show live, whichever page is open: the bell, and what apps add.

A feed gives each person a token in one query for everyone with a stream open; when a person's
token moves, their streams get `event: <name>` with the feed's data for them. Incidents gives
the bell; monitoring adds its own in its AppConfig.ready() (it sits above incidents).

The hub asks every feed about everyone every LIVE_CHECK_SECONDS and on `f:`, every feed about
the people a `u:` message names, and, at most once a second while rooms change, the feeds a
room's change can move (`on_room_change`: the statements waiting for my approval). The writes
that move the others name their people (a notification) or say `f:` (an alert).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from incidents.models import Notification


@dataclass(frozen=True)
class Feed:
    name: str
    tokens: Callable[[set[int]], dict[int, object]]  # person -> token, for everyone asked
    data: Callable[[int, object], dict]  # what their streams are sent when it moves
    on_room_change: bool = False  # a write under any incident may move it


_feeds: dict[str, Feed] = {}


def register(feed: Feed) -> None:
    _feeds[feed.name] = feed


def room_change_feeds() -> frozenset[str]:
    return frozenset(name for name, feed in _feeds.items() if feed.on_room_change)


def changes(
    user_ids: set[int], known: dict[str, dict[int, object]], names: frozenset[str] | None = None
) -> dict[str, dict[int, tuple[object, dict | None]]]:
    """Per feed, the people whose token moved since `known`: their new token and data.

    A person seen for the first time is sent the data too when there is something (their page
    may have been rendered just before a change); with nothing (no token) nothing is sent.
    """
    if not user_ids:
        return {}
    moved: dict[str, dict[int, tuple[object, dict]]] = {}
    for feed in _feeds.values():
        if names is not None and feed.name not in names:
            continue
        tokens, seen = feed.tokens(user_ids), known.get(feed.name, {})
        for user_id in user_ids:
            token = tokens.get(user_id)
            if user_id not in seen:
                data = feed.data(user_id, token) if token else None
                moved.setdefault(feed.name, {})[user_id] = (token, data)
            elif seen[user_id] != token:
                moved.setdefault(feed.name, {})[user_id] = (token, feed.data(user_id, token))
    return moved


def _bell_tokens(user_ids: set[int]) -> dict[int, object]:
    rows = (
        Notification.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(newest=Max("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
    )
    return {row["user_id"]: (row["newest"], row["unread"]) for row in rows}


def _bell_data(user_id: int, token) -> dict:
    from accounts.models import User
    from incidents.selectors import notifications_of

    user = User.objects.filter(pk=user_id, is_active=True).first()
    unread = notifications_of(user).filter(read_at__isnull=True).count() if user and token else 0
    return {"unread": unread}


register(Feed("bell", _bell_tokens, _bell_data))
