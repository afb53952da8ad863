"""The live feed `approvals`: what waits for each person's decision, for everyone in one batch.

Against the real database: the batch the hub asks every second must say, for every person,
what `statements_waiting_for` says (the dashboard's list), in a number of queries that does
not grow with the people asked; and an approver's own stream hears of a statement submitted
by someone else.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from crisisdesk.errors import DomainError
from incidents import selectors, services
from incidents.live import approval_feed, feeds
from incidents.models import Statement
from incidents.tests.conftest import open_incident
from incidents.tests.live_support import EventStream

pytestmark = pytest.mark.django_db


def waiting_ids(user_ids) -> dict[int, list[int]]:
    return {
        user_id: [statement.pk for statement in statements]
        for user_id, statements in approval_feed.waiting_many(user_ids).items()
    }


def submitted(incident, author, body):
    statement = services.statement_draft(incident=incident, acting_user=author, body=body)
    return services.statement_submit(statement=statement, acting_user=author)


@pytest.fixture
def world(org, team, roles, outsider):
    """Two statements waiting on a high incident (two approvals needed), one of them decided by
    `approver` already; one written by `approver` themself; a draft; a restricted incident."""
    incident = open_incident(org, team, roles)
    services.role_assign(
        incident=incident, user=team["approver"], role=roles["responder"], acting_user=team["lead"]
    )
    first = submitted(incident, team["responder"], "We know the app is down.")
    services.statement_approve(statement=first, acting_user=team["approver"])  # 1 of 2: still waiting
    second = submitted(incident, team["spokesperson"], "We are on it.")
    own = submitted(incident, team["approver"], "Written by an approver.")
    services.statement_draft(incident=incident, acting_user=team["responder"], body="Not submitted.")
    secret = open_incident(org, team, roles, title="Leaked memo", restricted=True)
    services.role_remove(
        assignment=secret.role_assignments.get(user=team["approver2"]), acting_user=team["lead"]
    )
    hidden = submitted(secret, team["responder"], "About the memo.")
    return {"incident": incident, "first": first, "second": second, "own": own, "hidden": hidden}


def test_the_batch_says_what_statements_waiting_for_says_for_each_person(world, team, outsider):
    people = {
        "author": team["responder"],
        "decided approver": team["approver"],  # decided the first, wrote `own`
        "undecided approver": team["approver2"],  # no role on the restricted incident
        "observer": team["observer"],
        "outsider": outsider,
        "member without a role": team["member"],
        "lead": team["lead"],
    }
    batch = waiting_ids(user.pk for user in people.values())
    for who, user in people.items():
        expected = list(selectors.statements_waiting_for(user).values_list("pk", flat=True))
        assert batch.get(user.pk, []) == expected, who
    # And the cases are real ones: the undecided approver has three waiting, the other approver one.
    assert batch[team["approver2"].pk] == [world["first"].pk, world["second"].pk, world["own"].pk]
    assert batch[team["approver"].pk] == [world["second"].pk, world["hidden"].pk]
    assert team["observer"].pk not in batch and outsider.pk not in batch


def test_an_approver_who_edited_the_text_is_not_asked_to_approve_it(world, team, roles):
    """Four eyes count whoever wrote the current revision, not only the author (check_decision_by)."""
    incident, statement = world["incident"], world["second"]
    services.role_assign(
        incident=incident, user=team["approver2"], role=roles["responder"], acting_user=team["lead"]
    )
    statement = services.statement_edit(
        statement=statement,
        acting_user=team["approver2"],
        body="We are on it, sorry.",
        version=statement.version,
    )
    services.statement_submit(statement=statement, acting_user=team["spokesperson"])
    statement = Statement.objects.get(pk=statement.pk)
    with pytest.raises(DomainError):
        statement.check_decision_by(team["approver2"], approvals=[])
    assert statement.pk not in waiting_ids([team["approver2"].pk]).get(team["approver2"].pk, [])
    assert statement.pk in waiting_ids([team["approver"].pk])[team["approver"].pk]  # revision 2: anew


def test_a_statement_on_a_closed_incident_waits_for_nobody(world, org, team, roles):
    """It can no longer be decided (check_decidable), so it is not in the feed, and pending
    statements left on closed incidents do not pile up in what the hub reads every second."""
    incident = open_incident(org, team, roles, title="Old outage")
    statement = submitted(incident, team["responder"], "Back to normal.")
    incident.status = "closed"
    incident.save(update_fields=["status"])
    with pytest.raises(DomainError):
        Statement.objects.select_related("incident").get(pk=statement.pk).check_decidable()
    assert statement.pk not in waiting_ids([team["approver"].pk])[team["approver"].pk]


def test_the_token_moves_with_a_submission_and_a_decision(world, team):
    approver2 = team["approver2"].pk

    def token():
        return approval_feed.feed.tokens({approver2}).get(approver2)

    before = token()
    assert approval_feed.feed.data(approver2, before)["count"] == 3
    late = submitted(world["incident"], team["responder"], "A fourth one.")
    after_submit = token()
    assert after_submit != before
    data = approval_feed.feed.data(approver2, after_submit)
    assert data["count"] == 4 and data["newest"] == int(late.submitted_at.timestamp() * 1000)
    services.statement_approve(statement=late, acting_user=team["approver2"])
    decided = token()
    assert decided != after_submit and approval_feed.feed.data(approver2, decided)["count"] == 3
    assert approval_feed.feed.data(approver2, decided)["newest"] < data["newest"]  # not news


def test_the_queries_do_not_grow_with_the_people_asked(world, org, team, roles, outsider):
    few = {team[name].pk for name in ("responder", "approver", "approver2", "observer")} | {outsider.pk}
    many = set(few)
    for n in range(25):
        user = make_user(f"approver{n + 3}", organization=org)
        services.role_assign(
            incident=world["incident"], user=user, role=roles["approver"], acting_user=team["lead"]
        )
        many.add(user.pk)
    with CaptureQueriesContext(connection) as asked_few:
        approval_feed.feed.tokens(few)
    with CaptureQueriesContext(connection) as asked_many:
        tokens = approval_feed.feed.tokens(many)
    assert len(asked_many) == len(asked_few) <= 5, [q["sql"] for q in asked_many.captured_queries]
    assert sum(1 for token in tokens.values() if len(token) == 3) == 26  # approver2 and the 25


def test_the_feed_is_registered_for_every_page():
    assert "approvals" in feeds._feeds


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_a_statement_submitted_by_someone_else_reaches_the_approvers_page(
    live_server, builtin_roles, org, team, roles
):
    incident = open_incident(org, team, roles)
    page = EventStream(f"{live_server.url}/events/", team["approver2"])  # the dashboard, say
    try:
        page.wait_for(lambda e: e.name == "hello", what="hello")
        statement = submitted(incident, team["responder"], "We know the app is down.")
        # Found by the hub's look at every feed once a second (nothing names the approvers).
        event = page.wait_for(lambda e: e.name == "approvals", timeout=2.5, what="approvals")
        assert event.data == {"count": 1, "newest": int(statement.submitted_at.timestamp() * 1000)}
        services.statement_approve(statement=statement, acting_user=team["approver2"])
        page.wait_for(lambda e: e.name == "approvals" and e.data["count"] == 0, timeout=2.5, what="decided")
    finally:
        page.close()


def test_the_dashboard_answers_its_waiting_region_alone(world, team):
    """What the page reads again when the feed moves (static/js/pages.js): that region only."""
    client = Client()
    client.force_login(team["approver2"])
    part = client.get("/?part=approvals").content.decode()
    assert part.startswith('<section class="card" id="dashboard-waiting"') and "<html" not in part
    for statement in (world["first"], world["second"], world["own"]):
        assert f'id="waiting-{statement.pk}"' in part
    page = client.get("/").content.decode()
    assert 'id="dashboard-waiting"' in page and 'data-live-refresh="approvals"' in page
