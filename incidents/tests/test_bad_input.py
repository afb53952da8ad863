"""Odd input on the incident API and pages: a clear 400 naming the field (a form error on a
page), never a 500; and a title no mail header can carry does not stop the reminders."""

import json
from datetime import timedelta

import pytest

from incidents import services
from incidents.models import ActionItem, Task
from incidents.services.reminders import reminders_send
from incidents.tests.conftest import api_as
from playbooks import services as playbook_services

pytestmark = pytest.mark.django_db

# Strings that str.isdigit() or int() take, but that are no id: a superscript two (isdigit()
# says yes, int() refuses it), an Arabic-Indic three (int() reads 3), a sign, a space, an
# underscore, and more digits than a bigint holds.
NOT_IDS = ["²", "٣", "+1", " 1", "1_0", "1e3", "9" * 19, "9" * 5000]

# Times that parse but fall outside UTC's range once converted (the server's zone is Amsterdam,
# whose offset before 1892 was +00:18): a 500 wherever they reached the database.
OUT_OF_RANGE = [
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59-05:00",
]


class TestIdsInRequests:
    @pytest.mark.parametrize("after", NOT_IDS)
    def test_a_timeline_cursor_that_is_not_ascii_digits_is_a_400_naming_after(self, incident, team, after):
        url = f"/api/v1/incidents/{incident.pk}/timeline/"
        response = api_as(team["observer"]).get(url, {"after": after})
        assert response.status_code == 400
        assert list(response.json()) == ["after"]

    def test_a_plain_cursor_still_pages_the_timeline(self, incident, team):
        entries = api_as(team["observer"]).get(f"/api/v1/incidents/{incident.pk}/timeline/").json()["results"]
        newer = api_as(team["observer"]).get(
            f"/api/v1/incidents/{incident.pk}/timeline/", {"after": str(entries[0]["id"])}
        )
        assert [e["id"] for e in newer.json()["results"]] == [e["id"] for e in entries[1:]]

    @pytest.mark.parametrize("after", ["²", "٣", "9" * 30])
    def test_the_rooms_poller_refuses_a_cursor_that_is_not_an_id(self, client, incident, team, after):
        client.force_login(team["observer"])
        assert client.get(f"/incidents/{incident.pk}/live/", {"after": after}).status_code == 400

    @pytest.mark.parametrize("corrects", ["²", "٣", "9" * 30])
    def test_the_rooms_correction_box_ignores_a_corrects_that_is_not_an_id(
        self, client, incident, team, corrects
    ):
        client.force_login(team["responder"])
        response = client.get(f"/incidents/{incident.pk}/timeline/add/", {"corrects": corrects})
        assert response.status_code == 200
        assert response.context["corrected"] is None

    @pytest.mark.parametrize("corrects", ["²", "٣", "9" * 30, [1], {"id": 1}])
    def test_a_corrects_that_is_not_an_entry_id_is_a_400_naming_corrects(self, incident, team, corrects):
        response = api_as(team["responder"]).post(
            f"/api/v1/incidents/{incident.pk}/timeline/", {"body": "x", "corrects": corrects}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["corrects"]

    @pytest.mark.parametrize("value", ["²", "٣", " 1", "9" * 5000])
    def test_post_mortem_items_that_are_not_ids_are_a_message_and_nothing_is_applied(
        self, client, incident, team, value
    ):
        item = _action_item(incident, team)
        client.force_login(team["lead"])
        response = client.post(
            f"/incidents/{incident.pk}/postmortem/apply/", {"items": [str(item.pk), value]}, follow=True
        )
        assert response.status_code == 200
        assert "Choose action items from the list." in response.content.decode()
        item.refresh_from_db()
        assert item.playbook_revision is None

    def test_post_mortem_items_still_apply_and_a_role_without_the_permission_is_403_first(
        self, client, incident, team
    ):
        item = _action_item(incident, team)
        client.force_login(team["responder"])
        assert client.post(f"/incidents/{incident.pk}/postmortem/apply/", {"items": ["²"]}).status_code == 403
        client.force_login(team["lead"])
        client.post(f"/incidents/{incident.pk}/postmortem/apply/", {"items": [str(item.pk)]})
        item.refresh_from_db()
        assert item.playbook_revision is not None


def _action_item(incident, team) -> ActionItem:
    playbook = playbook_services.playbook_create(
        organization=incident.organization, acting_user=team["lead"], name="Outage"
    )
    return ActionItem.objects.create(
        postmortem=incident.postmortem, title="Page the on-call", playbook=playbook
    )


class TestTimesOutOfRange:
    @pytest.mark.parametrize("moment", OUT_OF_RANGE)
    @pytest.mark.parametrize(
        ("path", "payload", "field"),
        [
            ("timeline/", {"body": "x"}, "occurred_at"),
            ("tasks/", {"title": "x"}, "due_at"),
            ("statements/", {"body": "x", "language": "en"}, "next_update_at"),
        ],
    )
    def test_a_time_before_year_1_or_after_9999_in_utc_is_a_400_naming_it(
        self, incident, team, moment, path, payload, field
    ):
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/{path}", {**payload, field: moment}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {field: ["Datetime value out of range."]}

    @pytest.mark.parametrize("moment", OUT_OF_RANGE)
    def test_a_tasks_new_due_time_out_of_range_is_a_400(self, incident, team, moment):
        task = services.task_create(incident=incident, acting_user=team["lead"], title="Call the press desk")
        response = api_as(team["lead"]).patch(f"/api/v1/tasks/{task.pk}/", {"due_at": moment}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["due_at"]
        task.refresh_from_db()
        assert task.due_at is None

    @pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "0001-01-01T00:00"])
    def test_the_rooms_entry_box_shows_a_form_error(self, client, incident, team, moment):
        client.force_login(team["responder"])
        before = incident.timeline.count()
        response = client.post(
            f"/incidents/{incident.pk}/timeline/add/", {"entry-body": "x", "entry-occurred_at": moment}
        )
        assert response.status_code == 400
        assert "Datetime value out of range." in response.content.decode()
        assert incident.timeline.count() == before

    @pytest.mark.parametrize("moment", [*OUT_OF_RANGE, "0001-01-01T00:00"])
    def test_the_rooms_task_box_shows_a_form_error(self, client, incident, team, moment):
        client.force_login(team["responder"])
        response = client.post(f"/incidents/{incident.pk}/tasks/", {"task-title": "x", "task-due_at": moment})
        assert response.status_code == 400
        assert "Datetime value out of range." in response.content.decode()
        assert not Task.objects.filter(incident=incident, title="x").exists()


class TestLoneSurrogatesAndNul:
    """DRF's CharField refuses them already; these hold every free-text field of this app to it."""

    @pytest.mark.parametrize("text", ["a\ud800b", "a\x00b"])
    @pytest.mark.parametrize(
        ("path", "payload", "field"),
        [
            ("timeline/", {}, "body"),
            ("tasks/", {}, "title"),
            ("tasks/", {"title": "x"}, "description"),
            ("statements/", {"language": "en"}, "body"),
            ("roles/", {}, "role"),
        ],
    )
    def test_a_text_the_database_cannot_hold_is_a_400_naming_the_field(
        self, incident, team, text, path, payload, field
    ):
        if field == "role":
            payload = {"user": team["member"].pk}
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/{path}",
            json.dumps({**payload, field: text}),  # written \ud800, as a client sends it
            content_type="application/json",
        )
        assert response.status_code == 400
        assert field in response.json()

    @pytest.mark.parametrize("text", ["a\ud800b", "a\x00b"])
    def test_an_incident_title_too(self, org, team, text):
        response = api_as(team["lead"]).post(
            "/api/v1/incidents/",
            json.dumps({"organization": org.pk, "title": text}),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["title"]


class TestRemindersWithOddTitles:
    @pytest.fixture
    def people(self, team):
        for name in ("lead", "spokesperson"):
            team[name].email = f"{name}@example.com"
            team[name].save(update_fields=["email"])
        return team

    def test_a_newline_in_a_title_does_not_stop_the_run_and_the_subject_is_one_line(
        self, org, people, mailoutbox
    ):
        odd = services.incident_open(
            organization=org, acting_user=people["lead"], title="App down\r\nBcc: everyone", severity="high"
        )
        plain = services.incident_open(
            organization=org, acting_user=people["lead"], title="Billing wrong", severity="high"
        )
        now = max(odd.detected_at, plain.detected_at) + timedelta(minutes=16)
        sent = reminders_send(now=now)
        assert {reminder.incident_id for reminder in sent} == {odd.pk, plain.pk}
        subjects = sorted(message.subject for message in mailoutbox)
        assert "[crisisdesk] App down Bcc: everyone" in subjects
        assert "[crisisdesk] Billing wrong" in subjects
        assert all("\n" not in subject and "\r" not in subject for subject in subjects)

    def test_one_e_mail_that_fails_does_not_stop_the_others(self, org, people, roles, mailoutbox):
        incident = services.incident_open(
            organization=org, acting_user=people["lead"], title="App down", severity="high"
        )
        services.role_assign(
            incident=incident, user=people["spokesperson"], role=roles["lead"], acting_user=people["lead"]
        )
        # An address no mail header can carry (an account imported with a stray newline).
        people["lead"].email = "lead@example.com\nBcc: x@example.com"
        people["lead"].save(update_fields=["email"])
        sent = reminders_send(now=incident.detected_at + timedelta(minutes=16))
        assert sent
        assert {tuple(message.to) for message in mailoutbox} >= {("spokesperson@example.com",)}
        assert not any("lead@" in address for message in mailoutbox for address in message.to)
