"""Project-wide test setup: fast, deterministic settings and the named demo people."""

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections

from accounts import services
from accounts.models import Organization, User
from crisisdesk.celery import app as celery_app

# Tasks run in the test's own process and transaction (shared/STACK.md: set on the app).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

# WhiteNoise warns about a missing STATIC_ROOT on a fresh clone; tests serve no static files.
django_settings.STATIC_ROOT.mkdir(exist_ok=True)

ROLE_USERNAMES = ("lead", "monitor", "responder", "spokesperson", "approver", "approver2", "observer")


# Test-wide settings, set before anything (the session-wide live server included) reads them:
# fast password hashing, plain HTTP on 127.0.0.1, static files without a manifest.
django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
django_settings.SECURE_SSL_REDIRECT = False
django_settings.SESSION_COOKIE_SECURE = False
django_settings.CSRF_COOKIE_SECURE = False
django_settings.SECURE_HSTS_SECONDS = 0
django_settings.STORAGES = {
    **django_settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The local HTTP servers the tests start (crisisdesk.testing.LocalServer) listen on 127.0.0.1, an
# address outbound requests refuse unless it is allowed; worker processes read it from the environment.
os.environ["OUTBOUND_ALLOWED_HOSTS"] = "127.0.0.1"
django_settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts and rendered entries live in caches; a test starts with none of another test's."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def make_user(
    username: str, *, organization: Organization | None = None, is_admin: bool = False, language: str = "en"
) -> User:
    user = User.objects.create_user(
        username=username, password="demo", full_name=username.title(), language=language
    )
    if organization is not None:
        services.membership_add(organization=organization, user=user, is_admin=is_admin)
    return user


@pytest.fixture
def builtin_roles(transactional_db):
    """A transactional test's flush also removes the roles the data migration made: put them back."""
    from accounts.models import Role
    from accounts.roles import BUILTIN_ROLES

    for slug, (name, permissions) in BUILTIN_ROLES.items():
        Role.objects.update_or_create(
            slug=slug, defaults={"name": name, "permissions": list(permissions), "is_builtin": True}
        )


@pytest.fixture
def roles(db) -> dict:
    from accounts.models import Role

    return {role.slug: role for role in Role.objects.all()}


@pytest.fixture
def org(db) -> Organization:
    return services.organization_create(name="Lumen Energy", slug="lumen", two_factor_required=False)


@pytest.fixture
def other_org(db) -> Organization:
    return services.organization_create(name="Parcel & Co", slug="parcel-co", two_factor_required=False)


@pytest.fixture
def team(org) -> dict[str, User]:
    """One member per built-in role name (roles are given per incident), plus a plain member."""
    people = {name: make_user(name, organization=org, is_admin=name == "lead") for name in ROLE_USERNAMES}
    people["member"] = make_user("member", organization=org)
    return people


@pytest.fixture
def outsider(other_org) -> User:
    return make_user("outsider", organization=other_org, is_admin=True)


@pytest.fixture
def local_server():
    """Start real HTTP servers on 127.0.0.1: `local_server(handler)`; all stop after the test."""
    from crisisdesk.testing import LocalServer

    servers = []

    def start(handler):
        servers.append(LocalServer(handler).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def pytest_collection_modifyitems(config, items):
    _deselect_browser_tests_without_chromium(config, items)
    _deselect_proxy_tests_without_nginx(config, items)
    _deselect_postgresql_tests_on_sqlite(config, items)


def _deselect_postgresql_tests_on_sqlite(config, items):
    """Tests marked `postgresql` need PostgreSQL: row locks under real concurrency, or a worker
    process that reads the test's database.

    They are deselected (not skipped) on SQLite; CI runs the suite again on PostgreSQL.
    """
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected = [item for item in items if "postgresql" not in item.keywords]
    deselected = [item for item in items if "postgresql" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


# --- the live server: uvicorn serving the ASGI application, as `make run` and `make prod` do ------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file under var/ (one per run), not pytest-django's memory.

    The live server's requests run in uvicorn's threads, each with its own connection: an
    in-memory database would be a different, empty one for each. On PostgreSQL the pool of this
    process is made larger than a web process's: concurrency tests run 20 writers and a reader
    at once (and the live server shares the pool), which a pool of 10 would queue 10 at a time.
    """
    database = django_settings.DATABASES["default"]
    if "pool" in database.get("OPTIONS", {}):
        # No pool in the test process: a pool made before the test database exists keeps handing
        # out connections to the database named then (Django closes it when it clones or destroys
        # a test database, not when it creates one), so the tests and their migrations ran on the
        # real database while worker processes read the empty test one. Without it each thread
        # connects for itself; the servers the tests start as processes use the pool.
        connections["default"].close_pool()
        del database["OPTIONS"]["pool"]
        connections["default"].settings_dict.get("OPTIONS", {}).pop("pool", None)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        django_settings.VAR_DIR.mkdir(exist_ok=True)
        name = django_settings.VAR_DIR / f"test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)
        yield
        for leftover in (Path(f"{name}-wal"), Path(f"{name}-shm"), name):
            leftover.unlink(missing_ok=True)
    else:
        yield


class LiveServer:
    """uvicorn in a thread of the test process, serving crisisdesk.asgi.application on 127.0.0.1.

    Like pytest-django's fixture of the same name: `.url`, the test database (tests that use it
    are made transactional by pytest-django), static files from the finders, settings shared with
    the test. Sync work runs in the server's own threads; async views and streams run on its loop.
    """

    def __init__(self):
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.test.utils import modify_settings

        from crisisdesk.asgi import application

        self._socket = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(
            ASGIStaticFilesHandler(application),
            lifespan="off",
            ws="none",
            log_level="warning",
            timeout_graceful_shutdown=2,  # open streams are cut after that at the end of the run
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._socket]}, name="live-server", daemon=True
        )
        # pytest-django's _live_server_helper turns this on for each test that uses live_server.
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": self.host})

    def start(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The live server (uvicorn) did not start; its log is above.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)

    def settle(self, timeout: float = 10) -> None:
        """End the streams and wait for every request in flight and the hub's tick.

        What a test's browser set going must be over before the flush that empties the database
        for the next test. In CI a flush failed (FOREIGN KEY constraint failed) and left the
        database full for the next test; the likely cause is a request running beside it, which
        can fill the process's ContentType cache with the old rows during the flush's
        post_migrate, so that it writes permissions for content types it has just deleted.
        """
        from incidents.live import hub as live

        deadline = time.monotonic() + timeout
        while tasks := self.server.server_state.tasks:
            if time.monotonic() > deadline:
                raise RuntimeError(f"The live server still runs {len(tasks)} requests after {timeout} s.")
            live.hub.close_all_soon()  # again: a stream may have opened since
            time.sleep(0.05)
        live.TICKS.submit(lambda: None).result(timeout=timeout)  # one thread: a tick under way ends first

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url

    def __add__(self, other: str) -> str:
        return f"{self}{other}"


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """pytest-django's helper of the same name (a test with `live_server` is transactional, and the
    server's host is allowed), which also lets the server settle before the database is flushed."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    server = request.getfixturevalue("live_server")
    server._live_server_modified_settings.enable()
    yield
    server.settle()
    server._live_server_modified_settings.disable()


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's `live_server`, served by uvicorn (ASGI) instead of Django's WSGI test server."""
    server = LiveServer().start()
    yield server
    server.stop()


# --- browser tests -------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
NGINX = "/usr/sbin/nginx"
ARTIFACTS = django_settings.BASE_DIR / "artifacts" / "screenshots"


def pytest_configure(config):
    # Playwright's sync API runs an event loop in the test thread; the live server's ORM calls
    # happen beside it (shared/STACK.md).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _deselect_browser_tests_without_chromium(config, items):
    """`make test` runs the browser tests when Chromium is there; CI must have it (a failure, not a skip)."""
    _deselect_without(config, items, "browser", CHROMIUM, "apt-get install chromium")


def _deselect_proxy_tests_without_nginx(config, items):
    """The same for the tests of make prod's nginx in front (crisisdesk/nginx.conf)."""
    _deselect_without(config, items, "nginx", NGINX, "apt-get install nginx-light")


def _deselect_without(config, items, marker: str, program: str, install: str) -> None:
    if Path(program).exists() or not any(marker in item.keywords for item in items):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"The {marker} tests need {program}: .ci/run installs it ({install}).")
    deselected = [item for item in items if marker in item.keywords]
    items[:] = [item for item in items if marker not in item.keywords]
    config.hook.pytest_deselected(items=deselected)
    print(f"\nNo {program}: {len(deselected)} {marker} tests not run ({install}).")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshots():
    """Save a page's screenshot under artifacts/screenshots/ (printed at the end of the run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def pytest_terminal_summary(terminalreporter):
    if ARTIFACTS.exists() and any(ARTIFACTS.iterdir()):
        terminalreporter.write_line(f"Screenshots of the pages: {ARTIFACTS}")
