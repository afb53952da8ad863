"""One rule, one place: what the room shows, the API accepts and the database keeps agree.

A closed incident takes no statement work and no tasks (its timeline still takes notes and
corrections); any entry may be corrected from the room; "not in the future" is one rule; a
statement's allowed actions come from the model; the timeline is append-only in the database.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts import services as accounts_services
from crisisdesk.errors import DomainError
from crisisdesk.testing import Answer
from incidents import services
from incidents.models import Channel, Incident, PostMortem, Publication, Statement, TimelineEntry
from incidents.postmortem import metrics
from incidents.services import postmortem as postmortem_services
from incidents.services import publishing
from incidents.tests.conftest import act, api_as, draft, open_incident

pytestmark = pytest.mark.django_db

ALL_ACTIONS = {"submit", "approve", "request-changes", "publish", "edit", "withdraw", "cancel"}


def walk(incident, team, *statuses):
    for status in statuses:
        services.incident_transition(incident=incident, to=status, acting_user=team["lead"])


def resolve(incident, team):
    walk(incident, team, "acknowledged", "responding", "monitoring", "resolved")


def close(incident, team):
    resolve(incident, team)
    postmortem_services.postmortem_update(
        incident=incident, acting_user=team["lead"], summary="Done.", status=PostMortem.Status.COMPLETED
    )
    walk(incident, team, "closed")


def approved(incident, team) -> dict:
    statement = draft(incident, team)
    act(team, "responder", statement["id"], "submit")
    act(team, "approver", statement["id"], "approve")
    return act(team, "approver2", statement["id"], "approve").json()


@pytest.fixture
def channels(org):
    """The default channel is posted by hand (confirmed at once); the webhook's posts stay queued,
    since a test's transaction never commits and so never hands them to the worker."""
    manual = Channel.objects.create(organization=org, kind="manual", name="Website", is_default=True)
    hook = Channel.objects.create(
        organization=org, kind="webhook", name="Hook", url="http://127.0.0.1:9/hook", secret="k"
    )
    return {"manual": manual, "webhook": hook}


def publish(team, statement_id, channel, who="spokesperson"):
    payload = {"channel": channel.pk}
    if channel.kind == "manual":
        payload["url"] = "https://lumen.example/statement"
    return act(team, who, statement_id, "publish", payload)


# --- a closed incident ---------------------------------------------------------------------------


class TestAClosedIncident:
    def test_it_takes_no_new_statement(self, incident, team):
        close(incident, team)
        response = api_as(team["responder"]).post(
            f"/api/v1/incidents/{incident.pk}/statements/", {"body": "Late words", "language": "en"}
        )
        assert response.status_code == 409
        assert "closed" in response.json()["detail"]
        assert not Statement.objects.filter(body="Late words").exists()

    @pytest.mark.parametrize(
        ("verb", "who", "state"),
        [
            ("submit", "responder", "draft"),
            ("withdraw", "responder", "draft"),
            ("edit", "responder", "draft"),
            ("approve", "approver", "pending_approval"),
            ("request-changes", "approver", "pending_approval"),
            ("publish", "spokesperson", "approved"),
        ],
    )
    def test_its_statements_take_no_step(self, verb, who, state, incident, team, channels):
        before = Statement.objects.get(pk=in_state(state, incident, team, channels))
        assert before.status == state
        close(incident, team)
        client = api_as(team[who])
        if verb == "edit":
            response = client.patch(
                f"/api/v1/statements/{before.pk}/", {"body": "New", "version": before.version}, format="json"
            )
        elif verb == "publish":
            response = publish(team, before.pk, channels["manual"], who=who)
        else:
            response = client.post(f"/api/v1/statements/{before.pk}/{verb}/", {}, format="json")
        assert response.status_code == 409, response.content
        after = Statement.objects.get(pk=before.pk)
        assert (after.status, after.version, after.body) == (before.status, before.version, before.body)
        assert not Publication.objects.filter(statement=after).exists()

    def test_it_cannot_close_while_a_post_is_on_its_way(self, incident, team, channels):
        statement = approved(incident, team)
        assert publish(team, statement["id"], channels["webhook"]).status_code == 202
        resolve(incident, team)
        postmortem_services.postmortem_update(
            incident=incident, acting_user=team["lead"], summary="Done.", status=PostMortem.Status.COMPLETED
        )
        client = api_as(team["lead"])
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/transition/", {"to": "closed"}, format="json"
        )
        assert response.status_code == 409
        assert "still being published" in response.json()["detail"]
        publication = Publication.objects.get(statement_id=statement["id"])
        assert client.post(f"/api/v1/publications/{publication.pk}/cancel/").status_code == 200
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/transition/", {"to": "closed"}, format="json"
        )
        assert response.status_code == 200

    def test_a_post_queued_before_closing_is_neither_cancelled_nor_sent(
        self, incident, team, channels, local_server
    ):
        """A post left queued on a closed incident (from before the rule above): the worker stops
        it without posting, and cancelling it is refused like every other statement action."""
        server = local_server(lambda request: Answer(200, {"id": "never"}))
        Channel.objects.filter(pk=channels["webhook"].pk).update(url=server.url)
        statement = approved(incident, team)
        assert publish(team, statement["id"], channels["webhook"]).status_code == 202
        close_despite_the_queue(incident, team)
        publication = Publication.objects.get(statement_id=statement["id"])
        response = api_as(team["spokesperson"]).post(f"/api/v1/publications/{publication.pk}/cancel/")
        assert response.status_code == 409
        assert publishing.publication_send(publication_id=publication.pk) == "stopped"
        assert server.received == []
        publication.refresh_from_db()
        assert publication.status == Publication.Status.CANCELLED
        assert incident.timeline.filter(body__contains="the incident was closed").exists()

    def test_it_takes_no_task_and_no_change_to_one(self, incident, team):
        task = services.task_create(incident=incident, acting_user=team["lead"], title="Call IT")
        close(incident, team)
        client = api_as(team["lead"])
        created = client.post(f"/api/v1/incidents/{incident.pk}/tasks/", {"title": "Late"}, format="json")
        changed = client.patch(f"/api/v1/tasks/{task.pk}/", {"title": "Renamed"}, format="json")
        completed = client.post(f"/api/v1/tasks/{task.pk}/complete/")
        assert (created.status_code, changed.status_code, completed.status_code) == (409, 409, 409)
        task.refresh_from_db()
        assert (task.title, task.completed_at, incident.tasks.count()) == ("Call IT", None, 1)

    def test_its_timeline_still_takes_notes_and_corrections(self, incident, team):
        close(incident, team)
        client = api_as(team["lead"])
        closing = incident.timeline.filter(kind="status_change").last()
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/timeline/",
            {"body": "Closed a day later, in fact", "corrects": closing.pk},
            format="json",
        )
        assert response.status_code == 201

    def test_the_room_offers_none_of_it(self, client, incident, team):
        services.statement_draft(incident=incident, acting_user=team["responder"], body="Draft words")
        services.task_create(incident=incident, acting_user=team["lead"], title="Call IT")
        close(incident, team)
        client.force_login(team["lead"])
        html = client.get(f"/incidents/{incident.pk}/").content.decode()
        assert "Draft words" in html and "Call IT" in html
        for marker in ("New statement", "Submit for approval", "Save the text", "Withdraw", "Add a task"):
            assert marker not in html, marker
        assert 'id="entry-box"' in html  # the timeline still takes an entry

    def test_the_room_refuses_a_draft_or_a_task_with_a_message(self, client, incident, team):
        """A form sent from a room opened before the incident closed: refused, never a 500."""
        close(incident, team)
        client.force_login(team["lead"])
        draft_answer = client.post(
            f"/incidents/{incident.pk}/statements/",
            {"draft-body": "Late words", "draft-language": "en"},
            follow=True,
        )
        task_answer = client.post(f"/incidents/{incident.pk}/tasks/", {"task-title": "Late"}, follow=True)
        for answer in (draft_answer, task_answer):
            assert answer.status_code == 200
            assert "This incident is closed" in answer.content.decode()
        assert not incident.statements.exists() and not incident.tasks.filter(title="Late").exists()

    def test_a_resolved_incident_still_takes_its_closing_statement_in_the_room(self, client, incident, team):
        resolve(incident, team)
        client.force_login(team["responder"])
        assert "New statement" in client.get(f"/incidents/{incident.pk}/").content.decode()
        response = client.post(
            f"/incidents/{incident.pk}/statements/", {"draft-body": "It is fixed.", "draft-language": "en"}
        )
        assert response.status_code == 302
        assert incident.statements.filter(body="It is fixed.").exists()


def close_despite_the_queue(incident, team):
    """Close as the rule would not allow (a post still queued): the state older data may be in."""
    resolve(incident, team)
    postmortem_services.postmortem_update(
        incident=incident, acting_user=team["lead"], summary="Done.", status=PostMortem.Status.COMPLETED
    )
    Incident.objects.filter(pk=incident.pk).update(status="closed", closed_at=timezone.now())


# --- corrections and "not in the future" ---------------------------------------------------------


class TestCorrectingFromTheRoom:
    def test_every_kind_of_entry_offers_correct(self, client, incident, team):
        walk(incident, team, "acknowledged")
        client.force_login(team["monitor"])
        html = client.get(f"/incidents/{incident.pk}/").content.decode()
        for entry in incident.timeline.exclude(kind="note"):
            assert f"?corrects={entry.pk}" in html, entry.kind

    def test_a_status_entry_corrected_in_the_room_changes_the_figures(self, client, incident, team):
        detected = timezone.localtime() - timedelta(hours=1)
        Incident.objects.filter(pk=incident.pk).update(detected_at=detected)
        walk(incident, team, "acknowledged")  # an hour in, by the record
        acknowledged = incident.timeline.get(kind="status_change")
        really = detected + timedelta(minutes=7)
        client.force_login(team["monitor"])
        form = client.get(f"/incidents/{incident.pk}/timeline/add/?corrects={acknowledged.pk}").content
        assert "Correcting:" in form.decode()
        response = client.post(
            f"/incidents/{incident.pk}/timeline/add/",
            {
                "entry-body": "We acknowledged at 7 minutes in",
                "entry-occurred_at": really.strftime("%Y-%m-%dT%H:%M:%S"),
                "entry-corrects": acknowledged.pk,
            },
        )
        assert response.status_code == 302
        assert metrics(Incident.objects.get(pk=incident.pk))["time_to_acknowledge_s"] == pytest.approx(
            7 * 60, abs=1
        )


class TestNotInTheFuture:
    def test_the_room_and_the_api_allow_the_same_clock_skew(self, client, incident, team):
        soon = timezone.localtime() + timedelta(seconds=2)
        client.force_login(team["monitor"])
        response = client.post(
            f"/incidents/{incident.pk}/timeline/add/",
            {"entry-body": "Just now, by my watch", "entry-occurred_at": soon.strftime("%Y-%m-%dT%H:%M:%S")},
        )
        assert response.status_code == 302
        api = api_as(team["monitor"]).post(
            f"/api/v1/incidents/{incident.pk}/timeline/",
            {"body": "Just now, by my phone", "occurred_at": soon.isoformat()},
            format="json",
        )
        assert api.status_code == 201

    def test_the_room_and_the_api_refuse_the_future_with_the_same_words(self, client, incident, team):
        later = timezone.localtime() + timedelta(minutes=10)
        client.force_login(team["monitor"])
        page = client.post(
            f"/incidents/{incident.pk}/timeline/add/",
            {"entry-body": "Prophecy", "entry-occurred_at": later.strftime("%Y-%m-%dT%H:%M")},
        )
        api = api_as(team["monitor"]).post(
            f"/api/v1/incidents/{incident.pk}/timeline/",
            {"body": "Prophecy", "occurred_at": later.isoformat()},
            format="json",
        )
        assert (page.status_code, api.status_code) == (400, 400)
        message = api.json()["occurred_at"][0]
        assert message in page.content.decode().replace("&#x27;", "'")
        assert not incident.timeline.filter(body="Prophecy").exists()


# --- the statement's allowed actions ---------------------------------------------------------------


def in_state(state, incident, team, channels) -> int:
    """A statement of `incident` in `state`, made through the API; answers its id."""
    statement = draft(incident, team)["id"]
    if state == "draft":
        return statement
    if state == "withdrawn":
        act(team, "responder", statement, "withdraw")
        return statement
    act(team, "responder", statement, "submit")
    if state == "pending_approval":
        return statement
    if state == "changes_requested":
        act(team, "approver", statement, "request-changes")
        return statement
    act(team, "approver", statement, "approve")
    act(team, "approver2", statement, "approve")
    if state == "publishing":
        assert publish(team, statement, channels["webhook"]).status_code == 202
    elif state == "published":
        assert publish(team, statement, channels["manual"]).status_code == 202
    elif state == "closed":
        close(incident, team)
    return statement


def attempt(verb, statement_id, team, channels):
    """Try `verb` as someone whose role allows it (and who did not write the text)."""
    statement = Statement.objects.get(pk=statement_id)
    if verb == "edit":
        return api_as(team["responder"]).patch(
            f"/api/v1/statements/{statement_id}/", {"body": "Other words", "version": statement.version}
        )
    if verb == "publish":
        taken = set(statement.publications.values_list("channel__kind", flat=True))
        channel = channels["manual"] if "manual" not in taken else channels["webhook"]
        return publish(team, statement_id, channel)
    if verb == "cancel":
        publication = statement.publications.first()
        if publication is None:
            return None  # nothing to cancel: no endpoint to call at all
        return api_as(team["spokesperson"]).post(f"/api/v1/publications/{publication.pk}/cancel/")
    who = "approver" if verb in ("approve", "request-changes") else "responder"
    return act(team, who, statement_id, verb)


STATES = {
    "draft": {"submit", "edit", "withdraw"},
    "pending_approval": {"approve", "request-changes", "edit", "withdraw"},
    "changes_requested": {"edit", "withdraw"},
    "approved": {"publish", "edit", "withdraw"},
    "publishing": {"publish", "cancel"},  # on another channel; the queued post may be stopped
    "published": {"publish"},  # on further channels
    "withdrawn": set(),
    "closed": set(),  # approved, on an incident closed since
}


class TestAllowedActions:
    @pytest.mark.parametrize("state", STATES)
    def test_the_api_answers_what_the_state_allows(self, state, incident, team, channels):
        statement = in_state(state, incident, team, channels)
        body = api_as(team["observer"]).get(f"/api/v1/statements/{statement}/").json()
        assert set(body["actions"]) == STATES[state]

    @pytest.mark.parametrize("verb", sorted(ALL_ACTIONS))
    @pytest.mark.parametrize("state", STATES)
    def test_what_it_allows_succeeds_and_the_rest_is_a_409(self, state, verb, incident, team, channels):
        statement = in_state(state, incident, team, channels)
        allowed = verb in Statement.objects.get(pk=statement).allowed_actions()
        response = attempt(verb, statement, team, channels)
        if response is None:
            assert not allowed
            return
        assert response.status_code == ((202 if verb == "publish" else 200) if allowed else 409), (
            response.content
        )

    def test_the_room_shows_the_buttons_of_the_allowed_actions(self, client, incident, team, channels):
        statement = in_state("publishing", incident, team, channels)
        client.force_login(team["lead"])  # drafts and publishes
        html = client.get(f"/incidents/{incident.pk}/").content.decode()
        assert "Cancel this post" in html and "Publish on this channel too" not in html
        assert "Save the text" not in html and "Withdraw" not in html
        assert f"/statements/{statement}/publish/" in html  # on the channel it is not on yet

    def test_the_model_refuses_what_it_does_not_list(self, incident, team, channels):
        statement = Statement.objects.get(pk=in_state("published", incident, team, channels))
        assert statement.allowed_actions() == ["publish"]
        with pytest.raises(DomainError):
            statement.submit()
        with pytest.raises(DomainError):
            statement.withdraw(publishing=False)


# --- the timeline in the database ----------------------------------------------------------------


def refused(write):
    """Run `write` in a savepoint and answer the database's error (the test's transaction goes on)."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        write()
    return error.value


class TestAppendOnlyInTheDatabase:
    def test_a_queryset_update_is_refused(self, incident):
        entry = incident.timeline.first()
        error = refused(lambda: TimelineEntry.objects.filter(pk=entry.pk).update(body="rewritten"))
        assert isinstance(error, IntegrityError) and "append-only" in str(error)
        assert TimelineEntry.objects.get(pk=entry.pk).body == entry.body

    def test_raw_sql_cannot_update_or_delete_an_entry(self, incident):
        entry = incident.timeline.first()
        table = TimelineEntry._meta.db_table

        def execute(sql):
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])

        assert isinstance(
            refused(lambda: execute(f"UPDATE {table} SET body = 'x' WHERE id = %s")), IntegrityError
        )
        assert isinstance(refused(lambda: execute(f"DELETE FROM {table} WHERE id = %s")), IntegrityError)
        assert TimelineEntry.objects.filter(pk=entry.pk, body=entry.body).exists()

    def test_a_queryset_delete_is_refused(self, incident):
        count = incident.timeline.count()
        error = refused(lambda: TimelineEntry.objects.filter(incident=incident).delete())
        assert isinstance(error, IntegrityError)
        assert incident.timeline.count() == count

    def test_an_incident_or_a_person_with_entries_is_not_deleted(self, incident, team):
        with pytest.raises(ProtectedError):
            Incident.objects.get(pk=incident.pk).delete()
        services.timeline_add(incident=incident, acting_user=team["monitor"], body="Seen it")
        with pytest.raises(ProtectedError):
            team["monitor"].delete()
        assert Incident.objects.filter(pk=incident.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_timeline_and_the_guard_comes_back(builtin_roles, org, team, roles):
    """Tests and resets empty the database with `flush` (a DELETE on SQLite, a TRUNCATE on PostgreSQL)."""
    open_incident(org, team, roles)
    call_command("flush", "--noinput", verbosity=0)
    assert TimelineEntry.objects.count() == Incident.objects.count() == 0
    organization = accounts_services.organization_create(name="Again", slug="again")
    incident = Incident.objects.create(organization=organization, title="After the flush")
    TimelineEntry.objects.create(incident=incident, body="A new record")
    error = refused(lambda: TimelineEntry.objects.filter(incident=incident).update(body="rewritten"))
    assert isinstance(error, IntegrityError)
    assert isinstance(
        refused(lambda: TimelineEntry.objects.filter(incident=incident).delete()), IntegrityError
    )


@pytest.mark.postgresql
def test_on_postgresql_the_refusal_is_a_restrict_violation(incident):
    """SQLSTATE 23001, which psycopg and Django raise as an IntegrityError."""
    entry = incident.timeline.first()
    error = refused(lambda: TimelineEntry.objects.filter(pk=entry.pk).update(body="rewritten"))
    assert error.__cause__.sqlstate == "23001"
    error = refused(lambda: TimelineEntry.objects.filter(pk=entry.pk).delete())
    assert error.__cause__.sqlstate == "23001"
