"""Faults around publishing: the broker down when someone presses publish, a worker that died."""

from contextlib import ExitStack
from datetime import timedelta

import pytest
from django.utils import timezone

from crisisdesk.celery import app as celery_app
from crisisdesk.testing import Answer, MastodonLike, celery_broker
from incidents import tasks
from incidents.models import Channel, Publication, Statement
from incidents.tests.conftest import act, draft

pytestmark = pytest.mark.django_db


def approved(incident, team):
    statement = draft(incident, team)
    act(team, "responder", statement["id"], "submit")
    act(team, "approver", statement["id"], "approve")
    act(team, "approver2", statement["id"], "approve")
    return Statement.objects.get(pk=statement["id"])


@pytest.fixture
def broker_down():
    """A real Celery app whose broker is a port where nothing listens; `restore()` brings it back."""
    conf = celery_app.conf
    with ExitStack() as down:
        down.enter_context(celery_broker(celery_app, "redis://127.0.0.1:1/0"))
        down.callback(setattr, conf, "task_publish_retry", conf.task_publish_retry)
        conf.task_publish_retry = False
        yield down.close


def test_the_broker_down_loses_nothing_and_the_beat_sends_it_later(
    org, incident, team, local_server, broker_down, django_capture_on_commit_callbacks
):
    server = local_server(lambda request: Answer(200, {"id": "1"}))
    channel = Channel.objects.create(
        organization=org, kind="webhook", name="Hook", url=server.url, secret="k"
    )
    statement = approved(incident, team)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(team, "spokesperson", statement.pk, "publish", {"channel": channel.pk})
    assert response.status_code == 202  # answered, although the task could not be queued
    publication = Publication.objects.get(statement=statement)
    assert publication.status == "pending" and server.received == []
    assert incident.timeline.filter(body__contains="is publishing the statement").exists()

    broker_down()  # the broker is back
    Publication.objects.filter(pk=publication.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    assert tasks.resume_publications() == 1
    assert len(server.received) == 1
    assert Statement.objects.get(pk=statement.pk).status == "published"
    assert tasks.resume_publications() == 0


def test_a_worker_that_died_mid_post_is_resumed_and_posts_once(org, incident, team, local_server):
    mastodon = MastodonLike(token="t")
    server = local_server(mastodon)
    channel = Channel.objects.create(
        organization=org, kind="mastodon", name="Mastodon", url=server.url, access_token="t"
    )
    statement = approved(incident, team)
    publication = Publication.objects.create(
        statement=statement, channel=channel, body=statement.body, revision=statement.revision
    )
    # The worker claimed it and the post reached the server, then the worker died before recording it.
    import requests

    requests.post(
        server.url + "/api/v1/statuses",
        json={"status": statement.body},
        headers={"Authorization": "Bearer t", "Idempotency-Key": publication.idempotency_key},
        timeout=5,
    )
    Publication.objects.filter(pk=publication.pk).update(
        status="sending", attempts=1, claimed_at=timezone.now() - timedelta(minutes=5)
    )

    assert tasks.resume_publications() == 1
    publication.refresh_from_db()
    assert publication.status == "published"
    assert len(mastodon.statuses) == 1  # the idempotency key made the second post the same post
    assert publication.external_url == "https://social.example/@lumen/100"


def test_a_fresh_claim_is_left_alone(org, incident, team, local_server):
    server = local_server(lambda request: Answer(200, {}))
    channel = Channel.objects.create(
        organization=org, kind="webhook", name="Hook", url=server.url, secret="k"
    )
    statement = approved(incident, team)
    Publication.objects.create(
        statement=statement,
        channel=channel,
        body=statement.body,
        revision=statement.revision,
        status="sending",
        claimed_at=timezone.now(),
    )
    assert tasks.resume_publications() == 0
    assert server.received == []
