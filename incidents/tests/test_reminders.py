"""Timers and reminders, with the clock passed in (`now=`) so every moment is chosen by the test."""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection

from crisisdesk.testing import Answer
from incidents import services
from incidents.models import Incident, Notification, Reminder, Statement
from incidents.services.reminders import BACKUP_AFTER, reminders_send
from incidents.tests.conftest import api_as
from incidents.timers import timers_for
from playbooks import services as playbook_services
from playbooks.models import DEFAULT_TARGETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(team):
    for name, language in (("lead", "en"), ("monitor", "nl"), ("spokesperson", "en")):
        team[name].email, team[name].language = f"{name}@example.com", language
        team[name].save(update_fields=["email", "language"])
    return team


@pytest.fixture
def incident(org, people, roles):
    """Lead is the primary lead in the playbook, monitor (Dutch) the backup."""
    playbook = playbook_services.playbook_create(
        organization=org,
        acting_user=people["lead"],
        name="Outage",
        role_assignments=[
            {"role": roles["lead"], "user": people["lead"], "kind": "primary"},
            {"role": roles["lead"], "user": people["monitor"], "kind": "backup"},
            {"role": roles["spokesperson"], "user": people["spokesperson"], "kind": "primary"},
        ],
    )
    return services.incident_open(
        organization=org, acting_user=people["lead"], title="App down", severity="high", playbook=playbook
    )


def at(incident, minutes):
    return incident.detected_at + timedelta(minutes=minutes)


class TestTimers:
    @pytest.mark.parametrize("severity", ["low", "medium", "high", "critical"])
    def test_due_times_follow_the_targets_of_the_severity(self, severity, org, people):
        incident = services.incident_open(
            organization=org, acting_user=people["lead"], title="x", severity=severity
        )
        target = DEFAULT_TARGETS[severity]
        acknowledge, first = timers_for(incident)
        assert acknowledge.due_at == at(incident, target["minutes_to_acknowledge"])
        assert first.due_at == at(incident, target["minutes_to_first_response"])
        body = api_as(people["lead"]).get(f"/api/v1/incidents/{incident.pk}/").json()
        assert [t["key"] for t in body["timers"]] == ["acknowledge", "first_response"]

    def test_a_promised_update_sooner_than_the_cadence_sets_the_deadline(self, incident, people):
        Incident.objects.filter(pk=incident.pk).update(first_response_at=at(incident, 10))
        incident.refresh_from_db()
        statement = Statement.objects.create(
            incident=incident,
            author=people["lead"],
            body="x",
            status="published",
            published_at=at(incident, 10),
            next_update_at=at(incident, 40),
        )
        from incidents.selectors import last_public_updates

        timer = timers_for(incident, last_update=last_public_updates([incident])[incident.pk])[-1]
        assert (timer.key, timer.due_at, timer.promised) == ("next_update", statement.next_update_at, True)
        assert timer.state(at(incident, 41)) == "promise_broken"


class TestReminders:
    def test_nothing_before_the_moment(self, incident, mailoutbox):
        assert reminders_send(now=at(incident, 9)) == []  # high: acknowledge within 15, "soon" from 10

    def test_soon_then_late_to_the_primary_in_their_language(self, incident, mailoutbox):
        [soon] = reminders_send(now=at(incident, 11))
        assert soon.key == "acknowledge:soon"
        assert [m.to for m in mailoutbox] == [["lead@example.com"]]
        assert "Reminder: acknowledge this incident by" in mailoutbox[0].body
        [late] = reminders_send(now=at(incident, 16))
        assert late.key == "acknowledge:overdue"
        assert incident.timeline.filter(kind="reminder").count() == 2
        assert Notification.objects.filter(user__username="lead").count() == 2

    def test_the_backup_is_asked_after_a_further_delay_in_dutch(self, incident, mailoutbox):
        reminders_send(now=at(incident, 16))
        assert reminders_send(now=at(incident, 15) + BACKUP_AFTER - timedelta(minutes=1)) == []
        [backup] = reminders_send(now=at(incident, 15) + BACKUP_AFTER)
        assert backup.key == "acknowledge:backup"
        dutch = mailoutbox[-1]
        assert dutch.to == ["monitor@example.com"]
        assert "Nog steeds niet bevestigd" in dutch.body

    def test_running_twice_sends_nothing_twice(self, incident, mailoutbox):
        first = reminders_send(now=at(incident, 16))
        assert reminders_send(now=at(incident, 16)) == []
        assert reminders_send(now=at(incident, 17)) == []
        assert len(first) == Reminder.objects.count()
        assert len(mailoutbox) == len(first)

    def test_acknowledging_stops_the_reminders(self, incident, people, mailoutbox):
        services.incident_transition(
            incident=incident, to="acknowledged", acting_user=people["lead"], at=at(incident, 5)
        )
        assert [r.key for r in reminders_send(now=at(incident, 61))] == ["first_response:overdue"]

    def test_quiet_hours_hold_back_the_mail_but_not_for_a_critical_incident(
        self, incident, people, mailoutbox
    ):
        people["lead"].quiet_from, people["lead"].quiet_until = time(0, 0), time(23, 59)
        people["lead"].save(update_fields=["quiet_from", "quiet_until"])
        reminders_send(now=at(incident, 11))
        assert mailoutbox == []
        assert Notification.objects.filter(user=people["lead"]).count() == 1  # still in the app
        Incident.objects.filter(pk=incident.pk).update(severity="critical")
        reminders_send(now=at(incident, 14))  # critical: acknowledge within 5 minutes
        assert [m.to for m in mailoutbox] == [["lead@example.com"]]

    def test_no_mail_when_switched_off(self, incident, people, mailoutbox):
        people["lead"].email_reminders = False
        people["lead"].save(update_fields=["email_reminders"])
        reminders_send(now=at(incident, 16))
        assert mailoutbox == []

    def test_the_query_count_does_not_grow_with_closed_incidents(
        self, incident, org, people, django_assert_max_num_queries
    ):
        quiet = at(incident, 1)
        with django_assert_max_num_queries(8) as few:
            reminders_send(now=quiet)
        baseline = len(few.captured_queries)
        for n in range(10):
            closed = services.incident_open(organization=org, acting_user=people["lead"], title=f"old {n}")
            Incident.objects.filter(pk=closed.pk).update(status="closed")
        with django_assert_max_num_queries(baseline):
            reminders_send(now=quiet)

    def test_the_bell_counts_and_the_page_marks_read(self, client, incident, people):
        reminders_send(now=at(incident, 16))
        client.force_login(people["lead"])
        assert 'class="bell-count">' in client.get("/").content.decode()
        assert "Late: this incident was to be acknowledged" in client.get("/notifications/").content.decode()
        assert not Notification.objects.filter(user=people["lead"], read_at__isnull=True).exists()


class TestChatWebhook:
    def test_new_incidents_and_late_updates_go_to_the_chat(
        self, org, people, local_server, django_capture_on_commit_callbacks
    ):
        server = local_server(lambda request: Answer(200, "ok"))
        org.chat_webhook_url, org.language = server.url + "/hooks/abc", "en"
        org.save(update_fields=["chat_webhook_url", "language"])
        with django_capture_on_commit_callbacks(execute=True):
            incident = services.incident_open(
                organization=org, acting_user=people["lead"], title="App down", severity="high"
            )
        assert server.received[0].json()["text"].startswith("New incident (High): App down, opened by")
        Incident.objects.filter(pk=incident.pk).update(first_response_at=at(incident, 10))
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send(now=at(incident, 10 + 121))
        texts = [request.json()["text"] for request in server.received]
        assert any("Late: the next public update was due at" in text for text in texts)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_reminder_once(builtin_roles, org, people, roles, mailoutbox):
    incident = services.incident_open(
        organization=org, acting_user=people["lead"], title="App down", severity="high"
    )
    barrier, sent = threading.Barrier(3), []

    def beat():
        try:
            barrier.wait()
            sent.extend(reminders_send(now=at(incident, 16)))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == Reminder.objects.count() == 1
    assert len(mailoutbox) == 1
