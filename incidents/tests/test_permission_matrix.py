"""Every cell of DESIGN.md's permission matrix, from outside: the real API and the real pages.

Each action that needs a permission is tried by every person — one per matrix column (the
demo team has two approvers), another organization's admin, and nobody signed in — on an
open and on a restricted incident, through the API endpoint and through the page's form.
Each try gets its own fresh state (a statement waiting for approval, a task, a mention, ...),
made with the services; `permission_matrix.expected` says what DESIGN.md promises, and the
row of what really happened must equal it. No page links a mention: that cell is API only.
"""

import itertools
import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest
from django.db import transaction

from accounts import services as accounts_services
from accounts.models import Role, User
from conftest import ROLE_USERNAMES, make_user
from crisisdesk.testing import Answer, LocalServer
from incidents import services
from incidents.models import ActionItem, Channel, Incident, IncidentRoleAssignment, Publication, Statement
from incidents.services import channels as channel_services
from incidents.services import postmortem as postmortem_services
from incidents.tests.conftest import api_as, open_incident
from incidents.tests.permission_matrix import (
    ALLOWED,
    API,
    COLUMNS,
    PAGE,
    PEOPLE,
    Action,
    SignIns,
    expected,
    observed,
    visible,
)
from monitoring import services as monitoring_services  # the link_mention cell is monitoring's
from monitoring.models import Mention, Source
from playbooks import services as playbook_services
from playbooks.models import Playbook

pytestmark = pytest.mark.django_db

POSTED_AT = "https://lumen.example/news/app-down"


@dataclass(frozen=True)
class Cast:
    """What every cell shares: ids, texts and sign-ins, never a model instance, so no test sees
    another test's Python objects (each test loads its World afresh)."""

    incident_ids: dict[bool, int]  # restricted? -> incident
    manual_channel_id: int
    webhook_channel_id: int
    source_id: int
    playbook_id: int
    sign_ins: SignIns
    shown: dict[bool, dict[str, tuple[int, str]]] = field(default_factory=dict)  # see World.show_things


@pytest.fixture(scope="class")
def cast(django_db_setup, django_db_blocker):
    """The organization and its people, another organization's admin, an open and a restricted
    incident, and the channels: made once for the class in a transaction rolled back after it.

    Each test runs in a savepoint inside that transaction (pytest-django's `db`), as Django's
    TestCase.setUpTestData does, so the thousand tries cost one setup, not a hundred.
    """
    receiver = LocalServer(lambda request: Answer(201, {"id": "1", "url": POSTED_AT})).start()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cast = _cast_make(receiver_url=receiver.url)
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            receiver.stop()
            raise
    yield cast
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    receiver.stop()


def _cast_make(*, receiver_url: str) -> Cast:
    org = accounts_services.organization_create(name="Lumen Energy", slug="lumen", two_factor_required=False)
    team = {name: make_user(name, organization=org, is_admin=name == "lead") for name in ROLE_USERNAMES}
    team["member"] = make_user("member", organization=org)
    lead = team["lead"]
    other = accounts_services.organization_create(
        name="Parcel & Co", slug="parcel-co", two_factor_required=False
    )
    outsider = make_user("outsider", organization=other, is_admin=True)
    roles = {role.slug: role for role in Role.objects.all()}
    incidents = {
        restricted: open_incident(org, team, roles, restricted=restricted).pk for restricted in (False, True)
    }
    manual = channel_services.channel_create(
        organization=org, acting_user=lead, kind="manual", name="Website", is_default=True
    )
    webhook = channel_services.channel_create(
        organization=org, acting_user=lead, kind="webhook", name="Newsroom", url=receiver_url, secret="s3cret"
    )
    source = monitoring_services.source_create(
        organization=org, acting_user=lead, kind="webhook", name="Mentions pushed to the API"
    )
    playbook = playbook_services.playbook_create(organization=org, acting_user=lead, name="Outage")
    former = _former_member(org, lead, roles, incidents)
    sign_ins = SignIns.of({**team, "outsider": outsider, "former": former})
    accounts_services.membership_remove(membership=former.memberships.get(), acting_user=lead)
    cast = Cast(incidents, manual.pk, webhook.pk, source.pk, playbook.pk, sign_ins)
    return replace(cast, shown={key: World(cast, restricted=key).show_things() for key in incidents})


def _former_member(org, lead, roles, incidents) -> User:
    """A responder on both incidents, signed in on the API and in a browser (SignIns), who is then
    taken out of the organization: DESIGN.md's "leaving revokes every role and permission at once"."""
    former = make_user("former", organization=org)
    for pk in incidents.values():
        services.role_assign(
            incident=Incident.objects.get(pk=pk), user=former, role=roles["responder"], acting_user=lead
        )
    return former


class World:
    """One test's view of the cast, loaded afresh, and what a single try of an action needs."""

    def __init__(self, cast: Cast, *, restricted: bool):
        self.incident = Incident.objects.select_related("organization").get(pk=cast.incident_ids[restricted])
        self.org = self.incident.organization
        users = {user.username: user for user in User.objects.filter(username__in=COLUMNS)}
        self.team = {name: users[name] for name in COLUMNS}
        self.client = cast.sign_ins.client
        self.lead = self.team["lead"]
        self.observer_role = Role.objects.get(slug="observer")
        self.channel = Channel.objects.get(pk=cast.manual_channel_id)
        self.webhook = Channel.objects.get(pk=cast.webhook_channel_id)
        self.source = Source.objects.get(pk=cast.source_id)
        self.playbook = Playbook.objects.get(pk=cast.playbook_id)
        self.shown = cast.shown.get(restricted)
        self.room = f"/incidents/{self.incident.pk}/"
        self.api = f"/api/v1/incidents/{self.incident.pk}/"
        self._numbers = itertools.count(1)

    def unique(self, what: str) -> str:
        return f"{what} {next(self._numbers)}"

    def refreshed(self, obj):
        return type(obj).objects.get(pk=obj.pk)

    # --- fresh state for one try -----------------------------------------------------------

    def statement(self, status: str = Statement.Status.DRAFT) -> Statement:
        """A statement written by the responder, brought to `status` by the people whose job it is."""
        statement = services.statement_draft(
            incident=self.incident,
            acting_user=self.team["responder"],
            body=self.unique("We know the app is down and we are sorry. Next update at 11:00. Ref"),
            language="en",
        )
        if status == Statement.Status.DRAFT:
            return statement
        statement = services.statement_submit(statement=statement, acting_user=self.team["responder"])
        if status == Statement.Status.APPROVED:
            for approver in ("approver", "approver2")[: self.incident.approvals_required]:
                statement = services.statement_approve(statement=statement, acting_user=self.team[approver])
        assert statement.status == status
        return statement

    def queued_publication(self) -> Publication:
        """An approved statement queued for the webhook: its task is queued when the test's
        transaction commits, which it never does, so the post stays pending."""
        statement = self.statement(Statement.Status.APPROVED)
        services.statement_publish(statement=statement, acting_user=self.lead, channel=self.webhook)
        publication = statement.publications.get(channel=self.webhook)
        assert publication.status == Publication.Status.PENDING
        return publication

    def action_item(self) -> ActionItem:
        """An action item of the post-mortem that names the playbook to change."""
        return postmortem_services.action_item_create(
            incident=self.incident,
            acting_user=self.lead,
            title=self.unique("Renew early"),
            playbook=self.playbook,
        )

    def task(self):
        return services.task_create(
            incident=self.incident, acting_user=self.lead, title=self.unique("Call IT")
        )

    def newcomer(self) -> User:
        """A member with no role yet: whom an assignment is about (never one of the matrix's people)."""
        return make_user(self.unique("newcomer").replace(" ", ""), organization=self.org)

    def assignment(self) -> IncidentRoleAssignment:
        assignment, _ = services.role_assign(
            incident=self.incident, user=self.newcomer(), role=self.observer_role, acting_user=self.lead
        )
        return assignment

    def next_status(self) -> str:
        """A transition the incident allows now (never closing: that needs a completed post-mortem)."""
        incident = self.refreshed(self.incident)
        return next(status for status in incident.allowed_transitions() if status != "closed")

    def mention(self, external_id: str = "") -> Mention:
        """A mention of the organization, not linked to any incident yet."""
        external_id = external_id or self.unique("post").replace(" ", "-")
        row = {
            "external_id": external_id,
            "author": "@angry_customer",
            "text": "The Lumen app has been down for an hour, this is terrible",
            "url": f"https://social.example/{external_id}",
            "posted_at": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        }
        result = monitoring_services.mentions_ingest(source=self.source, rows=[row], evaluate=False)
        assert result.created == 1, result.errors
        return self.source.mentions.get(external_id=external_id)

    # --- what a read should show: made once, with the cast -----------------------------------

    def show_things(self) -> dict[str, tuple[int, str]]:
        """One of everything the room and the API show: its id, and a text only it has."""
        mention = self.mention(f"shown-on-{self.incident.pk}")
        monitoring_services.mention_link(incident=self.incident, mention=mention, acting_user=self.lead)
        summary = "Root cause: the certificate expired at 08:55."
        postmortem_services.postmortem_update(
            incident=self.incident,
            acting_user=self.lead,
            summary=summary,
            went_well="",
            to_improve="",
            root_cause="",
            status="draft",
        )
        entry = services.timeline_add(
            incident=self.incident, acting_user=self.lead, body="Spike of complaints on Mastodon"
        )
        task, statement = self.task(), self.statement()
        assignment = self.incident.role_assignments.get(user=self.team["observer"])
        item = postmortem_services.action_item_create(
            incident=self.incident, acting_user=self.lead, title="Monitor certificate expiry"
        )
        return {
            "incident": (self.incident.pk, self.incident.title),
            "entry": (entry.pk, entry.body),
            "task": (task.pk, task.title),
            "statement": (statement.pk, statement.body),
            "diff": (statement.pk, '"runs":'),
            "mention": (mention.pk, mention.text),
            "assignment": (assignment.pk, '"role":"observer"'),
            "postmortem": (self.incident.postmortem.pk, summary),
            "action_item": (item.pk, item.title),
        }


def shows(response, text: str) -> bool:
    return response.status_code == 200 and text in response.content.decode()


def lists(response, pk: int) -> bool:
    """A list answer (paginated or not) with the object `pk` in it."""
    if response.status_code != 200:
        return False
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return pk in [row["id"] for row in rows]


def back_to_room(world: World) -> str:
    return world.room


def back_to_postmortem(world: World) -> str:
    return world.room + "postmortem/"


ACTIONS: list[Action] = []


def action(permission: str, surface: str, name: str, ok: int, back_to=None):
    """Register an attempt as a row of the matrix; a page's write redirects to the room by default."""
    assert permission in ALLOWED
    if surface == PAGE and ok == 302:
        back_to = back_to or back_to_room

    def register(attempt):
        ACTIONS.append(Action(name, permission, surface, ok, attempt, back_to))
        return attempt

    return register


# --- view_incident: the room, the timeline, statements, tasks, roles, mentions, post-mortem ----

# Each read: its path, and what the answer must hold to count as showing the incident's things
# (`shows` a text, or `lists` an object's id): keys of World.shown, made with the cast.
READS = [
    (API, "incident", "{api}", shows, "incident"),
    (API, "timeline", "{api}timeline/", lists, "entry"),
    (API, "timeline-entry", "{api}timeline/{entry}/", shows, "entry"),
    (API, "roles", "{api}roles/", lists, "assignment"),
    (API, "role", "{api}roles/{assignment}/", shows, "assignment"),
    (API, "tasks", "{api}tasks/", lists, "task"),
    (API, "task", "/api/v1/tasks/{task}/", shows, "task"),
    (API, "statements", "{api}statements/", lists, "statement"),
    (API, "statement", "/api/v1/statements/{statement}/", shows, "statement"),
    (API, "statement-diff", "/api/v1/statements/{statement}/diff/", shows, "diff"),
    (API, "mentions", "{api}mentions/", lists, "mention"),
    (API, "postmortem", "{api}postmortem/", shows, "postmortem"),
    (API, "action-items", "{api}postmortem/action-items/", lists, "action_item"),
    (PAGE, "room", "{room}", shows, "statement"),
    (PAGE, "live-poll", "{room}live/?after=0", shows, "entry"),
    (PAGE, "entry-box", "{room}timeline/add/?corrects={entry}", shows, "entry"),
    (PAGE, "postmortem", "{room}postmortem/", shows, "postmortem"),
    (PAGE, "postmortem-markdown", "{room}postmortem/export.md", shows, "postmortem"),
    (PAGE, "postmortem-print", "{room}postmortem/print/", shows, "postmortem"),
]


def _read(path: str, sees, key: str):
    def attempt(w, client):
        ids = {name: pk for name, (pk, _text) in w.shown.items()}
        response = client.get(path.format(api=w.api, room=w.room, **ids))
        pk, text = w.shown[key]
        return response, sees(response, pk if sees is lists else text)

    return attempt


for surface, name, path, sees, key in READS:
    action("view_incident", surface, name, 200)(_read(path, sees, key))


# --- change_incident ---------------------------------------------------------------------------


@action("change_incident", API, "update", 200)
def _(w, client):
    summary = w.unique("Storm is growing")
    response = client.patch(w.api, {"summary": summary}, format="json")
    return response, w.refreshed(w.incident).summary == summary


@action("change_incident", API, "transition", 200)
def _(w, client):
    to = w.next_status()
    response = client.post(w.api + "transition/", {"to": to}, format="json")
    return response, w.refreshed(w.incident).status == to


@action("change_incident", PAGE, "transition", 302)
def _(w, client):
    to = w.next_status()
    response = client.post(w.room + "transition/", {"to": to})
    return response, w.refreshed(w.incident).status == to


# --- assign_roles ------------------------------------------------------------------------------


def _has_role(w, user) -> bool:
    return w.incident.role_assignments.filter(user=user, role__slug="observer").exists()


@action("assign_roles", API, "assign", 201)
def _(w, client):
    newcomer = w.newcomer()
    response = client.post(w.api + "roles/", {"user": newcomer.pk, "role": "observer"}, format="json")
    return response, _has_role(w, newcomer)


@action("assign_roles", API, "remove", 204)
def _(w, client):
    assignment = w.assignment()
    response = client.delete(w.api + f"roles/{assignment.pk}/")
    return response, not _has_role(w, assignment.user)


@action("assign_roles", PAGE, "assign", 302)
def _(w, client):
    newcomer = w.newcomer()
    response = client.post(w.room + "roles/", {"role-user": newcomer.pk, "role-role": "observer"})
    return response, _has_role(w, newcomer)


@action("assign_roles", PAGE, "remove", 302)
def _(w, client):
    assignment = w.assignment()
    response = client.post(w.room + f"roles/{assignment.pk}/remove/")
    return response, not _has_role(w, assignment.user)


# --- add_timeline_entry ------------------------------------------------------------------------


@action("add_timeline_entry", API, "add", 201)
def _(w, client):
    body = w.unique("Spike on Mastodon")
    response = client.post(w.api + "timeline/", {"body": body}, format="json")
    return response, w.incident.timeline.filter(body=body).exists()


@action("add_timeline_entry", PAGE, "add", 302)
def _(w, client):
    body = w.unique("Spike on Mastodon")
    response = client.post(w.room + "timeline/add/", {"entry-body": body})
    return response, w.incident.timeline.filter(body=body).exists()


# --- manage_tasks ------------------------------------------------------------------------------


@action("manage_tasks", API, "add", 201)
def _(w, client):
    title = w.unique("Call the press office")
    response = client.post(w.api + "tasks/", {"title": title}, format="json")
    return response, w.incident.tasks.filter(title=title).exists()


@action("manage_tasks", API, "change", 200)
def _(w, client):
    task, title = w.task(), w.unique("Call the press office")
    response = client.patch(f"/api/v1/tasks/{task.pk}/", {"title": title}, format="json")
    return response, w.refreshed(task).title == title


@action("manage_tasks", API, "complete", 200)
def _(w, client):
    task = w.task()
    response = client.post(f"/api/v1/tasks/{task.pk}/complete/")
    return response, w.refreshed(task).is_done


@action("manage_tasks", PAGE, "add", 302)
def _(w, client):
    title = w.unique("Call the press office")
    response = client.post(w.room + "tasks/", {"task-title": title})
    return response, w.incident.tasks.filter(title=title).exists()


@action("manage_tasks", PAGE, "complete", 302)
def _(w, client):
    task = w.task()
    response = client.post(w.room + f"tasks/{task.pk}/complete/")
    return response, w.refreshed(task).is_done


# --- link_mention (the API only: no page links a mention) --------------------------------------


@action("link_mention", API, "link", 201)
def _(w, client):
    mention = w.mention()
    response = client.post(w.api + "mentions/", {"mention": mention.pk}, format="json")
    return response, w.refreshed(mention).incident_id == w.incident.pk


# --- draft_statement: create, edit, submit, withdraw -------------------------------------------


def _statement_api(statement, verb=""):
    return f"/api/v1/statements/{statement.pk}/" + (f"{verb}/" if verb else "")


def _statement_page(w, statement, verb):
    return w.room + f"statements/{statement.pk}/{verb}/"


@action("draft_statement", API, "draft", 201)
def _(w, client):
    body = w.unique("We are sorry the app is down. Ref")
    response = client.post(w.api + "statements/", {"body": body, "language": "en"}, format="json")
    return response, w.incident.statements.filter(body=body).exists()


@action("draft_statement", API, "edit", 200)
def _(w, client):
    statement, body = w.statement(), w.unique("We are sorry the app is down. Ref")
    response = client.patch(
        _statement_api(statement), {"body": body, "version": statement.version}, format="json"
    )
    return response, w.refreshed(statement).body == body


@action("draft_statement", API, "submit", 200)
def _(w, client):
    statement = w.statement()
    response = client.post(_statement_api(statement, "submit"), {}, format="json")
    return response, w.refreshed(statement).status == Statement.Status.PENDING_APPROVAL


@action("draft_statement", API, "withdraw", 200)
def _(w, client):
    statement = w.statement()
    response = client.post(_statement_api(statement, "withdraw"), {}, format="json")
    return response, w.refreshed(statement).status == Statement.Status.WITHDRAWN


@action("draft_statement", PAGE, "draft", 302)
def _(w, client):
    body = w.unique("We are sorry the app is down. Ref")
    response = client.post(w.room + "statements/", {"draft-body": body, "draft-language": "en"})
    return response, w.incident.statements.filter(body=body).exists()


@action("draft_statement", PAGE, "edit", 302)
def _(w, client):
    statement, body = w.statement(), w.unique("We are sorry the app is down. Ref")
    prefix = f"s{statement.pk}"
    response = client.post(
        _statement_page(w, statement, "edit"),
        {f"{prefix}-body": body, f"{prefix}-version": statement.version},
    )
    return response, w.refreshed(statement).body == body


@action("draft_statement", PAGE, "submit", 302)
def _(w, client):
    statement = w.statement()
    response = client.post(_statement_page(w, statement, "submit"))
    return response, w.refreshed(statement).status == Statement.Status.PENDING_APPROVAL


@action("draft_statement", PAGE, "withdraw", 302)
def _(w, client):
    statement = w.statement()
    response = client.post(_statement_page(w, statement, "withdraw"))
    return response, w.refreshed(statement).status == Statement.Status.WITHDRAWN


# --- approve_statement: approve, request changes (on someone else's text) ----------------------


def _approved(statement) -> bool:
    return statement.approvals.filter(revision=statement.revision, decision="approved").exists()


@action("approve_statement", API, "approve", 200)
def _(w, client):
    statement = w.statement(Statement.Status.PENDING_APPROVAL)
    response = client.post(_statement_api(statement, "approve"), {}, format="json")
    return response, _approved(statement)


@action("approve_statement", API, "request-changes", 200)
def _(w, client):
    statement = w.statement(Statement.Status.PENDING_APPROVAL)
    response = client.post(_statement_api(statement, "request-changes"), {"comment": "Warmer"}, format="json")
    return response, w.refreshed(statement).status == Statement.Status.CHANGES_REQUESTED


@action("approve_statement", PAGE, "approve", 302)
def _(w, client):
    statement = w.statement(Statement.Status.PENDING_APPROVAL)
    response = client.post(_statement_page(w, statement, "approve"))
    return response, _approved(statement)


@action("approve_statement", PAGE, "request-changes", 302)
def _(w, client):
    statement = w.statement(Statement.Status.PENDING_APPROVAL)
    response = client.post(_statement_page(w, statement, "request-changes"), {"comment": "Warmer"})
    return response, w.refreshed(statement).status == Statement.Status.CHANGES_REQUESTED


# --- publish_statement: an approved statement with enough approvals; cancelling a queued post ---


def _published(statement) -> bool:
    return (
        Statement.objects.get(pk=statement.pk).status == Statement.Status.PUBLISHED
        and statement.publications.filter(status=Publication.Status.PUBLISHED).exists()
    )


@action("publish_statement", API, "publish", 202)
def _(w, client):
    statement = w.statement(Statement.Status.APPROVED)
    response = client.post(
        _statement_api(statement, "publish"), {"channel": w.channel.pk, "url": POSTED_AT}, format="json"
    )
    return response, _published(statement)


@action("publish_statement", PAGE, "publish", 302)
def _(w, client):
    statement = w.statement(Statement.Status.APPROVED)
    prefix = f"p{statement.pk}"
    response = client.post(
        _statement_page(w, statement, "publish"),
        {f"{prefix}-channel": w.channel.pk, f"{prefix}-url": POSTED_AT},
    )
    return response, _published(statement)


@action("publish_statement", API, "cancel", 200)
def _(w, client):
    publication = w.queued_publication()
    response = client.post(f"/api/v1/publications/{publication.pk}/cancel/")
    return response, w.refreshed(publication).status == Publication.Status.CANCELLED


@action("publish_statement", PAGE, "cancel", 302)
def _(w, client):
    publication = w.queued_publication()
    response = client.post(w.room + f"publications/{publication.pk}/cancel/")
    return response, w.refreshed(publication).status == Publication.Status.CANCELLED


# --- edit_postmortem: its text, its action items -----------------------------------------------


def _postmortem_fields(summary: str) -> dict:
    return {
        "summary": summary,
        "went_well": "Fast first statement",
        "to_improve": "",
        "root_cause": "",
        "status": "draft",
    }


@action("edit_postmortem", API, "edit", 200)
def _(w, client):
    summary = w.unique("The certificate expired")
    response = client.put(w.api + "postmortem/", _postmortem_fields(summary), format="json")
    return response, w.refreshed(w.incident.postmortem).summary == summary


@action("edit_postmortem", API, "action-item", 201)
def _(w, client):
    title = w.unique("Monitor certificate expiry")
    response = client.post(w.api + "postmortem/action-items/", {"title": title}, format="json")
    return response, w.incident.postmortem.action_items.filter(title=title).exists()


@action("edit_postmortem", PAGE, "edit", 302, back_to=back_to_postmortem)
def _(w, client):
    summary = w.unique("The certificate expired")
    response = client.post(w.room + "postmortem/", _postmortem_fields(summary))
    return response, w.refreshed(w.incident.postmortem).summary == summary


@action("edit_postmortem", PAGE, "action-item", 302, back_to=back_to_postmortem)
def _(w, client):
    title = w.unique("Monitor certificate expiry")
    response = client.post(w.room + "postmortem/items/", {"item-title": title})
    return response, w.incident.postmortem.action_items.filter(title=title).exists()


@action("edit_postmortem", API, "apply-to-playbook", 201)
def _(w, client):
    item = w.action_item()
    response = client.post(w.api + "postmortem/apply/", {"items": [item.pk]}, format="json")
    return response, w.refreshed(item).playbook_revision_id is not None


@action("edit_postmortem", PAGE, "apply-to-playbook", 302, back_to=back_to_postmortem)
def _(w, client):
    item = w.action_item()
    response = client.post(w.room + "postmortem/apply/", {"items": [item.pk]})
    return response, w.refreshed(item).playbook_revision_id is not None


# --- the matrix --------------------------------------------------------------------------------


def test_every_permission_has_an_api_action_and_a_page_action():
    surfaces = {(a.permission, a.surface) for a in ACTIONS}
    missing = {(p, s) for p in ALLOWED for s in (API, PAGE)} - surfaces
    assert missing == {("link_mention", PAGE)}  # no page links a mention


class TestTheMatrix:
    """Shares `cast`; the tests outside the class make their own organization."""

    @pytest.fixture(params=[False, True], ids=["open", "restricted"])
    def world(self, request, cast) -> World:
        return World(cast, restricted=request.param)

    @pytest.mark.parametrize("action", ACTIONS, ids=str)
    def test_the_row(self, action, world):
        """One action tried by everyone, each with fresh state: the row must be DESIGN.md's."""
        restricted = world.incident.restricted
        back_to = action.back_to(world) if action.back_to else None
        answers, promised = {}, {}
        for person in PEOPLE:
            response, done = action.attempt(world, world.client(person, action.surface))
            answers[person] = observed(response, done=done)
            promised[person] = expected(action, person, restricted=restricted, back_to=back_to)
        assert answers == promised

    def test_lists_show_the_incident_only_to_those_who_see_it(self, world):
        statement = world.statement()
        restricted, pk = world.incident.restricted, world.incident.pk
        shown, promised = {}, {}
        for person in [p for p in PEOPLE if p != "anonymous"]:  # anonymous: 401 and sign-in, above
            api, page = world.client(person, API), world.client(person, PAGE)
            answer = api.get(f"/api/v1/mentions/?incident={pk}&page_size=500")
            mentions = answer.json()["results"] if answer.status_code == 200 else []  # former: 401
            shown[person] = {
                "api incidents": lists(api.get("/api/v1/incidents/?page_size=500"), pk),
                "api statements": lists(api.get("/api/v1/statements/?page_size=500"), statement.pk),
                "api mentions of it": any(row["incident"] == pk for row in mentions),
                "incident list": shows(page.get("/incidents/"), f'href="{world.room}"'),
                "dashboard": shows(page.get("/"), f'href="{world.room}"'),
            }
            promised[person] = dict.fromkeys(shown[person], visible(person, restricted=restricted))
        assert shown == promised


@pytest.mark.parametrize("person", COLUMNS)
def test_the_polls_one_query_agrees_with_guardian(person, incident, team, outsider):
    from guardian.core import ObjectPermissionChecker

    from incidents.selectors import incident_permissions

    held = {permission for permission, people in ALLOWED.items() if person in people}
    by_guardian = set(ObjectPermissionChecker(team[person]).get_perms(incident)) & set(ALLOWED)
    assert incident_permissions(team[person], incident.pk) == held == by_guardian
    assert incident_permissions(outsider, incident.pk) == set()
    team[person].is_active = False
    assert incident_permissions(team[person], incident.pk) == set()


class TestRestricted:
    def test_a_member_without_a_role_does_not_see_a_restricted_incident(self, restricted_incident, team):
        client = api_as(team["member"])
        assert client.get(f"/api/v1/incidents/{restricted_incident.pk}/").status_code == 404
        assert restricted_incident.pk not in [
            row["id"] for row in client.get("/api/v1/incidents/").json()["results"]
        ]

    def test_people_with_a_role_see_it(self, restricted_incident, team):
        for person in ("lead", "observer", "approver2"):
            assert api_as(team[person]).get(f"/api/v1/incidents/{restricted_incident.pk}/").status_code == 200

    def test_revoking_the_last_role_removes_access(self, restricted_incident, team):
        lead = api_as(team["lead"])
        roles = lead.get(f"/api/v1/incidents/{restricted_incident.pk}/roles/").json()["results"]
        observer_role = next(row for row in roles if row["user"] == team["observer"].pk)
        response = lead.delete(f"/api/v1/incidents/{restricted_incident.pk}/roles/{observer_role['id']}/")
        assert response.status_code == 204
        assert api_as(team["observer"]).get(f"/api/v1/incidents/{restricted_incident.pk}/").status_code == 404

    def test_making_an_incident_restricted_hides_it_from_members_without_a_role(self, incident, team):
        member = api_as(team["member"])
        assert member.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
        api_as(team["lead"]).patch(f"/api/v1/incidents/{incident.pk}/", {"restricted": True}, format="json")
        assert member.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
        assert api_as(team["observer"]).get(f"/api/v1/incidents/{incident.pk}/").status_code == 200


class TestRoleRevocation:
    def test_revoking_one_role_keeps_what_another_role_grants(self, incident, team, roles):
        from incidents import services

        services.role_assign(
            incident=incident, user=team["monitor"], role=roles["responder"], acting_user=team["lead"]
        )
        monitor_role = incident.role_assignments.get(user=team["monitor"], role=roles["monitor"])
        services.role_remove(assignment=monitor_role, acting_user=team["lead"])
        monitor = type(team["monitor"]).objects.get(pk=team["monitor"].pk)
        assert monitor.has_perm("incidents.add_timeline_entry", incident)  # responder grants it too
        assert monitor.has_perm("incidents.draft_statement", incident)
        assert not monitor.has_perm("incidents.link_mention", incident)  # only monitor granted that

    def test_the_detail_lists_the_callers_permissions(self, incident, team):
        body = api_as(team["responder"]).get(f"/api/v1/incidents/{incident.pk}/").json()
        assert body["permissions"] == [
            "add_timeline_entry",
            "draft_statement",
            "manage_tasks",
            "view_incident",
        ]
