"""Sending a publication exactly once, however often its task runs.

The task claims the publication row before it posts: a second run finds it published (and
stops) or claimed by someone else (and stops). A claim older than settings.PUBLICATION_CLAIM_SECONDS
is taken to be a crashed worker and is taken over; the channel's idempotency key makes that resend safe.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from incidents import connectors
from incidents.models import Publication, TimelineEntry
from incidents.services.incident import entry_write
from incidents.services.statements import publication_confirm
from incidents.timeline_messages import say_count


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.PUBLICATION_CLAIM_SECONDS)


def publication_send(*, publication_id: int) -> str:
    """Post the publication if nobody did; answers "published", "done" or "busy".

    Raises connectors.TransientError when a later attempt may work.
    """
    publication = _claim(publication_id)
    if publication is None:
        return "busy"
    if publication.status == Publication.Status.PUBLISHED:
        return "done"
    try:
        sent = connectors.send(publication)
    except connectors.TransientError as error:
        _release(publication, str(error))
        raise
    except connectors.PermanentError as error:
        publication_give_up(publication_id=publication.pk, error=str(error))
        return "failed"
    publication_confirm(publication=publication, external_id=sent.external_id, external_url=sent.external_url)
    return "published"


@transaction.atomic
def _claim(publication_id: int) -> Publication | None:
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("channel", "statement__incident__organization")
        .get(pk=publication_id)
    )
    if publication.status == Publication.Status.PUBLISHED:
        return publication
    if (
        publication.status == Publication.Status.SENDING
        and publication.claimed_at > timezone.now() - claim_timeout()
    ):
        return None
    publication.status, publication.claimed_at = Publication.Status.SENDING, timezone.now()
    publication.attempts += 1
    publication.save(update_fields=["status", "claimed_at", "attempts"])
    return publication


def _release(publication: Publication, error: str) -> None:
    Publication.objects.filter(pk=publication.pk, status=Publication.Status.SENDING).update(
        status=Publication.Status.PENDING, last_error=error, claimed_at=None
    )


@transaction.atomic
def publication_give_up(*, publication_id: int, error: str) -> None:
    publication = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("channel", "statement__incident")
        .get(pk=publication_id)
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
        incident=publication.statement.incident,
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
            Q(status=Publication.Status.PENDING, created_at__lt=stale, claimed_at__isnull=True)
            | Q(status=Publication.Status.PENDING, claimed_at__lt=stale)
            | Q(status=Publication.Status.SENDING, claimed_at__lt=stale)
        ).values_list("pk", flat=True)
    )
