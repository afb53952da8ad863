"""Bodies no endpoint should choke on: JSON nested far too deep is a 400 from the one parser
every API view uses (signed in or not, by token, session or a source's ingest token); a text
the database cannot hold, looked up as a slug, is a 400 naming its field."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from incidents.tests.conftest import api_as, draft, open_incident
from monitoring.models import Source

pytestmark = pytest.mark.django_db

DEEP = 100_000


def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture
def incident(org, team, roles):
    return open_incident(org, team, roles)


@pytest.fixture
def source(org):
    return Source.objects.create(organization=org, kind="webhook", name="Listening feed")


def assert_too_deep(response):
    assert response.status_code == 400
    assert "nested too deep" in response.json()["detail"]


@pytest.mark.parametrize("body", [nested_lists(DEEP), nested_objects(DEEP)], ids=["lists", "objects"])
class TestDeeplyNestedJson:
    def test_the_token_sign_in_answers_400(self, team, body):
        response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
        assert_too_deep(response)

    def test_a_mention_batch_answers_400_with_a_members_token_and_a_sources_own(self, team, source, body):
        assert_too_deep(
            api_as(team["monitor"]).post("/api/v1/mentions/", body, content_type="application/json")
        )
        bearer = APIClient()
        bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {source.ingest_token}")
        assert_too_deep(bearer.post("/api/v1/mentions/", body, content_type="application/json"))
        assert not source.mentions.exists()

    def test_incident_writes_answer_400(self, incident, team, body):
        client = api_as(team["lead"])
        statement = draft(incident, team)
        for method, path in (
            ("post", "/api/v1/incidents/"),
            ("patch", f"/api/v1/incidents/{incident.pk}/"),
            ("post", f"/api/v1/incidents/{incident.pk}/timeline/"),
            ("post", f"/api/v1/incidents/{incident.pk}/tasks/"),
            ("patch", f"/api/v1/statements/{statement['id']}/"),
            ("put", f"/api/v1/incidents/{incident.pk}/postmortem/"),
        ):
            assert_too_deep(getattr(client, method)(path, body, content_type="application/json"))

    def test_a_browser_session_gets_the_same_400(self, incident, team, body):
        client = Client(enforce_csrf_checks=False)
        client.force_login(team["lead"])
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/timeline/", body, content_type="application/json"
        )
        assert_too_deep(response)


def test_the_limit_is_100_levels_and_a_body_within_it_reaches_the_serializer(incident, team):
    client = api_as(team["lead"])
    url = f"/api/v1/incidents/{incident.pk}/timeline/"
    within = '{"body": ' + nested_lists(99) + "}"  # the object is the first level
    response = client.post(url, within, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"body": ["Not a valid string."]}
    past = '{"body": ' + nested_lists(100) + "}"
    assert_too_deep(client.post(url, past, content_type="application/json"))


def test_a_plain_body_still_works(incident, team):
    response = api_as(team["responder"]).post(
        f"/api/v1/incidents/{incident.pk}/timeline/",
        '{"body": "Call centre briefed."}',
        content_type="application/json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize("slug", ["lead\x00", "lead\ud800"])
def test_a_role_slug_the_database_cannot_hold_is_a_400_naming_it_in_a_playbook(org, team, slug):
    """PostgreSQL refuses a NUL in a lookup (it answered a 400 naming no field) and no encoding
    has a lone surrogate: both are "Invalid value." on the nested field, before the lookup."""
    body = {
        "organization": org.pk,
        "name": "Outage",
        "steps": [{"title": "Page the on-call", "role": slug}],
        "role_assignments": [{"role": slug, "user": team["lead"].pk, "kind": "primary"}],
    }
    response = api_as(team["lead"]).post(
        "/api/v1/playbooks/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "steps": {"0": {"role": ["Invalid value."]}},
        "role_assignments": {"0": {"role": ["Invalid value."]}},
    }
