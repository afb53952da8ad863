"""Project-wide test setup: fast, deterministic settings and the named demo people."""

import pytest
from django.conf import settings as django_settings

from accounts import services
from accounts.models import Organization, User
from crisisdesk.celery import app as celery_app

# Tasks run in the test's own process and transaction (shared/STACK.md: set on the app).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

# WhiteNoise warns about a missing STATIC_ROOT on a fresh clone; tests serve no static files.
django_settings.STATIC_ROOT.mkdir(exist_ok=True)

ROLE_USERNAMES = ("lead", "monitor", "responder", "spokesperson", "approver", "approver2", "observer")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
def org(db) -> Organization:
    return services.organization_create(name="Lumen Energy", slug="lumen")


@pytest.fixture
def other_org(db) -> Organization:
    return services.organization_create(name="Parcel & Co", slug="parcel-co")


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
    """Tests marked `postgresql` exercise row locks under real concurrency: run them on PostgreSQL.

    They are deselected (not skipped) on SQLite; CI runs the suite again on PostgreSQL.
    """
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected = [item for item in items if "postgresql" not in item.keywords]
    deselected = [item for item in items if "postgresql" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
