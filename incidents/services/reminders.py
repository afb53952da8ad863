"""Reminders: what is due soon or late on the open incidents, sent to the right people once.

The beat task calls `reminders_send` every minute. It reads only open incidents (a fixed number
of queries however many closed ones there are), and each reminder is a row unique on
(incident, subject, due moment): a second run, or a second beat at the same time, finds the row
taken and sends nothing. Each new reminder writes a timeline entry, an in-app notification per
recipient and an e-mail in the recipient's language (not in their quiet hours, unless the
incident is critical). A reminder names its incident, so it goes only to people who may see
that incident now, and never to the organization's chat when the incident is restricted.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from guardian.models import GroupObjectPermission, UserObjectPermission

from accounts.models import User
from incidents import timeline_messages as tm
from incidents.live import changes as live_changes
from incidents.models import (
    Approval,
    Incident,
    IncidentRoleAssignment,
    Notification,
    Reminder,
    Statement,
    Task,
    TimelineEntry,
)
from incidents.selectors import last_public_updates
from incidents.services.incident import entry_write
from incidents.timeline_messages import say
from incidents.timers import timers_for

logger = logging.getLogger(__name__)

BACKUP_AFTER = timedelta(minutes=10)
APPROVAL_WAIT = timedelta(minutes=10)
CHAT_WORTHY = ("next_update:overdue", "next_update:promise_broken", "approval")

MESSAGES = {
    ("acknowledge", "soon"): gettext_noop("Reminder: acknowledge this incident by %(time)s."),
    ("acknowledge", "overdue"): gettext_noop("Late: this incident was to be acknowledged by %(time)s."),
    ("first_response", "soon"): gettext_noop("Reminder: the first public response is due at %(time)s."),
    ("first_response", "overdue"): gettext_noop("Late: the first public response was due at %(time)s."),
    ("next_update", "soon"): gettext_noop("Reminder: the next public update is due at %(time)s."),
    ("next_update", "overdue"): gettext_noop("Late: the next public update was due at %(time)s."),
    ("next_update", "promise_broken"): gettext_noop(
        "Promise broken: we said the next update would come at %(time)s, and it has not."
    ),
}


@dataclass
class Due:
    incident: Incident
    key: str
    due_at: datetime
    recipients: list[User]
    message: dict


def reminders_send(*, now: datetime | None = None) -> list[Reminder]:
    now = now or timezone.now()
    sent = []
    for due in _due(now):
        reminder = _claim(due, now)
        if reminder is not None:
            _deliver(due, now)
            sent.append(reminder)
    return sent


def _claim(due: Due, now: datetime) -> Reminder | None:
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                incident=due.incident, key=due.key, due_at=due.due_at, sent_at=now
            )
            reminder.recipients.set(due.recipients)
            entry_write(
                incident=due.incident, kind=TimelineEntry.Kind.REMINDER, message=due.message, occurred_at=now
            )
            Notification.objects.bulk_create(
                Notification(user=user, incident=due.incident, message=due.message, created_at=now)
                for user in due.recipients
            )
            live_changes.people_changed([user.pk for user in due.recipients])  # their bells
    except IntegrityError:  # another run sent it first
        return None
    return reminder


# --- what is due -----------------------------------------------------------------------------


def _due(now: datetime) -> list[Due]:
    incidents = list(
        Incident.objects.filter(status__in=Incident.OPEN_STATUSES).select_related(
            "organization", "playbook_revision"
        )
    )
    if not incidents:
        return []
    holders = _role_holders(incidents)
    viewers = _viewers(incidents)
    updates = last_public_updates(incidents)
    known = set(Reminder.objects.filter(incident__in=incidents).values_list("incident", "key", "due_at"))
    found = []
    for incident in incidents:
        found += _timer_reminders(incident, holders[incident.pk], updates.get(incident.pk), now)
    found += _task_reminders(incidents, holders, viewers, now)
    found += _approval_reminders(incidents, holders, now)
    for due in found:
        due.recipients = [user for user in due.recipients if user.pk in viewers[due.incident.pk]]
    return [due for due in found if (due.incident.pk, due.key, due.due_at) not in known and due.recipients]


def _viewers(incidents) -> dict[int, set[int]]:
    """Who may see each incident now: `view_incident` granted to them or to a group of theirs.

    The same grants the room asks (`incident_permissions`), for all open incidents in two
    queries: a backup named in the playbook or a task's assignee without a role on a
    restricted incident is not among them.
    """
    content_type = ContentType.objects.get_for_model(Incident)
    grants = {
        "content_type": content_type,
        "permission__codename": "view_incident",
        "object_pk__in": [str(incident.pk) for incident in incidents],
    }
    rows = (
        UserObjectPermission.objects.filter(**grants, user__is_active=True)
        .values_list("object_pk", "user_id")
        .union(
            GroupObjectPermission.objects.filter(**grants, group__user__is_active=True).values_list(
                "object_pk", "group__user"
            )
        )
    )
    viewers: dict[int, set[int]] = {incident.pk: set() for incident in incidents}
    for object_pk, user_id in rows:
        viewers[int(object_pk)].add(user_id)
    return viewers


def _role_holders(incidents) -> dict[int, dict[str, list[User]]]:
    holders: dict[int, dict[str, list[User]]] = {incident.pk: {} for incident in incidents}
    for assignment in IncidentRoleAssignment.objects.filter(incident__in=incidents).select_related(
        "user", "role"
    ):
        holders[assignment.incident_id].setdefault(assignment.role.slug, []).append(assignment.user)
    return holders


def _timer_reminders(incident: Incident, holders, last_update, now: datetime) -> list[Due]:
    found = []
    for timer in timers_for(incident, last_update=last_update):
        state = timer.state(now)
        if state not in ("soon", "overdue", "promise_broken") or (timer.key, state) not in MESSAGES:
            continue
        people = (
            _primaries(incident, holders)
            if timer.key == "acknowledge"
            else (holders.get("spokesperson", []) + holders.get("lead", []))
        )
        message = say(MESSAGES[(timer.key, state)], time=tm.time(timer.due_at))
        found.append(Due(incident, f"{timer.key}:{state}", timer.due_at, _unique(people), message))
        if timer.key == "acknowledge" and state == "overdue" and now >= timer.due_at + BACKUP_AFTER:
            backups = _backups(incident)
            names = ", ".join(user.get_full_name() for user in backups)
            found.append(
                Due(
                    incident,
                    "acknowledge:backup",
                    timer.due_at,
                    backups,
                    say(
                        gettext_noop("Still not acknowledged: %(names)s, as backup, please take over."),
                        names=names,
                    ),
                )
            )
    return found


def _playbook_people(incident: Incident, role: str, kind: str) -> list[int]:
    snapshot = incident.playbook_revision.snapshot if incident.playbook_revision_id else {}
    return [
        a["user"] for a in snapshot.get("role_assignments", []) if a["role"] == role and a["kind"] == kind
    ]


def _primaries(incident: Incident, holders) -> list[User]:
    leads = holders.get("lead", [])
    primary_ids = set(_playbook_people(incident, "lead", "primary"))
    return [user for user in leads if user.pk in primary_ids] or leads


def _backups(incident: Incident) -> list[User]:
    return list(User.objects.filter(pk__in=_playbook_people(incident, "lead", "backup"), is_active=True))


def _task_reminders(incidents, holders, viewers, now: datetime) -> list[Due]:
    """A late task reminds its assignee, or the leads when nobody (who may see the incident) has it."""
    tasks = Task.objects.filter(
        incident__in=incidents, completed_at__isnull=True, due_at__lt=now
    ).select_related("assignee")
    by_pk = {incident.pk: incident for incident in incidents}
    return [
        Due(
            by_pk[task.incident_id],
            f"task:{task.pk}:overdue",
            task.due_at,
            [task.assignee]
            if task.assignee and task.assignee_id in viewers[task.incident_id]
            else holders[task.incident_id].get("lead", []),
            say(
                gettext_noop("Late task: “%(title)s” was due at %(time)s."),
                title=task.title,
                time=tm.time(task.due_at),
            ),
        )
        for task in tasks
    ]


def _approval_reminders(incidents, holders, now: datetime) -> list[Due]:
    waiting = list(
        Statement.objects.filter(
            incident__in=incidents,
            status=Statement.Status.PENDING_APPROVAL,
            submitted_at__lte=now - APPROVAL_WAIT,
        )
    )
    decided = set(
        Approval.objects.filter(statement__in=waiting).values_list("statement", "revision", "approver")
    )
    by_pk = {incident.pk: incident for incident in incidents}
    found = []
    for statement in waiting:
        approvers = [
            user
            for user in holders[statement.incident_id].get("approver", [])
            if (statement.pk, statement.revision, user.pk) not in decided and user.pk != statement.author_id
        ]
        found.append(
            Due(
                by_pk[statement.incident_id],
                f"approval:{statement.pk}:r{statement.revision}",
                statement.submitted_at + APPROVAL_WAIT,
                approvers,
                say(
                    gettext_noop("A statement has waited for your approval since %(time)s."),
                    time=tm.time(statement.submitted_at),
                ),
            )
        )
    return found


def _unique(users: list[User]) -> list[User]:
    return list({user.pk: user for user in users}.values())


# --- delivery ---------------------------------------------------------------------------------


def _deliver(due: Due, now: datetime) -> None:
    for user in due.recipients:
        if not user.email or not user.email_reminders:
            continue
        if user.in_quiet_hours(now) and due.incident.severity != Incident.Severity.CRITICAL:
            continue
        _email(user, due)
    if (
        any(due.key.startswith(prefix) for prefix in CHAT_WORTHY)
        and due.incident.organization.chat_webhook_url
        and not due.incident.restricted  # the chat is the whole organization's
    ):
        from incidents.tasks import post_to_chat

        text = _in_language(due.incident.organization.language, due.incident, due.message)
        transaction.on_commit(lambda: post_to_chat.delay(due.incident.organization_id, text), robust=True)


def _in_language(language: str, incident: Incident, message: dict, time_zone: str | None = None) -> str:
    with translation.override(language), timezone.override(time_zone or settings.TIME_ZONE):
        return f"{incident.title}: {tm.render(message)}"


def _email(user: User, due: Due) -> None:
    with translation.override(user.language):
        subject = _("[crisisdesk] %(title)s") % {"title": one_line(due.incident.title)}
        body = _in_language(user.language, due.incident, due.message, user.time_zone)
        link = settings.SITE_URL.rstrip("/") + due.incident.get_absolute_url()
    try:
        send_mail(subject, f"{body}\n\n{link}\n", None, [user.email])
    except Exception:  # the reminder is on the timeline and in the app: one failed e-mail is logged
        logger.exception("Could not e-mail a reminder to %s", user.pk)  # and the others still go


def one_line(text: str) -> str:
    """Text for a mail header: a newline in a title would be refused there (BadHeaderError)."""
    return " ".join(text.split())
