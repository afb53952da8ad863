"""Members through the API and the members page, for organization admins: add by e-mail (an
invitation when the account is new), list, remove (which ends everything, as in the admin)."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Membership, User
from conftest import make_user

pytestmark = pytest.mark.django_db


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def members_url(organization, user_pk: int | None = None) -> str:
    base = f"/api/v1/organizations/{organization.pk}/members/"
    return base if user_pk is None else f"{base}{user_pk}/"


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body).group(1)


@pytest.fixture
def lead(team) -> User:
    return team["lead"]  # the organization's admin


class TestListingMembers:
    def test_an_admin_lists_them_paginated(self, lead, org, team):
        response = api_as(lead).get(members_url(org))
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == len(team)
        first = body["results"][0]
        assert set(first) == {"user", "username", "full_name", "email", "is_admin"}
        assert [row["username"] for row in body["results"]] == sorted(team)
        assert next(row for row in body["results"] if row["username"] == "lead")["is_admin"] is True

    def test_one_member(self, lead, org, team):
        response = api_as(lead).get(members_url(org, team["observer"].pk))
        assert response.status_code == 200
        assert response.json()["username"] == "observer"

    def test_a_member_who_is_no_admin_gets_403(self, org, team):
        assert api_as(team["responder"]).get(members_url(org)).status_code == 403

    def test_an_outsider_gets_404(self, org, outsider):
        assert api_as(outsider).get(members_url(org)).status_code == 404

    def test_anonymous_gets_401(self, org):
        assert api_as(None).get(members_url(org)).status_code == 401

    def test_someone_of_another_organization_is_no_member_here(self, lead, org, outsider):
        assert api_as(lead).get(members_url(org, outsider.pk)).status_code == 404


class TestAddingMembers:
    def test_a_new_person_gets_an_account_and_an_invitation(
        self, lead, org, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(lead).post(
                members_url(org),
                {"email": "Jan.Jansen@Example.com", "full_name": "Jan Jansen", "language": "nl"},
                format="json",
            )
        assert response.status_code == 201, response.content
        jan = User.objects.get(email__iexact="jan.jansen@example.com")
        assert response.json() == {
            "user": jan.pk,
            "username": "jan.jansen@example.com",
            "full_name": "Jan Jansen",
            "email": jan.email,
            "is_admin": False,
        }
        assert jan.language == "nl"
        assert not jan.has_usable_password()
        assert jan.has_perm("accounts.view_organization", org)
        [invitation] = mail.outbox
        assert invitation.to == [jan.email]
        assert invitation.extra_headers["Content-Language"] == "nl"  # rendered in Jan's language
        # The link works: it leads to choosing a password, and then Jan signs in.
        page = client.get(reset_link(invitation), follow=True)
        assert page.status_code == 200
        assert b"new_password1" in page.content
        done = client.post(
            page.redirect_chain[-1][0],
            {"new_password1": "lange-zin-als-wachtwoord", "new_password2": "lange-zin-als-wachtwoord"},
        )
        assert done.status_code == 302
        signed_in = client.post(
            "/accounts/login/", {"username": "jan.jansen@example.com", "password": "lange-zin-als-wachtwoord"}
        )
        assert signed_in.status_code == 302
        assert signed_in["Location"] == "/"

    def test_the_language_defaults_to_the_organizations(self, lead, org):
        api_as(lead).post(members_url(org), {"email": "piet@example.com", "full_name": "Piet"}, format="json")
        assert User.objects.get(email="piet@example.com").language == org.language

    def test_an_existing_account_is_added_with_the_same_answer(
        self, lead, org, outsider, django_capture_on_commit_callbacks
    ):
        outsider.email = "olivia@example.com"
        outsider.save(update_fields=["email"])
        with django_capture_on_commit_callbacks(execute=True):
            existing = api_as(lead).post(
                members_url(org), {"email": "OLIVIA@example.com", "full_name": "Someone Else"}, format="json"
            )
            new = api_as(lead).post(
                members_url(org), {"email": "nobody@example.com", "full_name": "Nobody Yet"}, format="json"
            )
        assert existing.status_code == new.status_code == 201
        assert set(existing.json()) == set(new.json())
        assert existing.json()["user"] == outsider.pk
        assert User.objects.filter(email__iexact="olivia@example.com").count() == 1
        assert User.objects.get(pk=outsider.pk).full_name == "Outsider"  # nobody renames another's account
        assert Membership.objects.filter(organization=org, user=outsider).exists()
        notice, invitation = mail.outbox
        assert notice.to == ["olivia@example.com"]
        assert "/accounts/password/reset/" not in notice.body  # they have a password already
        assert "/accounts/password/reset/" in invitation.body

    def test_adding_as_admin(self, lead, org):
        response = api_as(lead).post(
            members_url(org), {"email": "a@example.com", "full_name": "A", "is_admin": True}, format="json"
        )
        assert response.json()["is_admin"] is True
        assert User.objects.get(email="a@example.com").has_perm("accounts.manage_members", org)

    def test_adding_an_admin_again_without_the_flag_keeps_it(self, lead, org, team):
        team["monitor"].email = "monitor@example.com"
        team["monitor"].save(update_fields=["email"])
        api_as(lead).post(
            members_url(org), {"email": "monitor@example.com", "full_name": "M", "is_admin": True}
        )
        again = api_as(lead).post(
            members_url(org), {"email": "monitor@example.com", "full_name": "M"}, format="json"
        )
        assert again.json()["is_admin"] is True

    def test_a_taken_username_gets_a_number(self, lead, org):
        make_user("jan@example.com")  # a username that looks like the address, on another account
        api_as(lead).post(members_url(org), {"email": "jan@example.com", "full_name": "Jan"}, format="json")
        assert User.objects.filter(username="jan@example.com-2", email="jan@example.com").exists()

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"email": "not-an-address", "full_name": "X"}, "email"),
            ({"full_name": "X"}, "email"),
            ({"email": "x@example.com"}, "full_name"),
            ({"email": "x@example.com", "full_name": "X", "language": "fr"}, "language"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, lead, org, payload, field):
        response = api_as(lead).post(members_url(org), payload, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not User.objects.filter(email="x@example.com").exists()

    def test_a_member_who_is_no_admin_gets_403(self, org, team):
        response = api_as(team["responder"]).post(
            members_url(org), {"email": "x@example.com", "full_name": "X"}, format="json"
        )
        assert response.status_code == 403
        assert not User.objects.filter(email="x@example.com").exists()

    def test_an_outsider_gets_404(self, org, outsider):
        response = api_as(outsider).post(
            members_url(org), {"email": "x@example.com", "full_name": "X"}, format="json"
        )
        assert response.status_code == 404


class TestRemovingMembers:
    def test_an_admin_removes_one_with_204_and_everything_goes(self, lead, org, team):
        key = Token.objects.create(user=team["observer"]).key
        response = api_as(lead).delete(members_url(org, team["observer"].pk))
        assert response.status_code == 204
        assert not Membership.objects.filter(organization=org, user=team["observer"]).exists()
        assert not User.objects.get(pk=team["observer"].pk).has_perm("accounts.view_organization", org)
        assert not Token.objects.filter(key=key).exists()  # no organization left

    def test_someone_who_is_no_member_is_404(self, lead, org, outsider):
        assert api_as(lead).delete(members_url(org, outsider.pk)).status_code == 404
        assert Membership.objects.filter(user=outsider).exists()

    def test_a_member_who_is_no_admin_gets_403(self, org, team):
        assert api_as(team["responder"]).delete(members_url(org, team["observer"].pk)).status_code == 403
        assert Membership.objects.filter(organization=org, user=team["observer"]).exists()

    def test_an_outsider_gets_404(self, org, team, outsider):
        assert api_as(outsider).delete(members_url(org, team["observer"].pk)).status_code == 404

    def test_the_schema_documents_the_members_endpoints(self, client):
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        members = schema["paths"]["/api/v1/organizations/{organization_pk}/members/"]
        assert {"201", "400", "403", "404"} <= set(members["post"]["responses"])
        member = schema["paths"]["/api/v1/organizations/{organization_pk}/members/{id}/"]
        assert {"204", "403", "404"} <= set(member["delete"]["responses"])


class TestTheMembersPage:
    url = "/accounts/organizations/lumen/members/"

    def test_an_admin_sees_the_members(self, client, lead, team):
        client.force_login(lead)
        response = client.get(self.url)
        assert response.status_code == 200
        for person in team.values():
            assert person.get_full_name().encode() in response.content

    def test_the_profile_links_to_it_for_admins_only(self, client, lead, team):
        client.force_login(lead)
        assert self.url.encode() in client.get("/accounts/profile/").content
        client.force_login(team["responder"])
        assert self.url.encode() not in client.get("/accounts/profile/").content

    def test_a_member_who_is_no_admin_gets_403(self, client, team):
        client.force_login(team["responder"])
        assert client.get(self.url).status_code == 403

    def test_an_outsider_gets_404(self, client, org, outsider):
        client.force_login(outsider)
        assert client.get(self.url).status_code == 404

    def test_it_needs_a_sign_in(self, client, org):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_it_adds_someone_by_e_mail(self, client, lead, org, django_capture_on_commit_callbacks):
        client.force_login(lead)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                self.url, {"email": "sanne@example.com", "full_name": "Sanne", "language": "en"}
            )
        assert response.status_code == 302
        sanne = User.objects.get(email="sanne@example.com")
        assert Membership.objects.filter(organization=org, user=sanne, is_admin=False).exists()
        assert b"Sanne is a member of Lumen Energy now." in client.get(self.url).content
        [invitation] = mail.outbox
        assert client.get(reset_link(invitation), follow=True).status_code == 200

    def test_a_bad_address_is_a_form_error(self, client, lead):
        client.force_login(lead)
        response = client.post(self.url, {"email": "nope", "full_name": "X"})
        assert response.status_code == 200
        assert b"field-error" in response.content

    def test_it_removes_someone(self, client, lead, org, team, incident_of):
        incident = incident_of(team["observer"])
        client.force_login(lead)
        response = client.post(f"{self.url}{team['observer'].pk}/remove/")
        assert response.status_code == 302
        assert not Membership.objects.filter(organization=org, user=team["observer"]).exists()
        assert not incident.role_assignments.filter(user=team["observer"]).exists()

    def test_removing_needs_a_post(self, client, lead, team):
        client.force_login(lead)
        assert client.get(f"{self.url}{team['observer'].pk}/remove/").status_code == 405

    def test_removing_needs_the_csrf_token(self, lead, team):
        client = Client(enforce_csrf_checks=True)
        client.force_login(lead)
        assert client.post(f"{self.url}{team['observer'].pk}/remove/").status_code == 403
        assert Membership.objects.filter(user=team["observer"]).exists()

    def test_a_member_who_is_no_admin_cannot_remove(self, client, team):
        client.force_login(team["responder"])
        assert client.post(f"{self.url}{team['observer'].pk}/remove/").status_code == 403
        assert Membership.objects.filter(user=team["observer"]).exists()


class TestForgottenPassword:
    def test_an_invited_member_without_a_password_can_ask_for_a_new_link(
        self, client, lead, org, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            api_as(lead).post(
                members_url(org), {"email": "late@example.com", "full_name": "Late"}, format="json"
            )
        mail.outbox.clear()
        assert client.get("/accounts/password/reset/").status_code == 200
        response = client.post("/accounts/password/reset/", {"email": "late@example.com"})
        assert response.status_code == 302
        [message] = mail.outbox
        assert client.get(reset_link(message), follow=True).status_code == 200

    def test_the_sign_in_page_links_to_it(self, client):
        assert b"/accounts/password/reset/" in client.get("/accounts/login/").content


@pytest.fixture
def incident_of(org, team, roles):
    """An incident on which `person` holds a role (accounts may not import incidents: through the API)."""

    def make(person):
        lead = api_as(team["lead"])
        incident_id = lead.post(
            "/api/v1/incidents/", {"organization": org.pk, "title": "Down"}, format="json"
        ).json()["id"]
        lead.post(
            f"/api/v1/incidents/{incident_id}/roles/", {"user": person.pk, "role": "observer"}, format="json"
        )
        return Membership.objects.get(user=team["lead"], organization=org).organization.incidents.get(
            pk=incident_id
        )

    return make
