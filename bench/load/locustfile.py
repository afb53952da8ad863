"""A crisis hour in one minute: the whole team in one incident room.

- 500 room viewers (LOAD_VIEWERS): each opens the room once, then polls its timeline every 2 s,
  as the page does.
- 20 members post timeline entries and draft statements through the API (token auth).
- 1 feeder posts batches of mentions with the source's ingest token.

Run by `make load` (bench/load/__main__.py), which prepares the people, starts the production
run and reads the figures this file prints when the test stops.
"""

import itertools
import json
import os
import re
import resource
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import gevent
from locust import FastHttpUser, between, constant_pacing, events, task

FIXTURE = json.loads(open(os.environ["LOAD_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
REPORT = os.environ.get("LOAD_REPORT", "")
STEADY_SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
SETTLE_SECONDS = 5
VIEWERS = len(FIXTURE["viewer_sessions"])
MEMBERS = len(FIXTURE["member_tokens"])
ROOM = f"/incidents/{FIXTURE['incident']}/"
API_ROOM = f"/api/v1/incidents/{FIXTURE['incident']}/"
AFTER = re.compile(rb'timeline/\?after=(\d+)"')
BATCH = 100

_sessions = itertools.cycle(FIXTURE["viewer_sessions"])
_tokens = itertools.cycle(FIXTURE["member_tokens"])
_started = {"wall": 0.0, "cpu": 0.0}
_phases: dict = {}


class RoomViewer(FastHttpUser):
    """Someone with the room open: the page polls for new entries every 2 seconds."""

    fixed_count = VIEWERS
    wait_time = constant_pacing(2)

    def on_start(self):
        self.signed_in = {"Cookie": f"sessionid={next(_sessions)}"}
        with self.client.get(ROOM, name="room page", headers=self.signed_in, catch_response=True) as response:
            self.after = self._cursor(response)
        _joined_the_room(self.environment)

    @task
    def poll(self):
        with self.client.get(
            f"{ROOM}timeline/?after={self.after}",
            name="room poll",
            headers={**self.signed_in, "HX-Request": "true"},
            catch_response=True,
        ) as response:
            self.after = self._cursor(response)

    def _cursor(self, response) -> int:
        found = AFTER.search(response.content or b"")
        if response.status_code != 200 or found is None:
            response.failure(f"{response.status_code}: no timeline cursor in the answer")
            return getattr(self, "after", 0)
        return int(found.group(1))


class Member(FastHttpUser):
    """A responder writing in the room: mostly timeline entries, now and then a statement draft."""

    fixed_count = MEMBERS
    wait_time = between(3, 6)

    def on_start(self):
        self.headers = {"Authorization": f"Token {next(_tokens)}"}

    @task(9)
    def add_entry(self):
        self.client.post(
            f"{API_ROOM}timeline/",
            json={"body": f"Checked the call centre queue: {uuid.uuid4().hex[:6]} waiting."},
            headers=self.headers,
            name="post entry",
        )

    @task(1)
    def draft_statement(self):
        self.client.post(
            f"{API_ROOM}statements/",
            json={
                "body": "We know many of you cannot reach us. Our team is on it; next update at 14:00.",
                "language": "en",
            },
            headers=self.headers,
            name="draft statement",
        )


class Feeder(FastHttpUser):
    """Social listening: a batch of fresh mentions every second."""

    fixed_count = 1
    wait_time = constant_pacing(1)

    @task
    def post_mentions(self):
        now = datetime.now(UTC).isoformat()
        rows = [
            {
                "source": FIXTURE["source"],
                "external_id": uuid.uuid4().hex,
                "author": f"@customer{n}",
                "text": "Still no power and nobody answers the phone. This is terrible!",
                "url": "https://social.example/post",
                "posted_at": now,
            }
            for n in range(BATCH)
        ]
        self.client.post(
            "/api/v1/mentions/",
            json=rows,
            headers={"Authorization": f"Bearer {FIXTURE['source_token']}"},
            name="post mentions",
        )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@events.test_start.add_listener
def _start(environment, **kwargs):
    _started.update(wall=time.monotonic(), cpu=_cpu_seconds())


def _joined_the_room(environment) -> None:
    """When the last viewer has the room open and SETTLE_SECONDS have passed (the queue of room
    pages drains), the ramp is over: keep its figures, reset the statistics and measure the next
    STEADY_SECONDS apart, then stop."""
    _phases["joined"] = _phases.get("joined", 0) + 1
    if _phases["joined"] == VIEWERS:
        gevent.spawn_later(SETTLE_SECONDS, _steady, environment)


def _steady(environment) -> None:
    _phases["ramp"] = _figures(environment)
    environment.stats.reset_all()
    _started.update(wall=time.monotonic(), cpu=_cpu_seconds())
    if REPORT:
        Path(f"{REPORT}.steady").touch()  # tells bench/load/__main__.py to start counting CPU
    gevent.spawn_later(STEADY_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _report(environment, **kwargs):
    """Write the figures for bench/load/__main__.py: per phase, overall and per kind of request."""
    _phases["steady"] = _figures(environment)
    if REPORT and "ramp" in _phases:
        with open(REPORT, "w", encoding="utf-8") as out:
            json.dump(_phases, out)


def _figures(environment) -> dict:
    seconds = time.monotonic() - _started["wall"]
    rows = {}
    for entry in [*environment.stats.entries.values(), environment.stats.total]:
        rows[entry.name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / seconds,
            "p50": entry.get_response_time_percentile(0.50),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time,
        }
    return {
        "seconds": seconds,
        "generator_cpu_share": (_cpu_seconds() - _started["cpu"]) / seconds,
        "rows": rows,
        "errors": {str(error.error): error.occurrences for error in environment.stats.errors.values()},
    }
