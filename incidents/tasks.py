import logging

from celery import shared_task

from crisisdesk import outbound
from incidents import connectors
from incidents.services import publishing

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def backoff_seconds(retries: int) -> int:
    return min(5 * 2**retries, 300)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def publish_publication(self, publication_id: int) -> str:
    """Post one publication; retried with backoff on a 5xx or a timeout, then given up."""
    try:
        return publishing.publication_send(publication_id=publication_id)
    except connectors.TransientError as error:
        if self.request.retries >= MAX_RETRIES:
            publishing.publication_give_up(publication_id=publication_id, error=str(error))
            return "failed"
        raise self.retry(countdown=backoff_seconds(self.request.retries), exc=error) from error


@shared_task
def send_reminders() -> int:
    """Beat: remind people of what is due soon or late; answers how many reminders went out."""
    from incidents.services.reminders import reminders_send

    return len(reminders_send())


@shared_task(bind=True, max_retries=3)
def post_to_chat(self, organization_id: int, text: str) -> None:
    """Post to the organization's Slack- or Mattermost-compatible incoming webhook (through
    crisisdesk.outbound); retried on a 5xx or no answer, dropped on a refused address."""
    from accounts.models import Organization

    url = Organization.objects.get(pk=organization_id).chat_webhook_url
    if not url:
        return
    try:
        response = outbound.request("POST", url, json={"text": text}, timeout=(5, 15))
    except outbound.Refused as error:
        logger.warning("Chat message of organization %s not sent: %s", organization_id, error)
        return
    except outbound.Unreachable as error:
        raise self.retry(countdown=backoff_seconds(self.request.retries), exc=error) from error
    if response.status_code >= 500:
        raise self.retry(countdown=backoff_seconds(self.request.retries))
    if response.status_code >= 300:
        error = outbound.status_error(response)
        logger.warning("Chat message of organization %s not taken: %s", organization_id, error)


@shared_task
def resume_publications() -> int:
    """Beat: queue again what a lost task or a stopped worker left unsent; answers how many."""
    ids = publishing.publications_to_resume()
    for publication_id in ids:
        publish_publication.delay(publication_id)
    return len(ids)
