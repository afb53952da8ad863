"""A restricted incident is seen only by the people with a role on it: in every page, export,
notification, e-mail and chat post, not only in its room."""

from datetime import timedelta

import pytest

from crisisdesk.testing import Answer
from incidents import services
from incidents.models import IncidentRoleAssignment, Notification, Statement
from incidents.services import postmortem as postmortem_services
from incidents.services.reminders import BACKUP_AFTER, reminders_send
from incidents.tests.conftest import api_as
from playbooks import services as playbook_services
from playbooks.models import Playbook

pytestmark = pytest.mark.django_db

TITLE = "Leaked memo"


def at(incident, minutes):
    return incident.detected_at + timedelta(minutes=minutes)


@pytest.fixture
def mailed(team):
    for user in team.values():
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return team


@pytest.fixture
def chat(org, local_server):
    """The organization's chat: a real receiver on 127.0.0.1 that records every post."""
    server = local_server(lambda request: Answer(200, "ok"))
    org.chat_webhook_url, org.language = server.url + "/hooks/abc", "en"
    org.save(update_fields=["chat_webhook_url", "language"])
    return server


def chat_texts(server) -> list[str]:
    return [request.json()["text"] for request in server.received]


class TestTheChat:
    def test_it_hears_of_a_new_incident_but_not_of_a_restricted_one(
        self, org, team, chat, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.incident_open(organization=org, acting_user=team["lead"], title=TITLE, restricted=True)
            services.incident_open(organization=org, acting_user=team["lead"], title="App down")
        texts = chat_texts(chat)
        assert len(texts) == 1 and "App down" in texts[0]
        assert not any(TITLE in text for text in texts)

    def test_it_hears_no_late_update_of_a_restricted_incident(
        self, org, team, chat, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            hidden = services.incident_open(
                organization=org, acting_user=team["lead"], title=TITLE, severity="high", restricted=True
            )
            shown = services.incident_open(
                organization=org, acting_user=team["lead"], title="App down", severity="high"
            )
        for incident in (hidden, shown):
            type(incident).objects.filter(pk=incident.pk).update(first_response_at=at(incident, 10))
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send(now=at(shown, 10 + 121))
        late = [text for text in chat_texts(chat) if "Late: the next public update" in text]
        assert late and all(text.startswith("App down:") for text in late)


class TestReminders:
    @pytest.fixture
    def from_playbook(self, org, mailed, roles):
        """Restricted, from a playbook with `monitor` as the backup lead."""
        playbook = playbook_services.playbook_create(
            organization=org,
            acting_user=mailed["lead"],
            name="Leak",
            role_assignments=[
                {"role": roles["lead"], "user": mailed["lead"], "kind": "primary"},
                {"role": roles["lead"], "user": mailed["monitor"], "kind": "backup"},
            ],
        )
        return services.incident_open(
            organization=org,
            acting_user=mailed["lead"],
            title=TITLE,
            severity="high",
            playbook=playbook,
            restricted=True,
        )

    def test_a_backup_whose_role_was_removed_is_not_asked_to_take_over(
        self, from_playbook, mailed, mailoutbox
    ):
        services.role_remove(
            assignment=IncidentRoleAssignment.objects.get(incident=from_playbook, user=mailed["monitor"]),
            acting_user=mailed["lead"],
        )
        reminders_send(now=at(from_playbook, 16))
        reminders_send(now=at(from_playbook, 15) + BACKUP_AFTER)
        assert not Notification.objects.filter(user=mailed["monitor"]).exists()
        assert [m.to for m in mailoutbox if TITLE in m.subject + m.body] == [["lead@example.com"]]

    def test_the_backup_with_a_role_is_still_asked(self, from_playbook, mailed, mailoutbox):
        reminders_send(now=at(from_playbook, 16))
        [backup] = reminders_send(now=at(from_playbook, 15) + BACKUP_AFTER)
        assert backup.key == "acknowledge:backup"
        assert list(backup.recipients.all()) == [mailed["monitor"]]

    def test_a_late_task_of_someone_without_a_role_goes_to_the_lead(self, org, mailed, roles, mailoutbox):
        incident = services.incident_open(
            organization=org, acting_user=mailed["lead"], title=TITLE, restricted=True
        )
        services.task_create(
            incident=incident,
            acting_user=mailed["lead"],
            title="Call legal",
            assignee=mailed["member"],
            due_at=at(incident, 1),
        )
        services.incident_transition(incident=incident, to="acknowledged", acting_user=mailed["lead"])
        reminders_send(now=at(incident, 3))
        assert not Notification.objects.filter(user=mailed["member"]).exists()
        assert not any(m.to == ["member@example.com"] for m in mailoutbox)
        assert Notification.objects.filter(user=mailed["lead"], incident=incident).exists()


class TestNotifications:
    def test_the_bell_no_longer_shows_an_incident_after_the_role_is_removed(self, client, org, mailed, roles):
        incident = services.incident_open(
            organization=org, acting_user=mailed["lead"], title=TITLE, restricted=True
        )
        services.task_create(
            incident=incident,
            acting_user=mailed["lead"],
            title="Call legal",
            assignee=mailed["responder"],
            due_at=at(incident, 1),
        )
        services.role_assign(
            incident=incident, user=mailed["responder"], role=roles["responder"], acting_user=mailed["lead"]
        )
        services.incident_transition(incident=incident, to="acknowledged", acting_user=mailed["lead"])
        reminders_send(now=at(incident, 3))
        client.force_login(mailed["responder"])
        assert TITLE in client.get("/notifications/").content.decode()
        services.role_remove(
            assignment=IncidentRoleAssignment.objects.get(incident=incident, user=mailed["responder"]),
            acting_user=mailed["lead"],
        )
        html = client.get("/notifications/").content.decode()
        assert TITLE not in html and f"/incidents/{incident.pk}/" not in html
        assert 'class="bell-count"' not in client.get("/").content.decode()


class TestPlaybooks:
    def test_a_revision_proposed_by_a_restricted_post_mortem_does_not_name_the_incident(
        self, client, org, team, roles
    ):
        playbook = playbook_services.playbook_create(organization=org, acting_user=team["lead"], name="Leak")
        incident = services.incident_open(
            organization=org, acting_user=team["lead"], title=TITLE, restricted=True, playbook=playbook
        )
        item = postmortem_services.action_item_create(
            incident=incident, acting_user=team["lead"], title="Shred faster", playbook=playbook
        )
        postmortem_services.action_items_apply(incident=incident, acting_user=team["lead"], items=[item])
        client.force_login(team["member"])
        assert TITLE not in client.get(f"/playbooks/{playbook.pk}/").content.decode()
        revision = Playbook.objects.get(pk=playbook.pk).revisions.order_by("-number").first()
        assert (
            TITLE not in client.get(f"/playbooks/{playbook.pk}/revisions/{revision.number}/").content.decode()
        )
        assert "Shred faster" in revision.change_note


class TestEverywhereElse:
    """Places that already kept the incident to its people, held there."""

    @pytest.fixture
    def published(self, restricted_incident, team):
        return Statement.objects.create(
            incident=restricted_incident, author=team["lead"], body="Our memo statement.", status="published"
        )

    @pytest.mark.parametrize(
        "url", ["/", "/incidents/", "/incidents/?status=all", "/incidents/?mine=1", "/status/lumen/"]
    )
    def test_pages_do_not_show_it_to_a_member_without_a_role(self, client, url, published, team):
        client.force_login(team["member"])
        html = client.get(url).content.decode()
        assert TITLE not in html and "Our memo statement." not in html
        client.force_login(team["observer"])
        if url != "/status/lumen/":
            assert TITLE in client.get(url).content.decode()

    def test_the_overview_does_not_count_it(self, client, restricted_incident, team):
        client.force_login(team["member"])
        assert client.get("/incidents/overview/").content.decode().count("None yet.") == 2
        client.force_login(team["observer"])
        assert client.get("/incidents/overview/").content.decode().count("None yet.") == 1

    def test_the_feed_leaves_it_out(self, client, published):
        assert "Our memo statement." not in client.get("/status/lumen/feed/").content.decode()

    @pytest.mark.parametrize("suffix", ["", "postmortem/", "postmortem/export.md", "postmortem/print/"])
    def test_its_pages_and_exports_are_404(self, client, restricted_incident, team, suffix):
        client.force_login(team["member"])
        assert client.get(f"/incidents/{restricted_incident.pk}/{suffix}").status_code == 404

    def test_the_api_lists_leave_it_out(self, restricted_incident, team):
        client = api_as(team["member"])
        assert client.get("/api/v1/incidents/").json()["count"] == 0
        assert client.get(f"/api/v1/incidents/{restricted_incident.pk}/").status_code == 404
        assert client.get(f"/api/v1/incidents/{restricted_incident.pk}/statements/").status_code == 404
