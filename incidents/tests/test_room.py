"""The incident pages through Django's test client: buttons by permission, forms that keep input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Incident, Statement, TimelineEntry
from incidents.tests.conftest import open_incident

pytestmark = pytest.mark.django_db


def room(client, incident):
    return client.get(f"/incidents/{incident.pk}/").content.decode()


class TestButtonsFollowPermissions:
    def test_the_lead_sees_every_control(self, client, incident, team):
        client.force_login(team["lead"])
        html = room(client, incident)
        for marker in (
            'id="entry-box"',
            'value="acknowledged"',
            "New statement",
            "Add a task",
            "Assign a role",
        ):
            assert marker in html, marker

    def test_an_observer_sees_no_box_and_no_buttons(self, client, incident, team):
        services.task_create(incident=incident, acting_user=team["lead"], title="Call IT")
        client.force_login(team["observer"])
        html = room(client, incident)
        for marker in (
            'id="entry-box"',
            'value="acknowledged"',
            "New statement",
            "Add a task",
            "Assign a role",
            ">Done<",
            ">Remove<",
            "Correct",
        ):
            assert marker not in html, marker
        assert "Call IT" in html

    def test_the_server_refuses_an_observer_anyway(self, client, incident, team):
        client.force_login(team["observer"])
        assert client.post(f"/incidents/{incident.pk}/timeline/add/", {"body": "x"}).status_code == 403
        assert client.post(f"/incidents/{incident.pk}/transition/", {"to": "acknowledged"}).status_code == 403
        assert client.post(f"/incidents/{incident.pk}/tasks/", {"title": "x"}).status_code == 403
        assert not incident.timeline.filter(body="x").exists()

    def test_an_approver_sees_approve_only_on_what_waits_for_them(self, client, incident, team):
        statement = services.statement_draft(
            incident=incident, acting_user=team["responder"], body="We are sorry."
        )
        client.force_login(team["approver"])
        assert ">Approve<" not in room(client, incident)
        services.statement_submit(statement=statement, acting_user=team["responder"])
        assert ">Approve<" in room(client, incident)
        client.post(f"/incidents/{incident.pk}/statements/{statement.pk}/approve/", {"comment": "ok"})
        assert ">Approve<" not in room(client, incident)


class TestTimelineInTheRoom:
    def test_an_entry_is_added_and_shown(self, client, incident, team):
        client.force_login(team["monitor"])
        response = client.post(
            f"/incidents/{incident.pk}/timeline/add/", {"entry-body": "Trending on Mastodon"}
        )
        assert response.status_code == 302
        assert "Trending on Mastodon" in room(client, incident)

    def test_a_failed_entry_keeps_what_was_typed(self, client, incident, team):
        client.force_login(team["monitor"])
        later = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        response = client.post(
            f"/incidents/{incident.pk}/timeline/add/",
            {"entry-body": "A long careful note", "entry-occurred_at": later},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "A long careful note" in html and "in the future" in html
        assert not incident.timeline.filter(body="A long careful note").exists()

    def test_with_htmx_the_box_comes_back_empty_and_the_timeline_is_told(self, client, incident, team):
        client.force_login(team["monitor"])
        response = client.post(
            f"/incidents/{incident.pk}/timeline/add/", {"entry-body": "Quietly added"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert response["HX-Trigger"] == "timeline-changed"
        assert "Quietly added" not in response.content.decode()

    def test_a_correction_from_the_room_points_at_its_entry(self, client, incident, team):
        wrong = services.timeline_add(incident=incident, acting_user=team["monitor"], body="500 an hour")
        client.force_login(team["monitor"])
        form = client.get(f"/incidents/{incident.pk}/timeline/add/?corrects={wrong.pk}").content.decode()
        assert "Correcting:" in form and "500 an hour" in form
        client.post(
            f"/incidents/{incident.pk}/timeline/add/",
            {"entry-body": "50 an hour", "entry-corrects": wrong.pk},
        )
        assert TimelineEntry.objects.get(body="50 an hour").corrects == wrong
        assert "Corrects the entry of" in room(client, incident)

    def test_the_poll_returns_only_newer_entries_and_a_new_cursor(self, client, incident, team):
        client.force_login(team["observer"])
        cursor = incident.timeline.last().pk
        newer = services.timeline_add(incident=incident, acting_user=team["monitor"], body="Newer one")
        version = Incident.objects.get(pk=incident.pk).live_version
        news = poll(client, incident, after=cursor, version=version)
        assert [event["id"] for event in news["events"]] == [newer.pk]
        assert "Newer one" in news["events"][0]["data"]["html"]
        assert news["cursor"] == newer.pk and news["version"] == version
        assert poll(client, incident, after=newer.pk, version=version)["events"] == []

    def test_a_poll_behind_the_change_counter_gets_every_part_again(self, client, incident, team):
        client.force_login(team["observer"])
        news = poll(client, incident, after=incident.timeline.last().pk, version=-1)
        assert {event["event"] for event in news["events"]} == {
            "head",
            "statements",
            "tasks",
            "roles",
            "mentions",
        }

    def test_each_reader_gets_the_entry_in_their_language_and_with_their_rights(self, incident, team):
        from django.test import Client

        wrong = services.timeline_add(incident=incident, acting_user=team["monitor"], body="500 an hour")
        cursor = wrong.pk - 1
        team["approver2"].language = "nl"
        team["approver2"].save()
        version = Incident.objects.get(pk=incident.pk).live_version
        seen = {}
        # The first reader renders the entry; the others may get it from the cache.
        for person in ("monitor", "observer", "approver2", "responder"):
            reader = Client()
            reader.force_login(team[person])
            seen[person] = poll(reader, incident, after=cursor, version=version)["events"][0]["data"]["html"]
        assert "Correct</a>" in seen["monitor"] and "Correct</a>" in seen["responder"]
        assert "Correct</a>" not in seen["observer"]  # may not add entries, so may not correct
        assert "Notitie" in seen["approver2"] and "Note" in seen["observer"]

    def test_the_poll_of_an_outsider_is_404(self, client, incident, outsider):
        client.force_login(outsider)
        assert client.get(f"/incidents/{incident.pk}/live/?after=0").status_code == 404


def poll(client, incident, *, after, version):
    answer = client.get(f"/incidents/{incident.pk}/live/?after={after}&v={version}")
    assert answer.status_code == 200
    return answer.json()


class TestFormsInTheRoom:
    def test_a_task_with_a_bad_due_time_keeps_its_title(self, client, incident, team):
        client.force_login(team["lead"])
        response = client.post(
            f"/incidents/{incident.pk}/tasks/", {"task-title": "Brief the CEO", "task-due_at": "soon"}
        )
        assert response.status_code == 400
        assert "Brief the CEO" in response.content.decode()

    def test_a_statement_draft_without_text_or_template_is_a_form_error(self, client, incident, team):
        client.force_login(team["responder"])
        response = client.post(
            f"/incidents/{incident.pk}/statements/", {"draft-body": "", "draft-language": "en"}
        )
        assert response.status_code == 400
        assert "start from a template" in response.content.decode()

    def test_a_stale_edit_is_refused_with_a_message(self, client, incident, team):
        statement = services.statement_draft(incident=incident, acting_user=team["responder"], body="First")
        client.force_login(team["responder"])
        prefix = f"s{statement.pk}"
        client.post(
            f"/incidents/{incident.pk}/statements/{statement.pk}/edit/",
            {f"{prefix}-body": "Second", f"{prefix}-version": 1},
        )
        response = client.post(
            f"/incidents/{incident.pk}/statements/{statement.pk}/edit/",
            {f"{prefix}-body": "Lost", f"{prefix}-version": 1},
            follow=True,
        )
        assert "Someone changed this statement" in response.content.decode()
        assert Statement.objects.get(pk=statement.pk).body == "Second"

    def test_a_transition_not_allowed_is_a_message(self, client, incident, team):
        client.force_login(team["lead"])
        response = client.post(f"/incidents/{incident.pk}/transition/", {"to": "closed"}, follow=True)
        assert "cannot become closed" in response.content.decode()
        assert Incident.objects.get(pk=incident.pk).status == "detected"


class TestOpening:
    def test_opening_from_a_playbook_in_one_form(self, client, org, team):
        from playbooks import services as playbook_services

        playbook = playbook_services.playbook_create(
            organization=org, acting_user=team["lead"], name="Outage"
        )
        client.force_login(team["member"])
        page = client.get(f"/incidents/new/?playbook={playbook.pk}").content.decode()
        assert f'<option value="{playbook.pk}" selected>' in page
        response = client.post(
            "/incidents/new/",
            {"organization": org.pk, "title": "App down", "severity": "high", "playbook": playbook.pk},
        )
        incident = Incident.objects.get(title="App down")
        assert response["Location"] == f"/incidents/{incident.pk}/"
        assert incident.playbook == playbook

    def test_a_missing_title_keeps_the_rest(self, client, org, team):
        client.force_login(team["member"])
        response = client.post("/incidents/new/", {"organization": org.pk, "title": "", "summary": "Keep me"})
        assert response.status_code == 400
        assert "Keep me" in response.content.decode()


class TestListFilters:
    def test_filters_and_search(self, client, org, team, roles):
        open_incident(org, team, roles, title="App down", severity="high")
        open_incident(org, team, roles, title="Drill: influencer", severity="low", is_drill=True)
        services.incident_open(organization=org, acting_user=team["member"], title="Billing mistake")
        client.force_login(team["monitor"])

        def titles(**params):
            html = client.get("/incidents/", params).content.decode()
            return {t for t in ("App down", "Drill: influencer", "Billing mistake") if t in html}

        assert titles() == {"App down", "Drill: influencer", "Billing mistake"}
        assert titles(severity="high") == {"App down"}
        assert titles(drill="yes") == {"Drill: influencer"}
        assert titles(drill="no", mine="on") == {"App down"}
        assert titles(q="billing") == {"Billing mistake"}


class TestQueryCounts:
    def test_the_room_with_1000_entries_uses_a_constant_number_of_queries(
        self, client, incident, team, django_assert_max_num_queries
    ):
        statement = services.statement_draft(
            incident=incident, acting_user=team["responder"], body="We are sorry."
        )
        services.statement_submit(statement=statement, acting_user=team["responder"])
        client.force_login(team["approver"])
        with django_assert_max_num_queries(40) as few:
            client.get(f"/incidents/{incident.pk}/")
        baseline = len(few.captured_queries)
        TimelineEntry.objects.bulk_create(
            TimelineEntry(incident=incident, body=f"e{n}", author=team["monitor"]) for n in range(1000)
        )
        for n in range(10):
            services.task_create(incident=incident, acting_user=team["lead"], title=f"task {n}")
            extra = services.statement_draft(
                incident=incident, acting_user=team["responder"], body=f"Sorry {n}"
            )
            services.statement_submit(statement=extra, acting_user=team["responder"])
        with django_assert_max_num_queries(baseline):
            response = client.get(f"/incidents/{incident.pk}/")
        assert response.content.decode().count('class="entry ') == 200

    def test_the_dashboard_uses_a_constant_number_of_queries(
        self, client, org, team, roles, django_assert_max_num_queries
    ):
        open_incident(org, team, roles)
        client.force_login(team["approver"])
        with django_assert_max_num_queries(20) as few:
            client.get("/")
        baseline = len(few.captured_queries)
        for n in range(10):
            incident = open_incident(org, team, roles, title=f"Incident {n}")
            statement = services.statement_draft(
                incident=incident, acting_user=team["responder"], body="Sorry."
            )
            services.statement_submit(statement=statement, acting_user=team["responder"])
        with django_assert_max_num_queries(baseline):
            html = client.get("/").content.decode()
        assert html.count("Incident ") >= 10
