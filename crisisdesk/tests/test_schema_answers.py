"""Every real answer of the API matches /api/schema/, as a strict generated client reads it.

The demo data plus what the services make of it (statements in every state, publications
queued, cancelled and sent, channels of every kind, a closed incident with its post-mortem,
alerts new, dismissed and escalated) are read through every GET operation of the schema, list
and detail, with real ids, as several people; each answer (status code, content type, body)
is validated with openapi-core, and so are the requests we sent. A set of writes and their
documented refusals (400, 403, 404, 409) is validated the same way. Every mismatch is
collected first, then reported at once.
"""

import io
import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIResponse
from openapi_core.testing import MockRequest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organization, User
from incidents import services
from incidents.models import Incident, Statement
from incidents.services import channels, postmortem
from incidents.tests.conftest import open_incident
from monitoring import services as monitoring_services
from monitoring.models import Alert, AlertRule, Mention, Source
from playbooks import services as playbook_services

# Detail paths whose ids come from a list at another path, and the field holding them.
ROWS_FROM = {
    "/api/v1/tasks/": "/api/v1/incidents/{incident_pk}/tasks/",
    "/api/v1/publications/": "/api/v1/statements/",  # each statement's `publications`
}
KEY_OF = {"members/": "user", "revisions/": "number"}


class Checker:
    """Calls the API as someone and validates the request and the answer against the schema."""

    def __init__(self, spec: OpenAPI, mismatches: list[str]):
        self.spec = spec
        self.mismatches = mismatches

    def call(self, who: User | None, method: str, path: str, body=None, *, expect=None, auth=None):
        """The answer's status and body; what differs from the schema (or from `expect`) is noted."""
        if who is not None:
            auth = f"Token {Token.objects.get_or_create(user=who)[0].key}"
        client = APIClient()
        headers = {"Authorization": auth} if auth else {}
        if auth:
            client.credentials(HTTP_AUTHORIZATION=auth)
        raw = json.dumps(body).encode() if body is not None else b""
        if raw:
            headers["Content-Type"] = "application/json"
        response = getattr(client, method)(
            path, data=raw or None, content_type="application/json" if raw else None
        )
        caller = who.username if who else (auth or "nobody").split()[0]
        label = f"{method.upper()} {path} as {caller} → {response.status_code}"
        if expect is not None and response.status_code != expect:
            self.mismatches.append(f"{label}: expected {expect}: {response.content[:300]!r}")
        parts = urlsplit(path)  # openapi-core finds the operation and its path parameters from the path
        request = MockRequest(
            "http://testserver",
            method,
            parts.path,
            args=dict(parse_qsl(parts.query)),
            headers=headers,
            data=raw,
            content_type=headers.get("Content-Type", ""),
        )
        if auth and response.status_code != 400:  # a 400 is answered to what we sent wrong on purpose
            for error in self.spec.iter_request_errors(request):
                self.mismatches.append(f"{label}: request: {_explain(error)}")
        for error in self.spec.iter_response_errors(request, DjangoOpenAPIResponse(response)):
            self.mismatches.append(f"{label}: answer: {_explain(error)}")
        try:
            return response.status_code, response.json() if response.content else None
        except ValueError:
            return response.status_code, None


def _explain(error: Exception) -> str:
    """What is wrong, where: openapi-core nests the schema's own errors in the causes."""
    reasons = [type(error).__name__]
    cause = error.__cause__
    while cause is not None:
        details = getattr(cause, "schema_errors", None)
        if details:
            reasons += [f"{list(each.absolute_path)}: {each.message[:200]}" for each in details]
        else:
            reasons.append(str(cause)[:200])
        cause = cause.__cause__
    return " | ".join(reasons if len(reasons) > 1 else [str(error)[:300]])


def _rows(answer) -> list[dict]:
    if isinstance(answer, dict) and "results" in answer:
        return answer["results"]
    if isinstance(answer, list):
        return answer
    return [answer] if isinstance(answer, dict) else []


class Reader:
    """One person reads every GET operation: lists page by page, then each object from them."""

    def __init__(self, checker: Checker, templates: list[str], who: User, answered: dict[str, set[int]]):
        self.checker, self.templates, self.who, self.answered = checker, templates, who, answered
        self.answers: dict[str, list[tuple[str, object]]] = {}  # template -> (path, answer)

    def read_all(self) -> dict[str, list[tuple[str, object]]]:
        for template in self.templates:
            self.read(template)
        return self.answers

    def read(self, template: str) -> list[tuple[str, object]]:
        if template in self.answers:
            return self.answers[template]
        self.answers[template] = []
        for path in self.paths_of(template):
            while path:
                status, answer = self.checker.call(self.who, "get", path)
                self.answered.setdefault(template, set()).add(status)
                self.answers[template].append((path, answer))
                following = answer.get("next") if isinstance(answer, dict) else None
                path = following and following.removeprefix("http://testserver")
        return self.answers[template]

    def paths_of(self, template: str) -> list[str]:
        """Concrete paths for a template: its last parameter from the rows of the list before it."""
        if "{" not in template:
            return [template]
        start = template.rindex("{")
        parent, tail = template[:start], template[template.index("}", start) + 1 :]
        rows_template = ROWS_FROM.get(parent, parent)
        paths = []
        for path, answer in self.read(rows_template) if rows_template in self.templates else []:
            rows = _rows(answer)
            if parent == "/api/v1/publications/":
                rows = [publication for row in rows for publication in row["publications"]]
            key = next((key for suffix, key in KEY_OF.items() if parent.endswith(suffix)), "id")
            prefix = path.split("?")[0] if rows_template == parent else parent
            paths += [f"{prefix}{row[key]}{tail}" for row in _one_of_each_shape(rows) if key in row]
        return sorted(set(paths))


def _one_of_each_shape(rows: list[dict]) -> list[dict]:
    """A row for each combination of null, empty and filled fields: every kind of answer, fewer calls."""
    shapes = {}
    for row in rows:
        shape = tuple((name, _kind(value)) for name, value in sorted(row.items()))
        shapes.setdefault(shape, row)
    return list(shapes.values())


def _kind(value) -> str:
    if value is None:
        return "null"
    return "empty" if value in ("", [], {}) else type(value).__name__


def _crisis() -> dict:
    """The demo, and what the services make of it: every state an answer can show."""
    call_command("seed_demo", stdout=io.StringIO())
    people = {user.username: user for user in User.objects.all()}
    lead, responder, approver, approver2 = (people[n] for n in ("lead", "responder", "approver", "approver2"))
    organization = Organization.objects.get(slug="lumen")
    live = Incident.objects.get(title__startswith="App and customer service")
    drill = Incident.objects.get(is_drill=True)

    webhook = channels.channel_create(
        organization=organization,
        acting_user=lead,
        kind="webhook",
        name="Status site",
        url="https://hooks.example/crisis",
        secret="s3cret",
    )
    mastodon = channels.channel_create(
        organization=organization,
        acting_user=lead,
        kind="mastodon",
        name="Mastodon",
        url="https://mastodon.example",
        access_token="t0ken",
        max_length=500,
    )
    old = channels.channel_create(
        organization=organization, acting_user=lead, kind="manual", name="Old intranet"
    )
    channels.channel_update(channel=old, acting_user=lead, is_active=False)

    published = live.statements.get(status=Statement.Status.PUBLISHED)
    # Queued (its task waits for the commit this test never makes), then one cancelled.
    services.statement_publish(statement=published, acting_user=people["spokesperson"], channel=webhook)
    services.statement_publish(statement=published, acting_user=people["spokesperson"], channel=mastodon)
    services.publication_cancel(publication=published.publications.get(channel=mastodon), acting_user=lead)

    def drafted(body: str) -> Statement:
        return services.statement_draft(incident=live, acting_user=responder, language="en", body=body)

    drafted("We are sorry for the trouble logging in; we are working on it.")
    asked = services.statement_submit(
        statement=drafted("We apologise. The app is back."), acting_user=responder
    )
    services.statement_request_changes(statement=asked, acting_user=approver2, comment="Too soon to say.")
    services.statement_withdraw(statement=drafted("Draft we no longer need."), acting_user=responder)
    edited = services.statement_submit(statement=drafted("First words of an update."), acting_user=responder)
    edited = services.statement_approve(statement=edited, acting_user=approver)
    services.statement_edit(
        statement=edited, acting_user=responder, body="Better words of an update.", version=edited.version
    )

    first_note = live.timeline.filter(kind="note").order_by("pk").first()
    services.timeline_add(
        incident=live, acting_user=lead, body="Correction: it was 12 minutes, not 11.", corrects=first_note
    )
    services.task_create(incident=live, acting_user=lead, title="Brief the call centre")

    for step in ("acknowledged", "responding", "monitoring", "resolved"):
        services.incident_transition(incident=drill, to=step, acting_user=lead)
    postmortem.postmortem_update(
        incident=drill,
        acting_user=lead,
        summary="The drill went well.",
        went_well="Fast first answer.",
        to_improve="Approvals took long.",
        root_cause="A drill.",
        status="completed",
    )
    item = postmortem.action_item_create(
        incident=drill,
        acting_user=lead,
        title="Shorter approval path",
        owner=approver,
        due_date=timezone.localdate(),
    )
    postmortem.action_item_create(incident=drill, acting_user=lead, title="No owner yet")
    postmortem.action_items_apply(incident=drill, acting_user=lead, items=[item])
    services.incident_transition(incident=drill, to="closed", acting_user=lead)

    # A playbook imported by no one: its revision has no author.
    playbook_services.playbook_create(organization=organization, acting_user=None, name="Imported")

    # The storm raised three alerts: one escalated, one dismissed, one still new.
    escalated, dismissed, _new = Alert.objects.filter(rule__organization=organization).order_by("pk")
    monitoring_services.alert_escalate(alert=escalated, acting_user=people["monitor"])
    monitoring_services.alert_dismiss(alert=dismissed, acting_user=people["monitor"])
    return {"people": people, "live": live, "drill": drill, "organization": organization}


def _strict(schema):
    """The schema as a strict client reads it: an object has exactly the fields the schema names."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [_strict(value) for value in schema]
    return schema


@pytest.fixture
def schema(db) -> dict:
    """The schema as served: what a client is generated from."""
    return json.loads(APIClient().get("/api/schema/?format=json").content)


def test_every_read_operation_answers_as_the_schema_says(schema):
    crisis = _crisis()
    people, live = crisis["people"], crisis["live"]
    mismatches: list[str] = []
    checker = Checker(OpenAPI.from_dict(_strict(schema)), mismatches)
    templates = sorted(path for path, item in schema["paths"].items() if "get" in item)
    answered: dict[str, set[int]] = {}

    read_by = {
        username: Reader(checker, templates, people[username], answered).read_all()
        for username in ("lead", "member", "approver", "outsider", "admin")
    }
    # The filters and cursors the schema documents, with real values.
    source = crisis["organization"].sources.order_by("pk").first()
    newest = live.timeline.order_by("-pk")[3]
    incidents = f"/api/v1/incidents/?status=responding&severity=high&organization={live.organization_id}"
    for username, path, expected in (
        ("lead", incidents, 200),
        ("lead", "/api/v1/incidents/?is_drill=true", 200),
        ("approver", "/api/v1/statements/?waiting_for_me=true", 200),
        ("lead", f"/api/v1/statements/?status=pending_approval&incident={live.pk}", 200),
        ("lead", f"/api/v1/mentions/?source={source.pk}&incident={live.pk}", 200),
        ("member", "/api/v1/alerts/?status=new", 200),
        ("lead", "/api/v1/channels/?is_active=false", 200),
        ("lead", "/api/v1/sources/?kind=rss", 200),
        ("lead", f"/api/v1/incidents/{live.pk}/timeline/?after={newest.pk}", 200),
        ("lead", "/api/v1/playbooks/?language=nl&is_active=true", 200),
        ("lead", "/api/v1/mentions/?page=2&page_size=20", 200),
        ("lead", "/api/v1/users/?page=99", 404),  # past the last page
        ("lead", f"/api/v1/incidents/{live.pk}/timeline/?after=x", 400),
        ("member", f"/api/v1/organizations/{live.organization_id}/members/", 403),  # not an admin
    ):
        checker.call(people[username], "get", path, expect=expected)
    # Another organization's objects answer 404, and nobody signed in 401, in the documented shape.
    for template, answers in read_by["lead"].items():
        for path, _answer in answers[:1]:
            checker.call(people["outsider"], "get", path, expect=404 if "{" in template else 200)
            checker.call(None, "get", path, expect=401)

    unread = [template for template in templates if 200 not in answered.get(template, set())]
    assert not unread, f"no real answer was read for {unread}"
    assert not mismatches, f"{len(mismatches)} answers differ from the schema:\n" + "\n".join(mismatches)


def test_writes_and_their_refusals_answer_as_the_schema_says(schema, org, team, roles, outsider):
    """Creates, changes and actions (201, 200, 202, 204) and their documented 400, 403, 404, 409."""
    mismatches: list[str] = []
    checker = Checker(OpenAPI.from_dict(_strict(schema)), mismatches)
    lead, member, responder = team["lead"], team["member"], team["responder"]
    incident = open_incident(org, team, roles)
    manual_channel = channels.channel_create(
        organization=org, acting_user=lead, kind="manual", name="Website", is_default=True
    )

    def call(who, method, path, body=None, expect=None, **kwargs):
        return checker.call(who, method, path, body, expect=expect, **kwargs)[1] or {}

    # Accounts: tokens and members.
    call(None, "post", "/api/v1/auth/token/", {"username": "observer", "password": "demo"}, 200)
    call(None, "post", "/api/v1/auth/token/", {"username": "observer", "password": "nope"}, 400)
    call(team["observer"], "delete", "/api/v1/auth/token/", expect=204)
    call(None, "delete", "/api/v1/auth/token/", auth="Token not-a-token", expect=401)
    members = f"/api/v1/organizations/{org.pk}/members/"
    added = call(lead, "post", members, {"email": "new@example.com", "full_name": "New Person"}, 201)
    call(lead, "post", members, {"email": "not an address", "full_name": "X"}, 400)
    call(member, "post", members, {"email": "x@example.com", "full_name": "X"}, 403)
    call(outsider, "get", members, expect=404)
    call(lead, "delete", f"{members}{added.get('user')}/", expect=204)

    # Playbooks.
    playbook = call(
        lead,
        "post",
        "/api/v1/playbooks/",
        {
            "organization": org.pk,
            "name": "Data breach",
            "language": "en",
            "trigger_keywords": ["breach"],
            "steps": [{"title": "Call legal", "role": "lead", "due_after_minutes": 10}],
            "role_assignments": [{"role": "approver", "user": team["approver"].pk, "kind": "primary"}],
            "templates": [{"name": "Holding", "kind": "holding", "body": "We are looking into it."}],
            "targets": [{"severity": "high", "minutes_to_acknowledge": 5, "approvals_required": 1}],
            "change_note": "First version.",
        },
        201,
    )
    call(lead, "patch", f"/api/v1/playbooks/{playbook.get('id')}/", {"description": "When data leaks."}, 200)
    call(lead, "post", "/api/v1/playbooks/", {"organization": org.pk}, 400)
    call(member, "post", "/api/v1/playbooks/", {"organization": org.pk, "name": "Mine"}, 403)

    # Incidents, roles, timeline, tasks.
    opened = call(
        lead,
        "post",
        "/api/v1/incidents/",
        {"organization": org.pk, "title": "Breach", "playbook": playbook.get("id")},
        201,
    )
    call(lead, "post", "/api/v1/incidents/", {"organization": org.pk}, 400)
    path = f"/api/v1/incidents/{incident.pk}/"
    call(lead, "patch", path, {"summary": "Login fails for everyone."}, 200)
    call(team["observer"], "patch", path, {"summary": "Mine now."}, 403)
    call(outsider, "patch", path, {"summary": "Theirs."}, 404)
    call(lead, "post", f"{path}transition/", {"to": "acknowledged"}, 200)
    call(lead, "post", f"{path}transition/", {"to": "closed"}, 409)
    call(lead, "post", f"{path}transition/", {"to": "gone"}, 400)
    assignment = call(lead, "post", f"{path}roles/", {"user": member.pk, "role": "responder"}, 201)
    call(lead, "post", f"{path}roles/", {"user": member.pk, "role": "responder"}, 200)
    call(lead, "delete", f"{path}roles/{assignment.get('id')}/", expect=204)
    entry = call(lead, "post", f"{path}timeline/", {"body": "IT is on it."}, 201)
    call(lead, "post", f"{path}timeline/", {"body": "It was IT.", "corrects": entry.get("id")}, 201)
    call(lead, "post", f"{path}timeline/", {"body": ""}, 400)
    call(team["observer"], "post", f"{path}timeline/", {"body": "Me too."}, 403)
    task = call(
        lead, "post", f"{path}tasks/", {"title": "Call IT", "assignee": responder.pk, "due_at": None}, 201
    )
    call(lead, "patch", f"/api/v1/tasks/{task.get('id')}/", {"title": "Call IT again"}, 200)
    call(lead, "post", f"/api/v1/tasks/{task.get('id')}/complete/", expect=200)
    call(lead, "post", f"/api/v1/tasks/{task.get('id')}/complete/", expect=409)

    # Statements: the approval workflow and publishing.
    statements = f"{path}statements/"
    body = {"body": "We know the app is down and we are sorry. Next update at 11:00.", "language": "en"}
    statement = call(responder, "post", statements, body, 201)
    call(responder, "post", statements, {"language": "xx"}, 400)
    call(team["observer"], "post", statements, body, 403)
    one = f"/api/v1/statements/{statement.get('id')}/"
    edited = call(
        responder, "patch", one, {"body": body["body"] + " Sorry.", "version": statement.get("version")}, 200
    )
    call(responder, "patch", one, {"body": "Stale.", "version": statement.get("version")}, 409)
    call(responder, "post", f"{one}submit/", {}, 200)
    call(team["approver"], "post", f"{one}approve/", {"comment": "Good."}, 200)
    call(team["approver"], "post", f"{one}approve/", {}, 409)
    call(responder, "post", f"{one}approve/", {}, 403)
    call(team["approver2"], "post", f"{one}approve/", {}, 200)
    call(
        team["spokesperson"],
        "post",
        f"{one}publish/",
        {"channel": manual_channel.pk, "url": "https://social.example/1"},
        202,
    )
    call(responder, "post", f"{one}withdraw/", {}, 409)
    call(responder, "get", f"{one}diff/", expect=200)
    webhook = call(
        lead,
        "post",
        "/api/v1/channels/",
        {
            "organization": org.pk,
            "kind": "webhook",
            "name": "Status site",
            "url": "https://hooks.example/x",
            "secret": "s",
        },
        201,
    )
    published = call(team["spokesperson"], "post", f"{one}publish/", {"channel": webhook.get("id")}, 202)
    queued = [p for p in published.get("publications", []) if p["status"] == "pending"]
    sent = [p for p in published.get("publications", []) if p["status"] == "published"]
    for publication, expected in ((queued, 200), (sent, 409)):
        for each in publication:
            call(team["spokesperson"], "post", f"/api/v1/publications/{each['id']}/cancel/", expect=expected)
    second = call(responder, "post", statements, body, 201)
    two = f"/api/v1/statements/{second.get('id')}/"
    call(responder, "post", f"{two}submit/", {}, 200)
    call(team["approver"], "post", f"{two}request-changes/", {"comment": "Say when."}, 200)
    call(responder, "post", f"{two}withdraw/", {"comment": "Not needed."}, 200)
    assert edited.get("revision") == 2

    # Channels.
    call(lead, "patch", f"/api/v1/channels/{webhook.get('id')}/", {"name": "Status page"}, 200)
    call(
        lead,
        "post",
        "/api/v1/channels/",
        {"organization": org.pk, "kind": "webhook", "name": "F", "url": "ftp://x.example/"},
        400,
    )
    call(member, "post", "/api/v1/channels/", {"organization": org.pk, "kind": "manual", "name": "Mine"}, 403)
    spare = call(
        lead, "post", "/api/v1/channels/", {"organization": org.pk, "kind": "manual", "name": "Spare"}, 201
    )
    call(lead, "delete", f"/api/v1/channels/{spare.get('id')}/", expect=204)
    call(lead, "delete", f"/api/v1/channels/{manual_channel.pk}/", expect=409)

    # The post-mortem.
    call(
        lead,
        "put",
        f"{path}postmortem/",
        {
            "summary": "Down for an hour.",
            "went_well": "Fast.",
            "to_improve": "Slow approvals.",
            "root_cause": "An update.",
            "status": "draft",
        },
        200,
    )
    call(lead, "put", f"{path}postmortem/", {"summary": "x"}, 400)
    call(
        responder,
        "put",
        f"{path}postmortem/",
        {"summary": "", "went_well": "", "to_improve": "", "root_cause": "", "status": "draft"},
        403,
    )
    item = call(
        lead,
        "post",
        f"{path}postmortem/action-items/",
        {"title": "Faster approvals", "playbook": playbook.get("id")},
        201,
    )
    call(lead, "post", f"{path}postmortem/apply/", {"items": [item.get("id")]}, 201)
    call(lead, "post", f"{path}postmortem/apply/", {"items": []}, 400)

    # Monitoring: sources, mentions (with a member's token and with the source's own), alerts.
    source = call(
        lead,
        "post",
        "/api/v1/sources/",
        {"organization": org.pk, "kind": "webhook", "name": "Listening"},
        201,
    )
    call(lead, "post", "/api/v1/sources/", {"organization": org.pk, "kind": "rss", "name": "Feed"}, 400)
    call(member, "post", "/api/v1/sources/", {"organization": org.pk, "kind": "webhook", "name": "Mine"}, 403)
    AlertRule.objects.create(
        organization=org, name="Safety words", kind="keyword", keywords=["gas smell"], min_count=1
    )
    now = timezone.now()
    rows = [
        {
            "source": source.get("id"),
            "external_id": f"m-{n}",
            "author": "someone",
            "text": "A gas smell and no answer",
            "url": "",
            "posted_at": (now - timedelta(minutes=n)).isoformat(),
        }
        for n in range(3)
    ]
    call(lead, "post", "/api/v1/mentions/", rows, 201)
    call(lead, "post", "/api/v1/mentions/", rows[0], 200)  # one object, already there: a duplicate
    call(lead, "post", "/api/v1/mentions/", [{"source": source.get("id"), "text": "no id"}], 400)
    token = Source.objects.get(pk=source.get("id")).ingest_token
    call(None, "post", "/api/v1/mentions/", [{**rows[0], "external_id": "b-1"}], 201, auth=f"Bearer {token}")
    mention = Mention.objects.get(external_id="m-0")
    call(lead, "post", f"{path}mentions/", {"mention": mention.pk}, 201)
    call(lead, "post", f"{path}mentions/", {"mention": mention.pk}, 200)
    call(team["observer"], "post", f"{path}mentions/", {"mention": mention.pk}, 403)
    alert = Alert.objects.filter(rule__organization=org).order_by("pk").first()
    assert alert is not None, "the keyword rule raised no alert"
    call(member, "post", f"/api/v1/alerts/{alert.pk}/escalate/", expect=201)
    call(member, "post", f"/api/v1/alerts/{alert.pk}/escalate/", expect=409)
    call(member, "post", f"/api/v1/alerts/{alert.pk}/dismiss/", expect=409)
    call(outsider, "post", f"/api/v1/alerts/{alert.pk}/dismiss/", expect=404)
    assert opened.get("status") == "detected"

    # A closed incident takes no new statements or tasks (409, documented like any other refusal).
    closed = open_incident(org, team, roles, title="Over", severity="low")
    task = services.task_create(incident=closed, acting_user=lead, title="Tidy up")
    for step in ("acknowledged", "responding", "monitoring", "resolved"):
        services.incident_transition(incident=closed, to=step, acting_user=lead)
    postmortem.postmortem_update(incident=closed, acting_user=lead, summary="Short.", status="completed")
    services.incident_transition(incident=closed, to="closed", acting_user=lead)
    call(responder, "post", f"/api/v1/incidents/{closed.pk}/statements/", body)
    call(lead, "post", f"/api/v1/incidents/{closed.pk}/tasks/", {"title": "One more"})
    call(lead, "patch", f"/api/v1/tasks/{task.pk}/", {"title": "Tidy up more"})
    call(lead, "post", f"/api/v1/tasks/{task.pk}/complete/")
    call(lead, "patch", f"/api/v1/incidents/{closed.pk}/", {"summary": "Later."})
    call(lead, "post", f"/api/v1/incidents/{closed.pk}/timeline/", {"body": "A late note."})

    assert not mismatches, f"{len(mismatches)} answers differ from the schema:\n" + "\n".join(mismatches)
