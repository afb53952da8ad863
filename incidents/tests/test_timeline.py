from datetime import timedelta

import pytest
from django.utils import timezone

from crisisdesk.errors import DomainError
from incidents import services
from incidents.models import TimelineEntry
from incidents.tests.conftest import api_as, open_incident

pytestmark = pytest.mark.django_db


def url(incident, entry=None):
    return f"/api/v1/incidents/{incident.pk}/timeline/" + (f"{entry.pk}/" if entry else "")


class TestAdding:
    def test_it_adds_an_entry_with_author_and_server_time(self, incident, team):
        before = timezone.now()
        response = api_as(team["monitor"]).post(url(incident), {"body": "Volume tripled"}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["kind"], body["body"], body["author"]) == ("note", "Volume tripled", team["monitor"].pk)
        entry = TimelineEntry.objects.get(pk=body["id"])
        assert entry.created_at >= before and entry.occurred_at == entry.created_at

    def test_the_author_may_say_when_it_happened(self, incident, team):
        earlier = timezone.now() - timedelta(minutes=40)
        response = api_as(team["monitor"]).post(
            url(incident), {"body": "First complaint", "occurred_at": earlier.isoformat()}, format="json"
        )
        assert response.status_code == 201
        entry = TimelineEntry.objects.get(pk=response.json()["id"])
        assert abs((entry.occurred_at - earlier).total_seconds()) < 1
        assert entry.created_at > entry.occurred_at

    def test_an_entry_in_the_future_is_a_400(self, incident, team):
        later = timezone.now() + timedelta(hours=1)
        response = api_as(team["monitor"]).post(
            url(incident), {"body": "Prophecy", "occurred_at": later.isoformat()}, format="json"
        )
        assert response.status_code == 400
        assert "occurred_at" in response.json()
        assert not incident.timeline.filter(body="Prophecy").exists()

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"body": ""},
            {"body": "   "},
            {"body": "x", "occurred_at": "soon"},
            {"body": "x", "corrects": "abc"},
            {"body": "x", "corrects": 999999},
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, payload, incident, team):
        response = api_as(team["monitor"]).post(url(incident), payload, format="json")
        assert response.status_code == 400
        assert set(response.json()) & {"body", "occurred_at", "corrects"}


class TestCorrections:
    def test_a_correction_points_at_the_entry_it_corrects(self, incident, team):
        client = api_as(team["monitor"])
        wrong = client.post(url(incident), {"body": "500 mentions an hour"}, format="json").json()
        fix = client.post(
            url(incident), {"body": "Correction: 50 an hour", "corrects": wrong["id"]}, format="json"
        ).json()
        assert fix["corrects"] == wrong["id"]
        assert client.get(url(incident) + f"{wrong['id']}/").json()["corrected_by"] == [fix["id"]]
        assert TimelineEntry.objects.get(pk=wrong["id"]).body == "500 mentions an hour"

    def test_an_entry_of_another_incident_cannot_be_corrected(self, incident, org, team, roles):
        other = open_incident(org, team, roles, title="Other")
        foreign = other.timeline.first()
        response = api_as(team["lead"]).post(
            url(incident), {"body": "x", "corrects": foreign.pk}, format="json"
        )
        assert response.status_code == 400
        assert "corrects" in response.json()


class TestAppendOnly:
    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_edit_and_delete_answer_405_on_both_urls(self, method, incident, team):
        client = api_as(team["lead"])
        entry = incident.timeline.first()
        assert getattr(client, method)(url(incident), {"body": "x"}, format="json").status_code == 405
        assert getattr(client, method)(url(incident, entry), {"body": "x"}, format="json").status_code == 405
        assert TimelineEntry.objects.get(pk=entry.pk).body == entry.body

    def test_the_model_refuses_to_change_or_delete_an_entry(self, incident):
        entry = incident.timeline.first()
        entry.body = "rewritten history"
        with pytest.raises(DomainError):
            entry.save()
        with pytest.raises(DomainError):
            entry.delete()

    def test_the_admin_shows_entries_read_only(self, client, incident, team):
        admin = type(team["lead"]).objects.create_superuser("root", password="x")
        client.force_login(admin)
        entry = incident.timeline.first()
        assert client.get(f"/admin/incidents/timelineentry/{entry.pk}/change/").status_code == 200
        client.post(f"/admin/incidents/timelineentry/{entry.pk}/change/", {"body": "rewritten"})
        assert (
            client.post(f"/admin/incidents/timelineentry/{entry.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
        assert client.get("/admin/incidents/timelineentry/add/").status_code == 403
        assert TimelineEntry.objects.get(pk=entry.pk).body == entry.body


class TestPolling:
    def test_after_returns_only_newer_entries_in_order(self, incident, team):
        client = api_as(team["monitor"])
        cursor = client.get(url(incident)).json()["results"][-1]["id"]
        for n in range(3):
            services.timeline_add(incident=incident, acting_user=team["monitor"], body=f"update {n}")
        body = client.get(url(incident), {"after": cursor}).json()
        assert [row["body"] for row in body["results"]] == ["update 0", "update 1", "update 2"]
        newest = body["results"][-1]["id"]
        assert client.get(url(incident), {"after": newest}).json()["results"] == []

    def test_after_must_be_an_entry_id(self, incident, team):
        response = api_as(team["monitor"]).get(url(incident), {"after": "yesterday"})
        assert response.status_code == 400
        assert "after" in response.json()

    def test_a_page_holds_at_most_500_entries(self, incident, team):
        TimelineEntry.objects.bulk_create(TimelineEntry(incident=incident, body=f"e{n}") for n in range(520))
        body = api_as(team["monitor"]).get(url(incident), {"page_size": 2000}).json()
        assert len(body["results"]) == 500 and body["next"]

    def test_the_poll_uses_a_constant_number_of_queries(self, incident, team, django_assert_max_num_queries):
        client = api_as(team["monitor"])
        cursor = incident.timeline.last().pk
        TimelineEntry.objects.bulk_create(
            TimelineEntry(incident=incident, body=f"e{n}", author=team["lead"]) for n in range(5)
        )
        with django_assert_max_num_queries(8) as small:
            client.get(url(incident), {"after": cursor})
        TimelineEntry.objects.bulk_create(
            TimelineEntry(incident=incident, body=f"e{n}", author=team["monitor"]) for n in range(300)
        )
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert len(client.get(url(incident), {"after": cursor}).json()["results"]) == 305


class TestLanguages:
    def test_a_system_entry_reads_in_each_readers_language(self, client, incident, team):
        services.incident_transition(incident=incident, to="acknowledged", acting_user=team["lead"])
        team["approver2"].language = "nl"
        team["approver2"].save(update_fields=["language"])
        client.force_login(team["approver2"])
        assert (
            "Status: Gedetecteerd → Bevestigd." in client.get(f"/incidents/{incident.pk}/").content.decode()
        )
        client.force_login(team["observer"])
        assert "Status: Detected → Acknowledged." in client.get(f"/incidents/{incident.pk}/").content.decode()
        rows = api_as(team["observer"]).get(url(incident), HTTP_ACCEPT_LANGUAGE="nl").json()["results"]
        assert rows[-1]["body"] == "Status: Gedetecteerd → Bevestigd."
        assert incident.timeline.last().body == "Status: Detected → Acknowledged."  # the record, in English

    def test_a_persons_words_are_shown_as_written(self, client, incident, team):
        services.timeline_add(incident=incident, acting_user=team["monitor"], body="Status: all calm.")
        client.force_login(team["approver2"])
        assert "Status: all calm." in client.get(f"/incidents/{incident.pk}/").content.decode()
