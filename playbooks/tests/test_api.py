import pytest
from rest_framework.test import APIClient

from conftest import make_user
from playbooks import services
from playbooks.models import PlaybookRevision

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


NEW_PLAYBOOK = {
    "name": "Wrong information published",
    "description": "We posted a wrong tariff.",
    "language": "en",
    "trigger_keywords": ["wrong price", "misleading"],
    "steps": [
        {"title": "Take the post down", "role": "spokesperson", "due_after_minutes": 10},
        {"title": "Check the facts", "role": "responder", "due_after_minutes": 20},
    ],
    "templates": [
        {"name": "Holding", "kind": "holding", "body": "{organization} corrects {incident_title}."}
    ],
    "targets": [{"severity": "low", "minutes_to_acknowledge": 90}],
}


class TestVisibility:
    def test_a_member_lists_only_their_organizations_playbooks(self, playbook, team, outsider, other_org):
        services.playbook_create(organization=other_org, acting_user=outsider, name="Theirs")
        body = client_for(team["member"]).get("/api/v1/playbooks/").json()
        assert [row["name"] for row in body["results"]] == ["Service outage"]
        assert body["results"][0]["url"] == f"/playbooks/{playbook.pk}/"

    def test_another_organizations_playbook_answers_404(self, playbook, outsider):
        client = client_for(outsider)
        assert client.get(f"/api/v1/playbooks/{playbook.pk}/").status_code == 404
        assert (
            client.patch(f"/api/v1/playbooks/{playbook.pk}/", {"name": "x"}, format="json").status_code == 404
        )

    def test_the_detail_nests_everything(self, playbook, team):
        body = client_for(team["observer"]).get(f"/api/v1/playbooks/{playbook.pk}/").json()
        assert [step["title"] for step in body["steps"]] == [
            "Confirm the facts",
            "Post the holding statement",
        ]
        assert body["steps"][0]["role"] == "monitor"
        assert {(a["role"], a["kind"]) for a in body["role_assignments"]} == {
            ("lead", "primary"),
            ("approver", "primary"),
            ("approver", "backup"),
        }
        assert body["templates"][0]["body"].startswith("{organization}")
        assert {t["severity"]: t["approvals_required"] for t in body["targets"]} == {
            "low": 1,
            "medium": 1,
            "high": 2,
            "critical": 2,
        }
        assert body["revision"] == 1

    def test_the_detail_uses_a_constant_number_of_queries(
        self, playbook, team, roles, django_assert_max_num_queries
    ):
        client = client_for(team["member"])
        with django_assert_max_num_queries(7) as few:
            client.get(f"/api/v1/playbooks/{playbook.pk}/")
        services.playbook_update(
            playbook=playbook,
            acting_user=team["lead"],
            steps=[
                {"title": f"Step {n}", "role": roles["responder"], "due_after_minutes": n} for n in range(60)
            ],
            templates=[{"name": f"T{n}", "kind": "update", "body": "{organization}"} for n in range(20)],
        )
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(f"/api/v1/playbooks/{playbook.pk}/")
        assert len(response.json()["steps"]) == 60

    def test_the_list_uses_a_constant_number_of_queries(self, org, team, django_assert_max_num_queries):
        for n in range(15):
            services.playbook_create(organization=org, acting_user=team["lead"], name=f"Scenario {n}")
        with django_assert_max_num_queries(3):
            assert client_for(team["member"]).get("/api/v1/playbooks/").json()["count"] == 15


class TestWrites:
    def test_an_admin_creates_a_playbook_with_defaults_filled(self, org, team):
        response = client_for(team["lead"]).post(
            "/api/v1/playbooks/", {**NEW_PLAYBOOK, "organization": org.pk}, format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["revision"] == 1
        assert [step["order"] for step in body["steps"]] == [1, 2]
        targets = {t["severity"]: t for t in body["targets"]}
        assert targets["low"]["minutes_to_acknowledge"] == 90
        assert targets["critical"]["approvals_required"] == 2

    def test_a_member_who_is_not_an_admin_cannot_create(self, org, team):
        response = client_for(team["responder"]).post(
            "/api/v1/playbooks/", {**NEW_PLAYBOOK, "organization": org.pk}, format="json"
        )
        assert response.status_code == 403

    def test_a_member_who_is_not_an_admin_cannot_edit(self, playbook, team):
        response = client_for(team["approver"]).patch(
            f"/api/v1/playbooks/{playbook.pk}/", {"name": "x"}, format="json"
        )
        assert response.status_code == 403
        playbook.refresh_from_db()
        assert playbook.name == "Service outage"

    def test_creating_in_an_organization_you_cannot_see_is_a_400_on_the_field(self, other_org, team):
        response = client_for(team["lead"]).post(
            "/api/v1/playbooks/", {**NEW_PLAYBOOK, "organization": other_org.pk}, format="json"
        )
        assert response.status_code == 400
        assert "organization" in response.json()

    def test_editing_makes_revision_n_plus_1_and_keeps_revision_n(self, playbook, team):
        before = PlaybookRevision.objects.get(playbook=playbook, number=1)
        frozen = before.snapshot
        response = client_for(team["lead"]).patch(
            f"/api/v1/playbooks/{playbook.pk}/",
            {
                "description": "Now with a status page.",
                "change_note": "Added the status page",
                "steps": [{"title": "Update the status page", "role": "responder", "due_after_minutes": 15}],
            },
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["revision"] == 2
        assert [step["title"] for step in response.json()["steps"]] == ["Update the status page"]
        before.refresh_from_db()
        assert before.snapshot == frozen
        old = client_for(team["member"]).get(f"/api/v1/playbooks/{playbook.pk}/revisions/1/").json()
        assert [step["title"] for step in old["snapshot"]["steps"]] == [
            "Confirm the facts",
            "Post the holding statement",
        ]
        revisions = client_for(team["member"]).get(f"/api/v1/playbooks/{playbook.pk}/revisions/").json()
        assert [(r["number"], r["change_note"]) for r in revisions["results"]] == [
            (2, "Added the status page"),
            (1, "Created"),
        ]

    def test_saving_without_a_change_makes_no_revision(self, playbook, team):
        response = client_for(team["lead"]).patch(
            f"/api/v1/playbooks/{playbook.pk}/", {"name": "Service outage"}, format="json"
        )
        assert response.json()["revision"] == 1

    def test_the_organization_cannot_be_moved(self, playbook, team, outsider, other_org):
        response = client_for(team["lead"]).patch(
            f"/api/v1/playbooks/{playbook.pk}/", {"organization": other_org.pk}, format="json"
        )
        assert response.status_code == 200
        playbook.refresh_from_db()
        assert playbook.organization_id != other_org.pk


class TestValidation:
    def post(self, team, org, **changes):
        return client_for(team["lead"]).post(
            "/api/v1/playbooks/", {**NEW_PLAYBOOK, "organization": org.pk, **changes}, format="json"
        )

    def test_an_unknown_placeholder_is_a_400_naming_the_field(self, org, team):
        response = self.post(
            team,
            org,
            templates=[
                {"name": "ok", "kind": "holding", "body": "{organization}"},
                {"name": "bad", "kind": "update", "body": "Dear {customer}, sorry"},
            ],
        )
        assert response.status_code == 400
        # DRF's shape for a nested list: errors keyed by the index of the bad row.
        assert list(response.json()["templates"]) == ["1"]
        assert "{customer}" in response.json()["templates"]["1"]["body"][0]

    def test_a_step_with_a_role_that_does_not_exist_is_a_400(self, org, team):
        response = self.post(team, org, steps=[{"title": "x", "role": "ceo", "due_after_minutes": 1}])
        assert response.status_code == 400
        assert "role" in response.json()["steps"]["0"]

    def test_assigning_someone_outside_the_organization_is_a_400(self, org, team, outsider):
        response = self.post(team, org, role_assignments=[{"role": "lead", "user": outsider.pk}])
        assert response.status_code == 400
        assert "user" in response.json()["role_assignments"]["0"]

    def test_assigning_a_colleague_of_another_shared_organization_is_a_400(self, org, other_org, team):
        both = make_user("both", organization=other_org)
        from accounts.services import membership_add

        membership_add(organization=other_org, user=team["lead"], is_admin=True)
        response = client_for(team["lead"]).post(
            "/api/v1/playbooks/",
            {**NEW_PLAYBOOK, "organization": org.pk, "role_assignments": [{"role": "lead", "user": both.pk}]},
            format="json",
        )
        assert response.status_code == 400
        assert "not a member" in response.json()["role_assignments"]["0"]["user"][0]

    def test_a_severity_twice_is_a_400(self, org, team):
        response = self.post(team, org, targets=[{"severity": "low"}, {"severity": "low"}])
        assert response.status_code == 400
        assert "targets" in response.json()

    def test_zero_approvals_is_a_400(self, org, team):
        response = self.post(team, org, targets=[{"severity": "high", "approvals_required": 0}])
        assert response.status_code == 400

    def test_a_missing_name_is_a_400(self, org, team):
        response = client_for(team["lead"]).post(
            "/api/v1/playbooks/", {"organization": org.pk}, format="json"
        )
        assert response.status_code == 400
        assert "name" in response.json()

    def test_put_and_delete_are_not_allowed(self, playbook, team):
        client = client_for(team["lead"])
        assert client.put(f"/api/v1/playbooks/{playbook.pk}/", {}, format="json").status_code == 405
        assert client.delete(f"/api/v1/playbooks/{playbook.pk}/").status_code == 405
