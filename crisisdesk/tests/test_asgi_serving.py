"""crisisdesk is served under ASGI (uvicorn; behind nginx, pages and API by gunicorn): the real
commands of Procfile.dev and Procfile start, answer pages and static files on the test database,
and stop on a signal; event streams run without a thread of their own (crisisdesk/asgi.py).
"""

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.test import Client

from conftest import make_user
from crisisdesk import proxy
from crisisdesk.asgi import StreamingASGIHandler, application
from crisisdesk.testing import RedisServer, database_url_of_this_test, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

BIN = Path(sys.executable).parent


def procfile_command(procfile: str, process: str = "web") -> str:
    for line in (settings.BASE_DIR / procfile).read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise AssertionError(f"no {process} process in {procfile}")


def server_env(**values: str) -> dict:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **values}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in the test process only
    return env


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}): {process.stdout.read()[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url} in {seconds} s")


def stop_within(process: subprocess.Popen, sig: int, seconds: float) -> float:
    started = time.monotonic()
    process.send_signal(sig)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"still running {seconds} s after {signal.Signals(sig).name}") from None
    return time.monotonic() - started


def signed_in(user) -> requests.Session:
    """A session for `user` made in the test's process, in the database the server reads."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def test_make_run_serves_pages_and_static_files_under_uvicorn_and_stops_on_ctrl_c(org):
    lead = make_user("lead", organization=org)
    port = free_port()
    command = procfile_command("Procfile.dev").replace("--port 8000", f"--port {port}")
    assert command.startswith("uvicorn crisisdesk.asgi:application")
    server = subprocess.Popen(  # as `make run` starts it (honcho)
        shlex.split(command),
        cwd=settings.BASE_DIR,
        env=server_env(DEBUG="1", DATABASE_URL=database_url_of_this_test(), SECRET_KEY=settings.SECRET_KEY),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/healthz", server)
        login = requests.get(f"{base}/accounts/login/", timeout=10)
        assert login.status_code == 200
        assert login.headers["server"] == "uvicorn"
        stylesheet = re.search(r'href="(/static/css/crisisdesk[^"]*\.css)"', login.text).group(1)
        css = requests.get(f"{base}{stylesheet}", timeout=10)
        assert css.status_code == 200
        assert css.headers["Content-Type"].startswith("text/css")
        assert css.content == (settings.BASE_DIR / "static" / "css" / "crisisdesk.css").read_bytes()
        # A signed-in page: sessions and the ORM in uvicorn's request threads, on the test database.
        dashboard = signed_in(lead).get(f"{base}/", timeout=10, allow_redirects=False)
        assert dashboard.status_code == 200
        assert f">{lead.get_full_name()}</a>" in dashboard.text
    finally:
        took = stop_within(server, signal.SIGINT, seconds=8)
    assert server.returncode == 0, server.stdout.read()[-3000:]
    assert took < 8


def free_ports(*offsets: int) -> int:
    """A port that is free, and free at each of these offsets from it too."""
    while True:
        port = free_port()
        try:
            for offset in offsets:
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port + offset))
            return port
        except OSError:
            continue


@pytest.mark.nginx
def test_make_prod_serves_pages_on_gunicorn_and_streams_on_uvicorn_behind_nginx(org):
    lead = make_user("lead", organization=org)
    port = free_ports(proxy.PAGES_OFFSET, proxy.STREAMS_OFFSET)
    env = server_env(
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,  # the session cookie is signed with it
        BIND=f"127.0.0.1:{port}",
        BEHIND_PROXY="1",
        DATABASE_URL=database_url_of_this_test(),
        # No collectstatic here: templates name unhashed files (what is served is tested above).
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    assert "gunicorn crisisdesk.wsgi:application" in procfile_command("Procfile", "web")
    assert "uvicorn crisisdesk.asgi:application" in procfile_command("Procfile", "events")
    servers = [
        subprocess.Popen(  # through a shell, as honcho runs them
            ["/bin/sh", "-c", procfile_command("Procfile", name)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("proxy", "web", "events")
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/healthz", servers[0])
        deadline = time.monotonic() + 30
        while (health := requests.get(f"{base}/healthz", timeout=10)).status_code == 502:  # gunicorn starting
            assert all(server.poll() is None for server in servers), "a server exited"
            assert time.monotonic() < deadline, "gunicorn did not answer behind nginx"
            time.sleep(0.1)
        assert (health.status_code, health.json()["database"]) == (200, "ok")
        session = signed_in(lead)
        dashboard = session.get(f"{base}/", timeout=10, allow_redirects=False)
        assert (dashboard.status_code, f">{lead.get_full_name()}</a>" in dashboard.text) == (200, True)
        with session.get(f"{base}/events/", timeout=10, stream=True) as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")  # uvicorn, not 503
            assert b"event: hello" in next(stream.iter_content(chunk_size=None))
    finally:
        for server in servers:
            stop_within(server, signal.SIGTERM, seconds=15)


# --- the handler: streams share asgiref's one thread, other requests keep a thread each ---------


async def call(path: str, handler=application, headers=()) -> int:
    """One GET through crisisdesk.asgi.application, as an ASGI server makes it; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
    }
    body, sent = [{"type": "http.request", "body": b"", "more_body": False}], []

    async def receive():
        if body:
            return body.pop()
        await asyncio.Event().wait()  # the client stays: Django cancels this wait when it is done

    async def send(message):
        sent.append(message)

    await handler(scope, receive, send)
    return next(message["status"] for message in sent if message["type"] == "http.response.start")


def in_a_loop_of_its_own(coroutine):
    """Run `coroutine` in an event loop in a thread of its own, as the live server's (Playwright's
    may run in this one)."""
    with ThreadPoolExecutor(max_workers=1) as loop_thread:
        return loop_thread.submit(asyncio.run, coroutine).result(timeout=30)


def test_streams_run_on_one_shared_thread_and_pages_on_a_thread_each(db):
    threads: dict[str, list[str]] = {}
    lock = threading.Lock()

    def record(sender, scope, **kwargs):
        with lock:
            threads.setdefault(scope["path"], []).append(threading.current_thread().name)

    async def at_once():
        paths = ["/a/events/", "/b/events/", "/accounts/login/", "/nowhere/"]
        return await asyncio.gather(*(call(path) for path in paths))

    request_started.connect(record)
    try:
        statuses = in_a_loop_of_its_own(at_once())
    finally:
        request_started.disconnect(record)
    assert statuses == [404, 404, 200, 404]
    [stream_a], [stream_b], [page], [missing] = (
        threads[path] for path in ("/a/events/", "/b/events/", "/accounts/login/", "/nowhere/")
    )
    assert stream_a == stream_b  # asgiref's shared thread
    assert len({stream_a, page, missing}) == 3  # pages: a thread each, not the streams' one


def test_at_most_asgi_requests_at_once_are_served_together_and_streams_do_not_count(db, settings):
    settings.ASGI_REQUESTS_AT_ONCE = 2
    handler = StreamingASGIHandler()
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def started(sender, scope, **kwargs):
        if scope["path"].endswith("/events/"):
            return
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.2)  # a slow page: without the bound, all eight would be in here at once

    def finished(sender, **kwargs):
        with lock:
            in_flight[0] -= 1

    async def at_once():
        paths = ["/accounts/login/"] * 8 + ["/a/events/"] * 3
        return await asyncio.gather(*(call(path, handler) for path in paths))

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        statuses = in_a_loop_of_its_own(at_once())
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert statuses == [200] * 8 + [404] * 3
    assert most[0] == 2


def test_requests_share_one_redis_pool_per_process(db, settings):
    """Under ASGI each request is a new context, and Django's RedisCache made a client per
    context: a connection per request, never closed (crisisdesk/cache.py)."""
    redis_server = RedisServer().start()
    try:
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "crisisdesk.cache.SharedRedisCache", "LOCATION": redis_server.url},
        }
        settings.ASGI_REQUESTS_AT_ONCE = 4
        handler = StreamingASGIHandler()
        client = Client()
        client.force_login(make_user("ria"))
        cookie = [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]

        async def crowd():
            return await asyncio.gather(*(call("/", handler, cookie) for _ in range(20)))

        for _round in range(2):
            statuses = in_a_loop_of_its_own(crowd())
            assert statuses == [200] * 20  # the dashboard: each request read its session from Redis
        info = redis.Redis.from_url(redis_server.url).info("clients")
        assert info["connected_clients"] <= 4 + 2  # the pool's, this test's login and this INFO
    finally:
        redis_server.stop()
