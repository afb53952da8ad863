"""The approval gate with the real parts: a Celery worker process on the test's PostgreSQL database
and Redis, a webhook receiver on 127.0.0.1 that keeps one post per idempotency key.

What was approved is what is sent, with enough approvals at the moment it goes out, once, whatever
the timing: while the task waits in the queue, across a receiver's 500, three people pressing
publish at once, and a worker killed at any point of the post.
"""

import threading
import time

import pytest
from django.db import connection

from crisisdesk.testing import PostReceiver, RowLock, wait_for
from incidents import tasks
from incidents.models import Channel, Incident, Publication, Statement
from incidents.tests.conftest import CLAIM_SECONDS, act, api_as, draft, open_incident

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

APPROVED_TEXT = "We know the app is down and we are sorry. Next update at 11:00."
NEW_TEXT = "Nothing is wrong, it is your phone."


@pytest.fixture
def row_lock():
    """`row_lock(table, pk)`: a RowLock released after the test even when it fails, so the
    database's teardown is never left waiting for it."""
    locks = []

    def take(table: str, pk: int) -> RowLock:
        locks.append(RowLock(connection.settings_dict, table, pk))
        return locks[-1]

    yield take
    for lock in locks:
        lock.release()


@pytest.fixture
def hook(org, local_server):
    """`hook(**receiver_options)`: a PostReceiver on 127.0.0.1 and the default webhook channel to it."""

    def make(**options) -> tuple[PostReceiver, Channel]:
        receiver = PostReceiver(**options)
        server = local_server(receiver)
        channel = Channel.objects.create(
            organization=org, kind="webhook", name="Website", url=server.url, secret="k", is_default=True
        )
        return receiver, channel

    return make


def approved(incident, team, approvers=("approver", "approver2")) -> Statement:
    statement = draft(incident, team, body=APPROVED_TEXT)
    assert act(team, "responder", statement["id"], "submit").status_code == 200
    for who in approvers:
        assert act(team, who, statement["id"], "approve").status_code == 200
    return Statement.objects.get(pk=statement["id"])


def publish(team, statement, who="spokesperson"):
    return act(team, who, statement.pk, "publish")


def edit(team, statement, body):
    version = Statement.objects.get(pk=statement.pk).version
    return api_as(team["responder"]).patch(
        f"/api/v1/statements/{statement.pk}/", {"body": body, "version": version}, format="json"
    )


def status_of(publication: Publication) -> str:
    publication.refresh_from_db()
    return publication.status


def published_entries(statement) -> int:
    return statement.incident.timeline.filter(body__startswith="Statement published on").count()


@pytest.mark.parametrize("change", ["edit", "withdraw"])
def test_a_queued_statement_cannot_change_and_the_approved_text_goes_out(
    builtin_roles, org, team, roles, hook, worker, client, change
):
    receiver, _channel = hook()
    statement = approved(open_incident(org, team, roles), team)
    assert publish(team, statement).status_code == 202  # no worker yet: the task waits in Redis

    if change == "edit":
        response = edit(team, statement, NEW_TEXT)
    else:
        response = act(team, "responder", statement.pk, "withdraw")
    assert response.status_code == 409
    assert "being published" in response.json()["detail"]

    worker(1).start()
    publication = Publication.objects.get(statement=statement)
    wait_for(lambda: status_of(publication) == "published", timeout=30, what="the post")
    assert list(receiver.posts.values()) == [APPROVED_TEXT]
    assert receiver.requests == [(publication.idempotency_key, APPROVED_TEXT)]
    assert Statement.objects.get(pk=statement.pk).body == APPROVED_TEXT
    page = client.get(f"/status/{org.slug}/").content.decode()
    assert APPROVED_TEXT in page and NEW_TEXT not in page
    # Published now: every PATCH is refused, even one that changes nothing.
    assert edit(team, statement, APPROVED_TEXT).status_code == 409


def test_a_severity_raise_after_approval_asks_for_more_approvals_before_and_at_send_time(
    builtin_roles, org, team, roles, hook, worker
):
    receiver, _channel = hook()
    incident = open_incident(org, team, roles, severity="medium")  # 1 approval needed
    statement = approved(incident, team, approvers=("approver",))
    assert publish(team, statement).status_code == 202  # queued: no worker yet

    lead = api_as(team["lead"])
    raised = lead.patch(f"/api/v1/incidents/{incident.pk}/", {"severity": "critical"}, format="json")
    assert raised.status_code == 200
    body = api_as(team["approver2"]).get(f"/api/v1/statements/{statement.pk}/").json()
    assert (body["status"], len(body["approvals"]), body["approvals_required"]) == ("pending_approval", 1, 2)

    worker(1).start()  # the queued task finds the gate closed at send time
    publication = Publication.objects.get(statement=statement)
    wait_for(lambda: status_of(publication) == "cancelled", timeout=30, what="the refused post")
    assert receiver.requests == []
    assert "1 of the 2 approvals" in publication.last_error
    assert publish(team, statement).status_code == 409  # and at request time

    assert act(team, "approver2", statement.pk, "approve").json()["status"] == "approved"
    assert publish(team, statement).status_code == 202
    wait_for(lambda: status_of(publication) == "published", timeout=30, what="the post")
    assert list(receiver.posts.values()) == [APPROVED_TEXT]


def test_a_cancelled_post_is_not_sent_and_the_statement_can_change_again(
    builtin_roles, org, team, roles, hook, worker
):
    receiver, _channel = hook()
    statement = approved(open_incident(org, team, roles), team)
    assert publish(team, statement).status_code == 202
    publication = Publication.objects.get(statement=statement)

    cancel = api_as(team["spokesperson"]).post(f"/api/v1/publications/{publication.pk}/cancel/")
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    again = api_as(team["spokesperson"]).post(f"/api/v1/publications/{publication.pk}/cancel/")
    assert again.status_code == 409
    assert api_as(team["observer"]).post(f"/api/v1/publications/{publication.pk}/cancel/").status_code == 403
    assert edit(team, statement, NEW_TEXT).status_code == 200  # revision 2, back to draft

    worker(1).start()
    tasks.publish_publication.delay(publication.pk)  # the queued task (and a repeat) find it cancelled
    time.sleep(2)
    assert receiver.requests == []

    for who, verb in (("responder", "submit"), ("approver", "approve"), ("approver2", "approve")):
        assert act(team, who, statement.pk, verb).status_code == 200
    assert publish(team, statement).status_code == 202
    wait_for(lambda: status_of(publication) == "published", timeout=30, what="the new post")
    assert receiver.requests == [(f"crisisdesk-publication-{publication.pk}-r2", NEW_TEXT)]


def test_a_500_then_a_retry_posts_the_approved_text_once(builtin_roles, org, team, roles, hook, worker):
    receiver, _channel = hook(fail_first=1)
    statement = approved(open_incident(org, team, roles), team)
    worker(1).start()
    assert publish(team, statement).status_code == 202
    publication = Publication.objects.get(statement=statement)
    wait_for(lambda: len(receiver.requests) == 1, timeout=30, what="the first attempt")
    assert edit(team, statement, NEW_TEXT).status_code == 409  # waiting for its retry: still on its way

    wait_for(lambda: status_of(publication) == "published", timeout=60, what="the retried post")
    key = publication.idempotency_key
    assert receiver.requests == [(key, APPROVED_TEXT), (key, APPROVED_TEXT)]
    assert receiver.posts == {key: APPROVED_TEXT}
    assert publication.attempts == 2 and published_entries(statement) == 1


ROUNDS = 20


def test_three_racing_publishes_post_once_without_deadlocks(builtin_roles, org, team, roles, hook, worker):
    receiver, _channel = hook()
    incident = open_incident(org, team, roles)
    worker(1).start()
    answers = []
    for round_number in range(1, ROUNDS + 1):
        statement = approved(incident, team)
        barrier = threading.Barrier(3)

        def press(who, statement=statement, barrier=barrier):
            try:
                barrier.wait()
                answers.append(publish(team, statement, who).status_code)
            finally:
                connection.close()

        people = ("spokesperson", "lead", "spokesperson")
        threads = [threading.Thread(target=press, args=(who,)) for who in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        publication = Publication.objects.get(statement=statement)
        wait_for(lambda p=publication: status_of(p) == "published", timeout=30, what="the post")
        assert published_entries(statement) == round_number  # one more on the incident each round

    assert answers == [202] * 3 * ROUNDS
    assert len(receiver.posts) == ROUNDS
    assert set(receiver.requests_per_key().values()) == {1}
    assert set(receiver.posts.values()) == {APPROVED_TEXT}
    assert not Publication.objects.exclude(status="published").exists()
    assert tasks.resume_publications() == 0


@pytest.mark.parametrize(
    ("moment", "requests"),
    [("before the send", 1), ("while the receiver holds its answer", 2), ("after the answer", 2)],
)
def test_a_worker_killed_at_any_point_of_the_post_posts_once_after_a_restart(
    builtin_roles, org, team, roles, hook, worker, row_lock, moment, requests
):
    receiver, _channel = hook(hold=moment != "before the send")
    statement = approved(open_incident(org, team, roles), team)
    assert publish(team, statement).status_code == 202  # queued: no worker yet
    publication = Publication.objects.get(statement=statement)
    first = worker(1)

    if moment == "before the send":
        lock = row_lock(Incident._meta.db_table, statement.incident_id)
        assert lock.waiting() == []  # nobody yet; and a later look must see the worker come
        first.start()
        wait_for(lock.waiting, timeout=30, what="the worker to wait for the incident's lock")
        first.kill()
        lock.release()
    else:
        first.start()
        assert receiver.arrived.wait(timeout=30), "the worker never posted"
        if moment == "after the answer":
            lock = row_lock(Incident._meta.db_table, statement.incident_id)
            receiver.release.set()
            wait_for(lock.waiting, timeout=30, what="the worker's confirm to wait for the lock")
            first.kill()
            lock.release()
        else:
            first.kill()
            receiver.release.set()

    worker(2).start()
    time.sleep(CLAIM_SECONDS + 0.5)  # the dead worker's claim (or its lost task) is stale now
    tasks.resume_publications.delay()  # what the beat sends every minute
    wait_for(lambda: status_of(publication) == "published", timeout=30, what="the resumed post")

    key = publication.idempotency_key
    assert receiver.requests == [(key, APPROVED_TEXT)] * requests
    assert receiver.posts == {key: APPROVED_TEXT}
    assert published_entries(statement) == 1


def test_a_database_error_while_confirming_is_retried_not_resent(
    builtin_roles, org, team, roles, hook, worker, row_lock
):
    receiver, _channel = hook(hold=True)
    statement = approved(open_incident(org, team, roles), team)
    worker(1).start()
    assert publish(team, statement).status_code == 202
    assert receiver.arrived.wait(timeout=30), "the worker never posted"
    lock = row_lock(Incident._meta.db_table, statement.incident_id)
    receiver.release.set()
    waiting = wait_for(lock.waiting, timeout=30, what="the worker's confirm to wait for the lock")
    lock.cut_off(waiting[0])  # the worker's database connection dies under its confirm
    lock.release()

    publication = Publication.objects.get(statement=statement)
    wait_for(lambda: status_of(publication) == "published", timeout=30, what="the confirm")
    assert receiver.requests == [(publication.idempotency_key, APPROVED_TEXT)]
    assert publication.attempts == 1 and published_entries(statement) == 1
