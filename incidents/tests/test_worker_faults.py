"""Faults with the real parts: a Celery worker process killed mid-post, a Redis broker that is down.

The worker is `celery worker` in its own process, on the test's PostgreSQL database (so the test
commits what it makes: a transactional test) and a redis-server of the test's own.
"""

import threading
import time

import pytest

from crisisdesk.testing import Answer, MastodonLike, wait_for
from incidents import tasks
from incidents.models import Channel, Publication, Statement
from incidents.tests.conftest import CLAIM_SECONDS, act, api_as, draft, open_incident

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


class HeldMastodon(MastodonLike):
    """Makes the first status, then holds its answer until released: the worker dies meanwhile."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.arrived, self.release = threading.Event(), threading.Event()

    def __call__(self, request):
        answer = super().__call__(request)
        if self.calls == 1:
            self.arrived.set()
            self.release.wait(timeout=30)
        return answer


def approved_statement(org, team, roles):
    incident = open_incident(org, team, roles)
    statement = draft(incident, team)
    for who, verb in (("responder", "submit"), ("approver", "approve"), ("approver2", "approve")):
        act(team, who, statement["id"], verb)
    return Statement.objects.get(pk=statement["id"])


def published(publication: Publication) -> bool:
    publication.refresh_from_db()
    return publication.status == Publication.Status.PUBLISHED


def test_a_worker_killed_mid_post_posts_the_statement_once_after_a_restart(
    builtin_roles, org, team, roles, local_server, worker
):
    mastodon = HeldMastodon(token="t")
    server = local_server(mastodon)
    channel = Channel.objects.create(
        organization=org, kind="mastodon", name="Mastodon", url=server.url, access_token="t"
    )
    statement = approved_statement(org, team, roles)
    first = worker(1).start()

    assert act(team, "spokesperson", statement.pk, "publish", {"channel": channel.pk}).status_code == 202
    assert mastodon.arrived.wait(timeout=30), "the worker never posted"
    first.kill()  # the status exists on the server; the worker never heard back
    mastodon.release.set()
    publication = Publication.objects.get(statement=statement)
    assert publication.status == Publication.Status.SENDING

    worker(2).start()
    time.sleep(CLAIM_SECONDS)  # the dead worker's claim is now stale
    tasks.resume_publications.delay()  # what the beat sends every minute
    wait_for(lambda: published(publication), timeout=30, what="the resumed publication")

    assert len(mastodon.statuses) == 1 and mastodon.calls == 2
    keys = {request.headers["Idempotency-Key"] for request in server.received}
    assert keys == {publication.idempotency_key}
    assert publication.attempts == 2
    assert publication.external_url == "https://social.example/@lumen/100"
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED
    assert statement.incident.timeline.filter(body__startswith="Statement published on Mastodon").count() == 1


def test_the_broker_down_at_publish_time_loses_nothing_and_posts_once_when_it_is_back(
    builtin_roles, org, team, roles, local_server, redis, worker
):
    server = local_server(lambda request: Answer(200, {"id": "1"}))
    channel = Channel.objects.create(
        organization=org, kind="webhook", name="Hook", url=server.url, secret="k"
    )
    statement = approved_statement(org, team, roles)
    redis.stop()

    response = act(team, "spokesperson", statement.pk, "publish", {"channel": channel.pk})
    entry = api_as(team["responder"]).post(
        f"/api/v1/incidents/{statement.incident_id}/timeline/", {"body": "Broker down, still writing."}
    )

    assert response.status_code == 202 and entry.status_code == 201
    assert statement.incident.timeline.filter(body="Broker down, still writing.").exists()
    publication = Publication.objects.get(statement=statement)
    assert publication.status == Publication.Status.PENDING and server.received == []

    redis.start()
    worker(1).start()
    time.sleep(CLAIM_SECONDS)  # long enough ago that its task counts as lost
    tasks.resume_publications.delay()
    wait_for(lambda: published(publication), timeout=30, what="the resumed publication")
    assert len(server.received) == 1
    assert server.received[0].json()["statement"] == statement.pk
    assert Statement.objects.get(pk=statement.pk).status == Statement.Status.PUBLISHED
