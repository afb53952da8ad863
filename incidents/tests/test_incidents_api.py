from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Incident, Task
from incidents.tests.conftest import api_as, open_incident
from playbooks import services as playbook_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def playbook(org, team, roles):
    return playbook_services.playbook_create(
        organization=org,
        acting_user=team["lead"],
        name="Service outage",
        steps=[
            {"title": "Confirm the facts", "role": roles["monitor"], "due_after_minutes": 5},
            {
                "title": "Publish the holding statement",
                "role": roles["spokesperson"],
                "due_after_minutes": 30,
            },
        ],
        role_assignments=[
            {"role": roles["monitor"], "user": team["monitor"], "kind": "primary"},
            {"role": roles["spokesperson"], "user": team["spokesperson"], "kind": "primary"},
            {"role": roles["approver"], "user": team["approver"], "kind": "primary"},
            {"role": roles["approver"], "user": team["approver2"], "kind": "backup"},
        ],
    )


class TestOpening:
    def test_a_member_opens_an_incident_and_leads_it(self, org, team):
        response = api_as(team["member"]).post(
            "/api/v1/incidents/",
            {"organization": org.pk, "title": "Angry posts about prices", "severity": "medium"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "detected"
        assert body["url"] == f"/incidents/{body['id']}/"
        assert "assign_roles" in body["permissions"] and "change_incident" in body["permissions"]
        roles = api_as(team["member"]).get(f"/api/v1/incidents/{body['id']}/roles/").json()["results"]
        assert roles == [{"id": roles[0]["id"], "user": team["member"].pk, "role": "lead"}]

    def test_from_a_playbook_it_copies_roles_and_turns_steps_into_tasks(self, org, team, playbook):
        response = api_as(team["lead"]).post(
            "/api/v1/incidents/",
            {"organization": org.pk, "title": "App down", "severity": "high", "playbook": playbook.pk},
            format="json",
        )
        assert response.status_code == 201
        incident = Incident.objects.get(pk=response.json()["id"])
        assert response.json()["playbook_revision"] == 1
        assigned = set(incident.role_assignments.values_list("user__username", "role__slug"))
        assert assigned == {
            ("lead", "lead"),
            ("monitor", "monitor"),
            ("spokesperson", "spokesperson"),
            ("approver", "approver"),
            ("approver2", "approver"),
        }
        tasks = list(incident.tasks.order_by("due_at"))
        assert [(t.title, t.assignee.username) for t in tasks] == [
            ("Confirm the facts", "monitor"),
            ("Publish the holding statement", "spokesperson"),
        ]
        assert tasks[1].due_at == incident.detected_at + timedelta(minutes=30)
        fresh = type(team["approver2"]).objects.get(pk=team["approver2"].pk)
        assert fresh.has_perm("incidents.approve_statement", incident)
        assert incident.timeline.filter(kind="role_change").exists()

    def test_the_incident_remembers_the_revision_it_was_opened_from(self, org, team, playbook, roles):
        incident = services.incident_open(
            organization=org, acting_user=team["lead"], title="A", playbook=playbook
        )
        playbook_services.playbook_update(playbook=playbook, acting_user=team["lead"], description="changed")
        later = services.incident_open(
            organization=org, acting_user=team["lead"], title="B", playbook=playbook
        )
        assert (incident.playbook_revision.number, later.playbook_revision.number) == (1, 2)

    def test_a_playbook_of_another_organization_is_a_400(self, org, other_org, team, outsider):
        theirs = playbook_services.playbook_create(
            organization=other_org, acting_user=outsider, name="Theirs"
        )
        response = api_as(team["lead"]).post(
            "/api/v1/incidents/", {"organization": org.pk, "title": "x", "playbook": theirs.pk}, format="json"
        )
        assert response.status_code == 400
        assert "playbook" in response.json()

    def test_an_organization_you_are_not_in_is_a_400(self, other_org, team):
        response = api_as(team["lead"]).post(
            "/api/v1/incidents/", {"organization": other_org.pk, "title": "x"}, format="json"
        )
        assert response.status_code == 400
        assert "organization" in response.json()

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"title": ""},
            {"title": "x", "severity": "apocalyptic"},
            {"title": "x" * 201},
            {"title": "x", "is_drill": "maybe"},
        ],
    )
    def test_bad_input_is_a_400(self, payload, org, team):
        response = api_as(team["lead"]).post(
            "/api/v1/incidents/", {"organization": org.pk, **payload}, format="json"
        )
        assert response.status_code == 400


class TestListAndDetail:
    def test_the_list_shows_only_visible_incidents(
        self, incident, restricted_incident, other_org, outsider, team
    ):
        services.incident_open(organization=other_org, acting_user=outsider, title="Theirs")
        titles = {row["title"] for row in api_as(team["member"]).get("/api/v1/incidents/").json()["results"]}
        assert titles == {"App down"}
        titles = {
            row["title"] for row in api_as(team["observer"]).get("/api/v1/incidents/").json()["results"]
        }
        assert titles == {"App down", "Leaked memo"}

    def test_the_list_filters(self, incident, org, team):
        services.incident_open(
            organization=org, acting_user=team["lead"], title="Drill", is_drill=True, severity="low"
        )
        client = api_as(team["lead"])
        assert [
            r["title"] for r in client.get("/api/v1/incidents/", {"is_drill": "true"}).json()["results"]
        ] == ["Drill"]
        assert [
            r["title"] for r in client.get("/api/v1/incidents/", {"severity": "high"}).json()["results"]
        ] == ["App down"]
        assert client.get("/api/v1/incidents/", {"status": "nonsense"}).status_code == 400

    def test_the_list_uses_a_constant_number_of_queries(
        self, org, team, roles, django_assert_max_num_queries
    ):
        open_incident(org, team, roles)
        client = api_as(team["observer"])
        with django_assert_max_num_queries(6) as few:
            client.get("/api/v1/incidents/")
        for n in range(12):
            open_incident(org, team, roles, title=f"Incident {n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get("/api/v1/incidents/").json()["count"] == 13

    def test_the_detail_uses_a_constant_number_of_queries(
        self, incident, team, django_assert_max_num_queries
    ):
        client = api_as(team["observer"])
        with django_assert_max_num_queries(8) as few:
            client.get(f"/api/v1/incidents/{incident.pk}/")
        for n in range(50):
            services.timeline_add(incident=incident, acting_user=team["lead"], body=f"entry {n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(f"/api/v1/incidents/{incident.pk}/")

    def test_a_patch_changes_severity_and_writes_the_timeline(self, incident, team):
        response = api_as(team["lead"]).patch(
            f"/api/v1/incidents/{incident.pk}/", {"severity": "critical"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["severity"] == "critical"
        assert incident.timeline.filter(body="Severity: High → Critical.").exists()

    def test_status_cannot_be_patched(self, incident, team):
        api_as(team["lead"]).patch(f"/api/v1/incidents/{incident.pk}/", {"status": "closed"}, format="json")
        incident.refresh_from_db()
        assert incident.status == "detected"

    def test_times_are_iso_8601_with_an_offset(self, incident, team):
        detected_at = api_as(team["lead"]).get(f"/api/v1/incidents/{incident.pk}/").json()["detected_at"]
        assert detected_at[-6] in "+-" and detected_at[-3] == ":"


class TestRoles:
    def test_assigning_an_existing_role_answers_200_with_the_same_assignment(self, incident, team):
        client = api_as(team["lead"])
        first = client.post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": team["member"].pk, "role": "observer"},
            format="json",
        )
        again = client.post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": team["member"].pk, "role": "observer"},
            format="json",
        )
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json() == again.json()
        assert set(first.json()) == {"id", "user", "role"}

    def test_an_unknown_role_or_person_is_a_400(self, incident, team, outsider):
        client = api_as(team["lead"])
        bad_role = client.post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": team["member"].pk, "role": "ceo"},
            format="json",
        )
        assert bad_role.status_code == 400 and "role" in bad_role.json()
        stranger = client.post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": outsider.pk, "role": "observer"},
            format="json",
        )
        assert stranger.status_code == 400 and "user" in stranger.json()

    def test_the_last_lead_cannot_be_removed(self, incident, team):
        client = api_as(team["lead"])
        lead = incident.role_assignments.get(role__slug="lead")
        assert client.delete(f"/api/v1/incidents/{incident.pk}/roles/{lead.pk}/").status_code == 409

    def test_role_changes_are_on_the_timeline(self, incident, team):
        api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": team["member"].pk, "role": "responder"},
            format="json",
        )
        assert incident.timeline.filter(kind="role_change", body="Member is now Responder.").exists()


class TestTasks:
    def test_adding_assigning_and_completing_a_task(self, incident, team):
        client = api_as(team["responder"])
        due = (timezone.now() + timedelta(minutes=20)).isoformat()
        created = client.post(
            f"/api/v1/incidents/{incident.pk}/tasks/",
            {"title": "Call the CEO's office", "due_at": due},
            format="json",
        )
        assert created.status_code == 201
        task_id = created.json()["id"]
        assigned = client.patch(f"/api/v1/tasks/{task_id}/", {"assignee": team["monitor"].pk}, format="json")
        assert assigned.json()["assignee"] == team["monitor"].pk
        done = client.post(f"/api/v1/tasks/{task_id}/complete/")
        assert done.status_code == 200 and done.json()["completed_at"]
        assert client.post(f"/api/v1/tasks/{task_id}/complete/").status_code == 409
        bodies = list(incident.timeline.filter(kind="task").values_list("body", flat=True))
        assert bodies[-3:] == [
            "New task: Call the CEO's office.",
            "Monitor takes the task “Call the CEO's office”.",
            "Done: Call the CEO's office.",
        ]

    def test_a_task_past_its_due_time_is_overdue(self, incident, team):
        Task.objects.create(incident=incident, title="Late", due_at=timezone.now() - timedelta(minutes=1))
        Task.objects.create(
            incident=incident,
            title="Done late",
            due_at=timezone.now() - timedelta(minutes=1),
            completed_at=timezone.now(),
        )
        rows = api_as(team["observer"]).get(f"/api/v1/incidents/{incident.pk}/tasks/").json()["results"]
        assert {row["title"]: row["is_overdue"] for row in rows} == {"Late": True, "Done late": False}

    def test_a_task_for_someone_outside_the_organization_is_a_400(self, incident, team, outsider):
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/tasks/", {"title": "x", "assignee": outsider.pk}, format="json"
        )
        assert response.status_code == 400 and "assignee" in response.json()
