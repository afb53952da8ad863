"""Publishing an approved statement: what was approved is what is sent, once, with enough approvals.

`statement_publish` freezes the approved text and revision on a `Publication` row and queues its
task; `publication_send` (the task) claims the row, checks the gate again and posts that text; the
channel's confirmation is recorded by `publication_confirm`. Locks are always taken in the project's
order: incident, then statement, then publication (README, "Lock order").

Exactly once: the claim makes a second run stop (published, or claimed by someone else); a claim
older than settings.PUBLICATION_CLAIM_SECONDS is a crashed worker's and is taken over, and the
idempotency key makes that resend safe. A database error while confirming is retried, never turned
into a resend.

A closed incident publishes nothing: publishing and cancelling refuse (409), an incident cannot
close while one of its posts is queued or sending (incident_transition, under the same incident
lock), and a send that finds its incident closed all the same (a post queued before this rule)
stops without posting. A confirmation of a post already sent is recorded whatever the status.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from crisisdesk.errors import DomainError
from incidents import connectors, security_log
from incidents.models import Channel, Incident, Publication, Statement, TimelineEntry
from incidents.services.incident import entry_write, require
from incidents.services.statements import default_channel, incident_locked, statement_locked
from incidents.timeline_messages import say, say_count

logger = logging.getLogger(__name__)

CONFIRM_RETRY_SECONDS = (0.5, 1, 2, 4, 8)


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.PUBLICATION_CLAIM_SECONDS)


# --- asking -----------------------------------------------------------------------------------


@transaction.atomic
def statement_publish(
    *, statement: Statement, acting_user: User, channel: Channel | None = None, url: str = ""
) -> Statement:
    """Send an approved statement to a channel (the default one when none is named).

    The publication takes the text and revision approved now. A manual channel is confirmed at
    once with the `url` where someone posted it; the others go through a Celery task, queued when
    this transaction commits. A published statement may go to further channels, one post each.
    """
    statement = statement_locked(statement)
    require(acting_user, "publish_statement", statement.incident)
    statement.check_can_be_published(approvals_required=statement.incident.approvals_required)
    channel = channel or default_channel(statement.incident)
    if channel is None:
        raise ValidationError({"channel": _("This organization has no default channel: choose one.")})
    # Locked after the statement (README, "Lock order"), so a channel deleted or deactivated at
    # this moment is seen as such, not written to.
    channel = Channel.objects.select_for_update(no_key=True).filter(pk=channel.pk).first()
    if (
        channel is None
        or channel.organization_id != statement.incident.organization_id
        or not channel.is_active
    ):
        raise ValidationError({"channel": _("Choose an active channel of this organization.")})
    if channel.kind == Channel.Kind.MANUAL and not url:
        raise ValidationError({"url": _("Give the address where the statement was posted.")})
    publication = Publication.objects.select_for_update().filter(
        statement=statement, channel=channel
    ).first() or Publication(statement=statement, channel=channel)
    if publication.pk is not None and publication.in_flight:
        return statement  # a repeat while queued or sending: the task already has it
    if publication.status == Publication.Status.PUBLISHED and publication.pk is not None:
        return statement
    publication.request(body=statement.body, revision=statement.revision, requested_by=acting_user)
    publication.save()
    security_log.statement_published(statement=statement, channel=channel, acting_user=acting_user)
    if channel.kind == Channel.Kind.MANUAL:
        publication_confirm(publication=publication, external_id="", external_url=url)
        return Statement.objects.get(pk=statement.pk)
    message = gettext_noop("%(name)s is publishing the statement on %(channel)s.")
    if statement.status == Statement.Status.PUBLISHED:
        message = gettext_noop("%(name)s is publishing the statement on %(channel)s as well.")
    entry_write(
        incident=statement.incident,
        kind=TimelineEntry.Kind.STATEMENT,
        author=acting_user,
        message=say(message, name=acting_user.get_full_name(), channel=channel.name),
    )
    from incidents.tasks import publish_publication

    publication_id = publication.pk
    transaction.on_commit(lambda: publish_publication.delay(publication_id), robust=True)
    return statement


@transaction.atomic
def publication_cancel(*, publication: Publication, acting_user: User) -> Publication:
    """Stop a queued post, under the same locks as the send: once it is sending, it is too late."""
    statement = statement_locked(publication.statement)
    require(acting_user, "publish_statement", statement.incident)
    statement.incident.check_open_for_work()
    publication = (
        Publication.objects.select_for_update(of=("self",)).select_related("channel").get(pk=publication.pk)
    )
    publication.cancel()
    publication.save(update_fields=["status", "claimed_at"])
    entry_write(
        incident=statement.incident,
        kind=TimelineEntry.Kind.STATEMENT,
        author=acting_user,
        message=say(
            gettext_noop("%(name)s cancelled publishing the statement on %(channel)s."),
            name=acting_user.get_full_name(),
            channel=publication.channel.name,
        ),
    )
    return publication


# --- sending (the task) ----------------------------------------------------------------------


def publication_send(*, publication_id: int) -> str:
    """Post the publication if nobody did; answers "published", "done", "busy", "stopped" or "failed".

    Raises connectors.TransientError when a later attempt may work.
    """
    publication, verdict = _claim(publication_id)
    if verdict:
        return verdict
    try:
        sent = connectors.send(publication)
    except connectors.TransientError as error:
        _release(publication, str(error))
        raise
    except connectors.PermanentError as error:
        publication_give_up(publication_id=publication.pk, error=str(error))
        return "failed"
    _confirm_retrying(publication, sent)
    return "published"


@transaction.atomic
def _claim(publication_id: int) -> tuple[Publication | None, str]:
    """Lock and check the row; answers it with "" when this worker is to send it now."""
    ids = Publication.objects.filter(pk=publication_id).values("statement_id", "statement__incident_id")
    row = ids.first()
    if row is None:
        return None, "stopped"
    incident = incident_locked(row["statement__incident_id"])
    statement = Statement.objects.select_for_update().get(pk=row["statement_id"])
    statement.incident = incident
    publication = (
        Publication.objects.select_for_update(of=("self",)).select_related("channel").get(pk=publication_id)
    )
    publication.statement = statement
    if publication.status == Publication.Status.PUBLISHED:
        return None, "done"
    if publication.status in (Publication.Status.CANCELLED, Publication.Status.FAILED):
        return None, "stopped"
    if (
        publication.status == Publication.Status.SENDING
        and publication.claimed_at > timezone.now() - claim_timeout()
    ):
        return None, "busy"
    if not publication.channel.is_active:
        _stop(publication, reason=gettext_noop("the channel was deactivated."))
        return None, "stopped"
    if not incident.is_open_for_work:
        _stop(publication, reason=gettext_noop("the incident was closed."))
        return None, "stopped"
    try:
        statement.check_can_be_published(
            approvals_required=incident.approvals_required, revision=publication.revision
        )
    except DomainError as refusal:
        _stop(publication, reason=gettext_noop("the statement lacks the approvals it needs."), error=refusal)
        return None, "stopped"
    publication.status, publication.claimed_at = Publication.Status.SENDING, timezone.now()
    publication.attempts += 1
    publication.save(update_fields=["status", "claimed_at", "attempts"])
    return publication, ""


def _stop(publication: Publication, *, reason: str, error: DomainError | None = None) -> None:
    """The gate no longer holds at send time (a severity raise asks for more approvals, the channel
    was deactivated): not sent. `reason` is a message id, shown in each reader's language."""
    publication.status, publication.claimed_at = Publication.Status.CANCELLED, None
    publication.last_error = error.message if error else reason
    publication.save(update_fields=["status", "claimed_at", "last_error"])
    entry_write(
        incident=publication.statement.incident,
        kind=TimelineEntry.Kind.STATEMENT,
        message=say(
            gettext_noop("Not published on %(channel)s: %(reason)s"),
            channel=publication.channel.name,
            reason={"msgid": reason},
        ),
    )


@transaction.atomic
def _release(publication: Publication, error: str) -> None:
    """Back in the queue for the next attempt; the room shows it waiting again."""
    incident_locked(publication.statement.incident_id)
    Publication.objects.filter(pk=publication.pk, status=Publication.Status.SENDING).update(
        status=Publication.Status.PENDING, last_error=error, claimed_at=None
    )


def _confirm_retrying(publication: Publication, sent: connectors.Sent) -> None:
    """The post is out: record it, retrying a database error rather than letting a resend happen."""
    for pause in (*CONFIRM_RETRY_SECONDS, None):
        try:
            publication_confirm(
                publication=publication, external_id=sent.external_id, external_url=sent.external_url
            )
            return
        except DatabaseError:
            if pause is None:
                raise
            logger.warning("Confirming publication %s failed; retrying", publication.pk, exc_info=True)
            connection.close()  # a broken connection is opened afresh by the next query
            time.sleep(pause)


@transaction.atomic
def publication_confirm(*, publication: Publication, external_id: str, external_url: str) -> Publication:
    """The channel has the post: the statement is published; the first one is the first response."""
    statement = statement_locked(publication.statement)
    publication = (
        Publication.objects.select_for_update(of=("self",)).select_related("channel").get(pk=publication.pk)
    )
    if publication.status == Publication.Status.PUBLISHED:
        return publication
    now = timezone.now()
    publication.status, publication.published_at, publication.claimed_at = (
        Publication.Status.PUBLISHED,
        now,
        None,
    )
    publication.external_id, publication.external_url, publication.last_error = external_id, external_url, ""
    publication.save(
        update_fields=["status", "published_at", "claimed_at", "external_id", "external_url", "last_error"]
    )
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


@transaction.atomic
def publication_give_up(*, publication_id: int, error: str) -> None:
    statement_id = Publication.objects.values_list("statement_id", flat=True).get(pk=publication_id)
    statement = statement_locked(Statement.objects.only("pk", "incident_id").get(pk=statement_id))
    publication = (
        Publication.objects.select_for_update(of=("self",)).select_related("channel").get(pk=publication_id)
    )
    if publication.status == Publication.Status.PUBLISHED:
        return
    publication.status, publication.last_error, publication.claimed_at = (
        Publication.Status.FAILED,
        error,
        None,
    )
    publication.save(update_fields=["status", "last_error", "claimed_at"])
    entry_write(
        incident=statement.incident,
        kind=TimelineEntry.Kind.STATEMENT,
        message=say_count(
            publication.attempts,
            gettext_noop("Publishing on %(channel)s failed after %(attempts)d attempt: %(error)s"),
            gettext_noop("Publishing on %(channel)s failed after %(attempts)d attempts: %(error)s"),
            channel=publication.channel.name,
            attempts=publication.attempts,
            error=error,
        ),
    )


def publications_to_resume(now=None) -> list[int]:
    """Publications whose task was lost: queued a while ago (the broker was down when it was asked),
    or claimed by a worker that stopped answering. The beat queues them again; the claim and the
    idempotency key keep that from posting twice."""
    now = now or timezone.now()
    stale = now - claim_timeout()
    return list(
        Publication.objects.filter(
            Q(status=Publication.Status.PENDING, requested_at__lt=stale, claimed_at__isnull=True)
            | Q(status=Publication.Status.PENDING, claimed_at__lt=stale)
            | Q(status=Publication.Status.SENDING, claimed_at__lt=stale)
        ).values_list("pk", flat=True)
    )
