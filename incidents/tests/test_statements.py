import re

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Approval, Incident, Statement
from incidents.tests.conftest import act, api_as, draft, open_incident
from playbooks import services as playbook_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def medium_incident(org, team, roles):
    return open_incident(org, team, roles, title="Billing error", severity="medium")


def approved(incident, team):
    statement = draft(incident, team)
    act(team, "responder", statement["id"], "submit")
    act(team, "approver", statement["id"], "approve")
    if incident.approvals_required > 1:
        act(team, "approver2", statement["id"], "approve")
    return statement


class TestDrafting:
    def test_a_responder_drafts_a_statement_with_tone_hints(self, incident, team):
        response = api_as(team["responder"]).post(
            f"/api/v1/incidents/{incident.pk}/statements/",
            {"body": "This is NOT our fault!! A supplier caused it.", "language": "en"},
            format="json",
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["status"], body["version"], body["revision"], body["approvals"]) == ("draft", 1, 1, [])
        assert body["approvals_required"] == 2
        rules = {hint["rule"] for hint in body["tone"]}
        assert {"defensive", "shouting", "no_empathy"} <= rules
        assert all(hint["message"] for hint in body["tone"])

    def test_drafting_from_a_template_fills_the_placeholders(self, org, team, roles):
        playbook = playbook_services.playbook_create(
            organization=org,
            acting_user=team["lead"],
            name="Outage",
            templates=[
                {
                    "name": "Holding",
                    "kind": "holding",
                    "body": "{organization} knows about: {incident_title}. Next update at {next_update}.",
                }
            ],
        )
        incident = services.incident_open(
            organization=org, acting_user=team["lead"], title="App down", severity="high", playbook=playbook
        )
        template = playbook.templates.get()
        response = api_as(team["lead"]).post(
            f"/api/v1/incidents/{incident.pk}/statements/", {"template": template.pk}, format="json"
        )
        assert response.status_code == 201, response.json()
        text = response.json()["body"]
        assert text.startswith("Lumen Energy knows about: App down. Next update at ")
        assert "{" not in text and "[" not in text
        assert re.search(r"Next update at \d{2}:\d{2}\.$", text), text  # a 24-hour time, one full stop

    def test_an_empty_statement_without_a_template_is_a_400(self, incident, team):
        response = api_as(team["responder"]).post(
            f"/api/v1/incidents/{incident.pk}/statements/", {"body": " "}, format="json"
        )
        assert response.status_code == 400 and "body" in response.json()

    def test_a_template_of_another_organization_is_a_400(self, incident, team, other_org, outsider):
        theirs = playbook_services.playbook_create(
            organization=other_org,
            acting_user=outsider,
            name="x",
            templates=[{"name": "t", "kind": "holding", "body": "x"}],
        )
        response = api_as(team["responder"]).post(
            f"/api/v1/incidents/{incident.pk}/statements/",
            {"template": theirs.templates.get().pk},
            format="json",
        )
        assert response.status_code == 400 and "template" in response.json()

    @pytest.mark.parametrize("person", ["monitor", "approver", "observer", "member"])
    def test_people_without_draft_permission_get_403(self, person, incident, team):
        response = api_as(team[person]).post(
            f"/api/v1/incidents/{incident.pk}/statements/", {"body": "x"}, format="json"
        )
        assert response.status_code == 403


class TestApprovals:
    def test_a_high_incident_needs_approver_and_approver2(self, incident, team):
        statement = draft(incident, team)
        assert act(team, "responder", statement["id"], "submit").json()["status"] == "pending_approval"
        first = act(team, "approver", statement["id"], "approve", {"comment": "Good tone"}).json()
        assert first["status"] == "pending_approval"
        assert [(a["approver"], a["decision"], a["comment"]) for a in first["approvals"]] == [
            (team["approver"].pk, "approved", "Good tone")
        ]
        second = act(team, "approver2", statement["id"], "approve").json()
        assert second["status"] == "approved"
        assert len(second["approvals"]) == 2

    def test_a_medium_incident_needs_one_approval(self, medium_incident, team):
        statement = draft(medium_incident, team)
        act(team, "responder", statement["id"], "submit")
        assert act(team, "approver", statement["id"], "approve").json()["status"] == "approved"

    def test_one_person_counts_once(self, incident, team):
        statement = draft(incident, team)
        act(team, "responder", statement["id"], "submit")
        act(team, "approver", statement["id"], "approve")
        again = act(team, "approver", statement["id"], "approve")
        assert again.status_code == 409
        assert Statement.objects.get(pk=statement["id"]).status == "pending_approval"

    def test_the_author_may_never_approve_their_own_statement(self, incident, team, roles):
        services.role_assign(
            incident=incident, user=team["responder"], role=roles["approver"], acting_user=team["lead"]
        )
        statement = draft(incident, team)
        act(team, "responder", statement["id"], "submit")
        response = act(team, "responder", statement["id"], "approve")
        assert response.status_code == 409
        assert "Four eyes" in response.json()["detail"]

    def test_who_rewrote_the_text_may_not_approve_it_either(self, incident, team, roles):
        services.role_assign(
            incident=incident, user=team["spokesperson"], role=roles["approver"], acting_user=team["lead"]
        )
        statement = draft(incident, team)
        api_as(team["spokesperson"]).patch(
            f"/api/v1/statements/{statement['id']}/",
            {"body": "We are sorry: the app is down.", "version": 1},
            format="json",
        )
        act(team, "responder", statement["id"], "submit")
        assert act(team, "spokesperson", statement["id"], "approve").status_code == 409

    @pytest.mark.parametrize("person", ["lead", "responder", "spokesperson", "monitor", "observer", "member"])
    def test_people_without_the_approver_role_get_403(self, person, incident, team):
        statement = draft(incident, team, by="spokesperson")
        act(team, "spokesperson", statement["id"], "submit")
        assert act(team, person, statement["id"], "approve").status_code == 403
        assert act(team, person, statement["id"], "request-changes").status_code == 403

    def test_approving_a_draft_is_a_409(self, incident, team):
        statement = draft(incident, team)
        assert act(team, "approver", statement["id"], "approve").status_code == 409

    def test_the_wait_is_recorded_with_the_approval(self, incident, team):
        statement = draft(incident, team)
        act(team, "responder", statement["id"], "submit")
        Statement.objects.filter(pk=statement["id"]).update(
            submitted_at=timezone.now() - timezone.timedelta(minutes=7)
        )
        waiting = (
            api_as(team["approver"]).get(f"/api/v1/statements/{statement['id']}/").json()["waiting_seconds"]
        )
        assert 415 <= waiting <= 430
        body = act(team, "approver", statement["id"], "approve").json()
        assert 415 <= body["approvals"][0]["waited_seconds"] <= 430


class TestChangesAndRevisions:
    def test_request_changes_then_edit_and_resubmit(self, medium_incident, team):
        statement = draft(medium_incident, team)
        act(team, "responder", statement["id"], "submit")
        sent_back = act(
            team, "approver", statement["id"], "request-changes", {"comment": "Add the outage number"}
        )
        assert sent_back.json()["status"] == "changes_requested"
        assert act(team, "responder", statement["id"], "submit").status_code == 409
        edited = (
            api_as(team["responder"])
            .patch(
                f"/api/v1/statements/{statement['id']}/",
                {
                    "body": "We know the app is down, sorry. Outage number: 0800-9009.",
                    "version": sent_back.json()["version"],
                },
                format="json",
            )
            .json()
        )
        assert (edited["status"], edited["revision"], edited["approvals"]) == ("draft", 2, [])
        act(team, "responder", statement["id"], "submit")
        assert act(team, "approver", statement["id"], "approve").json()["status"] == "approved"

    def test_editing_an_approved_statement_voids_its_approvals(self, incident, team):
        statement = approved(incident, team)
        current = api_as(team["responder"]).get(f"/api/v1/statements/{statement['id']}/").json()
        assert current["status"] == "approved"
        edited = api_as(team["responder"]).patch(
            f"/api/v1/statements/{statement['id']}/",
            {"body": current["body"] + " Thank you for your patience.", "version": current["version"]},
            format="json",
        )
        assert edited.status_code == 200
        assert (edited.json()["status"], edited.json()["revision"], edited.json()["approvals"]) == (
            "draft",
            2,
            [],
        )
        assert (
            Approval.objects.filter(statement_id=statement["id"], revision=1).count() == 2
        )  # kept for the record
        assert "approvals given are void" in Incident.objects.get(pk=incident.pk).timeline.last().body

    def test_a_stale_version_is_a_409_and_changes_nothing(self, incident, team):
        statement = draft(incident, team)
        client = api_as(team["responder"])
        assert (
            client.patch(
                f"/api/v1/statements/{statement['id']}/", {"body": "First edit", "version": 1}, format="json"
            ).status_code
            == 200
        )
        stale = client.patch(
            f"/api/v1/statements/{statement['id']}/", {"body": "Lost update", "version": 1}, format="json"
        )
        assert stale.status_code == 409
        assert Statement.objects.get(pk=statement["id"]).body == "First edit"

    @pytest.mark.parametrize(
        "payload",
        [{"body": "x"}, {"version": 1}, {"body": "", "version": 1}, {"body": "x", "version": "one"}],
    )
    def test_a_bad_patch_is_a_400(self, payload, incident, team):
        statement = draft(incident, team)
        response = api_as(team["responder"]).patch(
            f"/api/v1/statements/{statement['id']}/", payload, format="json"
        )
        assert response.status_code == 400

    def test_the_diff_shows_what_changed_since_the_approver_last_looked(self, medium_incident, team):
        statement = draft(medium_incident, team, body="The app is down. Next update at 11:00.")
        act(team, "responder", statement["id"], "submit")
        back = act(team, "approver", statement["id"], "request-changes").json()
        api_as(team["responder"]).patch(
            f"/api/v1/statements/{statement['id']}/",
            {"body": "The app is down and we are sorry. Next update at 11:00.", "version": back["version"]},
            format="json",
        )
        diff = api_as(team["approver"]).get(f"/api/v1/statements/{statement['id']}/diff/").json()
        assert (diff["from_revision"], diff["to_revision"]) == (1, 2)
        assert [run for run in diff["runs"] if run["op"] != "equal"] == [
            {"op": "delete", "text": "down."},
            {"op": "insert", "text": "down and we are sorry."},
        ]

    def test_withdraw_before_publishing(self, incident, team):
        statement = draft(incident, team)
        assert act(team, "responder", statement["id"], "withdraw").json()["status"] == "withdrawn"
        assert act(team, "responder", statement["id"], "submit").status_code == 409
        assert (
            api_as(team["responder"])
            .patch(f"/api/v1/statements/{statement['id']}/", {"body": "x", "version": 2}, format="json")
            .status_code
            == 409
        )


class TestPublishingByHand:
    def test_the_spokesperson_publishes_on_the_manual_channel(
        self, incident, team, manual_channel, django_capture_on_commit_callbacks
    ):
        statement = approved(incident, team)
        with django_capture_on_commit_callbacks(execute=True):
            response = act(
                team, "spokesperson", statement["id"], "publish", {"url": "https://social.example/@lumen/1"}
            )
        assert response.status_code == 202
        assert response.json()["status"] == "published"
        assert response.json()["publications"][0]["external_url"] == "https://social.example/@lumen/1"
        incident.refresh_from_db()
        assert incident.first_response_at is not None

    def test_a_manual_channel_needs_the_url(self, incident, team, manual_channel):
        statement = approved(incident, team)
        response = act(team, "spokesperson", statement["id"], "publish")
        assert response.status_code == 400 and "url" in response.json()

    def test_only_an_approved_statement_is_published(self, incident, team, manual_channel):
        statement = draft(incident, team)
        assert (
            act(team, "spokesperson", statement["id"], "publish", {"url": "https://x.example/1"}).status_code
            == 409
        )

    @pytest.mark.parametrize("person", ["responder", "approver", "monitor", "observer"])
    def test_only_lead_and_spokesperson_publish(self, person, incident, team, manual_channel):
        statement = approved(incident, team)
        assert (
            act(team, person, statement["id"], "publish", {"url": "https://x.example/1"}).status_code == 403
        )

    def test_published_statements_cannot_change(self, incident, team, manual_channel):
        statement = approved(incident, team)
        published = act(
            team, "spokesperson", statement["id"], "publish", {"url": "https://x.example/1"}
        ).json()
        assert act(team, "responder", statement["id"], "withdraw").status_code == 409
        assert (
            api_as(team["responder"])
            .patch(
                f"/api/v1/statements/{statement['id']}/",
                {"body": "x", "version": published["version"]},
                format="json",
            )
            .status_code
            == 409
        )

    def test_every_step_is_on_the_timeline(self, incident, team, manual_channel):
        statement = approved(incident, team)
        act(team, "spokesperson", statement["id"], "publish", {"url": "https://x.example/1"})
        bodies = list(incident.timeline.filter(kind="statement").values_list("body", flat=True))
        assert bodies == [
            "Responder drafted a statement.",
            "Responder submitted the statement for approval (2 needed).",
            "Approver approved the statement (1 of 2).",
            "Approver2 approved the statement (2 of 2).",
            "Statement published on Website (by hand): https://x.example/1",
        ]


class TestVisibility:
    def test_an_outsider_gets_404(self, incident, team, outsider):
        statement = draft(incident, team)
        client = api_as(outsider)
        assert client.get(f"/api/v1/statements/{statement['id']}/").status_code == 404
        assert client.post(f"/api/v1/statements/{statement['id']}/approve/").status_code == 404
        assert client.get(f"/api/v1/incidents/{incident.pk}/statements/").status_code == 404

    def test_the_list_uses_a_constant_number_of_queries(self, incident, team, django_assert_max_num_queries):
        client = api_as(team["observer"])
        draft(incident, team)
        with django_assert_max_num_queries(9) as few:
            client.get(f"/api/v1/incidents/{incident.pk}/statements/")
        baseline = len(few.captured_queries)  # read now: every request resets Django's query log
        for _ in range(8):
            statement = draft(incident, team)
            act(team, "responder", statement["id"], "submit")
            act(team, "approver", statement["id"], "approve")
        with django_assert_max_num_queries(baseline):
            assert client.get(f"/api/v1/incidents/{incident.pk}/statements/").json()["count"] == 9

    def test_channels_lists_the_organizations_channels(self, manual_channel, team, outsider):
        assert api_as(team["member"]).get("/api/v1/channels/").json()["results"] == [
            {
                "id": manual_channel.pk,
                "organization": manual_channel.organization_id,
                "kind": "manual",
                "name": "Website (by hand)",
                "url": "",
                "is_default": True,
                "is_active": True,
                "max_length": None,
            }
        ]
        assert api_as(outsider).get("/api/v1/channels/").json()["results"] == []


class TestWaitingForMe:
    def test_approvers_see_what_waits_for_their_decision(self, incident, restricted_incident, team):
        waiting = draft(incident, team)
        act(team, "responder", waiting["id"], "submit")
        draft(incident, team)  # a draft waits for nobody
        elsewhere = draft(restricted_incident, team)
        act(team, "responder", elsewhere["id"], "submit")
        rows = (
            api_as(team["approver"]).get("/api/v1/statements/", {"waiting_for_me": "true"}).json()["results"]
        )
        assert [row["id"] for row in rows] == [waiting["id"], elsewhere["id"]]
        act(team, "approver", waiting["id"], "approve")
        rows = (
            api_as(team["approver"]).get("/api/v1/statements/", {"waiting_for_me": "true"}).json()["results"]
        )
        assert [row["id"] for row in rows] == [elsewhere["id"]]
        assert (
            api_as(team["approver2"]).get("/api/v1/statements/", {"waiting_for_me": "1"}).json()["count"] == 2
        )
        assert (
            api_as(team["responder"]).get("/api/v1/statements/", {"waiting_for_me": "1"}).json()["count"] == 0
        )

    def test_the_list_shows_only_visible_statements(self, incident, restricted_incident, team, outsider):
        draft(incident, team)
        draft(restricted_incident, team)
        assert api_as(team["member"]).get("/api/v1/statements/").json()["count"] == 1
        assert api_as(outsider).get("/api/v1/statements/").json()["count"] == 0
