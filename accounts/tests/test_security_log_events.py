"""Each kind of security event, recorded at its real entry point: the sign-in page, the token
endpoint, the members page and API, the roles API, approving and publishing through the API."""

import pytest
from django.test import Client

from accounts import services
from accounts.models import Membership, SecurityEvent
from conftest import make_user
from incidents.models import Channel
from incidents.tests.conftest import act, api_as, draft, open_incident
from playbooks import services as playbook_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, team, roles):
    return open_incident(org, team, roles)


Kind = SecurityEvent.Kind


def events(kind, **filters):
    return list(SecurityEvent.objects.filter(kind=kind, **filters).order_by("pk"))


def only(kind, **filters) -> SecurityEvent:
    [event] = events(kind, **filters)
    return event


class TestSignIn:
    def test_it_records_a_sign_in_with_the_address_in_each_organization(self, team, other_org):
        make_user("sam", organization=other_org)
        client = Client(REMOTE_ADDR="198.51.100.7")
        assert client.post("/accounts/login/", {"username": "lead", "password": "demo"}).status_code == 302
        event = only(Kind.SIGNED_IN, actor="lead")
        assert (event.organization.slug, event.actor_pk, event.address) == (
            "lumen",
            team["lead"].pk,
            "198.51.100.7",
        )

    def test_it_records_a_wrong_password_under_the_name_typed(self, team):
        Client(REMOTE_ADDR="203.0.113.9").post("/accounts/login/", {"username": "lead", "password": "nope"})
        event = only(Kind.SIGN_IN_FAILED)
        assert (event.actor, event.actor_pk, event.organization.slug, event.address) == (
            "lead",
            None,
            "lumen",
            "203.0.113.9",
        )
        assert not events(Kind.SIGNED_IN)

    def test_an_unknown_name_is_recorded_in_no_organization(self, team):
        Client().post("/accounts/login/", {"username": "=cmd|' /C calc'!A0", "password": "x"})
        event = only(Kind.SIGN_IN_FAILED)
        assert (event.actor, event.organization) == ("=cmd|' /C calc'!A0", None)

    def test_a_lockout_is_recorded_once_and_each_attempt_during_it_as_a_failure(self, team, settings):
        client = Client(REMOTE_ADDR="203.0.113.9")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/accounts/login/", {"username": "lead", "password": "wrong"})
        lockout = only(Kind.LOCKED_OUT)
        assert (lockout.actor, lockout.organization.slug, lockout.address) == ("lead", "lumen", "203.0.113.9")
        assert lockout.detail == {"failures": settings.AXES_FAILURE_LIMIT}
        for _ in range(2):  # the right password too: refused while locked out
            assert (
                client.post("/accounts/login/", {"username": "lead", "password": "demo"}).status_code == 429
            )
        assert len(events(Kind.SIGN_IN_FAILED)) == settings.AXES_FAILURE_LIMIT + 2
        assert len(events(Kind.LOCKED_OUT)) == 1
        assert not events(Kind.SIGNED_IN)


class TestTokens:
    def test_the_token_endpoint_records_a_new_token_once_and_no_sign_in(self, team):
        client = Client(REMOTE_ADDR="192.0.2.1")
        for _ in range(2):
            response = client.post(
                "/api/v1/auth/token/",
                {"username": "lead", "password": "demo"},
                content_type="application/json",
            )
            assert response.status_code == 200
        event = only(Kind.TOKEN_CREATED)
        assert (event.actor, event.organization.slug, event.address) == ("lead", "lumen", "192.0.2.1")
        assert not events(Kind.SIGNED_IN)

    def test_a_wrong_password_at_the_token_endpoint_is_a_failed_sign_in(self, team):
        response = Client().post(
            "/api/v1/auth/token/", {"username": "lead", "password": "nope"}, content_type="application/json"
        )
        assert response.status_code == 400
        assert only(Kind.SIGN_IN_FAILED).actor == "lead"
        assert not events(Kind.TOKEN_CREATED)

    def test_revoking_ones_token_is_recorded(self, team):
        client = Client(REMOTE_ADDR="192.0.2.1")
        token = client.post(
            "/api/v1/auth/token/", {"username": "lead", "password": "demo"}, content_type="application/json"
        ).json()["token"]
        assert client.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
        event = only(Kind.TOKEN_REVOKED)
        assert (event.actor, event.subject, event.address) == ("lead", "", "192.0.2.1")


class TestMembers:
    def test_adding_a_member_through_the_api_is_recorded(self, org, team, mailoutbox):
        response = api_as(team["lead"]).post(
            f"/api/v1/organizations/{org.pk}/members/",
            {"email": "jan@example.com", "full_name": "Jan", "is_admin": True},
            format="json",
        )
        assert response.status_code == 201
        event = only(Kind.MEMBER_ADDED, subject="jan@example.com")
        assert (event.organization, event.actor, event.actor_pk, event.detail) == (
            org,
            "lead",
            team["lead"].pk,
            {"is_admin": True},
        )

    def test_removing_a_member_through_the_api_is_recorded_with_their_token(self, org, team):
        Client().post(
            "/api/v1/auth/token/", {"username": "member", "password": "demo"}, content_type="application/json"
        )
        client = api_as(team["lead"])
        assert (
            client.delete(f"/api/v1/organizations/{org.pk}/members/{team['member'].pk}/").status_code == 204
        )
        event = only(Kind.MEMBER_REMOVED)
        assert (event.organization, event.actor, event.subject, event.detail) == (
            org,
            "lead",
            "member",
            {"is_admin": False},
        )
        revoked = only(Kind.TOKEN_REVOKED)  # they belong to no organization any more
        assert (revoked.organization, revoked.actor, revoked.subject) == (org, "lead", "member")

    def test_making_a_member_an_admin_on_the_members_page_is_a_role_granted(self, org, team, client):
        client.force_login(team["lead"])
        response = client.post(
            f"/accounts/organizations/{org.slug}/members/",
            {"email": "x@example.com", "full_name": "X", "is_admin": "on"},
        )
        assert response.status_code == 302
        added = only(Kind.MEMBER_ADDED, subject="x@example.com")
        assert added.detail == {"is_admin": True} and added.address == "127.0.0.1"
        member = team["member"]
        member.email = "member@example.com"
        member.save(update_fields=["email"])
        client.post(
            f"/accounts/organizations/{org.slug}/members/",
            {"email": "member@example.com", "full_name": "Member", "is_admin": "on"},
        )
        granted = only(Kind.ROLE_GRANTED, subject="member")
        assert (granted.actor, granted.detail) == ("lead", {"role": "Organization admin"})

    def test_adding_an_existing_member_again_records_nothing(self, org, team):
        before = SecurityEvent.objects.count()
        member = Membership.objects.get(user=team["member"])
        services.membership_add(organization=org, user=team["member"], is_admin=member.is_admin)
        assert SecurityEvent.objects.count() == before


class TestRoles:
    def test_giving_and_taking_a_role_through_the_api_is_recorded(self, incident, team):
        client = api_as(team["lead"])
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": team["member"].pk, "role": "observer"},
            format="json",
        )
        assert response.status_code == 201
        granted = only(Kind.ROLE_GRANTED, subject="member")
        assert (granted.organization, granted.actor, granted.detail) == (
            incident.organization,
            "lead",
            {"role": "Observer", "incident": incident.pk, "title": "App down"},
        )
        assert (
            client.delete(f"/api/v1/incidents/{incident.pk}/roles/{response.json()['id']}/").status_code
            == 204
        )
        removed = only(Kind.ROLE_REMOVED, subject="member")
        assert (removed.actor, removed.detail["role"], removed.address) == ("lead", "Observer", None)

    def test_assigning_a_role_someone_has_records_nothing_more(self, incident, team):
        before = SecurityEvent.objects.count()
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/roles/",
            {"user": team["monitor"].pk, "role": "monitor"},
            format="json",
        )
        assert response.status_code == 200
        assert SecurityEvent.objects.count() == before

    def test_the_roles_an_incident_opens_with_are_recorded(self, org, team, roles):
        playbook = playbook_services.playbook_create(
            organization=org,
            acting_user=team["lead"],
            name="Service outage",
            role_assignments=[
                {"role": roles["approver"], "user": team["approver"], "kind": "primary"},
                {"role": roles["spokesperson"], "user": team["spokesperson"], "kind": "primary"},
            ],
        )
        response = api_as(team["lead"]).post(
            "/api/v1/incidents/",
            {"organization": org.pk, "title": "Outage", "severity": "high", "playbook": playbook.pk},
            format="json",
        )
        assert response.status_code == 201, response.json()
        granted = {(event.subject, event.detail["role"]) for event in events(Kind.ROLE_GRANTED)}
        assert granted == {
            ("lead", "Incident lead"),
            ("approver", "Approver"),
            ("spokesperson", "Spokesperson"),
        }
        assert {event.detail["incident"] for event in events(Kind.ROLE_GRANTED)} == {response.json()["id"]}


class TestStatements:
    def test_approving_and_publishing_through_the_api_are_recorded(self, org, team, incident):
        channel = Channel.objects.create(organization=org, kind="manual", name="Website", is_default=True)
        statement = draft(incident, team)
        act(team, "responder", statement["id"], "submit")
        assert act(team, "approver", statement["id"], "approve").status_code == 200
        assert act(team, "approver2", statement["id"], "approve").status_code == 200
        approvals = events(Kind.STATEMENT_APPROVED)
        assert [(event.actor, event.detail["approvals"]) for event in approvals] == [
            ("approver", [1, 2]),
            ("approver2", [2, 2]),
        ]
        assert approvals[0].detail | {"approvals": None} == {
            "incident": incident.pk,
            "title": "App down",
            "statement": statement["id"],
            "revision": 1,
            "approvals": None,
        }
        payload = {"channel": channel.pk, "url": "https://lumen.example/statement"}
        assert act(team, "spokesperson", statement["id"], "publish", payload).status_code in (200, 202)
        published = only(Kind.STATEMENT_PUBLISHED)
        assert (published.organization, published.actor, published.address) == (org, "spokesperson", None)
        assert published.detail == {
            "incident": incident.pk,
            "title": "App down",
            "statement": statement["id"],
            "revision": 1,
            "channel": "Website",
        }

    def test_asking_for_changes_is_not_an_approval(self, incident, team):
        statement = draft(incident, team)
        act(team, "responder", statement["id"], "submit")
        act(team, "approver", statement["id"], "request-changes", {"comment": "Softer"})
        assert not events(Kind.STATEMENT_APPROVED)


class TestAdminSite:
    def test_members_added_and_removed_in_the_admin_are_recorded_with_who_did_it(
        self, client, org, team, other_org
    ):
        from accounts.tests.test_admin import change_form, rows_of, url

        newcomer = make_user("newcomer", organization=other_org)
        services.membership_add(organization=other_org, user=team["lead"], is_admin=True)  # may pick them
        client.force_login(team["lead"])
        rows = [*rows_of(org, responder={"DELETE": True}), {"user": newcomer.pk, "is_admin": True}]
        response = client.post(url(org), change_form(org, rows), REMOTE_ADDR="192.0.2.44")
        assert response.status_code == 302, response.content[:3000]
        added = only(Kind.MEMBER_ADDED, subject="newcomer", organization=org)
        assert (added.actor, added.address, added.detail) == ("lead", "192.0.2.44", {"is_admin": True})
        removed = only(Kind.MEMBER_REMOVED, subject="responder")
        assert (removed.actor, removed.address) == ("lead", "192.0.2.44")
