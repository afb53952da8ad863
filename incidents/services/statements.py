"""Writes for public statements: draft, edit, submit, approve, request changes, withdraw, publish.

Each is one transaction on a locked statement row that bumps `version` and writes its timeline
entry. Publishing hands off to a Celery task once the transaction has committed.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from crisisdesk.errors import DomainError
from incidents import tone
from incidents.models import (
    Approval,
    Channel,
    Incident,
    Publication,
    Statement,
    StatementRevision,
    TimelineEntry,
)
from incidents.services.incident import entry_write, require
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


def _locked(statement: Statement) -> Statement:
    return Statement.objects.select_for_update(of=("self",)).select_related("incident").get(pk=statement.pk)


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
    """Start a statement, from a playbook template (placeholders filled) or from scratch."""
    require(acting_user, "draft_statement", incident)
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
    statement = _locked(statement)
    require(acting_user, "draft_statement", statement.incident)
    if version != statement.version:
        raise StaleVersion(_("Someone changed this statement in the meantime: reload it and try again."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("A statement cannot be empty.")})
    if body == statement.body:
        return statement
    had_approvals = statement.approvals.filter(revision=statement.revision).exists()
    statement.edit(body)
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
    statement = _locked(statement)
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
def statement_approve(*, statement: Statement, acting_user: User, comment: str = "") -> Statement:
    return _decide(statement, acting_user, Approval.Decision.APPROVED, comment)


@transaction.atomic
def statement_request_changes(*, statement: Statement, acting_user: User, comment: str = "") -> Statement:
    return _decide(statement, acting_user, Approval.Decision.CHANGES_REQUESTED, comment)


def _decide(statement: Statement, acting_user: User, decision: str, comment: str) -> Statement:
    statement = _locked(statement)
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
    statement = _locked(statement)
    require(acting_user, "draft_statement", statement.incident)
    statement.withdraw()
    statement.version += 1
    statement.save(update_fields=["status", "version", "updated_at"])
    _statement_entry(
        statement,
        acting_user,
        say(gettext_noop("%(name)s withdrew the statement."), name=acting_user.get_full_name(), note=comment),
    )
    return statement


# --- publishing -------------------------------------------------------------------------------


@transaction.atomic
def statement_publish(
    *, statement: Statement, acting_user: User, channel: Channel | None = None, url: str = ""
) -> Statement:
    """Send an approved statement to a channel (the default one when none is named).

    A manual channel is confirmed at once with the `url` where someone posted it; the others
    go through a Celery task, queued when this transaction commits.
    """
    statement = _locked(statement)
    require(acting_user, "publish_statement", statement.incident)
    statement.check_can_be_published()
    channel = channel or default_channel(statement.incident)
    if channel is None:
        raise ValidationError({"channel": _("This organization has no default channel: choose one.")})
    if channel.organization_id != statement.incident.organization_id or not channel.is_active:
        raise ValidationError({"channel": _("Choose an active channel of this organization.")})
    if channel.kind == Channel.Kind.MANUAL and not url:
        raise ValidationError({"url": _("Give the address where the statement was posted.")})
    publication, created = Publication.objects.select_for_update().get_or_create(
        statement=statement, channel=channel, defaults={"requested_by": acting_user}
    )
    if publication.status == Publication.Status.PUBLISHED:
        return statement
    if channel.kind == Channel.Kind.MANUAL:
        publication_confirm(publication=publication, external_id="", external_url=url)
        return Statement.objects.get(pk=statement.pk)
    retrying = publication.status == Publication.Status.FAILED
    if retrying:
        publication.status, publication.last_error = Publication.Status.PENDING, ""
        publication.save(update_fields=["status", "last_error"])
    if created or retrying:  # a repeat while queued only queues the task again (it is idempotent)
        _statement_entry(
            statement,
            acting_user,
            say(
                gettext_noop("%(name)s is publishing the statement on %(channel)s."),
                name=acting_user.get_full_name(),
                channel=channel.name,
            ),
        )
    from incidents.tasks import publish_publication

    publication_id = publication.pk
    transaction.on_commit(lambda: publish_publication.delay(publication_id), robust=True)
    return statement


@transaction.atomic
def publication_confirm(*, publication: Publication, external_id: str, external_url: str) -> Publication:
    """The channel has the post: the statement is published; the first one is the first response."""
    publication = Publication.objects.select_for_update().select_related("channel").get(pk=publication.pk)
    if publication.status == Publication.Status.PUBLISHED:
        return publication
    now = timezone.now()
    publication.status, publication.published_at = Publication.Status.PUBLISHED, now
    publication.external_id, publication.external_url, publication.last_error = external_id, external_url, ""
    publication.save(update_fields=["status", "published_at", "external_id", "external_url", "last_error"])
    statement = _locked(publication.statement)
    if statement.mark_published(now):
        statement.version += 1
        statement.save(update_fields=["status", "published_at", "version", "updated_at"])
        Incident.objects.filter(pk=statement.incident_id, first_response_at__isnull=True).update(
            first_response_at=now
        )

    entry_write(
        incident=statement.incident,
        kind=TimelineEntry.Kind.STATEMENT,
        message=say(
            gettext_noop("Statement published on %(channel)s: %(url)s"),
            channel=publication.channel.name,
            url=external_url,
        )
        if external_url
        else say(gettext_noop("Statement published on %(channel)s."), channel=publication.channel.name),
    )
    return publication
