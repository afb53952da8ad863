import logging

from celery import shared_task

from accounts import services

logger = logging.getLogger(__name__)


@shared_task
def prune_security_log() -> int:
    """Beat, daily: delete the security log's lines older than SECURITY_LOG_RETENTION_DAYS;
    answers how many went."""
    deleted = services.security_log_prune()
    if deleted:
        logger.info("Pruned %d security log lines", deleted)
    return deleted
