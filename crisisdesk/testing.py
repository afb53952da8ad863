"""Test helpers that are real parts: a small HTTP server on 127.0.0.1 that tests start and script,
a throwaway Redis and a Celery worker process that tests may stop and kill.

Connectors (webhooks, Mastodon, RSS) talk to the server over a real socket, so the tests exercise
the same HTTP code as production, not a patched function.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: dict | list | str | bytes = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        return json.dumps(self.body).encode(), "application/json"


Handler = Callable[[Received], Answer]


class LocalServer:
    """An HTTP server in a thread; `handler` decides each answer, every request is recorded."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "LocalServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record_and_answer(self, request: Received) -> Answer:
        with self._lock:
            self.received.append(request)
            return self.handler(request)

    def _request_handler(self):
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                answer = server._record_and_answer(request)
                body, content_type = answer.encoded()
                self.send_response(answer.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, format, *args):  # keep the test output quiet
                pass

        return RequestHandler


class MastodonLike:
    """Enough of Mastodon's statuses API to test idempotency: one status per Idempotency-Key.

    `fail_first` answers the first N requests with a 502 *after* creating the status, like a
    server whose answer was lost: the retry must not make a second post.
    """

    def __init__(self, *, token: str, fail_first: int = 0):
        self.statuses: dict[str, dict] = {}
        self.fail_first, self.token, self.calls = fail_first, token, 0

    def __call__(self, request: Received) -> Answer:
        if request.method != "POST" or request.path != "/api/v1/statuses":
            return Answer(404, {"error": "Record not found"})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Answer(401, {"error": "The access token is invalid"})
        self.calls += 1
        key = request.headers.get("Idempotency-Key") or f"none-{self.calls}"
        if key not in self.statuses:
            status_id = str(100 + len(self.statuses))
            self.statuses[key] = {
                "id": status_id,
                "url": f"https://social.example/@lumen/{status_id}",
                "content": request.json()["status"],
            }
        if self.calls <= self.fail_first:
            return Answer(502, "Bad gateway")
        return Answer(200, self.statuses[key])


class PostReceiver:
    """A webhook receiver that keeps one post per Idempotency-Key, as a careful receiver does.

    `fail_first` answers the first N requests 500 and keeps nothing (a receiver having a bad
    moment). `hold` keeps the first post, then holds its answer until `release` is set: the sender
    dies, or the test does something, while the receiver has the post and the sender has no answer.
    """

    def __init__(self, *, fail_first: int = 0, hold: bool = False):
        self.fail_first, self.hold = fail_first, hold
        self.requests: list[tuple[str, str]] = []  # (idempotency key, text), every request
        self.posts: dict[str, str] = {}  # idempotency key -> the text kept
        self.arrived, self.release = threading.Event(), threading.Event()

    def __call__(self, request: Received) -> Answer:
        key, text = request.headers.get("Idempotency-Key", ""), request.json()["text"]
        self.requests.append((key, text))
        if len(self.requests) <= self.fail_first:
            return Answer(500, "Internal Server Error")
        self.posts.setdefault(key, text)
        if self.hold and not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(timeout=60)
        return Answer(200, {"id": f"post-{list(self.posts).index(key) + 1}"})

    def requests_per_key(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key, _text in self.requests:
            counts[key] = counts.get(key, 0) + 1
        return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, what: str):
    """Poll `condition` until it answers something true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer := condition():
            return answer
        time.sleep(0.1)
    raise AssertionError(f"Waited {timeout:.0f} s for {what}")


@contextmanager
def celery_broker(app, url: str) -> Iterator[None]:
    """Tasks go to the broker at `url` (not run in the test's process) until the block ends."""
    conf = app.conf
    saved = conf.task_always_eager, conf.broker_url

    def switch(eager: bool, broker_url: str) -> None:
        conf.task_always_eager, conf.broker_url = eager, broker_url
        # Connections and producers are pooled for the broker the app first used: fresh pools.
        app._pool = app.amqp._producer_pool = None

    switch(False, url)
    try:
        yield
    finally:
        switch(*saved)


def database_url_of_this_test() -> str:
    """The test's own database as a DATABASE_URL, for a process of its own (committed rows only:
    a transactional test)."""
    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database)


def run_django(code: str, *args: str, wait: bool = True, **env: str) -> subprocess.Popen:
    """Python `code`, with Django set up first, in a process of its own on the test's database:
    what a Celery worker or another web process would do."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_this_test(),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "crisisdesk.settings",
        **env,
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in the test process only
    program = f"import django\ndjango.setup()\n{code}"
    process = subprocess.Popen([sys.executable, "-c", program, *args], env=environment)  # noqa: S603
    if wait:
        assert process.wait(60) == 0, f"the process failed: {code}"
    return process


class RedisServer:
    """A redis-server of our own on a free port, keeping nothing on disk: a broker a test may stop."""

    def __init__(self, executable: str = "/usr/bin/redis-server"):
        self.executable, self.port = executable, free_port()
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self._process = subprocess.Popen(  # noqa: S603
            [*command, "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(self._answers, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class CeleryWorker:
    """`celery worker` for this project in a process group of its own, as production starts it.

    `kill()` is the machine dying: SIGKILL to the main process and its pool at once, no goodbye.
    """

    def __init__(self, *, log: Path, **env: str):
        self.log, self.env = log, env
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "CeleryWorker":
        command = [sys.executable, "-m", "celery", "--app", "crisisdesk", "worker", "--concurrency", "1"]
        quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]
        self.log.write_text("")
        with self.log.open("a") as out:
            self._process = subprocess.Popen(  # noqa: S603
                [*command, *quiet],
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: " ready." in self.log.read_text(), timeout=timeout, what=f"the worker ({self.log})")
        return self

    def kill(self) -> None:
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=10)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


class RowLock:
    """FOR UPDATE on one row, from a PostgreSQL connection of its own: another transaction that
    holds the row while a worker process wants it. Also sees who waits for it, and can cut them off."""

    def __init__(self, settings_dict: dict, table: str, pk: int):
        import psycopg

        self._connection = psycopg.connect(
            host=settings_dict["HOST"],
            port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"],
            password=settings_dict["PASSWORD"] or None,
            dbname=settings_dict["NAME"],
        )
        self._connection.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608

    def waiting(self) -> list[int]:
        """Backends of other sessions waiting for a lock right now."""
        with self._connection.cursor() as cursor:
            # pg_stat_activity is read once per transaction and kept; this one holds the lock for
            # its whole life, so drop that snapshot first or a waiter that came later is never seen.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            return [pid for (pid,) in cursor.fetchall()]

    def cut_off(self, pid: int) -> None:
        """End that backend's connection, as a database failover or restart would."""
        self._connection.execute("SELECT pg_terminate_backend(%s)", [pid])

    def release(self) -> None:
        """Roll back and close; a second call does nothing."""
        if not self._connection.closed:
            self._connection.rollback()
            self._connection.close()
