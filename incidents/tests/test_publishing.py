"""Publishing through real HTTP servers on 127.0.0.1, started by the tests."""

import threading

import pytest
from django.db import connection

from crisisdesk.testing import Answer, MastodonLike
from incidents import connectors, tasks
from incidents.models import Channel, Publication, Statement
from incidents.services import publishing
from incidents.tests.conftest import act, api_as, draft, open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_retries():
    """Let an eager task retry itself (Celery re-raises Retry when eager errors propagate)."""
    from crisisdesk.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def approved_statement(incident, team):
    statement = draft(incident, team)
    act(team, "responder", statement["id"], "submit")
    act(team, "approver", statement["id"], "approve")
    act(team, "approver2", statement["id"], "approve")
    return Statement.objects.get(pk=statement["id"])


def publish(team, statement, channel, capture):
    with capture(execute=True):
        return act(team, "spokesperson", statement.pk, "publish", {"channel": channel.pk})


class TestWebhook:
    @pytest.fixture
    def channel(self, org, local_server):
        self.server = local_server(lambda request: Answer(200, {"id": "hook-1"}))
        return Channel.objects.create(
            organization=org, kind="webhook", name="Website", url=self.server.url + "/hook", secret="s3cret"
        )

    def test_the_webhook_receives_a_correctly_signed_body_once_even_when_the_task_runs_twice(
        self, incident, team, channel, django_capture_on_commit_callbacks
    ):
        statement = approved_statement(incident, team)
        response = publish(team, statement, channel, django_capture_on_commit_callbacks)
        assert response.status_code == 202
        publication = Publication.objects.get(statement=statement)
        tasks.publish_publication.delay(publication.pk)  # a duplicate delivery of the task
        assert len(self.server.received) == 1
        received = self.server.received[0]
        assert received.headers["X-Crisisdesk-Signature"] == connectors.webhook_signature(
            "s3cret", received.body
        )
        assert received.headers["Idempotency-Key"] == publication.idempotency_key
        assert received.json()["text"] == statement.body
        statement.refresh_from_db()
        assert statement.status == "published"
        assert (
            api_as(team["observer"])
            .get(f"/api/v1/statements/{statement.pk}/")
            .json()["publications"][0]["external_id"]
            == "hook-1"
        )

    def test_a_signature_with_another_secret_does_not_match(self):
        assert connectors.webhook_signature("a", b"{}") != connectors.webhook_signature("b", b"{}")


class TestMastodon:
    def test_two_retries_give_one_status(
        self, org, incident, team, local_server, django_capture_on_commit_callbacks
    ):
        mastodon = MastodonLike(fail_first=2, token="t0ken")
        server = local_server(mastodon)
        channel = Channel.objects.create(
            organization=org, kind="mastodon", name="Mastodon", url=server.url, access_token="t0ken"
        )
        statement = approved_statement(incident, team)
        publish(team, statement, channel, django_capture_on_commit_callbacks)
        assert mastodon.calls == 3
        assert len(mastodon.statuses) == 1
        publication = Publication.objects.get(statement=statement)
        assert (publication.status, publication.attempts) == ("published", 3)
        assert publication.external_url == "https://social.example/@lumen/100"
        assert len({request.headers["Idempotency-Key"] for request in server.received}) == 1

    def test_a_wrong_token_fails_at_once_with_a_clear_error(
        self, org, incident, team, local_server, django_capture_on_commit_callbacks
    ):
        server = local_server(MastodonLike(token="right"))
        channel = Channel.objects.create(
            organization=org, kind="mastodon", name="Mastodon", url=server.url, access_token="wrong"
        )
        statement = approved_statement(incident, team)
        publish(team, statement, channel, django_capture_on_commit_callbacks)
        publication = Publication.objects.get(statement=statement)
        assert (publication.status, publication.attempts) == ("failed", 1)
        assert "401" in publication.last_error
        statement.refresh_from_db()
        assert statement.status == "approved"
        assert "failed after 1 attempt:" in incident.timeline.last().body


class TestRetries:
    def test_a_500_then_a_200_ends_published_after_a_retry(
        self, org, incident, team, local_server, django_capture_on_commit_callbacks
    ):
        answers = iter([Answer(500, "oops"), Answer(200, {"id": "7"})])
        server = local_server(lambda request: next(answers))
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url=server.url, secret="k"
        )
        statement = approved_statement(incident, team)
        publish(team, statement, channel, django_capture_on_commit_callbacks)
        publication = Publication.objects.get(statement=statement)
        assert (publication.status, publication.attempts, len(server.received)) == ("published", 2, 2)
        incident.refresh_from_db()
        assert incident.first_response_at == publication.published_at

    def test_it_gives_up_after_the_limit_and_says_why(
        self, org, incident, team, local_server, django_capture_on_commit_callbacks
    ):
        server = local_server(lambda request: Answer(503, "down"))
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url=server.url, secret="k"
        )
        statement = approved_statement(incident, team)
        publish(team, statement, channel, django_capture_on_commit_callbacks)
        publication = Publication.objects.get(statement=statement)
        assert publication.status == "failed"
        assert publication.attempts == tasks.MAX_RETRIES + 1 == len(server.received)
        assert "503" in publication.last_error
        body = api_as(team["spokesperson"]).get(f"/api/v1/statements/{statement.pk}/").json()
        assert body["status"] == "approved" and "503" in body["publications"][0]["last_error"]

    def test_publishing_again_after_a_failure_retries_the_same_publication(
        self, org, incident, team, local_server, django_capture_on_commit_callbacks
    ):
        answers = iter([Answer(400, "bad"), Answer(200, {"id": "9"})])
        server = local_server(lambda request: next(answers))
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url=server.url, secret="k"
        )
        statement = approved_statement(incident, team)
        publish(team, statement, channel, django_capture_on_commit_callbacks)
        assert Publication.objects.get(statement=statement).status == "failed"
        publish(team, statement, channel, django_capture_on_commit_callbacks)
        assert Publication.objects.get(statement=statement).status == "published"
        assert Publication.objects.filter(statement=statement).count() == 1

    def test_no_server_listening_is_a_transient_error(self, org, incident, team):
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url="http://127.0.0.1:9/", secret="k"
        )
        statement = approved_statement(incident, team)
        publication = Publication.objects.create(
            statement=statement, channel=channel, body=statement.body, revision=statement.revision
        )
        with pytest.raises(connectors.TransientError):
            publishing.publication_send(publication_id=publication.pk)
        publication.refresh_from_db()
        assert (publication.status, publication.attempts) == ("pending", 1)

    def test_a_claimed_publication_is_not_sent_twice(self, org, incident, team, local_server):
        server = local_server(lambda request: Answer(200, {}))
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url=server.url, secret="k"
        )
        statement = approved_statement(incident, team)
        from django.utils import timezone

        publication = Publication.objects.create(
            statement=statement,
            channel=channel,
            body=statement.body,
            revision=statement.revision,
            status="sending",
            claimed_at=timezone.now(),
        )
        assert publishing.publication_send(publication_id=publication.pk) == "busy"
        assert server.received == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_racing_approvals_and_publishes_give_one_consistent_result_and_one_post(
    builtin_roles, org, team, roles, local_server
):
    server = local_server(lambda request: Answer(200, {"id": "race"}))
    Channel.objects.create(
        organization=org, kind="webhook", name="Hook", url=server.url, secret="k", is_default=True
    )
    incident = open_incident(org, team, roles)
    statement = draft(incident, team)
    act(team, "responder", statement["id"], "submit")
    barrier = threading.Barrier(4)
    results: dict[str, list[int]] = {"approve": [], "publish": []}

    def run(kind, who):
        try:
            barrier.wait()
            for _ in range(3):  # keep trying, as impatient people do
                verb = "approve" if kind == "approve" else "publish"
                results[kind].append(act(team, who, statement["id"], verb).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("approve", "approver")),
        threading.Thread(target=run, args=("approve", "approver2")),
        threading.Thread(target=run, args=("publish", "spokesperson")),
        threading.Thread(target=run, args=("publish", "lead")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whatever the order, each approver counted once, and at most one post went out.
    final = Statement.objects.get(pk=statement["id"])
    assert final.approvals.filter(revision=1, decision="approved").count() == 2
    assert set(results["approve"]) <= {200, 409} and results["approve"].count(200) == 2
    assert set(results["publish"]) <= {202, 409}
    assert Publication.objects.filter(statement=final).count() <= 1
    assert len(server.received) == (1 if final.status == "published" else 0)
    if 202 in results["publish"]:
        # The on_commit task runs in the publishing thread: the post went out exactly once.
        assert final.status == "published" and len(server.received) == 1


class TestTheGate:
    """The gate's rules in one process (the worker-process versions are in test_publishing_gate.py)."""

    @pytest.fixture
    def hook(self, org, local_server):
        self.server = local_server(lambda request: Answer(200, {"id": "1"}))
        return Channel.objects.create(
            organization=org, kind="webhook", name="Hook", url=self.server.url, secret="k", is_default=True
        )

    def test_a_published_statement_goes_to_a_further_channel_with_the_same_text(
        self, org, incident, team, hook, django_capture_on_commit_callbacks
    ):
        manual_channel = Channel.objects.create(organization=org, kind="manual", name="Website (by hand)")
        statement = approved_statement(incident, team)
        publish(team, statement, hook, django_capture_on_commit_callbacks)
        assert Statement.objects.get(pk=statement.pk).status == "published"
        response = act(
            team,
            "spokesperson",
            statement.pk,
            "publish",
            {"channel": manual_channel.pk, "url": "https://x.example/1"},
        )
        assert response.status_code == 202
        body = response.json()
        assert body["status"] == "published"
        assert sorted((p["channel"], p["status"], p["revision"]) for p in body["publications"]) == sorted(
            [(hook.pk, "published", 1), (manual_channel.pk, "published", 1)]
        )
        assert {p["body"] for p in body["publications"]} == {statement.body}

    def test_a_deactivated_channel_stops_a_queued_post(self, incident, team, hook):
        statement = approved_statement(incident, team)
        publication = Publication.objects.create(
            statement=statement, channel=hook, body=statement.body, revision=statement.revision
        )
        Channel.objects.filter(pk=hook.pk).update(is_active=False)
        assert publishing.publication_send(publication_id=publication.pk) == "stopped"
        publication.refresh_from_db()
        assert publication.status == "cancelled" and self.server.received == []
        assert incident.timeline.filter(body="Not published on Hook: the channel was deactivated.").exists()

    def test_the_sent_text_is_the_frozen_one_not_the_statements_text_of_the_moment(
        self, incident, team, hook
    ):
        statement = approved_statement(incident, team)
        publication = Publication.objects.create(
            statement=statement, channel=hook, body=statement.body, revision=statement.revision
        )
        Statement.objects.filter(pk=statement.pk).update(body="Changed behind the gate's back", revision=2)
        assert publishing.publication_send(publication_id=publication.pk) == "stopped"
        assert self.server.received == []
        assert "text changed" in Publication.objects.get(pk=publication.pk).last_error

    def test_a_reused_publication_takes_the_new_requests_text(
        self, incident, team, hook, django_capture_on_commit_callbacks
    ):
        statement = approved_statement(incident, team)
        Publication.objects.create(
            statement=statement, channel=hook, body="An old text", revision=1, status="failed"
        )
        publish(team, statement, hook, django_capture_on_commit_callbacks)
        assert [request.json()["text"] for request in self.server.received] == [statement.body]

    def test_a_severity_raise_sends_approved_statements_back_for_more_approvals(self, org, team, roles):
        incident = open_incident(org, team, roles, severity="medium")
        statement = draft(incident, team)
        act(team, "responder", statement["id"], "submit")
        assert act(team, "approver", statement["id"], "approve").json()["status"] == "approved"
        api_as(team["lead"]).patch(
            f"/api/v1/incidents/{incident.pk}/", {"severity": "critical"}, format="json"
        )
        waiting = api_as(team["approver2"]).get("/api/v1/statements/?waiting_for_me=true").json()["results"]
        assert [row["id"] for row in waiting] == [statement["id"]]
        refused = act(team, "spokesperson", statement["id"], "publish")
        assert refused.status_code == 409 and "1 of the 2 approvals" in refused.json()["detail"]
        assert incident.timeline.filter(body__contains="waits for approval again").exists()

    def test_the_room_cancels_a_queued_post_and_says_what_is_going_on(self, incident, team, hook, client):
        statement = approved_statement(incident, team)
        act(team, "spokesperson", statement.pk, "publish")  # no on_commit run: it stays queued
        publication = Publication.objects.get(statement=statement)
        client.force_login(team["spokesperson"])
        room = client.get(f"/incidents/{incident.pk}/").content.decode()
        assert "Cancel this post" in room and "On its way out" in room
        client.force_login(team["observer"])
        assert (
            client.post(f"/incidents/{incident.pk}/publications/{publication.pk}/cancel/").status_code == 403
        )
        client.force_login(team["spokesperson"])
        response = client.post(f"/incidents/{incident.pk}/publications/{publication.pk}/cancel/")
        assert response.status_code == 302
        assert Publication.objects.get(pk=publication.pk).status == "cancelled"
        room = client.get(f"/incidents/{incident.pk}/").content.decode()
        assert "Cancel this post" not in room and "Withdraw" in room

    def test_the_room_refuses_a_statement_action_before_it_reads_the_form(self, incident, team, client):
        statement = approved_statement(incident, team)
        client.force_login(team["observer"])
        edit = f"/incidents/{incident.pk}/statements/{statement.pk}/edit/"
        assert client.post(edit, {f"s{statement.pk}-body": ""}).status_code == 403  # not a 400
