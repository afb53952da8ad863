from celery import shared_task

from incidents import connectors
from incidents.services import publishing

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
