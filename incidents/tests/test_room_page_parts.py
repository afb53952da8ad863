"""The room page's live parts are rendered once per kind of viewer and change, then shared."""

import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.tests.conftest import open_incident

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def incident(org, team, roles):
    incident = open_incident(org, team, roles)
    services.role_assign(
        incident=incident, user=team["member"], role=roles["observer"], acting_user=team["lead"]
    )
    return incident


def page(client, incident) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_a_second_viewer_of_the_same_kind_gets_the_parts_without_reading_the_room_again(incident, team):
    services.task_create(incident=incident, acting_user=team["lead"], title="Call IT")
    first, first_queries = page(signed_in(team["observer"]), incident)
    second, second_queries = page(signed_in(team["member"]), incident)
    assert "Call IT" in first and "Call IT" in second
    assert any('"incidents_task"' in sql for sql in first_queries)
    assert not any('"incidents_task"' in sql or '"incidents_statement"' in sql for sql in second_queries)
    assert len(second_queries) < len(first_queries)


def test_a_change_shows_on_the_next_load(incident, team):
    observer = signed_in(team["observer"])
    assert "Call IT" not in page(observer, incident)[0]
    services.task_create(incident=incident, acting_user=team["lead"], title="Call IT")
    assert "Call IT" in page(observer, incident)[0]


def test_who_already_decided_never_gets_approve_from_the_shared_copy(incident, team):
    statement = services.statement_draft(
        incident=incident, acting_user=team["responder"], body="We are sorry."
    )
    services.statement_submit(statement=statement, acting_user=team["responder"])
    services.statement_approve(statement=statement, acting_user=team["approver"])
    # approver2 may still decide: the copy of the parts for approvers holds Approve ...
    assert ">Approve<" in page(signed_in(team["approver2"]), incident)[0]
    # ... and approver, who shares their rights but has decided, is not shown it, even without room.js.
    assert ">Approve<" not in page(signed_in(team["approver"]), incident)[0]


def test_who_may_not_decide_gets_the_shared_copy_without_that_statements_approve(incident, team):
    """Cut out of the shared copy, not rendered for them: a room of authors reads it once."""
    decided, waiting = (
        services.statement_draft(incident=incident, acting_user=team["responder"], body=body)
        for body in ("We are sorry.", "Our shops are open.")
    )
    for statement in (decided, waiting):
        services.statement_submit(statement=statement, acting_user=team["responder"])
    services.statement_approve(statement=decided, acting_user=team["approver"])
    page(signed_in(team["approver2"]), incident)  # renders the copy for approvers
    html, queries = page(signed_in(team["approver"]), incident)
    assert not any('"incidents_statement"' in sql for sql in queries)
    assert f"/statements/{decided.pk}/approve/" not in html
    assert f"/statements/{waiting.pk}/approve/" in html
    assert html.count(">Approve<") == 1


def test_each_reader_posts_the_shared_forms_with_their_own_token(incident, team):
    statement = services.statement_draft(
        incident=incident, acting_user=team["responder"], body="We are sorry."
    )
    services.statement_submit(statement=statement, acting_user=team["responder"])
    first = signed_in(team["approver"], enforce_csrf_checks=True)
    second = signed_in(team["approver2"], enforce_csrf_checks=True)
    first_tokens = set(TOKEN.findall(page(first, incident)[0]))
    second_tokens = set(TOKEN.findall(page(second, incident)[0]))
    assert first_tokens and second_tokens and not first_tokens & second_tokens
    approve = f"/incidents/{incident.pk}/statements/{statement.pk}/approve/"
    refused = second.post(approve, {"csrfmiddlewaretoken": first_tokens.pop()})
    assert refused.status_code == 403
    accepted = second.post(approve, {"csrfmiddlewaretoken": second_tokens.pop()})
    assert accepted.status_code == 302
    assert statement.approvals.filter(approver=team["approver2"]).exists()


def test_new_entries_keep_the_shared_parts_and_any_other_change_renders_them_again(incident, team):
    observer, member = signed_in(team["observer"]), signed_in(team["member"])
    page(observer, incident)
    services.timeline_add(incident=incident, acting_user=team["monitor"], body="Queue at 400 calls")
    html, queries = page(member, incident)
    assert "Queue at 400 calls" in html  # the timeline is read afresh ...
    assert not any('"incidents_task"' in sql for sql in queries)  # ... the parts are the same
    services.task_create(incident=incident, acting_user=team["lead"], title="Call IT")
    html, queries = page(member, incident)
    assert "Call IT" in html and any('"incidents_task"' in sql for sql in queries)


KIND_KEY = """
import django
django.setup()
from incidents.live.render import Kind
print(Kind("nl", "Europe/Amsterdam", frozenset({"view_incident", "draft_statement"})).key())
"""


def test_the_copy_is_found_by_every_web_process():
    """Its cache key is the same in another process (hash() of a str differs with PYTHONHASHSEED)."""
    keys = {
        subprocess.run(
            [sys.executable, "-c", KIND_KEY],
            env={**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "crisisdesk.settings"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
        for seed in ("1", "2")
    }
    assert len(keys) == 1
