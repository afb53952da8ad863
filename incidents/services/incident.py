"""Writes for incidents: opening, the lifecycle, roles, the timeline and tasks.

Each function is one transaction that writes its timeline entry in it; each checks the
acting user's object permission (403), while visibility (404) is the selectors' job.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts import two_factor
from accounts.models import Organization, Role, User
from crisisdesk.errors import DomainError
from incidents import security_log, timeline_messages
from incidents import timeline_messages as tm
from incidents.live import changes as live_changes
from incidents.models import (
    Incident,
    IncidentRoleAssignment,
    Notification,
    PostMortem,
    Publication,
    Task,
    TimelineEntry,
)
from incidents.timeline_messages import say
from playbooks import services as playbooks_services
from playbooks.models import Playbook

LEAD = "lead"


def require(user: User, codename: str, incident: Incident) -> None:
    if not user.has_perm(f"incidents.{codename}", incident):
        raise PermissionDenied(_("Your role on this incident does not allow this."))


def incident_locked(incident_pk: int) -> Incident:
    """Lock the incident row first, as every service that locks rows under an incident does (README,
    "Lock order"), and tell the live room that something under it changes. The lock is
    PostgreSQL's FOR NO KEY UPDATE: timeline entries and other rows that point at the incident
    can still be inserted meanwhile."""
    live_changes.incident_changed(incident_pk)
    return Incident.objects.get(pk=incident_pk)


def entry_write(
    *,
    incident: Incident,
    kind: str,
    body: str = "",
    message: dict | None = None,
    author: User | None = None,
    occurred_at: datetime | None = None,
    corrects: TimelineEntry | None = None,
) -> TimelineEntry:
    """Append to the timeline: a person's `body`, or the system's `message` (see timeline_messages).

    Under the incident's row lock (taken by bumping its live change counter), held to the end of
    the transaction: the entries of one incident
    then commit in the order of their ids, so a reader that follows the cursor (`?after=<id>`)
    never skips an entry whose transaction commits after one with a higher id. Callers that lock
    the incident already (most do, first, in the README's lock order) take no new lock here.
    """
    live_changes.incident_changed(incident.pk)
    now = timezone.now()
    if message is not None:
        body = timeline_messages.render_english(message)
    return TimelineEntry.objects.create(
        message=message,
        incident=incident,
        kind=kind,
        body=body,
        author=author,
        occurred_at=occurred_at or now,
        created_at=now,
        corrects=corrects,
    )


# --- opening ---------------------------------------------------------------------------------


@transaction.atomic
def incident_open(
    *,
    organization: Organization,
    acting_user: User,
    title: str,
    severity: str = Incident.Severity.MEDIUM,
    playbook: Playbook | None = None,
    summary: str = "",
    is_drill: bool = False,
    restricted: bool = False,
    detected_at: datetime | None = None,
) -> Incident:
    """Open an incident; from a playbook it copies the roles and turns the steps into tasks.

    The one way in for the page, the API, the admin and alert escalation. The opener leads.
    """
    if not acting_user.has_perm("accounts.view_organization", organization):
        raise PermissionDenied(_("Only members of the organization may open an incident there."))
    if playbook is not None and playbook.organization_id != organization.pk:
        raise ValidationError({"playbook": _("This playbook belongs to another organization.")})
    detected_at = detected_at or timezone.now()
    incident = Incident.objects.create(
        organization=organization,
        title=title,
        summary=summary,
        severity=severity,
        playbook=playbook,
        playbook_revision=_current_revision(playbook, acting_user),
        is_drill=is_drill,
        restricted=restricted,
        detected_at=detected_at,
        opened_by=acting_user,
    )
    PostMortem.objects.create(incident=incident)
    lead = Role.objects.get(slug=LEAD)
    grants = {(acting_user, lead)}
    if playbook is not None:
        grants |= {(a.user, a.role) for a in _playbook_assignments(playbook).select_related("user", "role")}
    _grant_roles(incident, grants, assigned_by=acting_user)
    if not restricted:
        accounts_services.organization_grant(
            organization=organization, codename="view_incident", obj=incident
        )
    entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.SYSTEM,
        author=acting_user,
        occurred_at=detected_at,
        message=_opened_message(incident, acting_user),
    )
    if playbook is not None:
        tasks = _tasks_from_playbook(incident, playbook, acting_user)
        people = sorted((user.get_full_name(), role.name) for user, role in grants)
        entry_write(
            incident=incident,
            kind=TimelineEntry.Kind.ROLE_CHANGE,
            author=acting_user,
            occurred_at=detected_at,
            message=say(gettext_noop("Roles from the playbook: %(people)s."), people=tm.people(people)),
        )
        if tasks:
            entry_write(
                incident=incident,
                kind=TimelineEntry.Kind.TASK,
                author=acting_user,
                occurred_at=detected_at,
                message=tm.say_count(
                    len(tasks),
                    gettext_noop("%(count)d task from the playbook's steps."),
                    gettext_noop("%(count)d tasks from the playbook's steps."),
                ),
            )
    if organization.chat_webhook_url and not restricted:  # the chat is the whole organization's
        from incidents.tasks import post_to_chat

        text = _chat_text(incident, acting_user)
        transaction.on_commit(lambda: post_to_chat.delay(organization.pk, text), robust=True)
    return incident


def _playbook_assignments(playbook: Playbook):
    """The playbook's people who are still active members: one who left is not copied in."""
    return playbook.role_assignments.filter(
        user__in=accounts_selectors.active_members_of(playbook.organization_id)
    )


def _chat_text(incident: Incident, acting_user: User) -> str:
    with translation.override(incident.organization.language):
        return _("New incident (%(severity)s): %(title)s, opened by %(name)s. %(url)s") % {
            "severity": incident.get_severity_display(),
            "title": incident.title,
            "name": acting_user.get_full_name(),
            "url": settings.SITE_URL.rstrip("/") + incident.get_absolute_url(),
        }


def _current_revision(playbook: Playbook | None, acting_user: User):
    if playbook is None:
        return None
    current = playbook.revisions.filter(is_proposal=False).order_by("-number").first()
    return current or playbooks_services.playbook_revision_record(
        playbook=playbook, acting_user=acting_user, change_note=""
    )


def _opened_message(incident: Incident, acting_user: User) -> dict:
    name, severity = acting_user.get_full_name(), tm.severity(incident.severity)
    if incident.playbook is None:
        return say(gettext_noop("%(name)s opened the incident (%(severity)s)."), name=name, severity=severity)
    return say(
        gettext_noop(
            "%(name)s opened the incident (%(severity)s) from the playbook “%(playbook)s”, "
            "revision %(revision)d."
        ),
        name=name,
        severity=severity,
        playbook=incident.playbook.name,
        revision=incident.playbook_revision.number,
    )


def _grant_roles(incident: Incident, grants: set[tuple[User, Role]], *, assigned_by: User) -> None:
    IncidentRoleAssignment.objects.bulk_create(
        [
            IncidentRoleAssignment(incident=incident, user=user, role=role, assigned_by=assigned_by)
            for user, role in grants
        ],
        ignore_conflicts=True,
    )
    accounts_services.role_grant_many(grants=grants, obj=incident)
    security_log.roles_granted(incident=incident, grants=grants, acting_user=assigned_by)
    for user, role in sorted(grants, key=lambda grant: (grant[0].pk, grant[1].pk)):
        _two_factor_notice(incident, user, role)


def _tasks_from_playbook(incident: Incident, playbook: Playbook, acting_user: User) -> list[Task]:
    primaries = {}
    for assignment in _playbook_assignments(playbook):
        if assignment.kind == assignment.Kind.PRIMARY:
            primaries.setdefault(assignment.role_id, assignment.user_id)
    return Task.objects.bulk_create(
        Task(
            incident=incident,
            title=step.title,
            description=step.description,
            role=step.role,
            assignee_id=primaries.get(step.role_id),
            due_at=incident.detected_at + timedelta(minutes=step.due_after_minutes),
            created_by=acting_user,
        )
        for step in playbook.steps.all()
    )


# --- lifecycle and details ------------------------------------------------------------------


@transaction.atomic
def incident_transition(
    *, incident: Incident, to: str, acting_user: User, at: datetime | None = None
) -> Incident:
    """Move the incident along its lifecycle; `at` backdates it (imports, the demo), never ahead."""
    live_changes.incident_changed(incident.pk)  # the incident's lock, first
    incident = Incident.objects.select_related("postmortem").get(pk=incident.pk)
    require(acting_user, "change_incident", incident)
    at = min(at or timezone.now(), timezone.now())
    before = incident.status
    # Publishing locks this incident row first too, so no post is queued while this one closes.
    publishing = Publication.objects.filter(
        statement__incident=incident, status__in=Publication.IN_FLIGHT
    ).exists()
    changed = incident.transition_to(to, at=at, publishing=publishing)
    incident.save(update_fields=[*changed, "updated_at"])
    entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.STATUS_CHANGE,
        author=acting_user,
        occurred_at=at,
        message=say(
            gettext_noop("Status: %(before)s → %(after)s."),
            before=tm.status(before),
            after=tm.status(incident.status),
        ),
    )
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, acting_user: User, **fields) -> Incident:
    """Change title, summary, severity or restricted; each change is on the timeline."""
    allowed = {"title", "summary", "severity", "restricted"}
    if set(fields) - allowed:
        raise TypeError(f"incident_update() cannot change {sorted(set(fields) - allowed)}")
    incident = incident_locked(incident.pk)
    require(acting_user, "change_incident", incident)
    incident.check_open_for_work()
    changed = [name for name, value in fields.items() if getattr(incident, name) != value]
    if not changed:
        return incident
    old_severity = incident.severity
    for name in changed:
        setattr(incident, name, fields[name])
    incident.save(update_fields=[*changed, "updated_at"])
    if "severity" in changed:
        entry_write(
            incident=incident,
            kind=TimelineEntry.Kind.SYSTEM,
            author=acting_user,
            message=say(
                gettext_noop("Severity: %(before)s → %(after)s."),
                before=tm.severity(old_severity),
                after=tm.severity(incident.severity),
            ),
        )
        from incidents.services.statements import statements_recount  # statements build on this module

        statements_recount(incident=incident, acting_user=acting_user)
    if "restricted" in changed:
        grant = (
            accounts_services.organization_revoke
            if incident.restricted
            else accounts_services.organization_grant
        )
        grant(organization=incident.organization, codename="view_incident", obj=incident)
        entry_write(
            incident=incident,
            kind=TimelineEntry.Kind.SYSTEM,
            author=acting_user,
            message=say(gettext_noop("Now restricted: only people with a role see this incident."))
            if incident.restricted
            else say(
                gettext_noop("No longer restricted: every member of the organization sees this incident.")
            ),
        )
    if {"title", "summary"} & set(changed):
        entry_write(
            incident=incident,
            kind=TimelineEntry.Kind.SYSTEM,
            author=acting_user,
            message=say(
                gettext_noop("%(name)s changed the title or summary."), name=acting_user.get_full_name()
            ),
        )
    return incident


# --- roles ----------------------------------------------------------------------------------


@transaction.atomic
def role_assign(
    *, incident: Incident, user: User, role: Role, acting_user: User
) -> tuple[IncidentRoleAssignment, bool]:
    """Give `user` a role on the incident; answers the assignment and whether it is new.

    Locks in the project order: the person's membership (so they cannot be halfway out of the
    organization: membership_remove takes the same lock), the incident, then the role (so an
    edit of its permissions, role_update_permissions, comes wholly before or after the grant).
    """
    membership = accounts_services.membership_lock(user=user, organization_id=incident.organization_id)
    incident = incident_locked(incident.pk)
    require(acting_user, "assign_roles", incident)
    if membership is None:
        raise ValidationError({"user": _("This person is not a member of the incident's organization.")})
    role = Role.objects.select_for_update(no_key=True).get(pk=role.pk)
    assignment, created = IncidentRoleAssignment.objects.get_or_create(
        incident=incident, user=user, role=role, defaults={"assigned_by": acting_user}
    )
    if created:
        accounts_services.role_grant(role=role, user=user, obj=incident)
        live_changes.people_changed([user.pk])  # their open streams get what the role gives
        security_log.role_granted(incident=incident, user=user, role=role, acting_user=acting_user)
        entry_write(
            incident=incident,
            kind=TimelineEntry.Kind.ROLE_CHANGE,
            author=acting_user,
            message=say(
                gettext_noop("%(user)s is now %(role)s."), user=user.get_full_name(), role=tm.role(role.name)
            ),
        )
        _two_factor_notice(incident, user, role)
    return assignment, created


def _two_factor_notice(incident: Incident, user: User, role: Role) -> None:
    """Someone given a role that approves or publishes, without the two-factor sign-in their
    organization requires for it: the room says so, for the lead, and the person is told."""
    if not role.speaks_for_brand or not two_factor.setup_required(user):
        return
    params = {"user": user.get_full_name(), "role": tm.role(role.name), "title": incident.title}
    entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.SYSTEM,
        message=say(
            gettext_noop(
                "%(user)s has no two-factor sign-in yet: they are asked to set it up before they can act as "
                "%(role)s."
            ),
            **params,
        ),
    )
    Notification.objects.create(
        user=user,
        incident=incident,
        message=say(
            gettext_noop(
                "You are %(role)s on “%(title)s”: your organization requires two-factor sign-in for that "
                "role. Set it up on your profile page."
            ),
            **params,
        ),
    )
    live_changes.people_changed([user.pk])  # their bell


@transaction.atomic
def role_remove(*, assignment: IncidentRoleAssignment, acting_user: User) -> None:
    """Take a role away; its permissions go unless another role of the person still grants them.

    Locks the incident, then the role (as role_assign); an assignment already gone (its person
    left the organization meanwhile) is nothing more to do.
    """
    incident = incident_locked(assignment.incident_id)
    require(acting_user, "assign_roles", incident)
    assignment = IncidentRoleAssignment.objects.select_related("user").filter(pk=assignment.pk).first()
    if assignment is None:
        return
    role = Role.objects.select_for_update(no_key=True).get(pk=assignment.role_id)
    if (
        role.slug == LEAD
        and not incident.role_assignments.filter(role=role).exclude(pk=assignment.pk).exists()
    ):
        raise DomainError(_("An incident always has a lead: assign another lead first."))
    kept = [
        other.role
        for other in incident.role_assignments.filter(user=assignment.user)
        .exclude(pk=assignment.pk)
        .select_related("role")
    ]
    assignment.delete()
    accounts_services.role_revoke(role=role, user=assignment.user, obj=incident, kept_roles=kept)
    live_changes.people_changed([assignment.user_id])  # their open streams lose what the role gave
    security_log.role_removed(incident=incident, user=assignment.user, role=role, acting_user=acting_user)
    entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.ROLE_CHANGE,
        author=acting_user,
        message=say(
            gettext_noop("%(user)s is no longer %(role)s."),
            user=assignment.user.get_full_name(),
            role=tm.role(role.name),
        ),
    )


# --- timeline -------------------------------------------------------------------------------


@transaction.atomic
def timeline_add(
    *,
    incident: Incident,
    acting_user: User,
    body: str,
    occurred_at: datetime | None = None,
    corrects: TimelineEntry | None = None,
) -> TimelineEntry:
    """A person's note, or the correction of any entry of the incident (a status change too: the
    post-mortem's figures follow corrected times). Also once the incident is closed: the record may
    still be completed and corrected, only appended to, never changed."""
    require(acting_user, "add_timeline_entry", incident)
    errors = {}
    if not body.strip():
        errors["body"] = _("Write what happened.")
    try:
        TimelineEntry.check_occurred_at(occurred_at)
    except ValidationError as error:
        errors.update(error.message_dict)
    if corrects is not None and corrects.incident_id != incident.pk:
        errors["corrects"] = _("That entry belongs to another incident.")
    if errors:
        raise ValidationError(errors)
    return entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.NOTE,
        body=body.strip(),
        author=acting_user,
        occurred_at=occurred_at,
        corrects=corrects,
    )


# --- tasks ----------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    incident: Incident,
    acting_user: User,
    title: str,
    description: str = "",
    assignee: User | None = None,
    due_at: datetime | None = None,
) -> Task:
    require(acting_user, "manage_tasks", incident)
    incident = incident_locked(incident.pk)  # wholly before or after the incident is closed
    incident.check_open_for_work()
    _check_assignee(incident, assignee)
    task = Task.objects.create(
        incident=incident,
        title=title,
        description=description,
        assignee=assignee,
        due_at=due_at,
        created_by=acting_user,
    )
    entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.TASK,
        author=acting_user,
        message=say(gettext_noop("New task: %(title)s."), title=title),
    )
    return task


@transaction.atomic
def task_update(*, task: Task, acting_user: User, **fields) -> Task:
    """Change a task's title, description, assignee or due time."""
    allowed = {"title", "description", "assignee", "due_at"}
    if set(fields) - allowed:
        raise TypeError(f"task_update() cannot change {sorted(set(fields) - allowed)}")
    task = _task_locked(task)
    require(acting_user, "manage_tasks", task.incident)
    task.incident.check_open_for_work()
    if "assignee" in fields:
        _check_assignee(task.incident, fields["assignee"])
    for name, value in fields.items():
        setattr(task, name, value)
    task.save(update_fields=list(fields))
    if fields.get("assignee") is not None:
        entry_write(
            incident=task.incident,
            kind=TimelineEntry.Kind.TASK,
            author=acting_user,
            message=say(
                gettext_noop("%(user)s takes the task “%(title)s”."),
                user=task.assignee.get_full_name(),
                title=task.title,
            ),
        )
    return task


@transaction.atomic
def task_complete(*, task: Task, acting_user: User) -> Task:
    task = _task_locked(task)
    require(acting_user, "manage_tasks", task.incident)
    task.incident.check_open_for_work()
    task.complete(by=acting_user)
    task.save(update_fields=["completed_at", "completed_by"])
    entry_write(
        incident=task.incident,
        kind=TimelineEntry.Kind.TASK,
        author=acting_user,
        message=say(gettext_noop("Done: %(title)s."), title=task.title),
    )
    return task


def _task_locked(task: Task) -> Task:
    """The task locked in the project's order: its incident first, then the task."""
    incident = incident_locked(task.incident_id)
    locked = Task.objects.select_for_update().get(pk=task.pk)
    locked.incident = incident
    return locked


def _check_assignee(incident: Incident, assignee: User | None) -> None:
    """Tasks go to active members of the incident's organization only.

    No membership lock here, unlike role_assign: task_update already holds the task's row,
    which comes after memberships in the project lock order, and a task gives no access.
    """
    if assignee is not None and not accounts_selectors.is_active_member(assignee, incident.organization_id):
        raise ValidationError({"assignee": _("This person is not a member of the incident's organization.")})
