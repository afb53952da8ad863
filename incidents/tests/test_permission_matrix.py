"""Every cell of DESIGN.md's permission matrix, through the API where the endpoint exists.

The endpoints for mentions, statements and the post-mortem come with their own apps; for
those cells the test asks guardian directly (`has_perm`), which is what their views will ask.
"""

import pytest

from incidents.tests.conftest import api_as

pytestmark = pytest.mark.django_db

PEOPLE = ("lead", "monitor", "responder", "spokesperson", "approver", "approver2", "observer", "member")

ALLOWED = {
    "view_incident": set(PEOPLE),
    "change_incident": {"lead"},
    "assign_roles": {"lead"},
    "add_timeline_entry": {"lead", "monitor", "responder", "spokesperson"},
    "manage_tasks": {"lead", "monitor", "responder", "spokesperson"},
    "link_mention": {"lead", "monitor"},
    "draft_statement": {"lead", "responder", "spokesperson"},
    "approve_statement": {"approver", "approver2"},
    "publish_statement": {"lead", "spokesperson"},
    "edit_postmortem": {"lead"},
}


def act(permission, client, incident, team):
    """Do the API action that needs `permission`; answer its status code."""
    base = f"/api/v1/incidents/{incident.pk}/"
    if permission == "view_incident":
        return client.get(base).status_code
    if permission == "change_incident":
        return client.patch(base, {"summary": "Storm is growing"}, format="json").status_code
    if permission == "assign_roles":
        return client.post(
            base + "roles/", {"user": team["member"].pk, "role": "observer"}, format="json"
        ).status_code
    if permission == "add_timeline_entry":
        return client.post(base + "timeline/", {"body": "Spike on Mastodon"}, format="json").status_code
    if permission == "manage_tasks":
        task = incident.tasks.create(title="Call IT")
        return client.post(f"/api/v1/tasks/{task.pk}/complete/").status_code
    return None


CELLS = [(permission, person) for permission in ALLOWED for person in PEOPLE]


@pytest.mark.parametrize(("permission", "person"), CELLS, ids=[f"{p}-{u}" for p, u in CELLS])
def test_the_matrix_cell(permission, person, incident, team):
    allowed = person in ALLOWED[permission]
    status = act(permission, api_as(team[person]), incident, team)
    if status is None:
        fresh = type(team[person]).objects.get(pk=team[person].pk)
        assert fresh.has_perm(f"incidents.{permission}", incident) is allowed
    elif allowed:
        assert status in (200, 201), status
    else:
        assert status == 403, status


@pytest.mark.parametrize("person", PEOPLE)
def test_the_polls_one_query_agrees_with_guardian(person, incident, team, outsider):
    from guardian.core import ObjectPermissionChecker

    from incidents.selectors import incident_permissions

    held = {permission for permission, people in ALLOWED.items() if person in people}
    by_guardian = set(ObjectPermissionChecker(team[person]).get_perms(incident)) & set(ALLOWED)
    assert incident_permissions(team[person], incident.pk) == held == by_guardian
    assert incident_permissions(outsider, incident.pk) == set()
    team[person].is_active = False
    assert incident_permissions(team[person], incident.pk) == set()


def test_an_outsider_gets_404_for_everything(incident, outsider):
    client = api_as(outsider)
    base = f"/api/v1/incidents/{incident.pk}/"
    assert client.get(base).status_code == 404
    assert client.patch(base, {"summary": "x"}, format="json").status_code == 404
    assert client.post(base + "transition/", {"to": "acknowledged"}, format="json").status_code == 404
    assert client.get(base + "timeline/").status_code == 404
    assert client.post(base + "timeline/", {"body": "x"}, format="json").status_code == 404
    assert client.get(base + "roles/").status_code == 404
    assert client.get(base + "tasks/").status_code == 404
    task = incident.tasks.create(title="x")
    assert client.post(f"/api/v1/tasks/{task.pk}/complete/").status_code == 404


class TestRestricted:
    def test_a_member_without_a_role_does_not_see_a_restricted_incident(self, restricted_incident, team):
        client = api_as(team["member"])
        assert client.get(f"/api/v1/incidents/{restricted_incident.pk}/").status_code == 404
        assert restricted_incident.pk not in [
            row["id"] for row in client.get("/api/v1/incidents/").json()["results"]
        ]

    def test_people_with_a_role_see_it(self, restricted_incident, team):
        for person in ("lead", "observer", "approver2"):
            assert api_as(team[person]).get(f"/api/v1/incidents/{restricted_incident.pk}/").status_code == 200

    def test_revoking_the_last_role_removes_access(self, restricted_incident, team):
        lead = api_as(team["lead"])
        roles = lead.get(f"/api/v1/incidents/{restricted_incident.pk}/roles/").json()["results"]
        observer_role = next(row for row in roles if row["user"] == team["observer"].pk)
        response = lead.delete(f"/api/v1/incidents/{restricted_incident.pk}/roles/{observer_role['id']}/")
        assert response.status_code == 204
        assert api_as(team["observer"]).get(f"/api/v1/incidents/{restricted_incident.pk}/").status_code == 404

    def test_making_an_incident_restricted_hides_it_from_members_without_a_role(self, incident, team):
        member = api_as(team["member"])
        assert member.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
        api_as(team["lead"]).patch(f"/api/v1/incidents/{incident.pk}/", {"restricted": True}, format="json")
        assert member.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
        assert api_as(team["observer"]).get(f"/api/v1/incidents/{incident.pk}/").status_code == 200


class TestRoleRevocation:
    def test_revoking_one_role_keeps_what_another_role_grants(self, incident, team, roles):
        from incidents import services

        services.role_assign(
            incident=incident, user=team["monitor"], role=roles["responder"], acting_user=team["lead"]
        )
        monitor_role = incident.role_assignments.get(user=team["monitor"], role=roles["monitor"])
        services.role_remove(assignment=monitor_role, acting_user=team["lead"])
        monitor = type(team["monitor"]).objects.get(pk=team["monitor"].pk)
        assert monitor.has_perm("incidents.add_timeline_entry", incident)  # responder grants it too
        assert monitor.has_perm("incidents.draft_statement", incident)
        assert not monitor.has_perm("incidents.link_mention", incident)  # only monitor granted that

    def test_the_detail_lists_the_callers_permissions(self, incident, team):
        body = api_as(team["responder"]).get(f"/api/v1/incidents/{incident.pk}/").json()
        assert body["permissions"] == [
            "add_timeline_entry",
            "draft_statement",
            "manage_tasks",
            "view_incident",
        ]
