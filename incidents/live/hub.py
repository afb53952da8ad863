"""One hub per web process: the open streams, and what to send them.

The hub wakes up when a write in this process commits, when Redis brings a message from another
process (LIVE_EVENTS_URL), and every LIVE_CHECK_SECONDS. Each time it asks the database, in one
query for all the rooms it has open, which rooms' change counters moved; for those it reads the
new entries and the room's state once, renders each part once per kind of viewer, and queues
only what changed to each stream. Its database work runs in a thread of its own (one
connection, returned between ticks), not in asgiref's one shared thread: the streams' few sync
calls (sessions, permissions) queue there, and a tick would hold them up.

Every few seconds (LIVE_RECHECK_SECONDS), and at once for the people a message names, it asks
again in one batch what everyone with a stream may do: a person who lost the room gets
`event: revoked` and the stream ends; one whose rights changed is sent the parts for their new
rights.
"""

import asyncio
import contextlib
import contextvars
import hashlib
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections

from incidents.live import bus, presence
from incidents.live.render import Kind

log = logging.getLogger(__name__)
TICKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-hub")  # one tick at a time
PRESENCE_SECONDS = 2.0  # who is in the room is sent at most this often
REFRESH_SECONDS = 30.0  # parts are rendered again this often anyway: timers count down
COALESCE_SECONDS = 0.05
FEEDS_SECONDS = 1.0  # everyone's feeds are read at most this often on news
ROOM_FEEDS_MESSAGE = "r:"  # (within the hub) the feeds a room's change moves are due


@dataclass(eq=False)
class Stream:
    """One open event stream: a browser (or a tab that cannot share one) of one person."""

    user_id: int
    name: str
    language: str
    time_zone: str
    incident_id: int | None = None
    perms: frozenset[str] = frozenset()
    after: int = 0  # the newest entry it has
    seen_version: int | None = None  # the room's change counter its page was rendered at
    digests: dict[str, str] = field(default_factory=dict)  # part -> digest of what it has
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    closed: bool = False

    kind: Kind = field(init=False)

    def __post_init__(self):
        self.allow(self.perms)

    def allow(self, perms) -> None:
        """What this viewer may do now, and so which kind of viewer they are."""
        self.perms = frozenset(perms)
        self.kind = Kind(self.language, self.time_zone, self.perms)

    def send(self, event: str, data: dict, *, cursor: int | None = None) -> None:
        self.put(frame(event, data, cursor=cursor))

    def put(self, chunk: bytes) -> None:
        if not self.closed:
            self.queue.put_nowait(chunk)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)


@dataclass(eq=False)
class Room:
    incident_id: int
    streams: set[Stream] = field(default_factory=set)
    version: int | None = None
    cursor: int = 0
    sent: dict[Kind, dict[str, str]] = field(default_factory=dict)  # part -> digest of its HTML
    role_holders: set[int] = field(default_factory=set)
    refreshed_at: float = 0.0
    presence_due: bool = True
    presence_at: float = 0.0
    presence_shared: dict[int, str] | None = None  # this process's people, as last told to Redis


class Hub:
    def __init__(self):
        self.rooms: dict[int, Room] = {}
        self.streams: set[Stream] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._redis_task: asyncio.Task | None = None
        self._redis_url = ""
        self._presence: presence.SharedPresence | None = None
        self._messages: set[str] = set()
        self._recheck_at = 0.0
        self._checked_at = 0.0
        self._feeds_at = 0.0
        self._feed_tokens: dict[str, dict[int, object]] = {}
        bus.listen(self._heard)

    # --- streams come and go ----------------------------------------------------------------

    async def join(self, stream: Stream) -> None:
        self._start()
        self.streams.add(stream)
        if stream.incident_id is not None:
            room = self.rooms.setdefault(stream.incident_id, Room(stream.incident_id))
            room.streams.add(stream)
            room.presence_due = True
            if stream.seen_version is not None and stream.seen_version == room.version:
                stream.digests = dict(room.sent.get(stream.kind, {}))  # its page shows what we sent
        self._messages.add(bus.user_message(stream.user_id))
        self._wake.set()

    def leave(self, stream: Stream) -> None:
        stream.closed = True
        self.streams.discard(stream)
        room = self.rooms.get(stream.incident_id) if stream.incident_id is not None else None
        if room is not None:
            room.streams.discard(stream)
            room.presence_due = True
            if not room.streams:
                del self.rooms[room.incident_id]
        if not any(s.user_id == stream.user_id for s in self.streams):
            for tokens in self._feed_tokens.values():
                tokens.pop(stream.user_id, None)

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._loop is not loop or self._task.done():
            self._start_hub(loop)
        self._start_listening()

    def _start_hub(self, loop) -> None:
        self._loop, self._wake = loop, asyncio.Event()
        # A context of its own: the task outlives the request that happened to start it.
        self._task = loop.create_task(self._run(), context=contextvars.Context())
        self._redis_task = None

    def _start_listening(self) -> None:
        """One subscription per process, to the Redis LIVE_EVENTS_URL names now."""
        task, url = self._redis_task, settings.LIVE_EVENTS_URL
        if task is not None and not task.done() and self._redis_url == url:
            return
        if task is not None:
            task.cancel()
        self._redis_task, self._redis_url = None, url
        self._presence = presence.SharedPresence(url) if url else None
        if url:
            self._redis_task = self._loop.create_task(
                self._listen_to_redis(url), context=contextvars.Context()
            )

    def close_all_soon(self) -> None:
        """End every stream (from any thread): on shutdown, so a deploy does not wait for them; the
        browsers reconnect to the next process and catch up with Last-Event-ID."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(lambda: [stream.close() for stream in list(self.streams)])

    def wake(self) -> None:
        """Look at everything at the next tick (from any thread)."""
        self._heard("w:")

    def _heard(self, message: str) -> None:
        """A message from a write in this process (any thread) or from Redis."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._note, message)

    def _note(self, message: str) -> None:
        self._messages.add(message)
        if self._wake is not None:
            self._wake.set()

    # --- the loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=settings.LIVE_CHECK_SECONDS)
            await asyncio.sleep(COALESCE_SECONDS)  # writes that come together are looked at together
            self._wake.clear()
            if not self.streams:
                self._messages.clear()
                continue
            try:
                await self.tick()
            except Exception:  # the hub must outlive a database hiccup; the next tick catches up
                log.exception("live hub: a tick failed")
                await asyncio.sleep(1)

    async def tick(self) -> None:
        from incidents.live import tick as ticking  # the sync half: database and templates

        now = time.monotonic()
        messages, self._messages = self._messages, set()
        woken_users = {int(m[2:]) for m in messages if m.startswith("u:")}
        for message in messages:
            if message.startswith("p:") and (room := self.rooms.get(int(message[2:]))) is not None:
                room.presence_due = True
        people = await self._people(now)
        every = now - self._checked_at >= settings.LIVE_CHECK_SECONDS
        # Everyone's feeds (a fixed number of queries, whatever the number of people): all of them
        # at each check and when told so; those a room's change moves (a statement to approve?)
        # when rooms change, at most once a second.
        all_feeds = every or bus.FEEDS_MESSAGE in messages
        room_feeds_due = ROOM_FEEDS_MESSAGE in messages or any(m.startswith("i:") for m in messages)
        room_feeds = all_feeds or (room_feeds_due and now - self._feeds_at >= FEEDS_SECONDS)
        if room_feeds_due and not room_feeds:
            self._loop.call_later(FEEDS_SECONDS - (now - self._feeds_at), self._note, ROOM_FEEDS_MESSAGE)
        recheck = now - self._recheck_at >= settings.LIVE_RECHECK_SECONDS
        plan = ticking.Plan(
            rooms={pk: self._room_plan(room, now, people.get(pk)) for pk, room in self.rooms.items()},
            rights=[
                (s.user_id, s.incident_id)
                for s in self.streams
                if s.incident_id is not None and (recheck or s.user_id in woken_users)
            ],
            feed_asks=self._feed_asks(all_feeds, room_feeds, woken_users),
            feed_tokens=self._feed_tokens,
        )
        result = await self._loop.run_in_executor(TICKS, _in_thread(ticking.run), plan)
        if every:
            self._checked_at = now
        if room_feeds:
            self._feeds_at = now
        if recheck:
            self._recheck_at = now
        self._apply_rights(result.rights)
        for pk, outcome in result.rooms.items():
            room = self.rooms.get(pk)
            if room is not None:
                self._deliver(room, outcome, now)
        self._deliver_feeds(result.feeds)
        self._wake_for_presence(now)

    def _feed_asks(self, all_feeds: bool, room_feeds: bool, woken_users: set[int]):
        from incidents.live import feeds

        everyone = {s.user_id for s in self.streams}
        if all_feeds:
            return [(everyone, None)]
        asks = [(woken_users, None)] if woken_users else []
        if room_feeds:
            asks.append((everyone, feeds.room_change_feeds()))
        return asks

    def _wake_for_presence(self, now: float) -> None:
        """Presence held back by its throttle is sent when the throttle allows, not at the next check."""
        waits = [
            room.presence_at + PRESENCE_SECONDS - now for room in self.rooms.values() if room.presence_due
        ]
        if waits:
            self._loop.call_later(max(min(waits), 0.05), self._wake.set)

    async def _people(self, now: float) -> dict[int, dict[int, str]]:
        """Who is in each room whose presence is due: here, and with Redis in every process."""
        due = {}
        for pk, room in self.rooms.items():
            shared_refresh = self._presence is not None and now - room.presence_at >= presence.REFRESH_SECONDS
            if (room.presence_due or shared_refresh) and now - room.presence_at >= PRESENCE_SECONDS:
                due[pk] = {s.user_id: s.name for s in room.streams}
                room.presence_due = False  # a stream that joins from now on makes it due again
        if self._presence is None or not due:
            return due
        for pk, people in due.items():
            room = self.rooms[pk]
            try:
                due[pk] = await self._presence.merge(pk, people, announce=people != room.presence_shared)
                room.presence_shared = people
            except Exception as error:
                log.warning("live hub: presence through Redis failed (%s)", error)
        return due

    def _room_plan(self, room: Room, now: float, people: dict[int, str] | None):
        from incidents.live.tick import RoomPlan

        kinds = {s.kind for s in room.streams}
        presence = (people, {s.language for s in room.streams}) if people is not None else None
        return RoomPlan(
            version=room.version,
            cursor=room.cursor,
            kinds=kinds,
            behind=min((s.after for s in room.streams), default=room.cursor),
            full={s.kind for s in room.streams if not s.digests},
            refresh=now - room.refreshed_at >= REFRESH_SECONDS,
            presence=presence,
            role_holders=room.role_holders,
        )

    # --- handing out --------------------------------------------------------------------------

    def _deliver(self, room: Room, outcome, now: float) -> None:
        if outcome.gone:
            for stream in list(room.streams):
                stream.send("revoked", {})
                stream.close()
            return
        if outcome.version is not None:
            room.version = outcome.version
        if outcome.role_holders is not None:
            room.role_holders = outcome.role_holders
        if outcome.parts is not None:
            room.refreshed_at = now
        newest = outcome.entries[-1][0] if outcome.entries else room.cursor
        parts = outcome.parts or {}
        digests = {
            kind: {part: _digest(html) for part, html in by_part.items()} for kind, by_part in parts.items()
        }
        room.sent.update(digests)
        frames: dict[tuple, bytes] = {}  # each event encoded once per kind of viewer

        def framed(key, event, data, cursor):
            if key not in frames:
                frames[key] = frame(event, data, cursor=cursor)
            return frames[key]

        for stream in list(room.streams):
            kind = stream.kind
            if outcome.truncated and outcome.entries and stream.after < outcome.entries[0][0]:
                stream.send("reload", {})  # too far behind to catch up by events: read the page again
                stream.close()
                continue
            for entry_id, by_kind in outcome.entries:
                if entry_id > stream.after:
                    if kind not in by_kind:  # it joined during the tick: the next one renders for it
                        self._wake.set()
                        break
                    html, entry_kind = by_kind[kind]
                    data = {"id": entry_id, "kind": entry_kind, "html": html}
                    stream.put(framed(("entry", entry_id, kind), "entry", data, entry_id))
                    stream.after = entry_id
            if kind in digests:
                for part, html in parts[kind].items():
                    if stream.digests.get(part) != digests[kind][part]:
                        stream.put(framed((part, kind), part, {"html": html}, newest))
                stream.digests = dict(digests[kind])
            elif not stream.digests:
                self._wake.set()  # it has no parts yet: the next tick renders them for its kind
        room.cursor = max(room.cursor, newest)
        if outcome.presence is not None:
            room.presence_at = now
            for stream in room.streams:
                html = outcome.presence.get(stream.language, "")
                stream.put(framed(("presence", stream.language), "presence", {"html": html}, newest))

    def _apply_rights(self, rights: dict) -> None:
        for stream in list(self.streams):
            key = (stream.user_id, stream.incident_id)
            if stream.incident_id is None or key not in rights:
                continue
            perms = frozenset(rights[key])
            if "view_incident" not in perms:
                stream.send("revoked", {})
                stream.close()
            elif perms != stream.perms:
                stream.allow(perms)
                stream.digests = {}  # the next tick sends its new parts
                self._wake.set()

    def _deliver_feeds(self, feeds: dict) -> None:
        streams_of: dict[int, list[Stream]] | None = None  # made once, when someone is told anything
        for name, changed in feeds.items():
            tokens = self._feed_tokens.setdefault(name, {})
            for user_id, (token, data) in changed.items():
                tokens[user_id] = token
                if data is None:
                    continue
                if streams_of is None:
                    streams_of = {}
                    for stream in self.streams:
                        streams_of.setdefault(stream.user_id, []).append(stream)
                for stream in streams_of.get(user_id, ()):
                    stream.send(name, data)

    # --- Redis --------------------------------------------------------------------------------

    async def _listen_to_redis(self, url: str) -> None:
        """Hold one subscription for the process; after a break, catch up from the database."""
        import redis.asyncio as redis

        while True:
            try:
                client = redis.Redis.from_url(url)
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(bus.CHANNEL)
                    self._everything_again()
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self._note(message["data"].decode())
            except Exception as error:
                log.warning("live hub: Redis subscription lost (%s); retrying", error)
            self._everything_again()
            await asyncio.sleep(1)

    def _everything_again(self) -> None:
        """Messages may have been lost: look at every room and person at the next tick."""
        self._checked_at = 0.0
        self._recheck_at = 0.0
        for room in self.rooms.values():
            room.refreshed_at = 0.0
        if self._wake is not None:
            self._wake.set()


def frame(event: str, data: dict, *, cursor: int | None = None) -> bytes:
    """One server-sent event, encoded once however many streams it goes to."""
    lines = [f"id: {cursor}"] if cursor is not None else []
    lines += [f"event: {event}", f"data: {json.dumps(data, separators=(',', ':'))}"]
    return ("\n".join(lines) + "\n\n").encode()


def _digest(html: str) -> str:
    return hashlib.blake2b(html.encode(), digest_size=12).hexdigest()


def _in_thread(function):
    """Run `function` with the connection hygiene a request would have: no stale connection kept."""

    def run(*args):
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()

    return run


hub = Hub()
