"""Wake-ups for the hubs of the web processes.

A message says only *which* incident or person to look at again (`i:<id>`, `u:<id>`, `f:` for
every person's feeds, `p:<id>` for a room's presence); the hub
reads what changed from the database, so a lost message costs a second, never an event. Within
the process a message reaches the hub directly; with LIVE_EVENTS_URL (`redis://...`) it is also
published on Redis for the other processes, and a Redis that is down loses nothing but speed.
"""

import logging
from collections.abc import Callable
from functools import cache

from django.conf import settings

CHANNEL = "crisisdesk:live"
log = logging.getLogger(__name__)
_listeners: list[Callable[[str], None]] = []


FEEDS_MESSAGE = "f:"  # read every feed again, for everyone


def incident_message(incident_pk: int) -> str:
    return f"i:{incident_pk}"


def user_message(user_pk: int) -> str:
    return f"u:{user_pk}"


def listen(callback: Callable[[str], None]) -> None:
    """Hear this process's messages (the hub; `callback` must be safe to call from any thread)."""
    _listeners.append(callback)


def publish(message: str) -> None:
    for callback in _listeners:
        callback(message)
    if not settings.LIVE_EVENTS_URL:
        return
    try:
        _redis(settings.LIVE_EVENTS_URL).publish(CHANNEL, message)
    except Exception as error:
        log.warning("live events: could not publish %s on Redis: %s", message, error)


@cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
