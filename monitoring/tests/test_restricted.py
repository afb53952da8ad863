"""A restricted incident stays out of monitoring for members without a role on it.

Mentions and alerts belong to the whole organization; the incident they were linked to or
escalated into is shown only to those who may see that incident (its title, its id, its link).
"""

import pytest

from incidents import services as incident_services
from incidents.tests.conftest import api_as, open_incident
from monitoring.models import Alert, AlertRule, Mention
from monitoring.services import alert_escalate, alerts_evaluate, mentions_ingest
from monitoring.tests.conftest import NOW, rows

pytestmark = pytest.mark.django_db

TITLE = "Leaked memo about the layoffs"


@pytest.fixture
def restricted_incident(org, team, roles):
    """Restricted from the start; `member` has no role on it, `monitor` links mentions."""
    return open_incident(org, team, roles, title=TITLE, restricted=True)


@pytest.fixture
def hidden(org, source, team):
    """An alert escalated by the lead into an incident the lead then restricts; 5 mentions linked."""
    AlertRule.objects.create(organization=org, name="Spike", kind="volume_spike", min_count=1, factor=0)
    mentions_ingest(source=source, evaluate=False, rows=rows(5, start=NOW))
    [alert] = alerts_evaluate(organization=org, now=NOW)
    incident = alert_escalate(alert=alert, acting_user=team["lead"])
    incident_services.incident_update(
        incident=incident, acting_user=team["lead"], title=TITLE, restricted=True
    )
    alert.refresh_from_db()
    return alert


class TestTheMonitoringPage:
    def test_it_hides_the_restricted_incident_from_a_member_without_a_role(self, client, hidden, team):
        client.force_login(team["member"])
        html = client.get("/monitoring/").content.decode()
        assert "Spike" in html  # the alert itself is the organization's
        assert TITLE not in html
        assert f"/incidents/{hidden.incident_id}/" not in html

    def test_it_shows_the_incident_to_its_lead(self, client, hidden, team):
        client.force_login(team["lead"])
        html = client.get("/monitoring/").content.decode()
        assert TITLE in html and f"/incidents/{hidden.incident_id}/" in html


class TestTheAlertsApi:
    def test_it_hides_the_incident_id_from_a_member_without_a_role(self, hidden, team):
        client = api_as(team["member"])
        [row] = client.get("/api/v1/alerts/").json()["results"]
        assert (row["id"], row["status"], row["incident"]) == (hidden.pk, "escalated", None)
        assert client.get(f"/api/v1/alerts/{hidden.pk}/").json()["incident"] is None

    def test_it_shows_the_incident_id_to_its_lead(self, hidden, team):
        [row] = api_as(team["lead"]).get("/api/v1/alerts/").json()["results"]
        assert row["incident"] == hidden.incident_id

    def test_dismissing_answers_without_the_incident_too(self, org, source, team, restricted_incident):
        alert = Alert.objects.create(
            rule=AlertRule.objects.create(organization=org, name="Words", kind="keyword"),
            window_start=NOW,
            window_end=NOW,
            incident=restricted_incident,
        )
        response = api_as(team["member"]).post(f"/api/v1/alerts/{alert.pk}/dismiss/")
        assert response.status_code == 200 and response.json()["incident"] is None


class TestTheMentionsApi:
    def test_filtering_by_a_restricted_incident_gives_nothing(self, hidden, team):
        client = api_as(team["member"])
        assert client.get("/api/v1/mentions/").json()["count"] == 5
        answer = client.get("/api/v1/mentions/", {"incident": hidden.incident_id})
        assert answer.status_code == 200 and answer.json()["count"] == 0

    def test_it_answers_the_same_for_an_incident_that_does_not_exist(self, hidden, team):
        answer = api_as(team["member"]).get("/api/v1/mentions/", {"incident": 987654})
        assert answer.status_code == 200 and answer.json()["count"] == 0

    def test_a_bad_incident_filter_is_a_400_naming_it(self, hidden, team):
        for bad in ("abc", "1.5", "9" * 30):
            answer = api_as(team["member"]).get("/api/v1/mentions/", {"incident": bad})
            assert answer.status_code == 400 and "incident" in answer.json(), bad

    def test_a_mention_does_not_reveal_the_restricted_incident(self, hidden, team):
        client = api_as(team["member"])
        results = client.get("/api/v1/mentions/").json()["results"]
        assert [row["incident"] for row in results] == [None] * 5
        one = Mention.objects.filter(incident=hidden.incident_id).first()
        assert client.get(f"/api/v1/mentions/{one.pk}/").json()["incident"] is None

    def test_its_lead_filters_and_sees_the_incident(self, hidden, team):
        answer = api_as(team["lead"]).get("/api/v1/mentions/", {"incident": hidden.incident_id}).json()
        assert answer["count"] == 5
        assert {row["incident"] for row in answer["results"]} == {hidden.incident_id}

    def test_the_incidents_mentions_are_404_without_a_role(self, hidden, team):
        url = f"/api/v1/incidents/{hidden.incident_id}/mentions/"
        assert api_as(team["member"]).get(url).status_code == 404
        assert api_as(team["lead"]).get(url).json()["count"] == 5

    def test_linking_answers_with_the_incident(self, org, source, team, restricted_incident):
        mentions_ingest(source=source, evaluate=False, rows=rows(1, start=NOW, prefix="link"))
        mention = Mention.objects.get(external_id="link0")
        response = api_as(team["monitor"]).post(
            f"/api/v1/incidents/{restricted_incident.pk}/mentions/", {"mention": mention.pk}, format="json"
        )
        assert response.status_code == 201 and response.json()["incident"] == restricted_incident.pk
        row = api_as(team["member"]).get(f"/api/v1/mentions/{mention.pk}/").json()
        assert row["incident"] is None
