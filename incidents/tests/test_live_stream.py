"""The live room's event stream, read over a real socket from uvicorn (the `live_server` fixture).

Writes come from the test (the same process as the server, as a page's POST under `make run`),
from another process (as the Celery worker's), with and without Redis in between.
"""

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from crisisdesk.testing import RedisServer, database_url_of_this_test, run_django
from crisisdesk.tests.test_asgi_serving import (
    BIN,
    free_port,
    server_env,
    wait_until_answering,
)
from incidents import services
from incidents.live import hub as live_hub
from incidents.models import Incident
from incidents.tests.conftest import open_incident
from incidents.tests.live_support import EventStream

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]


@pytest.fixture
def room(builtin_roles, org, team, roles):
    return open_incident(org, team, roles)


@pytest.fixture
def streams(live_server):
    opened = []

    def open_stream(user, incident=None, **kwargs) -> EventStream:
        path = f"/incidents/{incident.pk}/events/" if incident is not None else "/events/"
        query = "&".join(f"{key}={value}" for key, value in kwargs.pop("query", {}).items())
        stream = EventStream(f"{live_server.url}{path}?{query}", user, **kwargs)
        opened.append(stream)
        if stream.status == 200:
            stream.wait_for(lambda e: e.name == "hello", what="hello")
        return stream

    yield open_stream
    for stream in opened:
        stream.close()


def entry_with(text):
    return lambda event: event.name == "entry" and text in event.data["html"]


def test_the_stream_asks_the_rooms_permission(streams, room, team, outsider, roles):
    secret = open_incident(room.organization, team, roles, title="Leaked memo", restricted=True)
    assert streams(outsider, room).status == 404
    assert streams(team["member"], secret).status == 404
    assert streams(team["member"], room).status == 200  # an unrestricted incident: every member


def test_under_wsgi_the_stream_is_refused_at_once(room, team):
    client = Client()
    client.force_login(team["observer"])
    # In a thread of its own, as a WSGI worker's: Playwright may run an event loop in this one.
    with ThreadPoolExecutor(1) as wsgi_worker:
        answer = wsgi_worker.submit(client.get, f"/incidents/{room.pk}/events/").result()
    assert answer.status_code == 503  # the page then polls


def test_an_entry_reaches_every_viewer_within_a_second(streams, room, team):
    team["approver2"].language = "nl"
    team["approver2"].save()
    viewers = [streams(team[name], room) for name in ("observer", "spokesperson", "lead", "approver2")]
    posted = time.monotonic()
    entry = services.timeline_add(incident=room, acting_user=team["monitor"], body="Queue at 400 calls")
    for viewer in viewers:
        event = viewer.wait_for(entry_with("Queue at 400 calls"), timeout=1, what="the entry")
        assert event.data["id"] == entry.pk and event.id == str(entry.pk) and event.data["kind"] == "note"
        assert event.at - posted < 1
    assert "Notitie" in viewers[3].named("entry")[-1].data["html"]  # approver2 reads Dutch


def test_an_entry_from_another_process_arrives_within_the_databases_check(streams, room, team):
    viewer = streams(team["observer"], room)
    write_elsewhere(room, team["monitor"], ["Written by the worker"])
    viewer.wait_for(entry_with("Written by the worker"), timeout=2.5, what="the other process's entry")


def test_an_approval_changes_the_statement_for_everyone_and_pushes_no_token(streams, room, team, roles):
    services.role_assign(
        incident=room, user=team["approver"], role=roles["responder"], acting_user=team["lead"]
    )
    statement = services.statement_draft(incident=room, acting_user=team["approver"], body="We are on it.")
    services.statement_submit(statement=statement, acting_user=team["approver"])
    author, other, lead = (streams(team[name], room) for name in ("approver", "approver2", "lead"))
    services.statement_approve(statement=statement, acting_user=team["approver2"])
    for viewer in (author, other, lead):
        event = viewer.wait_for(
            lambda e: e.name == "statements" and "1 of 2 approvals" in e.data["html"],
            timeout=1,
            what="statements",
        )
        assert "csrfmiddlewaretoken" not in event.data["html"]
    # Approve is in the approvers' part, marked for the people who may not decide: its author
    # (four eyes) and approver2 (decided). room.js removes it for them (test_live_browser.py).
    html = author.named("statements")[-1].data["html"]
    assert (
        f'data-hide-for="{" ".join(str(pk) for pk in sorted([team["approver"].pk, team["approver2"].pk]))}"'
        in html
    )
    assert 'class="decision"' not in lead.named("statements")[-1].data["html"]  # the lead does not approve


def test_a_reconnect_with_last_event_id_catches_up_from_the_database(streams, room, team):
    first = streams(team["observer"], room)
    services.timeline_add(incident=room, acting_user=team["monitor"], body="Before the drop")
    seen = first.wait_for(entry_with("Before the drop"), what="the first entry")
    first.close()
    written = [
        services.timeline_add(incident=room, acting_user=team["monitor"], body=f"While away {n}")
        for n in range(3)
    ]
    again = streams(team["observer"], room, last_event_id=seen.id)
    again.wait_for(entry_with("While away 2"), what="the last missed entry")
    assert [event.data["id"] for event in again.named("entry")] == [entry.pk for entry in written]
    assert {"head", "statements", "tasks", "roles", "mentions"} <= {event.name for event in again.events}


def test_someone_removed_from_a_restricted_incident_stops_receiving_within_two_seconds(
    streams, builtin_roles, team, org, roles
):
    secret = open_incident(org, team, roles, title="Leaked memo", restricted=True)
    viewer = streams(team["observer"], secret)
    assignment = secret.role_assignments.get(user=team["observer"])
    removed = time.monotonic()
    services.role_remove(assignment=assignment, acting_user=team["lead"])
    viewer.wait_for(lambda e: e.name == "revoked", timeout=2, what="revoked")
    assert viewer.ended.wait(2) and time.monotonic() - removed < 2
    services.timeline_add(incident=secret, acting_user=team["lead"], body="Not for the observer")
    time.sleep(0.3)
    assert not [event for event in viewer.events if "Not for the observer" in str(event.data)]


def test_presence_names_the_people_with_a_role_and_counts_the_rest(streams, room, team):
    streams(team["observer"], room)
    lead = streams(team["lead"], room)
    streams(team["member"], room)  # no role on the incident
    lead.wait_for(
        lambda e: e.name == "presence"
        and "Lead" in e.data["html"]
        and "Observer" in e.data["html"]
        and "1 other" in e.data["html"],
        timeout=4,
        what="presence of three",
    )
    assert "Member" not in lead.named("presence")[-1].data["html"]


def test_a_stream_beats_and_ends_so_the_browser_reconnects(streams, room, team, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.2
    settings.LIVE_STREAM_SECONDS = 1.5
    viewer = streams(team["observer"], room)
    assert viewer.ended.wait(3), "the stream did not end"
    assert viewer.comments >= 3


def test_the_bell_is_pushed_to_every_page_of_its_person(streams, room, team, roles):
    page = streams(team["member"])  # the dashboard, say: no room
    services.role_assign(incident=room, user=team["member"], role=roles["approver"], acting_user=team["lead"])
    room.organization.two_factor_required = True
    room.organization.save()
    # Being given a role that speaks for the brand without two-factor brings a notification.
    services.role_assign(
        incident=room, user=team["member"], role=roles["spokesperson"], acting_user=team["lead"]
    )
    page.wait_for(lambda e: e.name == "bell" and e.data["unread"] >= 1, timeout=2, what="the bell")


class TestWithRedis:
    @pytest.fixture
    def redis_events(self, settings, live_server):
        redis = RedisServer().start()
        settings.LIVE_EVENTS_URL = redis.url
        settings.LIVE_CHECK_SECONDS = 30  # so only Redis (or the catch-up after it) can bring news
        yield redis
        redis.stop()
        settings.LIVE_EVENTS_URL = ""
        live_hub.hub.wake()

    def test_a_write_in_another_process_arrives_through_redis_at_once(
        self, redis_events, streams, room, team
    ):
        viewer = streams(team["observer"], room)
        time.sleep(0.5)  # the hub's subscription is made
        write_elsewhere(room, team["monitor"], ["Through Redis"], LIVE_EVENTS_URL=redis_events.url)
        viewer.wait_for(entry_with("Through Redis"), timeout=1.5, what="the entry through Redis")

    def test_a_redis_restart_in_the_middle_of_writes_loses_nothing(self, redis_events, streams, room, team):
        viewer = streams(team["observer"], room)
        time.sleep(0.5)
        bodies = [f"Storm update {n}" for n in range(12)]
        writer = write_elsewhere(
            room, team["monitor"], bodies, LIVE_EVENTS_URL=redis_events.url, pause=0.15, wait=False
        )
        time.sleep(0.6)
        redis_events.stop()
        time.sleep(0.6)
        redis_events.start()  # the same port, nothing kept: every subscriber has to subscribe again
        assert writer.wait(30) == 0
        viewer.wait_for(entry_with(bodies[-1]), timeout=5, what="the last entry")
        got = [event.data["html"] for event in viewer.named("entry")]
        for body in bodies:
            assert sum(body + "<" in html or body + "\n" in html for html in got) == 1, body

    def test_two_web_processes_share_presence_and_entries(
        self, redis_events, streams, room, team, live_server
    ):
        """A second web process (a real uvicorn, as docker-compose runs two): its viewers are in the
        presence of this one's, and an entry written here reaches its streams through Redis."""
        port = free_port()
        env = server_env(
            DATABASE_URL=database_url_of_this_test(), DEBUG="1", LIVE_EVENTS_URL=redis_events.url
        )
        command = [
            str(BIN / "uvicorn"),
            "crisisdesk.asgi:application",
            "--port",
            str(port),
            "--lifespan",
            "off",
        ]
        other = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            wait_until_answering(f"http://127.0.0.1:{port}/healthz", other)
            here = streams(team["observer"], room)
            there = EventStream(f"http://127.0.0.1:{port}/incidents/{room.pk}/events/", team["lead"])
            try:
                there.wait_for(lambda e: e.name == "hello", what="hello from the other process")
                for stream in (here, there):
                    stream.wait_for(
                        lambda e: e.name == "presence"
                        and "Lead" in e.data["html"]
                        and "Observer" in e.data["html"],
                        timeout=5,
                        what="presence of both processes",
                    )
                services.timeline_add(incident=room, acting_user=team["monitor"], body="To the other process")
                there.wait_for(entry_with("To the other process"), timeout=1.5, what="the entry over Redis")
            finally:
                there.close()
        finally:
            other.terminate()
            other.wait(15)


# --- a writer in another process ------------------------------------------------------------------

WRITER = """
import sys, time
from accounts.models import User
from incidents import services
from incidents.models import Incident
incident, user = Incident.objects.get(pk=int(sys.argv[1])), User.objects.get(pk=int(sys.argv[2]))
pause = float(sys.argv[3])
for body in sys.argv[4:]:
    services.timeline_add(incident=incident, acting_user=user, body=body)
    time.sleep(pause)
"""


def write_elsewhere(incident, user, bodies, *, pause=0.0, wait=True, **env):
    """Timeline entries written by a process of its own on the test's database."""
    return run_django(WRITER, str(incident.pk), str(user.pk), str(pause), *bodies, wait=wait, **env)


def test_every_room_write_moves_the_change_counter(room, team, roles):
    def version():
        return Incident.objects.get(pk=room.pk).live_version

    steps = [
        lambda: services.timeline_add(incident=room, acting_user=team["monitor"], body="x"),
        lambda: services.task_create(incident=room, acting_user=team["lead"], title="Call IT"),
        lambda: services.task_complete(task=room.tasks.get(title="Call IT"), acting_user=team["lead"]),
        lambda: services.role_assign(
            incident=room, user=team["member"], role=roles["observer"], acting_user=team["lead"]
        ),
        lambda: services.role_remove(
            assignment=room.role_assignments.get(user=team["member"]), acting_user=team["lead"]
        ),
        lambda: services.incident_update(incident=room, acting_user=team["lead"], title="App down again"),
        lambda: services.incident_transition(incident=room, to="acknowledged", acting_user=team["lead"]),
        lambda: services.statement_draft(incident=room, acting_user=team["responder"], body="We are on it."),
    ]
    for step in steps:
        before = version()
        step()
        assert version() > before, step
    # Saving an instance read earlier never sets the counter back.
    stale = Incident.objects.get(pk=room.pk)
    services.timeline_add(incident=room, acting_user=team["monitor"], body="y")
    moved = version()
    stale.summary = "Saved from an old copy"
    stale.save()
    assert version() == moved


def test_a_room_whose_timeline_only_grew_is_not_rendered_again(room, team):
    """Entries alone bring entries; any other write brings the room's parts again."""
    from incidents.live import tick
    from incidents.live.render import Kind

    kind = Kind("en", "Europe/Amsterdam", frozenset({"view_incident"}))

    def look(version, cursor):
        plan = tick.RoomPlan(
            version=version, cursor=cursor, kinds={kind}, behind=cursor, full=set(), refresh=False,
            presence=None, role_holders=set(),
        )  # fmt: skip
        return tick.run(tick.Plan(rooms={room.pk: plan}, rights=[], feed_asks=[], feed_tokens={})).rooms[
            room.pk
        ]

    first = look(None, 0)
    assert first.parts is not None
    cursor = first.entries[-1][0]
    services.timeline_add(incident=room, acting_user=team["monitor"], body="Only an entry")
    entries_only = look(first.version, cursor)
    assert [entry_id for entry_id, _html in entries_only.entries] == [
        cursor + 1
    ] and entries_only.parts is None
    services.task_create(incident=room, acting_user=team["lead"], title="Call IT")
    with_a_task = look(entries_only.version, cursor + 1)
    assert "Call IT" in with_a_task.parts[kind]["tasks"]
