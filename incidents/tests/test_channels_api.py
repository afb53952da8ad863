"""Publishing channels through the API and the admin site: organization admins write, secrets stay hidden."""

import re
import threading

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection

from incidents.models import Channel, Publication
from incidents.tests.conftest import act, api_as, draft

pytestmark = pytest.mark.django_db

SECRET = "hook-signing-key-1234"
TOKEN = "mastodon-token-5678"


@pytest.fixture
def webhook(org):
    return Channel.objects.create(
        organization=org, kind="webhook", name="Website", url="https://hooks.example/lumen", secret=SECRET
    )


@pytest.fixture
def mastodon(org):
    return Channel.objects.create(
        organization=org, kind="mastodon", name="Mastodon", url="https://social.example", access_token=TOKEN
    )


@pytest.fixture
def foreign_channel(other_org):
    return Channel.objects.create(organization=other_org, kind="manual", name="Parcel site", is_default=True)


def approved(incident, team) -> int:
    statement = draft(incident, team)
    act(team, "responder", statement["id"], "submit")
    act(team, "approver", statement["id"], "approve")
    act(team, "approver2", statement["id"], "approve")
    return statement["id"]


def published_on(channel, incident, team) -> Publication:
    """A statement published on `channel` through the real workflow (a manual channel confirms at once)."""
    statement_id = approved(incident, team)
    response = act(
        team, "spokesperson", statement_id, "publish", {"channel": channel.pk, "url": "https://x.example/1"}
    )
    assert response.status_code == 202, response.content
    return Publication.objects.get(statement_id=statement_id, channel=channel)


def assert_no_secrets(response):
    text = response.content.decode()
    assert SECRET not in text and TOKEN not in text
    assert "secret" not in text and "access_token" not in text


class TestReading:
    def test_members_list_the_active_channels_without_secrets(self, team, webhook, mastodon, manual_channel):
        Channel.objects.create(organization=webhook.organization, kind="manual", name="Old", is_active=False)
        response = api_as(team["member"]).get("/api/v1/channels/")
        assert response.status_code == 200
        assert [row["name"] for row in response.json()["results"]] == [
            "Website (by hand)",
            "Mastodon",
            "Website",
        ]
        assert_no_secrets(response)

    def test_it_answers_one_channel_with_every_field_but_the_secrets(self, team, webhook):
        response = api_as(team["member"]).get(f"/api/v1/channels/{webhook.pk}/")
        assert response.json() == {
            "id": webhook.pk,
            "organization": webhook.organization_id,
            "kind": "webhook",
            "name": "Website",
            "url": "https://hooks.example/lumen",
            "is_default": False,
            "is_active": True,
            "max_length": None,
        }

    def test_admins_list_inactive_channels_on_request_members_do_not(self, team, org):
        Channel.objects.create(organization=org, kind="manual", name="Old", is_active=False)
        inactive = {"is_active": "false"}
        assert [
            row["name"] for row in api_as(team["lead"]).get("/api/v1/channels/", inactive).json()["results"]
        ] == ["Old"]
        assert api_as(team["member"]).get("/api/v1/channels/", inactive).json()["results"] == []
        assert api_as(team["lead"]).get("/api/v1/channels/").json()["results"] == []

    def test_another_organizations_channel_is_not_found(self, team, foreign_channel, outsider, webhook):
        client = api_as(team["lead"])
        assert client.get(f"/api/v1/channels/{foreign_channel.pk}/").status_code == 404
        assert client.patch(f"/api/v1/channels/{foreign_channel.pk}/", {"name": "Mine"}).status_code == 404
        assert client.delete(f"/api/v1/channels/{foreign_channel.pk}/").status_code == 404
        assert [row["id"] for row in api_as(outsider).get("/api/v1/channels/").json()["results"]] == [
            foreign_channel.pk
        ]
        foreign_channel.refresh_from_db()
        assert foreign_channel.name == "Parcel site"


class TestCreating:
    def test_an_admin_adds_a_webhook_and_the_secret_is_stored_not_answered(self, team, org):
        response = api_as(team["lead"]).post(
            "/api/v1/channels/",
            {
                "organization": org.pk,
                "kind": "webhook",
                "name": "Website",
                "url": "https://hooks.example/lumen",
                "secret": SECRET,
                "max_length": 280,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert_no_secrets(response)
        channel = Channel.objects.get(pk=response.json()["id"])
        assert (channel.secret, channel.max_length, channel.is_active) == (SECRET, 280, True)
        assert response.json()["organization"] == org.pk

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"kind": "webhook", "url": "https://hooks.example/x"}, "secret"),
            ({"kind": "webhook", "secret": SECRET}, "url"),
            ({"kind": "mastodon", "url": "https://social.example"}, "access_token"),
            ({"kind": "manual", "is_default": True, "is_active": False}, "is_default"),
            ({"kind": "pigeon"}, "kind"),
            ({"kind": "webhook", "url": "not a url", "secret": SECRET}, "url"),
        ],
    )
    def test_the_model_rules_answer_400_naming_the_field(self, team, org, payload, field):
        response = api_as(team["lead"]).post(
            "/api/v1/channels/", {"organization": org.pk, "name": "X", **payload}, format="json"
        )
        assert response.status_code == 400
        assert field in response.json()
        assert not Channel.objects.exists()

    def test_a_member_who_is_not_an_admin_may_not_add_one(self, team, org):
        response = api_as(team["member"]).post(
            "/api/v1/channels/", {"organization": org.pk, "kind": "manual", "name": "Mine"}, format="json"
        )
        assert response.status_code == 403
        assert not Channel.objects.exists()

    def test_naming_another_organization_answers_400_on_organization(self, team, other_org):
        response = api_as(team["lead"]).post(
            "/api/v1/channels/",
            {"organization": other_org.pk, "kind": "manual", "name": "Theirs"},
            format="json",
        )
        assert response.status_code == 400 and "organization" in response.json()
        assert not Channel.objects.exists()

    def test_a_new_default_takes_the_place_of_the_old_one(self, team, org, manual_channel):
        response = api_as(team["lead"]).post(
            "/api/v1/channels/",
            {"organization": org.pk, "kind": "manual", "name": "Press page", "is_default": True},
            format="json",
        )
        assert response.status_code == 201 and response.json()["is_default"] is True
        assert list(Channel.objects.filter(is_default=True).values_list("name", flat=True)) == ["Press page"]


class TestChanging:
    def test_an_admin_renames_a_channel_and_the_secret_stays(self, team, webhook):
        response = api_as(team["lead"]).patch(
            f"/api/v1/channels/{webhook.pk}/", {"name": "Site"}, format="json"
        )
        assert response.status_code == 200 and response.json()["name"] == "Site"
        assert_no_secrets(response)
        webhook.refresh_from_db()
        assert (webhook.name, webhook.secret) == ("Site", SECRET)

    def test_a_new_secret_replaces_the_old_one(self, team, webhook):
        response = api_as(team["lead"]).patch(
            f"/api/v1/channels/{webhook.pk}/", {"secret": "rotated-key"}, format="json"
        )
        assert response.status_code == 200
        assert "rotated-key" not in response.content.decode()
        webhook.refresh_from_db()
        assert webhook.secret == "rotated-key"

    def test_clearing_a_secret_the_kind_needs_answers_400(self, team, webhook, mastodon):
        client = api_as(team["lead"])
        response = client.patch(f"/api/v1/channels/{webhook.pk}/", {"secret": ""}, format="json")
        assert response.status_code == 400 and "secret" in response.json()
        response = client.patch(f"/api/v1/channels/{mastodon.pk}/", {"access_token": ""}, format="json")
        assert response.status_code == 400 and "access_token" in response.json()
        webhook.refresh_from_db()
        mastodon.refresh_from_db()
        assert (webhook.secret, mastodon.access_token) == (SECRET, TOKEN)

    def test_switching_the_kind_checks_what_the_new_kind_needs(self, team, manual_channel):
        response = api_as(team["lead"]).patch(
            f"/api/v1/channels/{manual_channel.pk}/", {"kind": "mastodon", "url": "https://social.example"}
        )
        assert response.status_code == 400 and "access_token" in response.json()
        manual_channel.refresh_from_db()
        assert manual_channel.kind == "manual"

    def test_making_a_channel_the_default_unsets_the_previous_one(self, team, webhook, manual_channel):
        response = api_as(team["lead"]).patch(
            f"/api/v1/channels/{webhook.pk}/", {"is_default": True}, format="json"
        )
        assert response.status_code == 200 and response.json()["is_default"] is True
        manual_channel.refresh_from_db()
        assert manual_channel.is_default is False
        assert Channel.objects.filter(is_default=True).get() == webhook

    def test_deactivating_the_default_makes_it_no_default(self, team, manual_channel):
        response = api_as(team["lead"]).patch(
            f"/api/v1/channels/{manual_channel.pk}/", {"is_active": False}, format="json"
        )
        assert response.status_code == 200
        assert (response.json()["is_active"], response.json()["is_default"]) == (False, False)

    def test_an_inactive_channel_cannot_be_made_the_default(self, team, org):
        old = Channel.objects.create(organization=org, kind="manual", name="Old", is_active=False)
        client = api_as(team["lead"])
        response = client.patch(f"/api/v1/channels/{old.pk}/", {"is_default": True}, format="json")
        assert response.status_code == 400 and "is_default" in response.json()
        response = client.patch(f"/api/v1/channels/{old.pk}/", {"is_active": True, "is_default": True})
        assert response.status_code == 200 and response.json()["is_default"] is True

    def test_the_organization_of_a_channel_does_not_move(self, team, webhook, other_org):
        response = api_as(team["lead"]).patch(
            f"/api/v1/channels/{webhook.pk}/", {"organization": other_org.pk}, format="json"
        )
        assert response.status_code == 200 and response.json()["organization"] == webhook.organization_id

    def test_a_member_who_is_not_an_admin_may_not_change_one(self, team, webhook):
        client = api_as(team["member"])
        assert (
            client.patch(f"/api/v1/channels/{webhook.pk}/", {"name": "X"}, format="json").status_code == 403
        )
        assert (
            client.patch(f"/api/v1/channels/{webhook.pk}/", {"kind": "nope"}, format="json").status_code
            == 403
        )
        webhook.refresh_from_db()
        assert webhook.name == "Website"

    def test_a_deactivated_channel_takes_no_new_publications(self, team, manual_channel, incident):
        statement_id = approved(incident, team)
        client = api_as(team["lead"])
        assert client.patch(f"/api/v1/channels/{manual_channel.pk}/", {"is_active": False}).status_code == 200
        payload = {"channel": manual_channel.pk, "url": "https://x.example/1"}
        response = act(team, "spokesperson", statement_id, "publish", payload)
        assert response.status_code == 400 and "channel" in response.json()
        assert client.patch(f"/api/v1/channels/{manual_channel.pk}/", {"is_active": True}).status_code == 200
        assert act(team, "spokesperson", statement_id, "publish", payload).status_code == 202


class TestDeleting:
    def test_a_channel_nobody_published_to_is_deleted(self, team, webhook):
        response = api_as(team["lead"]).delete(f"/api/v1/channels/{webhook.pk}/")
        assert response.status_code == 204
        assert not Channel.objects.filter(pk=webhook.pk).exists()

    def test_a_channel_with_publications_is_deactivated_and_the_answer_says_why(
        self, team, incident, manual_channel
    ):
        publication = published_on(manual_channel, incident, team)
        client = api_as(team["lead"])
        response = client.delete(f"/api/v1/channels/{manual_channel.pk}/")
        assert response.status_code == 409
        assert "deactivated" in response.json()["detail"]
        manual_channel.refresh_from_db()
        assert (manual_channel.is_active, manual_channel.is_default) == (False, False)
        assert Publication.objects.filter(pk=publication.pk, channel=manual_channel).exists()
        assert client.get("/api/v1/channels/").json()["results"] == []
        assert (
            client.delete(f"/api/v1/channels/{manual_channel.pk}/").status_code == 409
        )  # again: same answer

    def test_a_member_who_is_not_an_admin_may_not_delete_one(self, team, webhook):
        assert api_as(team["member"]).delete(f"/api/v1/channels/{webhook.pk}/").status_code == 403
        assert Channel.objects.filter(pk=webhook.pk).exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_racing_default_switches_leave_one_default_and_no_error(org, team):
    """Each switch locks the organization row first, so two never both keep their default."""
    channels = [
        Channel.objects.create(organization=org, kind="manual", name=f"Page {n}", is_default=n == 0)
        for n in range(3)
    ]
    codes: list[int] = []

    def switch(channel, barrier):
        try:
            client = api_as(team["lead"])  # one client per thread
            barrier.wait()
            response = client.patch(f"/api/v1/channels/{channel.pk}/", {"is_default": True}, format="json")
            codes.append(response.status_code)
        finally:
            connection.close()

    for round_number in range(20):
        barrier = threading.Barrier(2)
        pair = (channels[1], channels[2]) if round_number % 2 else (channels[2], channels[0])
        threads = [threading.Thread(target=switch, args=(channel, barrier)) for channel in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert Channel.objects.filter(organization=org, is_default=True).count() == 1
    assert codes == [200] * 40


class TestInTheAdmin:
    def change_form(self, channel, **fields):
        data = {
            "kind": channel.kind,
            "name": channel.name,
            "url": channel.url,
            "secret": "",
            "access_token": "",
            "max_length": "",
        }
        data.update({name: "on" for name in ("is_default", "is_active") if getattr(channel, name)})
        data.update(fields)
        return {name: value for name, value in data.items() if value is not None}

    def test_the_list_and_add_pages_answer(self, client, team, webhook):
        client.force_login(team["lead"])
        listing = client.get("/admin/incidents/channel/")
        assert listing.status_code == 200 and "Website" in listing.content.decode()
        assert 'name="action"' not in listing.content.decode()  # no bulk delete around the service
        add = client.get("/admin/incidents/channel/add/")
        assert add.status_code == 200 and '<input type="password" name="secret"' in add.content.decode()

    def test_the_change_page_masks_the_secret(self, client, team, webhook):
        client.force_login(team["lead"])
        page = client.get(f"/admin/incidents/channel/{webhook.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert SECRET not in html
        assert re.search(r'<input type="password" name="secret"[^>]*>', html)
        assert 'value="' not in re.search(r'<input type="password" name="secret"[^>]*>', html).group(0)

    def test_a_blank_secret_keeps_the_stored_one(self, client, team, webhook):
        client.force_login(team["lead"])
        response = client.post(
            f"/admin/incidents/channel/{webhook.pk}/change/", self.change_form(webhook, name="Site")
        )
        assert response.status_code == 302, response.content.decode()
        webhook.refresh_from_db()
        assert (webhook.name, webhook.secret) == ("Site", SECRET)

    def test_a_typed_secret_replaces_the_stored_one(self, client, team, webhook):
        client.force_login(team["lead"])
        response = client.post(
            f"/admin/incidents/channel/{webhook.pk}/change/", self.change_form(webhook, secret="rotated")
        )
        assert response.status_code == 302
        webhook.refresh_from_db()
        assert webhook.secret == "rotated"

    def test_ticking_default_moves_the_default_here(self, client, team, webhook, manual_channel):
        client.force_login(team["lead"])
        response = client.post(
            f"/admin/incidents/channel/{webhook.pk}/change/", self.change_form(webhook, is_default="on")
        )
        assert response.status_code == 302, response.content.decode()
        assert Channel.objects.filter(is_default=True).get() == webhook

    def test_adding_validates_like_the_api(self, client, team, org):
        client.force_login(team["lead"])
        data = {"organization": org.pk, "kind": "webhook", "name": "Hook", "url": "https://hooks.example/x"}
        data.update({"secret": "", "access_token": "", "max_length": "", "is_active": "on"})
        page = client.post("/admin/incidents/channel/add/", data)
        assert page.status_code == 200 and "A Webhook channel needs this." in page.content.decode()
        assert not Channel.objects.exists()
        assert client.post("/admin/incidents/channel/add/", {**data, "secret": SECRET}).status_code == 302
        assert Channel.objects.get().secret == SECRET

    def test_deleting_a_channel_with_publications_deactivates_it(
        self, client, team, incident, manual_channel
    ):
        published_on(manual_channel, incident, team)
        client.force_login(team["lead"])
        url = f"/admin/incidents/channel/{manual_channel.pk}/delete/"
        confirm = client.get(url)
        assert (
            confirm.status_code == 200 and "it will be deactivated, not deleted" in confirm.content.decode()
        )
        response = client.post(url, {"post": "yes"}, follow=True)
        assert response.status_code == 200
        assert "so it was deactivated instead of deleted" in response.content.decode()
        manual_channel.refresh_from_db()
        assert (manual_channel.is_active, manual_channel.is_default) == (False, False)
        assert LogEntry.objects.get(object_id=str(manual_channel.pk)).action_flag == CHANGE

    def test_deleting_a_channel_without_publications_deletes_it(self, client, team, webhook):
        client.force_login(team["lead"])
        response = client.post(f"/admin/incidents/channel/{webhook.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not Channel.objects.filter(pk=webhook.pk).exists()

    def test_another_organizations_admin_does_not_reach_the_channel(self, client, outsider, webhook):
        client.force_login(outsider)
        assert client.get(f"/admin/incidents/channel/{webhook.pk}/change/").status_code == 302  # "no such"
        client.post(f"/admin/incidents/channel/{webhook.pk}/delete/", {"post": "yes"})
        assert Channel.objects.filter(pk=webhook.pk, is_active=True).exists()
