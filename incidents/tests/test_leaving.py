"""Leaving an organization ends everything the person held there, at once (membership_remove,
the service behind the admin's member inline, the members page and the members API)."""

import threading

import pytest
from django.db import close_old_connections, connection
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services as accounts_services
from accounts.models import Membership, User
from conftest import make_user
from incidents import selectors, services
from incidents.models import IncidentRoleAssignment, TimelineEntry
from incidents.tests.conftest import api_as, open_incident
from playbooks import services as playbooks_services

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # guardian caches per instance


def leave(user: User, organization, acting_user=None) -> None:
    accounts_services.membership_remove(
        membership=Membership.objects.get(user=user, organization=organization), acting_user=acting_user
    )


def token_client(user: User) -> tuple[APIClient, str]:
    key = Token.objects.create(user=user).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, key


@pytest.fixture
def two_org_responder(team, other_org):
    """The responder also works for another organization, so their token outlives leaving this one."""
    accounts_services.membership_add(organization=other_org, user=team["responder"])
    return team["responder"]


class TestLeavingEndsEveryRole:
    def test_the_old_token_no_longer_reads_a_restricted_incident_or_drafts(
        self, restricted_incident, team, two_org_responder, org
    ):
        client, _key = token_client(two_org_responder)
        url = f"/api/v1/incidents/{restricted_incident.pk}/"
        assert client.get(url).status_code == 200
        leave(two_org_responder, org, acting_user=team["lead"])
        assert client.get(url).status_code == 404
        response = client.post(
            f"/api/v1/incidents/{restricted_incident.pk}/statements/",
            {"body": "We are on it.", "language": "en"},
            format="json",
        )
        assert response.status_code == 404
        assert client.get("/api/v1/incidents/").json()["count"] == 0

    def test_every_role_and_grant_on_the_organizations_incidents_goes(
        self, incident, restricted_incident, team, org, two_org_responder, other_org, roles, outsider
    ):
        elsewhere = services.incident_open(organization=other_org, acting_user=outsider, title="Parcel lost")
        services.role_assign(
            incident=elsewhere, user=two_org_responder, role=roles["responder"], acting_user=outsider
        )
        leave(two_org_responder, org, acting_user=team["lead"])
        assert not IncidentRoleAssignment.objects.filter(
            user=two_org_responder, incident__organization=org
        ).exists()
        own_grants = UserObjectPermission.objects.filter(user=two_org_responder)
        assert {row.object_pk for row in own_grants} == {str(elsewhere.pk)}
        responder = fresh(two_org_responder)
        for each in (incident, restricted_incident):
            assert not responder.has_perm("incidents.view_incident", each)
            assert selectors.incident_permissions(responder, each.pk) == set()
        assert responder.has_perm("incidents.draft_statement", elsewhere)  # the other organization's stays
        assert list(selectors.incidents_visible_to(responder)) == [elsewhere]

    def test_each_incident_says_so_on_its_timeline(self, incident, restricted_incident, team, org):
        leave(team["approver"], org, acting_user=team["lead"])
        for each in (incident, restricted_incident):
            entry = TimelineEntry.objects.filter(incident=each).order_by("-pk").first()
            assert entry.kind == TimelineEntry.Kind.ROLE_CHANGE
            assert entry.author == team["lead"]
            assert (
                entry.body
                == "Approver left the organization and no longer holds a role here: Approver (Approver)."
            )

    def test_an_incident_they_alone_led_asks_for_a_lead(self, incident, team, org):
        leave(team["lead"], org)
        entry = TimelineEntry.objects.filter(incident=incident).order_by("-pk").first()
        assert "Nobody leads this incident now: assign a lead." in entry.body
        assert not incident.role_assignments.filter(role__slug="lead").exists()

    def test_the_organization_admin_rights_go_too(self, org, team):
        leave(team["lead"], org)
        lead = fresh(team["lead"])
        assert not lead.has_perm("accounts.manage_members", org)
        assert not lead.has_perm("accounts.view_organization", org)
        assert not lead.is_staff  # staff only to author in the admin site, which needs the role

    @pytest.mark.postgresql  # SQLite has no row locks: Django leaves FOR UPDATE out there
    def test_it_locks_the_membership_then_the_incidents_in_pk_order(self, org, team, roles):
        open_incident(org, team, roles, title="First")
        open_incident(org, team, roles, title="Second")
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            leave(team["observer"], org)
        sql = [q["sql"] for q in queries.captured_queries]
        membership_lock = next(
            i for i, q in enumerate(sql) if "accounts_membership" in q and "FOR UPDATE" in q
        )
        incident_lock = next(i for i, q in enumerate(sql) if 'FROM "incidents_incident"' in q and "FOR" in q)
        assert membership_lock < incident_lock
        assert 'ORDER BY "incidents_incident"."id" ASC' in sql[incident_lock]


class TestTheToken:
    def test_it_is_deleted_when_no_organization_is_left(self, incident, team, org):
        client, key = token_client(team["observer"])
        leave(team["observer"], org)
        assert not Token.objects.filter(key=key).exists()
        assert client.get("/api/v1/users/me/").status_code == 401

    def test_it_stays_while_another_organization_is_left(self, org, two_org_responder):
        _client, key = token_client(two_org_responder)
        leave(two_org_responder, org)
        assert Token.objects.filter(key=key).exists()


class TestGuardInDepth:
    """A grant left behind (by a bug, a race, a hand in the database) opens nothing to a non-member."""

    def test_a_left_over_grant_counts_for_nothing(self, restricted_incident, team, org, two_org_responder):
        leave(two_org_responder, org)
        assign_perm("incidents.view_incident", two_org_responder, restricted_incident)
        assign_perm("incidents.draft_statement", two_org_responder, restricted_incident)
        responder = fresh(two_org_responder)
        assert not responder.has_perm("incidents.view_incident", restricted_incident)
        assert selectors.incident_permissions(responder, restricted_incident.pk) == set()

    def test_a_switched_off_account_counts_for_nothing(self, incident, team):
        observer = fresh(team["observer"])
        observer.is_active = False
        observer.save(update_fields=["is_active"])
        assert not observer.has_perm("incidents.view_incident", incident)
        assert selectors.incident_permissions(observer, incident.pk) == set()


class TestOnlyActiveMembersGetRoles:
    def test_role_assign_refuses_someone_who_left(self, incident, team, org, roles):
        leave(team["member"], org)
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": team["member"].pk, "role": "observer"},
            format="json",
        )
        assert response.status_code == 400
        assert "user" in response.json()

    def test_role_assign_refuses_a_switched_off_account(self, incident, team, roles):
        member = fresh(team["member"])
        member.is_active = False
        member.save(update_fields=["is_active"])
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError, match="not a member"):
            services.role_assign(
                incident=incident, user=member, role=roles["observer"], acting_user=team["lead"]
            )
        assert not IncidentRoleAssignment.objects.filter(user=member).exists()

    def test_a_task_cannot_go_to_a_switched_off_account(self, incident, team):
        member = fresh(team["member"])
        member.is_active = False
        member.save(update_fields=["is_active"])
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/tasks/",
            {"title": "Call the press", "assignee": member.pk},
            format="json",
        )
        assert response.status_code == 400
        assert "assignee" in response.json()

    def test_removing_a_role_of_someone_who_left_meanwhile_is_nothing_more_to_do(self, incident, team, org):
        assignment = incident.role_assignments.get(user=team["monitor"])
        leave(team["monitor"], org)
        services.role_remove(assignment=assignment, acting_user=team["lead"])  # no error
        assert not IncidentRoleAssignment.objects.filter(pk=assignment.pk).exists()


class TestPlaybooksDoNotCopyWhoLeft:
    @pytest.fixture
    def playbook(self, org, team, roles):
        return playbooks_services.playbook_create(
            organization=org,
            acting_user=team["lead"],
            name="Outage",
            steps=[{"title": "Post the holding statement", "role": roles["spokesperson"]}],
            role_assignments=[
                {"role": roles["spokesperson"], "user": team["spokesperson"], "kind": "primary"},
                {"role": roles["approver"], "user": team["approver"], "kind": "primary"},
            ],
        )

    def test_a_new_incident_skips_them(self, playbook, org, team):
        leave(team["spokesperson"], org)
        incident = services.incident_open(
            organization=org, acting_user=team["lead"], title="Down", playbook=playbook
        )
        assert set(incident.role_assignments.values_list("user__username", flat=True)) == {"lead", "approver"}
        assert not fresh(team["spokesperson"]).has_perm("incidents.view_incident", incident)
        assert incident.tasks.get().assignee is None  # nor are they given the playbook's task

    def test_a_switched_off_account_is_skipped_too(self, playbook, org, team):
        approver = fresh(team["approver"])
        approver.is_active = False
        approver.save(update_fields=["is_active"])
        incident = services.incident_open(
            organization=org, acting_user=team["lead"], title="Down", playbook=playbook
        )
        assert not incident.role_assignments.filter(user=approver).exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_leaving_while_a_role_is_being_assigned_leaves_no_role_behind(builtin_roles, org, team):
    """membership_remove and role_assign lock the membership first: whichever runs second sees
    the other's result. Twenty rounds on PostgreSQL, the two started together each time."""
    from accounts.models import Role

    observer_role = Role.objects.get(slug="observer")
    incident = services.incident_open(
        organization=org, acting_user=team["lead"], title="Race", restricted=True
    )
    for round_number in range(20):
        person = make_user(f"leaver{round_number}", organization=org)
        barrier = threading.Barrier(2)
        errors: list[Exception] = []

        def assign(person=person, barrier=barrier, errors=errors):
            barrier.wait()
            try:
                services.role_assign(
                    incident=incident, user=person, role=observer_role, acting_user=team["lead"]
                )
            except Exception as refusal:  # a refusal is one of the two right outcomes
                errors.append(refusal)
            finally:
                close_old_connections()
                connection.close()

        def remove(person=person, barrier=barrier):
            barrier.wait()
            try:
                leave(person, org)
            finally:
                connection.close()

        threads = [threading.Thread(target=assign), threading.Thread(target=remove)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all("not a member" in str(failure) for failure in errors), errors
        assert not IncidentRoleAssignment.objects.filter(user=person).exists()
        assert not UserObjectPermission.objects.filter(user=person).exists()
        assert selectors.incident_permissions(fresh(person), incident.pk) == set()
