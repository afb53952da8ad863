"""Who has a room open, across the web processes (with LIVE_EVENTS_URL).

Each process knows only its own streams. With Redis, each writes its part of a room's presence
into one hash (`crisisdesk:presence:<incident>`, a field per process, each with its time), reads
the whole hash back, and announces a change of its own part with `p:<incident>` so the others
read it again. A part older than STALE_SECONDS is a process that went away and is left out.
"""

import json
import secrets
import time

from incidents.live import bus

KEY = "crisisdesk:presence:{}"
STALE_SECONDS = 45
REFRESH_SECONDS = 15  # each process writes its part again this often


def presence_message(incident_pk: int) -> str:
    return f"p:{incident_pk}"


class SharedPresence:
    def __init__(self, url: str):
        import redis.asyncio as redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.process = secrets.token_hex(6)

    async def merge(self, incident_pk: int, people: dict[int, str], *, announce: bool) -> dict[int, str]:
        """Write this process's people of the room, and answer everyone's."""
        key, now = KEY.format(incident_pk), time.time()
        pipeline = self.client.pipeline()
        if people:
            pipeline.hset(key, self.process, json.dumps({"at": now, "people": people}))
        else:
            pipeline.hdel(key, self.process)
        pipeline.expire(key, STALE_SECONDS)
        pipeline.hgetall(key)
        if announce:
            pipeline.publish(bus.CHANNEL, presence_message(incident_pk))
        answers = await pipeline.execute()
        everyone: dict[int, str] = {}
        for value in answers[2].values():
            part = json.loads(value)
            if now - part["at"] < STALE_SECONDS:
                everyone.update({int(user_id): name for user_id, name in part["people"].items()})
        return everyone
