"""Two-factor sign-in required by role: who is asked, what they may still open, what they are told."""

from base64 import b32encode

import pyotp
import pytest
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services as accounts_services
from accounts import two_factor
from conftest import make_user
from incidents import services
from incidents.models import Notification, TimelineEntry
from incidents.tests.conftest import open_incident
from playbooks.models import Playbook, PlaybookRoleAssignment


@pytest.fixture
def policy_on(org):
    org.two_factor_required = True
    org.save(update_fields=["two_factor_required"])
    return org


@pytest.fixture
def incident(policy_on, team, roles):
    """The demo roles on an incident, in an organization that asks for two-factor sign-in."""
    return open_incident(policy_on, team, roles)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {accounts_services.token_issue(user=user).key}")
    return client


def give_app(user) -> str:
    """Set up two-factor sign-in for `user` (through the service the page calls); answers the secret."""
    secret = b32encode(two_factor.pending_device(user).bin_key).decode()
    two_factor.enable(user=user, password="demo", code=pyotp.TOTP(secret).now())
    return secret


class TestWhoIsAsked:
    def test_approvers_publishers_and_admins_but_not_the_others(self, incident, team):
        asked = {name for name, user in team.items() if two_factor.setup_required(user)}
        # lead: admin and publisher; spokesperson publishes; the two approvers approve.
        assert asked == {"lead", "spokesperson", "approver", "approver2"}

    def test_nobody_when_the_organization_does_not_ask(self, org, team, roles):
        open_incident(org, team, roles)
        assert not any(two_factor.setup_required(user) for user in team.values())

    def test_nobody_who_has_it(self, incident, team):
        give_app(team["approver2"])
        assert not two_factor.setup_required(team["approver2"])

    def test_named_for_an_approving_role_in_a_playbook_before_any_incident(self, policy_on, roles):
        person = make_user("backup-approver", organization=policy_on)
        playbook = Playbook.objects.create(organization=policy_on, name="Outage")
        PlaybookRoleAssignment.objects.create(
            playbook=playbook, role=roles["approver"], user=person, kind="backup"
        )
        assert two_factor.setup_required(person)

    def test_a_role_edited_to_approve_asks_its_holders(self, incident, team, roles):
        assert not two_factor.setup_required(team["observer"])
        accounts_services.role_update_permissions(
            role=roles["observer"], permissions=[*roles["observer"].permissions, "approve_statement"]
        )
        assert two_factor.setup_required(team["observer"])

    def test_one_query(self, incident, team, django_assert_num_queries):
        with django_assert_num_queries(1):
            two_factor.setup_required(team["approver2"])


class TestWhatTheyMayOpen:
    def test_every_page_sends_them_to_set_it_up_first(self, client, incident, team):
        client.force_login(team["approver2"])
        answer = client.get(f"/incidents/{incident.pk}/")
        assert answer.status_code == 302
        assert answer.headers["Location"] == f"/accounts/two-factor/?next=%2Fincidents%2F{incident.pk}%2F"
        assert client.get("/accounts/two-factor/").status_code == 200
        assert client.get("/status/lumen/").status_code == 200, "the public page stays public"

    def test_htmx_requests_are_sent_there_too(self, client, incident, team):
        client.force_login(team["approver2"])
        answer = client.get(f"/incidents/{incident.pk}/", headers={"HX-Request": "true"})
        assert answer.headers["HX-Redirect"].startswith("/accounts/two-factor/")

    def test_their_token_answers_403_until_it_is_set_up(self, incident, team):
        api = token_client(team["approver2"])
        answer = api.get(f"/api/v1/incidents/{incident.pk}/")
        assert answer.status_code == 403
        assert "two-factor" in answer.json()["detail"]
        give_app(team["approver2"])
        assert not Token.objects.filter(user=team["approver2"]).exists(), "the old token is gone"

    def test_their_token_works_once_it_is_set_up(self, incident, team):
        give_app(team["approver2"])
        assert token_client(team["approver2"]).get(f"/api/v1/incidents/{incident.pk}/").status_code == 200

    def test_the_token_endpoint_says_why(self, incident, team):
        answer = APIClient().post(
            "/api/v1/auth/token/", {"username": "approver2", "password": "demo"}, format="json"
        )
        assert answer.status_code == 403 and "two-factor" in answer.json()["detail"]

    def test_their_browser_session_on_the_api_answers_403(self, client, incident, team):
        client.force_login(team["approver2"])
        assert client.get(f"/api/v1/incidents/{incident.pk}/").status_code == 403

    def test_the_others_go_on_as_before(self, client, incident, team):
        client.force_login(team["responder"])
        assert client.get(f"/incidents/{incident.pk}/").status_code == 200
        assert token_client(team["observer"]).get(f"/api/v1/incidents/{incident.pk}/").status_code == 200


class TestWhatTheyAreTold:
    def test_the_room_and_the_person_each_in_their_language(self, policy_on, team, roles):
        dutch = make_user("nieuw", organization=policy_on, language="nl")
        incident = services.incident_open(
            organization=policy_on, acting_user=team["lead"], title="App down", severity="high"
        )
        services.role_assign(incident=incident, user=dutch, role=roles["approver"], acting_user=team["lead"])
        entry = TimelineEntry.objects.filter(incident=incident, kind="system").last()
        with translation.override("en"):
            assert "Nieuw has no two-factor sign-in yet" in entry.text
        notification = Notification.objects.get(user=dutch)
        with translation.override("nl"):
            assert notification.text.startswith("Je bent Goedkeurder bij “App down”")
            assert "tweestapsverificatie" in notification.text

    def test_nothing_to_say_for_a_role_that_does_not_approve_or_publish(self, policy_on, team, roles):
        incident = services.incident_open(
            organization=policy_on, acting_user=team["lead"], title="App down", severity="high"
        )
        services.role_assign(
            incident=incident, user=team["member"], role=roles["observer"], acting_user=team["lead"]
        )
        assert not Notification.objects.filter(user=team["member"]).exists()

    def test_nothing_to_say_to_someone_who_has_it(self, policy_on, team, roles):
        give_app(team["member"])
        incident = services.incident_open(
            organization=policy_on, acting_user=team["lead"], title="App down", severity="high"
        )
        services.role_assign(
            incident=incident, user=team["member"], role=roles["approver"], acting_user=team["lead"]
        )
        assert not Notification.objects.filter(user=team["member"]).exists()
        assert TOTPDevice.objects.filter(user=team["member"], confirmed=True).exists()
