import pytest
from django.db import connection
from rest_framework.test import APIClient

from crisisdesk.celery import app as celery_app
from crisisdesk.testing import CeleryWorker, RedisServer, celery_broker
from incidents import services

# The role each demo person plays on the incident fixture (DESIGN.md's matrix columns).
ROLE_OF = {
    "monitor": "monitor",
    "responder": "responder",
    "spokesperson": "spokesperson",
    "approver": "approver",
    "approver2": "approver",
    "observer": "observer",
}


def open_incident(org, team, roles, **kwargs):
    incident = services.incident_open(
        organization=org, acting_user=team["lead"], **{"title": "App down", "severity": "high", **kwargs}
    )
    for username, slug in ROLE_OF.items():
        services.role_assign(
            incident=incident, user=team[username], role=roles[slug], acting_user=team["lead"]
        )
    return incident


@pytest.fixture
def incident(org, team, roles):
    """A high-severity incident led by `lead`, each other demo person in their role; `member` has none."""
    return open_incident(org, team, roles)


@pytest.fixture
def restricted_incident(org, team, roles):
    return open_incident(org, team, roles, title="Leaked memo", restricted=True)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def manual_channel(org):
    from incidents.models import Channel

    return Channel.objects.create(organization=org, kind="manual", name="Website (by hand)", is_default=True)


def draft(
    incident, team, body="We know the app is down and we are sorry. Next update at 11:00.", by="responder"
):
    return (
        api_as(team[by])
        .post(f"/api/v1/incidents/{incident.pk}/statements/", {"body": body, "language": "en"}, format="json")
        .json()
    )


def act(team, who, statement_id, verb, payload=None):
    return api_as(team[who]).post(f"/api/v1/statements/{statement_id}/{verb}/", payload or {}, format="json")


# --- a real broker and worker processes (tests marked postgresql and django_db(transaction=True)) ---

CLAIM_SECONDS = 1  # a restarted worker takes over a claim this old (production: 120)


@pytest.fixture
def redis():
    server = RedisServer().start()
    with celery_broker(celery_app, server.url):
        yield server
    server.stop()


@pytest.fixture
def worker(redis, tmp_path):
    """`worker(n)` makes the n-th worker process of the test, on its database and its Redis."""
    database = connection.settings_dict
    url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database)
    workers = []

    def make(number: int) -> CeleryWorker:
        workers.append(
            CeleryWorker(
                log=tmp_path / f"worker-{number}.log",
                DATABASE_URL=url,
                CELERY_BROKER_URL=redis.url,
                PUBLICATION_CLAIM_SECONDS=str(CLAIM_SECONDS),
                DEBUG="0",
            )
        )
        return workers[-1]

    yield make
    for each in workers:
        each.stop()
