from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from incidents.tests.conftest import api_as, open_incident
from monitoring.models import Alert, AlertRule, Mention, Source
from monitoring.services import alerts_evaluate, mentions_ingest
from monitoring.tests.conftest import NOW, rows
from playbooks import services as playbook_services

pytestmark = pytest.mark.django_db


class TestIngestThroughTheApi:
    def test_a_member_posts_a_batch(self, source, team):
        batch = [{**row, "source": source.pk} for row in rows(3)]
        batch.append({"source": source.pk, "external_id": "x", "text": "", "posted_at": "2026-11-25T10:00Z"})
        response = api_as(team["monitor"]).post("/api/v1/mentions/", batch, format="json")
        assert response.status_code == 201
        assert response.json() == {
            "created": 3,
            "duplicates": 0,
            "errors": [{"index": 3, "errors": {"text": ["This field is required."]}}],
        }

    def test_one_object_is_a_batch_of_one_and_repeats_are_duplicates(self, source, team):
        row = {**rows(1)[0], "source": source.pk}
        client = api_as(team["monitor"])
        assert client.post("/api/v1/mentions/", row, format="json").json()["created"] == 1
        again = client.post("/api/v1/mentions/", row, format="json")
        assert again.status_code == 200 and again.json() == {"created": 0, "duplicates": 1, "errors": []}

    def test_a_source_posts_with_its_own_bearer_token(self, source):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {source.ingest_token}")
        response = client.post("/api/v1/mentions/", rows(5), format="json")
        assert response.status_code == 201 and response.json()["created"] == 5
        assert client.get("/api/v1/mentions/").status_code in (401, 403)  # a token only ingests

    def test_a_wrong_bearer_token_is_401(self, source):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer nope")
        assert client.post("/api/v1/mentions/", rows(1), format="json").status_code == 401

    def test_another_organizations_source_is_a_row_error(self, source, other_org, outsider):
        theirs = Source.objects.create(organization=other_org, kind="webhook", name="Theirs")
        response = api_as(outsider).post(
            "/api/v1/mentions/", [{**rows(1)[0], "source": source.pk}], format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == [{"index": 0, "errors": {"source": ["Unknown source."]}}]
        assert not Mention.objects.exists()
        assert theirs.mentions.count() == 0

    @pytest.mark.parametrize("bad", [{}, [], "abc", None, True, 1.5])
    def test_a_source_that_is_not_an_id_is_a_row_error(self, bad, source, team):
        response = api_as(team["monitor"]).post(
            "/api/v1/mentions/", [{**rows(1)[0], "source": bad}], format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["errors"] == {"source": ["Unknown source."]}

    def test_a_source_id_as_text_works(self, source, team):
        response = api_as(team["monitor"]).post(
            "/api/v1/mentions/", [{**rows(1)[0], "source": str(source.pk)}], format="json"
        )
        assert response.status_code == 201

    def test_more_than_1000_rows_is_a_400(self, source, team):
        response = api_as(team["monitor"]).post(
            "/api/v1/mentions/", [{"source": source.pk}] * 1001, format="json"
        )
        assert response.status_code == 400

    def test_mentions_are_listed_for_members_only_and_filtered(self, source, team, outsider):
        mentions_ingest(source=source, rows=rows(4))
        assert api_as(team["member"]).get("/api/v1/mentions/", {"source": source.pk}).json()["count"] == 4
        assert api_as(outsider).get("/api/v1/mentions/").json()["count"] == 0
        row = api_as(team["member"]).get("/api/v1/mentions/").json()["results"][0]
        assert set(row) >= {
            "id",
            "source",
            "external_id",
            "author",
            "text",
            "url",
            "posted_at",
            "language",
            "sentiment",
        }
        assert isinstance(row["sentiment"], float)


class TestSources:
    def test_an_admin_adds_a_source_and_gets_its_token(self, org, team):
        response = api_as(team["lead"]).post(
            "/api/v1/sources/",
            {"organization": org.pk, "kind": "webhook", "name": "Brandwatch export"},
            format="json",
        )
        assert response.status_code == 201
        assert len(response.json()["ingest_token"]) > 30

    def test_a_member_cannot_add_a_source(self, org, team):
        response = api_as(team["monitor"]).post(
            "/api/v1/sources/", {"organization": org.pk, "kind": "webhook", "name": "x"}, format="json"
        )
        assert response.status_code == 403

    def test_a_mastodon_source_needs_its_query(self, org, team):
        response = api_as(team["lead"]).post(
            "/api/v1/sources/",
            {"organization": org.pk, "kind": "mastodon", "name": "x", "url": "https://mastodon.example"},
            format="json",
        )
        assert response.status_code == 400 and "query" in response.json()

    def test_only_admins_see_ingest_tokens(self, source, team, outsider):
        assert "ingest_token" in api_as(team["lead"]).get("/api/v1/sources/").json()["results"][0]
        assert "ingest_token" not in api_as(team["monitor"]).get("/api/v1/sources/").json()["results"][0]
        assert api_as(outsider).get(f"/api/v1/sources/{source.pk}/").status_code == 404


class TestAlertsAndEscalation:
    @pytest.fixture
    def alert(self, org, source, team, roles):
        playbook = playbook_services.playbook_create(
            organization=org,
            acting_user=team["lead"],
            name="Outage",
            steps=[{"title": "Confirm the facts", "role": roles["monitor"], "due_after_minutes": 5}],
            role_assignments=[{"role": roles["monitor"], "user": team["monitor"], "kind": "primary"}],
        )
        AlertRule.objects.create(
            organization=org,
            name="Spike",
            kind="volume_spike",
            min_count=10,
            factor=3,
            playbook=playbook,
            severity="high",
        )
        mentions_ingest(source=source, evaluate=False, rows=rows(12, every=timedelta(seconds=30)))
        [alert] = alerts_evaluate(organization=org, now=NOW)
        return alert

    def test_escalating_opens_an_incident_from_the_playbook_with_the_mentions(self, alert, team):
        response = api_as(team["member"]).post(f"/api/v1/alerts/{alert.pk}/escalate/")
        assert response.status_code == 201
        body = response.json()
        assert (body["status"], body["severity"], body["playbook"]) == (
            "detected",
            "high",
            alert.rule.playbook_id,
        )
        incident_id = body["id"]
        assert Mention.objects.filter(incident_id=incident_id).count() == 12
        roles = set(
            api_as(team["member"]).get(f"/api/v1/incidents/{incident_id}/roles/").json()["results"][0]
        )
        assert roles == {"id", "user", "role"}
        linked = api_as(team["observer"]).get(f"/api/v1/incidents/{incident_id}/mentions/").json()
        assert linked["count"] == 12
        alert.refresh_from_db()
        assert (alert.status, alert.incident_id) == ("escalated", incident_id)
        timeline = api_as(team["member"]).get(f"/api/v1/incidents/{incident_id}/timeline/").json()["results"]
        assert "12 mentions linked" in timeline[-1]["body"]

    def test_an_alert_is_escalated_once(self, alert, team):
        client = api_as(team["member"])
        assert client.post(f"/api/v1/alerts/{alert.pk}/escalate/").status_code == 201
        assert client.post(f"/api/v1/alerts/{alert.pk}/escalate/").status_code == 409
        assert client.post(f"/api/v1/alerts/{alert.pk}/dismiss/").status_code == 409

    def test_dismissing_keeps_the_alert_for_the_record(self, alert, team):
        response = api_as(team["member"]).post(f"/api/v1/alerts/{alert.pk}/dismiss/")
        assert response.status_code == 200 and response.json()["status"] == "dismissed"
        assert Alert.objects.filter(pk=alert.pk).exists()

    def test_another_organization_gets_404(self, alert, outsider):
        client = api_as(outsider)
        assert client.get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
        assert client.post(f"/api/v1/alerts/{alert.pk}/escalate/").status_code == 404
        assert client.get("/api/v1/alerts/").json()["count"] == 0


class TestLinkingMentions:
    def test_the_monitor_links_a_mention(self, org, source, team, roles):
        incident = open_incident(org, team, roles)
        mentions_ingest(source=source, rows=rows(1))
        mention = Mention.objects.get()
        response = api_as(team["monitor"]).post(
            f"/api/v1/incidents/{incident.pk}/mentions/", {"mention": mention.pk}, format="json"
        )
        assert response.status_code == 201
        assert incident.timeline.filter(kind="mention").exists()
        again = api_as(team["monitor"]).post(
            f"/api/v1/incidents/{incident.pk}/mentions/", {"mention": mention.pk}, format="json"
        )
        assert again.status_code == 200

    @pytest.mark.parametrize("person", ["responder", "spokesperson", "approver", "observer", "member"])
    def test_people_without_link_mention_get_403(self, person, org, source, team, roles):
        incident = open_incident(org, team, roles)
        mentions_ingest(source=source, rows=rows(1))
        response = api_as(team[person]).post(
            f"/api/v1/incidents/{incident.pk}/mentions/", {"mention": Mention.objects.get().pk}, format="json"
        )
        assert response.status_code == 403

    def test_a_mention_of_another_organization_is_a_400(self, org, other_org, team, roles):
        incident = open_incident(org, team, roles)
        theirs = Source.objects.create(organization=other_org, kind="manual", name="Theirs")
        mentions_ingest(source=theirs, rows=rows(1))
        response = api_as(team["monitor"]).post(
            f"/api/v1/incidents/{incident.pk}/mentions/", {"mention": Mention.objects.get().pk}, format="json"
        )
        assert response.status_code == 400 and "mention" in response.json()
