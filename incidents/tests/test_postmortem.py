"""Post-mortem figures on a hand-built timeline with known answers."""

from datetime import timedelta

import pytest

from incidents import services
from incidents.models import Incident, PostMortem, Statement
from incidents.postmortem import metrics
from incidents.services import postmortem as postmortem_services
from incidents.tests.conftest import api_as, open_incident
from playbooks import services as playbook_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, team, roles):
    """High: acknowledge within 15 minutes, first response within 60, an update every 120."""
    incident = open_incident(org, team, roles, title="App down")
    start = incident.detected_at = incident.detected_at - timedelta(hours=10)
    Incident.objects.filter(pk=incident.pk).update(detected_at=start)
    lead = team["lead"]
    services.incident_transition(
        incident=incident, to="acknowledged", acting_user=lead, at=start + timedelta(minutes=12)
    )
    services.incident_transition(
        incident=incident, to="responding", acting_user=lead, at=start + timedelta(minutes=20)
    )
    for minutes in (50, 160, 400):  # intervals 110 (kept) and 240 (missed)
        Statement.objects.create(
            incident=incident,
            author=team["responder"],
            body="x",
            status="published",
            published_at=start + timedelta(minutes=minutes),
        )
    services.incident_transition(
        incident=incident, to="monitoring", acting_user=lead, at=start + timedelta(minutes=410)
    )
    services.incident_transition(
        incident=incident, to="resolved", acting_user=lead, at=start + timedelta(minutes=500)
    )
    incident.refresh_from_db()
    return incident


class TestFigures:
    def test_each_figure_has_its_known_answer(self, incident):
        figures = metrics(incident)
        assert figures["time_to_acknowledge_s"] == 12 * 60
        assert figures["time_to_first_response_s"] == 50 * 60
        assert figures["public_updates"] == 3
        assert figures["cadence_kept_ratio"] == 0.5
        assert figures["time_to_resolve_s"] == 500 * 60
        assert figures["verdicts"] == {"time_to_acknowledge_s": True, "time_to_first_response_s": True}

    def test_a_correcting_entry_changes_the_figures(self, incident, team):
        acknowledged = incident.timeline.get(kind="status_change", body="Status: Detected → Acknowledged.")
        services.timeline_add(
            incident=incident,
            acting_user=team["lead"],
            corrects=acknowledged,
            body="We acknowledged at minute 25, not 12.",
            occurred_at=incident.detected_at + timedelta(minutes=25),
        )
        figures = metrics(incident)
        assert figures["time_to_acknowledge_s"] == 25 * 60
        assert figures["verdicts"]["time_to_acknowledge_s"] is False

    def test_a_drill_says_so(self, org, team, roles):
        drill = open_incident(org, team, roles, title="Drill", is_drill=True)
        figures = metrics(drill)
        assert figures["is_drill"] is True
        assert figures["time_to_acknowledge_s"] is None and figures["cadence_kept_ratio"] is None

    def test_the_api_shows_the_figures_read_only(self, incident, team):
        client = api_as(team["lead"])
        body = client.get(f"/api/v1/incidents/{incident.pk}/postmortem/").json()
        assert body["metrics"]["time_to_acknowledge_s"] == 720 and body["status"] == "draft"
        response = client.put(
            f"/api/v1/incidents/{incident.pk}/postmortem/",
            {
                "summary": "Login service down after an update.",
                "went_well": "Fast holding statement.",
                "to_improve": "Updates came late.",
                "root_cause": "Failed deploy.",
                "status": "completed",
                "metrics": {"time_to_acknowledge_s": 1},
            },
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["metrics"]["time_to_acknowledge_s"] == 720
        assert response.json()["completed_by"] == team["lead"].pk


class TestWhoEdits:
    @pytest.mark.parametrize(
        "person", ["monitor", "responder", "spokesperson", "approver", "observer", "member"]
    )
    def test_only_the_lead_edits(self, person, incident, team):
        client = api_as(team[person])
        assert client.get(f"/api/v1/incidents/{incident.pk}/postmortem/").status_code == 200
        response = client.put(
            f"/api/v1/incidents/{incident.pk}/postmortem/",
            {"summary": "x", "went_well": "", "to_improve": "", "root_cause": "", "status": "draft"},
            format="json",
        )
        assert response.status_code == 403

    def test_an_outsider_gets_404(self, incident, outsider):
        assert api_as(outsider).get(f"/api/v1/incidents/{incident.pk}/postmortem/").status_code == 404


class TestClosing:
    def test_closing_is_refused_until_the_postmortem_is_completed(self, incident, team):
        client = api_as(team["lead"])
        assert (
            client.post(
                f"/api/v1/incidents/{incident.pk}/transition/", {"to": "closed"}, format="json"
            ).status_code
            == 409
        )
        postmortem_services.postmortem_update(
            incident=incident, acting_user=team["lead"], summary="Done.", status=PostMortem.Status.COMPLETED
        )
        assert (
            client.post(
                f"/api/v1/incidents/{incident.pk}/transition/", {"to": "closed"}, format="json"
            ).status_code
            == 200
        )

    def test_completing_needs_a_summary(self, incident, team):
        response = api_as(team["lead"]).put(
            f"/api/v1/incidents/{incident.pk}/postmortem/",
            {"summary": " ", "went_well": "", "to_improve": "", "root_cause": "", "status": "completed"},
            format="json",
        )
        assert response.status_code == 400 and "summary" in response.json()


class TestApplyToPlaybook:
    def test_action_items_become_revision_n_plus_1_with_the_items(self, org, team, roles):
        playbook = playbook_services.playbook_create(
            organization=org, acting_user=team["lead"], name="Outage"
        )
        incident = services.incident_open(
            organization=org, acting_user=team["lead"], title="App down", playbook=playbook
        )
        client = api_as(team["lead"])
        ids = [
            client.post(
                f"/api/v1/incidents/{incident.pk}/postmortem/action-items/", {"title": title}, format="json"
            ).json()["id"]
            for title in ("Add the status page to step 3", "Second approver on call at night")
        ]
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/postmortem/apply/", {"items": ids}, format="json"
        )
        assert response.status_code == 201
        [revision] = response.json()
        assert revision["number"] == 2
        assert "- Add the status page to step 3" in revision["change_note"]
        assert "- Second approver on call at night" in revision["change_note"]
        items = client.get(f"/api/v1/incidents/{incident.pk}/postmortem/action-items/").json()
        assert {item["playbook_revision"] for item in items} == {playbook.revisions.get(number=2).pk}
        playbook.refresh_from_db()
        assert playbook.revision == 1  # a proposal until an admin edits the playbook
        later = services.incident_open(
            organization=org, acting_user=team["lead"], title="B", playbook=playbook
        )
        assert later.playbook_revision.number == 1
        playbook_services.playbook_update(playbook=playbook, acting_user=team["lead"], description="Reviewed")
        playbook.refresh_from_db()
        assert playbook.revision == 3

    def test_unknown_items_are_a_400(self, incident, team):
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/postmortem/apply/", {"items": [999]}, format="json"
        )
        assert response.status_code == 400


class TestPages:
    def test_the_lead_edits_and_a_member_reads(self, client, incident, team):
        client.force_login(team["lead"])
        page = client.get(f"/incidents/{incident.pk}/postmortem/").content.decode()
        assert "<svg" in page and "12m" in page and "Export as Markdown" in page
        response = client.post(
            f"/incidents/{incident.pk}/postmortem/",
            {
                "summary": "Login down.",
                "went_well": "Fast ack.",
                "to_improve": "Cadence.",
                "root_cause": "Deploy.",
                "status": "completed",
            },
        )
        assert response.status_code == 302
        client.force_login(team["member"])
        page = client.get(f"/incidents/{incident.pk}/postmortem/").content.decode()
        assert "Fast ack." in page and 'name="summary"' not in page
        assert (
            client.post(
                f"/incidents/{incident.pk}/postmortem/", {"summary": "x", "status": "draft"}
            ).status_code
            == 403
        )

    def test_completing_without_a_summary_is_a_form_error_that_keeps_the_text(self, client, incident, team):
        client.force_login(team["lead"])
        response = client.post(
            f"/incidents/{incident.pk}/postmortem/",
            {
                "summary": "",
                "went_well": "Keep this",
                "to_improve": "",
                "root_cause": "",
                "status": "completed",
            },
        )
        assert response.status_code == 400
        assert "Keep this" in response.content.decode()

    def test_markdown_export_in_english_and_dutch(self, client, incident, team):
        client.force_login(team["lead"])
        english = client.get(f"/incidents/{incident.pk}/postmortem/export.md")
        assert english["Content-Type"].startswith("text/markdown")
        assert "# Post-mortem: App down" in english.content.decode()
        assert "| Time to acknowledge | 12m | 15m | met |" in english.content.decode()
        team["lead"].language = "nl"
        team["lead"].save(update_fields=["language"])
        dutch = client.get(f"/incidents/{incident.pk}/postmortem/export.md").content.decode()
        assert "# Evaluatie: App down" in dutch and "| Tijd tot bevestiging | 12m | 15m | gehaald |" in dutch

    def test_the_print_page(self, client, incident, team):
        client.force_login(team["observer"])
        assert (
            "Post-mortem: App down"
            in client.get(f"/incidents/{incident.pk}/postmortem/print/").content.decode()
        )

    def test_action_items_from_the_page(self, client, org, team, roles):
        playbook = playbook_services.playbook_create(
            organization=org, acting_user=team["lead"], name="Outage"
        )
        incident = services.incident_open(
            organization=org, acting_user=team["lead"], title="X", playbook=playbook
        )
        client.force_login(team["lead"])
        client.post(
            f"/incidents/{incident.pk}/postmortem/items/",
            {"item-title": "Night approver", "item-playbook": playbook.pk},
        )
        item = incident.postmortem.action_items.get()
        response = client.post(
            f"/incidents/{incident.pk}/postmortem/apply/", {"items": [item.pk]}, follow=True
        )
        assert "Proposed as revision 2" in response.content.decode()


class TestOverview:
    def test_it_counts_per_month_and_shows_drills_apart(self, client, incident, org, team, roles):
        open_incident(org, team, roles, title="Drill", is_drill=True)
        client.force_login(team["member"])
        html = client.get("/incidents/overview/").content.decode()
        assert html.count("on target") >= 1 and "Drills" in html

    def test_its_query_count_does_not_grow_with_incidents(
        self, client, org, team, roles, django_assert_max_num_queries
    ):
        client.force_login(team["member"])
        open_incident(org, team, roles)
        with django_assert_max_num_queries(10) as few:
            client.get("/incidents/overview/")
        baseline = len(few.captured_queries)
        for n in range(10):
            open_incident(org, team, roles, title=f"n{n}", is_drill=n % 2 == 0)
        with django_assert_max_num_queries(baseline):
            client.get("/incidents/overview/")


def test_the_postmortem_forms_refuse_someone_without_the_role_before_reading_the_form(incident, team, client):
    client.force_login(team["observer"])
    page = f"/incidents/{incident.pk}/postmortem/"
    assert client.post(page, {"status": "nonsense"}).status_code == 403  # not a 400 form error
    assert client.post(page + "items/", {"title": ""}).status_code == 403
