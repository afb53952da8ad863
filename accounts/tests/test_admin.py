"""The Organization page of the admin site: members are added, changed and removed through
accounts.services, by a superuser or by the organization's own admins, and the save answers."""

import pytest
from django.contrib.admin.models import LogEntry

from accounts.models import Membership, Organization
from conftest import make_user

pytestmark = pytest.mark.django_db


def change_form(organization: Organization, rows: list[dict], **fields) -> dict:
    """The change form as a browser posts it: the organization's fields and the member inline."""
    initial = sum(1 for row in rows if row.get("id"))
    data = {
        "name": organization.name,
        "slug": organization.slug,
        "language": organization.language,
        "chat_webhook_url": organization.chat_webhook_url,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in {"organization": organization.pk or "", **row}.items():
            if value is False:
                continue  # an unticked checkbox is not posted
            data[f"memberships-{index}-{key}"] = "on" if value is True else value
    data.update(fields)
    return data


def rows_of(organization: Organization, **changes) -> list[dict]:
    """The inline's rows as they are; `changes` maps a username to the fields to post differently."""
    return [
        {"id": m.pk, "user": m.user_id, "is_admin": m.is_admin, **changes.get(m.user.username, {})}
        for m in organization.memberships.select_related("user").order_by("pk")
    ]


def url(organization: Organization) -> str:
    return f"/admin/accounts/organization/{organization.pk}/change/"


@pytest.fixture
def superuser(db):
    user = make_user("root")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture(params=["superuser", "organization admin"])
def editor(request, team, superuser):
    return superuser if request.param == "superuser" else team["lead"]


class TestOrganizationPage:
    def test_it_shows_the_page(self, client, org, editor):
        client.force_login(editor)
        response = client.get(url(org))
        assert response.status_code == 200
        assert b"memberships-TOTAL_FORMS" in response.content

    def test_it_saves_without_changes(self, client, org, editor):
        client.force_login(editor)
        response = client.post(url(org), change_form(org, rows_of(org)))
        assert response.status_code == 302, response.content[:3000]
        assert org.memberships.count() == 8

    def test_it_adds_a_member(self, client, org, team, editor, other_org):
        newcomer = make_user("newcomer", organization=other_org)
        if editor == team["lead"]:  # an organization admin picks among people they already share with
            from accounts import services

            services.membership_add(organization=other_org, user=team["lead"], is_admin=True)
        client.force_login(editor)
        rows = [*rows_of(org), {"user": newcomer.pk, "is_admin": False}]
        response = client.post(url(org), change_form(org, rows))
        assert response.status_code == 302, response.content[:3000]
        assert Membership.objects.filter(organization=org, user=newcomer, is_admin=False).exists()
        assert type(newcomer).objects.get(pk=newcomer.pk).has_perm("accounts.view_organization", org)
        assert LogEntry.objects.filter(object_id=str(org.pk)).exists()

    def test_it_removes_a_member_and_the_removal_stays(self, client, org, team, editor):
        client.force_login(editor)
        rows = rows_of(org, responder={"DELETE": True})
        response = client.post(url(org), change_form(org, rows))
        assert response.status_code == 302, response.content[:3000]
        assert not Membership.objects.filter(organization=org, user=team["responder"]).exists()
        responder = type(team["responder"]).objects.get(pk=team["responder"].pk)
        assert not responder.has_perm("accounts.view_organization", org)

    def test_it_changes_the_admin_flag(self, client, org, team, editor):
        client.force_login(editor)
        rows = rows_of(org, monitor={"is_admin": True})
        response = client.post(url(org), change_form(org, rows))
        assert response.status_code == 302, response.content[:3000]
        monitor = type(team["monitor"]).objects.get(pk=team["monitor"].pk)
        assert Membership.objects.get(organization=org, user=monitor).is_admin
        assert monitor.has_perm("accounts.manage_members", org)
        assert monitor.is_staff

    def test_it_takes_the_admin_flag_away(self, client, org, team, superuser):
        client.force_login(superuser)
        rows = rows_of(org, lead={"is_admin": False})
        response = client.post(url(org), change_form(org, rows))
        assert response.status_code == 302, response.content[:3000]
        lead = type(team["lead"]).objects.get(pk=team["lead"].pk)
        assert not lead.has_perm("accounts.manage_members", org)
        assert lead.has_perm("accounts.view_organization", org)

    def test_swapping_the_person_of_a_row_removes_the_old_one(self, client, org, team, superuser, other_org):
        newcomer = make_user("newcomer")
        client.force_login(superuser)
        rows = rows_of(org, observer={"user": newcomer.pk})
        response = client.post(url(org), change_form(org, rows))
        assert response.status_code == 302, response.content[:3000]
        assert Membership.objects.filter(organization=org, user=newcomer).exists()
        assert not Membership.objects.filter(organization=org, user=team["observer"]).exists()

    def test_it_creates_an_organization_with_members(self, client, superuser, team):
        client.force_login(superuser)
        data = change_form(
            Organization(name="Nova Air", slug="nova-air", language="en"),
            [{"user": team["member"].pk, "is_admin": True}],
        )
        response = client.post("/admin/accounts/organization/add/", data)
        assert response.status_code == 302, response.content[:3000]
        nova = Organization.objects.get(slug="nova-air")
        member = type(team["member"]).objects.get(pk=team["member"].pk)
        assert member.has_perm("accounts.manage_members", nova)
        assert member.has_perm("accounts.view_organization", nova)


class TestOrganizationPageAccess:
    def test_an_organization_admin_sees_only_their_organizations(self, client, org, other_org, team):
        client.force_login(team["lead"])
        assert client.get(url(other_org)).status_code in (302, 404)
        response = client.get("/admin/accounts/organization/")
        assert response.status_code == 200
        assert b"Lumen Energy" in response.content
        assert b"Parcel" not in response.content

    def test_a_member_who_is_no_admin_cannot_open_it(self, client, org, team):
        member = team["member"]
        member.is_staff = True
        member.save(update_fields=["is_staff"])
        client.force_login(member)
        assert client.get(url(org)).status_code == 403

    def test_an_organization_admin_cannot_add_a_stranger(self, client, org, team):
        stranger = make_user("stranger")
        client.force_login(team["lead"])
        rows = [*rows_of(org), {"user": stranger.pk, "is_admin": False}]
        response = client.post(url(org), change_form(org, rows))
        assert response.status_code == 200  # the form again, with an error on the row
        assert not Membership.objects.filter(user=stranger).exists()

    def test_an_organization_admin_cannot_move_the_slug_or_the_chat_webhook(self, client, org, team):
        client.force_login(team["lead"])
        data = change_form(org, rows_of(org), slug="elsewhere", chat_webhook_url="http://10.0.0.1/hook")
        data["name"] = "Lumen Energy B.V."
        assert client.post(url(org), data).status_code == 302
        org.refresh_from_db()
        assert (org.name, org.slug, org.chat_webhook_url) == ("Lumen Energy B.V.", "lumen", "")

    def test_an_organization_admin_cannot_create_organizations(self, client, team):
        client.force_login(team["lead"])
        assert client.get("/admin/accounts/organization/add/").status_code == 403
