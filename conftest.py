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
