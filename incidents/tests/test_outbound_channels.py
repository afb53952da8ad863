"""Channels and the chat webhook that point inside: refused when saved (API 400 naming `url`, a form
error in the admin) and, when written around that, refused when sending, before any connection is
made (crisisdesk.outbound): the publication fails once instead of being retried for ever.

The tests allow 127.0.0.1 for their local servers (conftest.py); `localhost` and the other names
below lead to the same server, so a post that got through would show on it."""

import pytest

from accounts.models import Organization
from crisisdesk.testing import Answer
from incidents import tasks
from incidents.models import Channel, Publication, TimelineEntry
from incidents.services import publishing
from incidents.tests.conftest import act, api_as, draft

pytestmark = pytest.mark.django_db

SECRET = "hook-signing-key-1234"
REFUSED_AT_WRITE = [
    "http://localhost/hook",
    "http://127.0.0.2/hook",
    "http://[::1]/hook",
    "http://10.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "ftp://files.example/hook",
]


def inside_names(server) -> list[str]:
    port = server.url.rsplit(":", 1)[1]
    return [f"http://{host}:{port}" for host in ("localhost", "[::ffff:127.0.0.1]", "0.0.0.0", "2130706433")]


def approved(incident, team) -> int:
    statement = draft(incident, team)
    act(team, "responder", statement["id"], "submit")
    act(team, "approver", statement["id"], "approve")
    act(team, "approver2", statement["id"], "approve")
    return statement["id"]


def publish(team, statement_id, channel, capture) -> Publication:
    with capture(execute=True):
        response = act(team, "spokesperson", statement_id, "publish", {"channel": channel.pk})
    assert response.status_code == 202, response.content
    return Publication.objects.get(statement_id=statement_id, channel=channel)


class TestSavingAChannel:
    @pytest.mark.parametrize("url", REFUSED_AT_WRITE)
    def test_the_api_refuses_a_webhook_inside_naming_url(self, team, org, url):
        response = api_as(team["lead"]).post(
            "/api/v1/channels/",
            {"organization": org.pk, "kind": "webhook", "name": "Hook", "url": url, "secret": SECRET},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["url"]
        assert not Channel.objects.exists()

    def test_the_api_refuses_a_mastodon_server_inside_naming_url(self, team, org):
        response = api_as(team["lead"]).post(
            "/api/v1/channels/",
            {"organization": org.pk, "kind": "mastodon", "name": "M", "url": "http://[::1]:3000"}
            | {"access_token": "t0ken"},
            format="json",
        )
        assert response.status_code == 400 and list(response.json()) == ["url"]

    @pytest.mark.parametrize("url", ["http://localhost:8080/hook", "ftp://files.example/hook"])
    def test_a_change_to_an_address_inside_answers_400_naming_url(self, team, org, url):
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url="https://nowhere.invalid/h", secret=SECRET
        )
        response = api_as(team["lead"]).patch(f"/api/v1/channels/{channel.pk}/", {"url": url}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["url"]
        channel.refresh_from_db()
        assert channel.url == "https://nowhere.invalid/h"

    def test_a_host_that_does_not_resolve_yet_is_accepted(self, team, org):
        response = api_as(team["lead"]).post(
            "/api/v1/channels/",
            {"organization": org.pk, "kind": "webhook", "name": "Hook", "secret": SECRET}
            | {"url": "https://hooks.nowhere.invalid/lumen"},
            format="json",
        )
        assert response.status_code == 201, response.content

    def test_the_admin_shows_the_refusal_on_the_field(self, client, team, org):
        client.force_login(team["lead"])
        data = {"organization": org.pk, "kind": "webhook", "name": "Hook", "secret": SECRET}
        data |= {"access_token": "", "max_length": "", "is_active": "on", "url": "http://127.0.0.2/hook"}
        page = client.post("/admin/incidents/channel/add/", data)
        assert page.status_code == 200
        assert "127.0.0.2 is a local, private or reserved address" in page.content.decode()
        assert not Channel.objects.exists()


class TestTheChatWebhook:
    def form(self, org, **fields) -> dict:
        data = {"name": org.name, "slug": org.slug, "language": org.language, "chat_webhook_url": ""}
        data |= {
            f"memberships-{name}": value for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        }
        return data | {"memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000", **fields}

    def test_the_admin_refuses_one_inside(self, client, org):
        from conftest import make_user

        root = make_user("root")
        root.is_staff = root.is_superuser = True
        root.save(update_fields=["is_staff", "is_superuser"])
        client.force_login(root)
        url = f"/admin/accounts/organization/{org.pk}/change/"
        page = client.post(url, self.form(org, chat_webhook_url="http://169.254.169.254/hooks/abc"))
        assert page.status_code == 200
        assert "169.254.169.254 is a local, private or reserved address" in page.content.decode()
        org.refresh_from_db()
        assert org.chat_webhook_url == ""
        saved = client.post(url, self.form(org, chat_webhook_url="https://chat.nowhere.invalid/hooks/abc"))
        assert saved.status_code == 302
        org.refresh_from_db()
        assert org.chat_webhook_url == "https://chat.nowhere.invalid/hooks/abc"

    def test_a_message_to_one_inside_is_not_sent(self, org, local_server):
        server = local_server(lambda request: Answer(200, "ok"))
        for url in inside_names(server):
            Organization.objects.filter(pk=org.pk).update(chat_webhook_url=url + "/hooks/abc")
            tasks.post_to_chat.delay(org.pk, "New incident: App down")
        assert server.received == []
        Organization.objects.filter(pk=org.pk).update(chat_webhook_url=server.url + "/hooks/abc")
        tasks.post_to_chat.delay(org.pk, "New incident: App down")
        assert [request.json() for request in server.received] == [{"text": "New incident: App down"}]


class TestSendingToAChannelWrittenAroundTheChecks:
    """`QuerySet.update()` skips the model's checks; every send checks again, before connecting."""

    @pytest.mark.parametrize("kind", ["webhook", "mastodon"])
    def test_no_post_reaches_an_address_inside_and_it_fails_once(
        self, org, team, incident, local_server, django_capture_on_commit_callbacks, kind
    ):
        server = local_server(lambda request: Answer(200, {"id": "1"}))
        for number, url in enumerate(inside_names(server)):
            channel = Channel.objects.create(
                organization=org, kind=kind, name=f"Out {number}", url=server.url, secret=SECRET
            )
            Channel.objects.filter(pk=channel.pk).update(url=url, access_token="t0ken")
            publication = publish(team, approved(incident, team), channel, django_capture_on_commit_callbacks)
            publication.refresh_from_db()
            assert (publication.status, publication.attempts) == ("failed", 1)
            assert "is a local, private or reserved address" in publication.last_error
            assert "failed after 1 attempt" in incident.timeline.last().body
        assert server.received == []

    def test_an_ftp_channel_fails_once_instead_of_coming_back(
        self, org, team, incident, django_capture_on_commit_callbacks
    ):
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Files", url="https://nowhere.invalid/", secret=SECRET
        )
        Channel.objects.filter(pk=channel.pk).update(url="ftp://files.example/statements")
        publication = publish(team, approved(incident, team), channel, django_capture_on_commit_callbacks)
        publication.refresh_from_db()
        assert (publication.status, publication.attempts) == ("failed", 1)
        assert publication.last_error == "Only http:// and https:// addresses can be used."
        assert publication.pk not in publishing.publications_to_resume()

    def test_a_redirect_inside_is_not_followed(
        self, org, team, incident, local_server, django_capture_on_commit_callbacks
    ):
        inside = local_server(lambda request: Answer(200, {"id": "1"}))
        outside = local_server(lambda request: Answer(307, "", {"Location": inside_names(inside)[0] + "/x"}))
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url=outside.url + "/hook", secret=SECRET
        )
        publication = publish(team, approved(incident, team), channel, django_capture_on_commit_callbacks)
        publication.refresh_from_db()
        assert publication.status == "failed" and inside.received == []


class TestTheRemoteErrorBody:
    BODY = "Traceback: internal-db.lan password=hunter2"

    @pytest.mark.parametrize(("status", "reason"), [(403, "Forbidden"), (422, "Unprocessable")])
    def test_it_is_kept_neither_in_the_error_nor_on_the_timeline(
        self, org, team, incident, local_server, django_capture_on_commit_callbacks, status, reason
    ):
        server = local_server(lambda request: Answer(status, self.BODY))
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url=server.url + "/hook", secret=SECRET
        )
        publication = publish(team, approved(incident, team), channel, django_capture_on_commit_callbacks)
        publication.refresh_from_db()
        assert publication.status == "failed" and len(server.received) == 1
        assert publication.last_error.startswith(f"127.0.0.1 answered {status} ({reason}")
        assert not TimelineEntry.objects.filter(body__contains="hunter2").exists()
        assert "hunter2" not in str(list(TimelineEntry.objects.values_list("message", flat=True)))
        answer = api_as(team["lead"]).get(f"/api/v1/statements/{publication.statement_id}/")
        assert "hunter2" not in answer.content.decode()
        assert (
            "hunter2"
            not in api_as(team["lead"]).get(f"/api/v1/incidents/{incident.pk}/timeline/").content.decode()
        )
