"""The room's fallback poll against a bare view: CPU of the server per request, side by side.

A browser that cannot hold the event stream polls `/incidents/<id>/live/` every 2 s; when the
room has not changed it sends `If-None-Match` and should get a 304 from one cheap check before
sessions run. Measured here against a bare view (the whole middleware stack, then "ok"),
/healthz, a poll that carries changes, and the poll room.js sent before the room was pushed
(the htmx timeline poll, `incidents.views.timeline_since`; where that view is gone it is
rebuilt below from the same selectors and renderer, so the row still says what it cost).

How: a real server on a throwaway database (SQLite by default, PostgreSQL with DATABASE_URL),
one process, first uvicorn (ASGI, as `make run` and the streams are served), then gunicorn
(WSGI, 4 threads, as pages were served before); requests one at a time over one keep-alive
connection from this process. The figure is the answering process's own CPU time (all its
threads, read from its CPU clock: clock_getcpuclockid) per request: everything the server pays
to answer, HTTP parsing and Django's async/sync hops included; the client's work is not in it.
On SQLite the database work runs inside the server process and is counted; on PostgreSQL the
backend's share is not. Rounds alternate between the kinds of request so that drift hits them
all alike; the median round is shown.

    make bench            # or: .venv/bin/python -m bench.poll
"""

import ctypes
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psutil

ROUNDS, PER_ROUND, WARM_UP = 3, 50, 10
ROOT = Path(__file__).resolve().parents[1]
BARE = "/bench/bare/"
TODAY = "/bench/htmx-poll/{pk}/"
# The template of the htmx poll as it was (templates/incidents/partials/timeline_since.html).
TODAY_TEMPLATE = (
    '<li id="timeline-poll" class="poller" hx-get="{{ poll_url }}?after={{ last_entry_id }}" '
    'hx-trigger="poll" hx-swap="outerHTML" hx-sync="this:drop" aria-hidden="true"></li>'
    "{% for html in entries_html %}{{ html }}{% endfor %}"
)


def _environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")
    os.environ.setdefault("SECRET_KEY", "django-insecure-bench-only")  # DEBUG off needs a key
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("LOG_LEVEL", "ERROR")  # no sign-in lines, no 404 for a probed path
    os.environ["DEBUG"] = "0"


def _bench_paths() -> None:
    """Two bench-only paths beside the project's own: the bare view and, when the project no
    longer has it, the poll room.js sent before the room was pushed."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")
    django.setup(set_prefix=False)  # before the imports below
    from django.contrib.auth.decorators import login_required
    from django.http import Http404, HttpResponse
    from django.template import engines
    from django.urls import path
    from django.views.decorators.http import require_GET

    from crisisdesk import urls
    from incidents import selectors, timeline_html

    template = engines["django"].from_string(TODAY_TEMPLATE)

    def bare(request):
        return HttpResponse("ok", content_type="text/plain")

    @login_required
    @require_GET
    def htmx_poll(request, pk: int):
        """incidents.views.timeline_since as room.js polled it every 2 s before issue 18."""
        after = int(request.GET.get("after", "0"))
        permissions = selectors.incident_permissions(request.user, pk)
        if "view_incident" not in permissions:
            raise Http404
        entries_html, entry_ids = timeline_html.newest_entries_html(
            pk, perms=permissions, limit=500, after=after
        )
        context = {
            "poll_url": TODAY.format(pk=pk),
            "entries_html": entries_html,
            "last_entry_id": entry_ids[0] if entry_ids else after,
        }
        return HttpResponse(template.render(context, request))

    urls.urlpatterns += [
        path(BARE.strip("/") + "/", bare),
        path("bench/htmx-poll/<int:pk>/", htmx_poll),
    ]


def asgi_application():
    """What uvicorn serves here (`--factory`): the project's ASGI application and the bench paths."""
    _bench_paths()
    from crisisdesk.asgi import application

    return application


def wsgi_application():
    """What gunicorn serves here: the project's WSGI application and the bench paths."""
    _bench_paths()
    from crisisdesk.wsgi import application

    return application


SERVERS = {
    # as the Procfile runs them, with one process (and gunicorn's 4 threads)
    "uvicorn": ["uvicorn", "bench.poll:asgi_application", "--factory", "--host", "127.0.0.1",
                "--port", "{port}", "--log-level", "warning", "--no-access-log"],
    "gunicorn": ["gunicorn", "bench.poll:wsgi_application()", "--workers", "1", "--threads", "4",
                 "--bind", "127.0.0.1:{port}", "--log-level", "warning"],
}  # fmt: skip


class Server:
    """uvicorn or gunicorn in a process of its own, and the CPU clock of the process that answers."""

    def __init__(self, kind: str, database_url: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": database_url}
        env.pop("LIVE_EVENTS_URL", None)
        command = [word.format(port=port) for word in SERVERS[kind]]
        command[0] = str(Path(sys.executable).parent / command[0])
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"{kind} did not answer on /healthz") from None
                self.connection.close()
                time.sleep(0.2)
        workers = psutil.Process(self.process.pid).children()  # gunicorn's one worker answers
        self.clock = _cpu_clock(workers[0].pid if kind == "gunicorn" else self.process.pid)

    def cpu(self) -> float:
        return time.clock_gettime(self.clock)

    def get(self, url: str, headers: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        self.connection.request("GET", url, headers=headers or {})
        answer = self.connection.getresponse()
        body = answer.read()
        return answer.status, answer.msg, body

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.wait(timeout=10)


def _cpu_clock(pid: int) -> int:
    """The CPU-time clock of another process (all its threads, nanoseconds), Linux."""
    libc = ctypes.CDLL(None, use_errno=True)
    clock = ctypes.c_int()
    if libc.clock_getcpuclockid(pid, ctypes.byref(clock)) != 0:
        raise SystemExit(f"clock_getcpuclockid: errno {ctypes.get_errno()}")
    return clock.value


def _database_url(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "")
    password = f":{quote(settings_dict['PASSWORD'])}" if settings_dict["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    )


def _room(entries: int):
    """An organization, a lead signed in (a session cookie), a room with `entries` entries."""
    from django.test import Client

    from accounts import services as accounts_services
    from accounts.models import User
    from incidents import services

    organization = accounts_services.organization_create(
        name="Bench", slug="bench", two_factor_required=False
    )
    lead = User.objects.create_user("bench-lead", password="x", full_name="Bench Lead")
    accounts_services.membership_add(organization=organization, user=lead)
    incident = services.incident_open(organization=organization, acting_user=lead, title="Polled room")
    for number in range(entries):
        services.timeline_add(incident=incident, acting_user=lead, body=f"Update {number}: volume steady.")
    client = Client()
    client.force_login(lead)
    ids = list(incident.timeline.order_by("-pk").values_list("pk", flat=True))
    incident.refresh_from_db()
    return incident, client.session.session_key, ids


def _requests(server: Server, incident, session: str, ids: list[int]) -> list[tuple[str, str, dict]]:
    """(label, url, headers) of each kind of request, with what each needs found out first."""
    from django.urls import Resolver404, resolve

    cookie = {"Cookie": f"sessionid={session}"}
    room, newest, sixth = incident.pk, ids[0], ids[5]
    version = getattr(incident, "live_version", 0)
    rows = [
        ("bare view (all middleware, 'ok')", BARE, {}),
        ("/healthz (database, broker)", "/healthz", {}),
    ]
    live = f"/incidents/{room}/live/"
    unchanged, changed = f"{live}?after={newest}&v={version}", f"{live}?after={sixth}&v={version - 1}"
    status, headers, _body = server.get(unchanged, cookie)
    if status == 200 and headers.get("ETag"):
        rows += [
            ("live poll, unchanged (If-None-Match)", unchanged, {**cookie, "If-None-Match": headers["ETag"]}),
            ("live poll, 5 new entries + all parts", changed, cookie),
            ("live poll, unchanged, no If-None-Match", unchanged, cookie),
        ]
    else:
        rows.append((f"live poll: not there ({status}, ETag {headers.get('ETag')})", "", {}))
    htmx = {**cookie, "HX-Request": "true"}
    old = f"/incidents/{room}/timeline/"
    try:
        resolve(old)
    except Resolver404:
        old = TODAY.format(pk=room)  # gone from the project: the same work, rebuilt above
    rows += [
        ("htmx poll before push, nothing new", f"{old}?after={newest}", htmx),
        ("htmx poll before push, 5 new entries", f"{old}?after={sixth}", htmx),
    ]
    return rows


def measure(server: Server, rows: list[tuple[str, str, dict]]) -> dict[str, dict]:
    figures: dict[str, dict] = {}
    for label, url, headers in rows:
        if url:
            for _ in range(WARM_UP):
                status, _headers, body = server.get(url, headers)
            figures[label] = {"status": status, "bytes": len(body), "cpu": [], "wall": []}
    for _round in range(ROUNDS):
        for label, url, headers in rows:
            if not url:
                continue
            walls = []
            began_cpu = server.cpu()
            for _ in range(PER_ROUND):
                began = time.perf_counter()
                server.get(url, headers)
                walls.append(time.perf_counter() - began)
            figures[label]["cpu"].append((server.cpu() - began_cpu) / PER_ROUND * 1000)
            figures[label]["wall"] += walls
    return figures


def main() -> None:
    _environment()
    import django

    django.setup()
    from django.db import connection, connections
    from django.test.utils import setup_test_environment

    setup_test_environment()
    workdir = tempfile.TemporaryDirectory(prefix="bench-poll-")
    if connection.settings_dict["ENGINE"].endswith("sqlite3"):
        connection.settings_dict["TEST"]["NAME"] = str(Path(workdir.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    figures: dict[str, dict] = {}
    try:
        incident, session, ids = _room(entries=20)
        engine = connection.settings_dict["ENGINE"].rsplit(".", 1)[-1]
        database_url = _database_url(connection.settings_dict)
        connections.close_all()
        rows = None
        for kind in SERVERS:
            server = Server(kind, database_url)
            try:
                rows = rows or _requests(server, incident, session, ids)
                figures[kind] = measure(server, rows)
            finally:
                server.stop()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        workdir.cleanup()
    _print(engine, rows, figures)


def _print(engine: str, rows: list, figures: dict[str, dict]) -> None:
    print(
        f"\nThe room's fallback poll: CPU of the answering server process per request ({engine}; "
        f"median of {ROUNDS} rounds of {PER_ROUND}, one request at a time)\n"
    )
    header = f"{'request':<40}{'status':>7}{'bytes':>7}"
    for kind in figures:
        header += f"{kind + ' ms':>14}{'×bare':>6}"
    print(f"{header}{'wall ms':>9}")
    print("-" * len(header + "wall ms  "))
    bare = {kind: statistics.median(next(iter(rows.values()))["cpu"]) for kind, rows in figures.items()}
    first = next(iter(figures.values()))
    for label, url, _headers in rows:
        if not url:
            print(label)
            continue
        line = f"{label:<40}{first[label]['status']:>7}{first[label]['bytes']:>7}"
        for kind, measured in figures.items():
            cpu = statistics.median(measured[label]["cpu"])
            line += f"{cpu:>14.2f}{cpu / bare[kind]:>6.1f}"
        print(f"{line}{statistics.median(first[label]['wall']) * 1000:>9.2f}")
    print(f"(wall: {next(iter(figures))}, p50 as the client saw it, one request at a time)")


if __name__ == "__main__":
    sys.exit(main())
