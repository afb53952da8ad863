"""Writes for public statements: draft, edit, submit, approve, request changes, withdraw.

Each is one transaction on a locked statement row (its incident locked first) that bumps
`version` and writes its timeline entry. Publishing is in incidents.services.publishing.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from crisisdesk.errors import DomainError
from incidents import security_log, tone
from incidents.models import (
    Approval,
    Channel,
    Incident,
    Publication,
    Statement,
    StatementRevision,
    TimelineEntry,
)
from incidents.services.incident import entry_write, incident_locked, require
from incidents.timeline_messages import say
from playbooks.models import StatementTemplate


class StaleVersion(DomainError):
    default_message = "Someone changed this statement in the meantime: reload it and try again."


def tone_hints(*, body: str, language: str, channel: Channel | None) -> list[dict]:
    limit = channel.length_limit if channel is not None else None
    return [{"rule": hint.rule, "words": hint.words} for hint in tone.check(body, language, limit)]


def default_channel(incident: Incident) -> Channel | None:
    return incident.organization.channels.filter(is_default=True, is_active=True).first()


def template_values(*, incident: Incident, channel: Channel | None) -> dict:
    """What a template's placeholders become for this incident, in the active language."""
    now = timezone.localtime()
    next_update = now + timedelta(minutes=incident.target()["minutes_between_updates"])
    return {
        "organization": incident.organization.name,
        "incident_title": incident.title,
        "date": formats.date_format(now, "DATE_FORMAT"),
        "time": formats.time_format(now, "H:i"),
        "next_update": formats.time_format(next_update, "H:i"),
        "next_update_at": next_update,
        "channel": channel.name if channel else "",
    }


def statement_locked(statement: Statement) -> Statement:
    """The statement locked in the project's order: its incident, then the statement."""
    incident = incident_locked(statement.incident_id)
    locked = Statement.objects.select_for_update().get(pk=statement.pk)
    locked.incident = incident
    return locked


def _publishing(statement: Statement) -> bool:
    """A post is queued or being sent: asked of the database under the statement's lock."""
    return statement.publications.filter(status__in=Publication.IN_FLIGHT).exists()


def _statement_entry(statement: Statement, author: User, message: dict) -> None:
    entry_write(
        incident=statement.incident, kind=TimelineEntry.Kind.STATEMENT, author=author, message=message
    )


@transaction.atomic
def statement_draft(
    *,
    incident: Incident,
    acting_user: User,
    body: str = "",
    language: str = "en",
    template: StatementTemplate | None = None,
    next_update_at: datetime | None = None,
) -> Statement:
    """Start a statement, from a playbook template (placeholders filled) or from scratch.

    Under the incident's lock, so it is wholly before or after the incident is closed.
    """
    require(acting_user, "draft_statement", incident)
    incident = incident_locked(incident.pk)
    incident.check_open_for_work()
    if template is not None and template.playbook.organization_id != incident.organization_id:
        raise ValidationError({"template": _("This template belongs to another organization.")})
    channel = default_channel(incident)
    if not body.strip() and template is not None:
        values = template_values(incident=incident, channel=channel)
        body = template.render(values)
        language = template.language
        if next_update_at is None and "{next_update}" in template.body.replace(" ", ""):
            next_update_at = values["next_update_at"]  # the template's promise is kept as a deadline
    if not body.strip():
        raise ValidationError({"body": _("Write the statement, or start from a template.")})
    statement = Statement.objects.create(
        next_update_at=next_update_at,
        incident=incident,
        author=acting_user,
        language=language,
        template=template,
        body=body.strip(),
        tone=tone_hints(body=body, language=language, channel=channel),
    )
    StatementRevision.objects.create(statement=statement, number=1, body=statement.body, author=acting_user)
    _statement_entry(
        statement,
        acting_user,
        say(gettext_noop("%(name)s drafted a statement."), name=acting_user.get_full_name()),
    )
    return statement


@transaction.atomic
def statement_edit(*, statement: Statement, acting_user: User, body: str, version: int) -> Statement:
    """New text: a new revision, back to draft, the approvals given so far void."""
    statement = statement_locked(statement)
    require(acting_user, "draft_statement", statement.incident)
    publishing = _publishing(statement)
    statement.check_changeable(publishing=publishing)  # even a PATCH that changes nothing
    if version != statement.version:
        raise StaleVersion(_("Someone changed this statement in the meantime: reload it and try again."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("A statement cannot be empty.")})
    if body == statement.body:
        return statement
    had_approvals = statement.approvals.filter(revision=statement.revision).exists()
    statement.edit(body, publishing=publishing)
    statement.version += 1
    statement.tone = tone_hints(
        body=body, language=statement.language, channel=default_channel(statement.incident)
    )
    statement.save(
        update_fields=["body", "revision", "status", "submitted_at", "version", "tone", "updated_at"]
    )
    StatementRevision.objects.create(
        statement=statement, number=statement.revision, body=body, author=acting_user
    )
    note = gettext_noop("%(name)s edited the statement (revision %(revision)d).")
    if had_approvals:
        note = gettext_noop(
            "%(name)s edited the statement (revision %(revision)d); the approvals given are void."
        )
    _statement_entry(
        statement, acting_user, say(note, name=acting_user.get_full_name(), revision=statement.revision)
    )
    return statement


@transaction.atomic
def statement_submit(*, statement: Statement, acting_user: User, comment: str = "") -> Statement:
    statement = statement_locked(statement)
    require(acting_user, "draft_statement", statement.incident)
    statement.submit()
    statement.version += 1
    statement.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    required = statement.incident.approvals_required
    _statement_entry(
        statement,
        acting_user,
        say(
            gettext_noop("%(name)s submitted the statement for approval (%(count)d needed)."),
            name=acting_user.get_full_name(),
            count=required,
            note=comment,
        ),
    )
    return statement


@transaction.atomic
def statements_recount(*, incident: Incident, acting_user: User) -> list[Statement]:
    """After a severity change: statements waiting or approved follow what the incident needs now.

    The caller holds the incident's lock; statements are locked in pk order after it.
    """
    required = incident.approvals_required
    changed = []
    for statement in (
        incident.statements.select_for_update()
        .filter(status__in=(Statement.Status.APPROVED, Statement.Status.PENDING_APPROVAL))
        .order_by("pk")
    ):
        if not statement.recount(approvals_required=required):
            continue
        statement.version += 1
        statement.save(update_fields=["status", "version", "updated_at"])
        changed.append(statement)
        given = statement.approvals_given()
        message = (
            gettext_noop("A statement has %(given)d of %(required)d approvals now: it is approved.")
            if statement.status == Statement.Status.APPROVED
            else gettext_noop(
                "A statement has %(given)d of the %(required)d approvals the incident needs now: "
                "it waits for approval again."
            )
        )
        entry_write(
            incident=incident,
            kind=TimelineEntry.Kind.STATEMENT,
            author=acting_user,
            message=say(message, given=given, required=required),
        )
    return changed


@transaction.atomic
def statement_approve(*, statement: Statement, acting_user: User, comment: str = "") -> Statement:
    return _decide(statement, acting_user, Approval.Decision.APPROVED, comment)


@transaction.atomic
def statement_request_changes(*, statement: Statement, acting_user: User, comment: str = "") -> Statement:
    return _decide(statement, acting_user, Approval.Decision.CHANGES_REQUESTED, comment)


def _decide(statement: Statement, acting_user: User, decision: str, comment: str) -> Statement:
    statement = statement_locked(statement)
    require(acting_user, "approve_statement", statement.incident)
    current = list(statement.approvals.filter(revision=statement.revision))
    statement.check_decision_by(acting_user, approvals=current)
    now = timezone.now()
    Approval.objects.create(
        statement=statement,
        revision=statement.revision,
        approver=acting_user,
        decision=decision,
        comment=comment,
        created_at=now,
        waited_seconds=int((now - statement.submitted_at).total_seconds()),
    )
    name = acting_user.get_full_name()
    if decision == Approval.Decision.APPROVED:
        given = 1 + sum(1 for approval in current if approval.decision == Approval.Decision.APPROVED)
        required = statement.incident.approvals_required
        statement.approve(approvals_given=given, approvals_required=required)
        security_log.statement_approved(
            statement=statement, acting_user=acting_user, given=given, required=required
        )
        message = say(
            gettext_noop("%(name)s approved the statement (%(given)d of %(required)d)."),
            name=name,
            given=given,
            required=required,
            note=comment,
        )
    else:
        statement.request_changes()
        message = say(gettext_noop("%(name)s asked for changes to the statement."), name=name, note=comment)
    statement.version += 1
    statement.save(update_fields=["status", "version", "updated_at"])
    _statement_entry(statement, acting_user, message)
    return statement


@transaction.atomic
def statement_withdraw(*, statement: Statement, acting_user: User, comment: str = "") -> Statement:
    statement = statement_locked(statement)
    require(acting_user, "draft_statement", statement.incident)
    statement.withdraw(publishing=_publishing(statement))
    statement.version += 1
    statement.save(update_fields=["status", "version", "updated_at"])
    _statement_entry(
        statement,
        acting_user,
        say(gettext_noop("%(name)s withdrew the statement."), name=acting_user.get_full_name(), note=comment),
    )
    return statement
