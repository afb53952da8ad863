"""The asyncio client of `make load`: real server-sent-event streams, and the members' requests.

bench/load/__main__.py starts it as separate processes, so that parsing thousands of streams
does not slow the timing of the members' requests (nor the other way round):

    python -m bench.load.client viewers <fixture> <first> <count>   # holds `count` room streams
    python -m bench.load.client writers <fixture>                   # the members and the feeder

A process prints what it did as JSON lines (stdout) and reads commands (stdin): `steady` starts
the measured phase, `stop` ends it. Its last line names the file holding its report.

Viewers arrive at LOAD_SPAWN_RATE a second (shared by the viewer processes); each loads the room
page as a browser does (its cursor and version are in `#room`'s `data-live-after` and
`data-live-version`), then opens `/incidents/<id>/events/` and keeps it open, reconnecting with
`Last-Event-ID` as EventSource does. Every entry a member posts carries a unique marker; each
viewer stamps the moment it reads that entry (time.monotonic, one clock for every process on
the machine), and the orchestrator subtracts the moment the POST was answered.
"""

import asyncio
import json
import os
import random
import re
import resource
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

ENTRY_MARK = re.compile(rb"LDM[0-9a-f]{12}")  # in an entry's body: "LDM" and 12 hex digits
STATEMENT_MARK = re.compile(rb"LDS[0-9a-f]{12}")
ROOM_TAG = re.compile(rb'<[^>]*\bid="room"[^>]*>')
LIVE_AFTER = re.compile(rb'data-live-after="(\d+)"')
LIVE_VERSION = re.compile(rb'data-live-version="(\d+)"')
READ_TIMEOUT = 45  # seconds without a byte (the heartbeat comes every 15 s)
MENTIONS_PER_BATCH = 100


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _say(**message) -> None:
    print(json.dumps(message), flush=True)


def _session(connector: aiohttp.TCPConnector, host: str) -> aiohttp.ClientSession:
    """One session for all: no shared cookie jar (each person sends their own cookie)."""
    return aiohttp.ClientSession(
        host, connector=connector, cookie_jar=aiohttp.DummyCookieJar(), raise_for_status=False
    )


class Phase:
    """What happened in one phase (the ramp, then the steady minute)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = time.monotonic()
        self.cpu = _cpu_seconds()
        self.errors: Counter[str] = Counter()
        self.ended_by_server = 0
        self.events: Counter[str] = Counter()
        self.bytes = 0
        self.duplicates = 0
        self.lags: list[float] = []

    def figures(self) -> dict:
        seconds = time.monotonic() - self.started
        lags = sorted(self.lags) or [0.0]
        return {
            "seconds": seconds,
            "cpu_seconds": _cpu_seconds() - self.cpu,
            "errors": dict(self.errors),
            "ended_by_server": self.ended_by_server,
            "events": dict(self.events),
            "bytes": self.bytes,
            "duplicates": self.duplicates,
            "loop_lag_p99_ms": lags[int(0.99 * (len(lags) - 1))] * 1000,
            "loop_lag_max_ms": lags[-1] * 1000,
        }


# --- viewers ------------------------------------------------------------------------------------


class Viewers:
    def __init__(self, fixture: dict, sessions: list[str], rate: float) -> None:
        self.host = fixture["host"]
        self.room = f"/incidents/{fixture['incident']}/"
        self.sessions = sessions
        self.rate = rate
        self.phase = Phase("ramp")
        self.receipts: dict[bytes, list[float]] = defaultdict(list)
        self.opened = 0
        self.all_open = asyncio.Event()
        self.page_ms: list[float] = []
        self.page_errors: Counter[str] = Counter()

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, ttl_dns_cache=None)
        async with _session(connector, self.host) as session:
            lag = asyncio.create_task(self._watch_the_loop())
            progress = asyncio.create_task(self._progress())
            started = time.monotonic()
            tasks = []
            for number, key in enumerate(self.sessions):
                await asyncio.sleep(max(0.0, started + number / self.rate - time.monotonic()))
                tasks.append(asyncio.create_task(self._viewer(session, key)))
            await self.all_open.wait()
            progress.cancel()
            ramp = self.phase.figures()
            ramp.update(all_open_seconds=time.monotonic() - started, page_ms=self.page_ms)
            ramp["errors"].update({f"room page: {k}": v for k, v in self.page_errors.items()})
            _say(event="ramp", opened=self.opened)
            await _command("steady")
            self.phase = Phase("steady")
            _say(event="steady")
            await _command("stop")
            steady = self.phase.figures()
            for task in [*tasks, lag]:
                task.cancel()
            await asyncio.gather(*tasks, lag, return_exceptions=True)
        report = {
            "ramp": ramp,
            "steady": steady,
            "viewers": len(self.sessions),
            "receipts": {marker.decode(): times for marker, times in self.receipts.items()},
        }
        _report(report)

    async def _progress(self) -> None:
        while True:
            await asyncio.sleep(5)
            errors = sum(self.phase.errors.values()) + sum(self.page_errors.values())
            _say(event="progress", opened=self.opened, errors=errors)

    async def _watch_the_loop(self) -> None:
        """How late the event loop wakes up: a late loop stamps receipts late."""
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.05)
            self.phase.lags.append(time.monotonic() - before - 0.05)

    async def _viewer(self, session: aiohttp.ClientSession, key: str) -> None:
        cookie = {"Cookie": f"sessionid={key}"}
        after, version = await self._room_page(session, cookie)
        query = f"?after={after}" + (f"&v={version}" if version is not None else "")
        url = f"{self.host}{self.room}events/{query}"
        last_id: bytes | None = None
        retry = 3.0
        seen: set[bytes] = set()
        counted = False
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=READ_TIMEOUT)
        while True:
            headers = {**cookie, "Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if last_id is not None:
                headers["Last-Event-ID"] = last_id.decode()
            answered = False
            try:
                async with session.get(url, headers=headers, timeout=timeout) as answer:
                    answered = True
                    kind = answer.headers.get("Content-Type", "")
                    if answer.status != 200 or not kind.startswith("text/event-stream"):
                        self.phase.errors[f"stream refused: {answer.status} {kind}"] += 1
                        await answer.read()
                    else:
                        if not counted:
                            counted = True
                            self.opened += 1
                            if self.opened == len(self.sessions):
                                self.all_open.set()
                        last_id, retry = await self._read(answer, seen, last_id, retry)
                        self.phase.ended_by_server += 1
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, TimeoutError) as error:
                when = "stream, once open" if answered else "stream, opening"
                if isinstance(error, TimeoutError):  # aiohttp's socket timeouts are TimeoutErrors too
                    what = f"no byte from the server for {READ_TIMEOUT} s"
                else:
                    what = f"{error.__class__.__name__}: {error}"[:120]
                self.phase.errors[f"{when}: {what}"] += 1
            await asyncio.sleep(retry * random.uniform(0.5, 1.5))

    async def _room_page(self, session: aiohttp.ClientSession, cookie: dict) -> tuple[int, int | None]:
        """The room page as the browser loads it first; the cursor and version it carries."""
        while True:
            began = time.monotonic()
            try:
                async with session.get(self.room, headers=cookie) as answer:
                    page = await answer.read()
                    self.page_ms.append((time.monotonic() - began) * 1000)
                    if answer.status == 200:
                        tag = ROOM_TAG.search(page)
                        tag = tag.group(0) if tag else b""
                        after, version = LIVE_AFTER.search(tag), LIVE_VERSION.search(tag)
                        return int(after.group(1)) if after else 0, int(version.group(1)) if version else None
                    self.page_errors[str(answer.status)] += 1
            except (aiohttp.ClientError, TimeoutError) as error:
                self.page_errors[error.__class__.__name__] += 1
            await asyncio.sleep(1)

    async def _read(self, answer, seen: set[bytes], last_id, retry) -> tuple[bytes | None, float]:
        """Reads events until the server ends the stream; stamps each marker on arrival."""
        phase = self.phase
        receipts = self.receipts
        rest = b""
        async for chunk in answer.content.iter_any():
            now = time.monotonic()
            phase = self.phase
            phase.bytes += len(chunk)
            if b"\r" in chunk:
                chunk = chunk.replace(b"\r\n", b"\n")
            rest += chunk
            *blocks, rest = rest.split(b"\n\n")
            for block in blocks:
                if block.startswith(b":"):
                    phase.events["heartbeat"] += 1
                    continue
                name, data = b"message", b""
                for line in block.split(b"\n"):
                    if line.startswith(b"data:"):
                        data += line[5:]
                    elif line.startswith(b"event:"):
                        name = line[6:].strip()
                    elif line.startswith(b"id:"):
                        last_id = line[3:].strip()
                    elif line.startswith(b"retry:"):
                        retry = int(line[6:]) / 1000
                if not data:
                    continue
                phase.events[name.decode()] += 1
                if name == b"entry":
                    for marker in ENTRY_MARK.findall(data):
                        if marker in seen:
                            phase.duplicates += 1
                        else:
                            seen.add(marker)
                            receipts[marker].append(now)
                elif name == b"statements":
                    for marker in STATEMENT_MARK.findall(data):
                        if marker not in seen:
                            seen.add(marker)
                            receipts[marker].append(now)
                elif name == b"revoked":
                    phase.errors["revoked"] += 1
        return last_id, retry


# --- members and the feeder ---------------------------------------------------------------------


class Writers:
    """20 members posting entries and statement drafts through the API (token), and reading now
    and then (the room page with their session, an API list); one feeder posting mentions."""

    def __init__(self, fixture: dict, seconds: float) -> None:
        self.fixture = fixture
        self.seconds = seconds
        self.api = f"/api/v1/incidents/{fixture['incident']}/"
        self.room = f"/incidents/{fixture['incident']}/"
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.failures: Counter[str] = Counter()
        self.posts: dict[str, dict] = {}

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, ttl_dns_cache=None)
        async with _session(connector, self.fixture["host"]) as session:
            _say(event="ready")
            await _command("steady")
            phase = Phase("steady")
            self.until = time.monotonic() + self.seconds
            members = zip(self.fixture["member_tokens"], self.fixture["member_sessions"], strict=True)
            work = [self._feeder(session)]
            for token, key in members:
                work += [self._member(session, token), self._reader(session, token, key)]
            await asyncio.gather(*work)
            figures = phase.figures()
        _report({**figures, "timings": self.timings, "failures": dict(self.failures), "posts": self.posts})

    async def _request(self, session, name: str, method: str, url: str, **kwargs):
        began = time.monotonic()
        try:
            async with session.request(method, url, **kwargs) as answer:
                body = await answer.read()
                answered = time.monotonic()
                self.timings[name].append((answered - began) * 1000)
                if answer.status >= 400:
                    self.failures[f"{name}: {answer.status} {body[:120].decode(errors='replace')}"] += 1
                    return None, began, answered
                return body, began, answered
        except (aiohttp.ClientError, TimeoutError) as error:
            self.timings[name].append((time.monotonic() - began) * 1000)
            self.failures[f"{name}: {error.__class__.__name__}"] += 1
            return None, began, time.monotonic()

    async def _member(self, session, token: str) -> None:
        headers = {"Authorization": f"Token {token}"}
        while True:
            await asyncio.sleep(random.uniform(3, 6))
            if time.monotonic() >= self.until:
                return
            if random.random() < 0.9:
                marker = f"LDM{uuid.uuid4().hex[:12]}"
                body = {"body": f"Checked the call centre queue: {marker} waiting."}
                url, name = f"{self.api}timeline/", "API post entry"
            else:
                marker = f"LDS{uuid.uuid4().hex[:12]}"
                text = f"We know many of you cannot reach us ({marker}). Our next update is at 14:00."
                body = {"body": text, "language": "en"}
                url, name = f"{self.api}statements/", "API draft statement"
            answer, began, answered = await self._request(
                session, name, "POST", url, json=body, headers=headers
            )
            if answer is not None:
                self.posts[marker] = {"sent": began, "answered": answered}

    async def _reader(self, session, token: str, key: str) -> None:
        """Now and then: the room page (as the member, signed in), an API list, the API timeline."""
        reads = [
            ("room page", self.room, {"Cookie": f"sessionid={key}"}),
            ("API incident list", "/api/v1/incidents/", {"Authorization": f"Token {token}"}),
            ("API timeline ?after=", None, {"Authorization": f"Token {token}"}),
        ]
        random.shuffle(reads)
        cursor = self.fixture["first_cursor"]  # an integration's poll: entries after the last it read
        turn = 0
        while True:
            await asyncio.sleep(random.uniform(4, 8))
            if time.monotonic() >= self.until:
                return
            name, url, headers = reads[turn % len(reads)]
            turn += 1
            answer, _began, _answered = await self._request(
                session, name, "GET", url or f"{self.api}timeline/?after={cursor}", headers=headers
            )
            if url is None and answer is not None:
                cursor = max([cursor, *(entry["id"] for entry in json.loads(answer)["results"])])

    async def _feeder(self, session) -> None:
        """Social listening: a batch of fresh mentions every second."""
        headers = {"Authorization": f"Bearer {self.fixture['source_token']}"}
        started = time.monotonic()
        for second in range(int(self.seconds)):
            await asyncio.sleep(max(0.0, started + second - time.monotonic()))
            now = datetime.now(UTC).isoformat()
            rows = [
                {
                    "source": self.fixture["source"],
                    "external_id": uuid.uuid4().hex,
                    "author": f"@customer{n}",
                    "text": "Still no power and nobody answers the phone. This is terrible!",
                    "url": "https://social.example/post",
                    "posted_at": now,
                }
                for n in range(MENTIONS_PER_BATCH)
            ]
            await self._request(
                session, "API post mentions", "POST", "/api/v1/mentions/", json=rows, headers=headers
            )


# --- plumbing -----------------------------------------------------------------------------------

_stdin: asyncio.StreamReader | None = None


async def _command(expected: str) -> None:
    global _stdin
    if _stdin is None:
        _stdin = asyncio.StreamReader()
        protocol = asyncio.StreamReaderProtocol(_stdin)
        await asyncio.get_running_loop().connect_read_pipe(lambda: protocol, sys.stdin)
    while True:
        line = await _stdin.readline()
        if not line:
            raise SystemExit("the orchestrator went away")
        if line.strip().decode() == expected:
            return


def _report(report: dict) -> None:
    path = Path(os.environ["LOAD_OUT"]) / f"client-{os.getpid()}.json"
    path.write_text(json.dumps(report))
    _say(event="report", path=str(path))


def _raise_file_limit() -> None:
    """Thousands of streams need as many sockets: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str]) -> None:
    role, fixture = argv[0], json.loads(Path(argv[1]).read_text())
    _raise_file_limit()
    try:
        import uvloop  # faster where installed (uvicorn[standard] brings it)

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    if role == "viewers":
        first, count = int(argv[2]), int(argv[3])
        rate = float(os.environ.get("LOAD_SPAWN_RATE_EACH", "50"))
        runner(Viewers(fixture, fixture["viewer_sessions"][first : first + count], rate).run())
    else:
        runner(Writers(fixture, float(os.environ.get("LOAD_SECONDS", "60"))).run())


if __name__ == "__main__":
    main(sys.argv[1:])
