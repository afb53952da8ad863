from celery import shared_task
from django.utils import timezone

from monitoring import polling, services
from monitoring.models import AlertRule, Source


@shared_task
def poll_sources() -> int:
    """Beat: queue a poll for every source that is due; answers how many."""
    due = list(polling.sources_due(timezone.now()).values_list("pk", flat=True))
    for source_id in due:
        poll_source.delay(source_id)
    return len(due)


@shared_task
def poll_source(source_id: int) -> int:
    result = polling.source_poll(source=Source.objects.get(pk=source_id))
    return result.created if result else 0


@shared_task
def evaluate_alerts() -> int:
    """Beat: check the rules of every organization that has one, also when nothing new came in."""
    raised = 0
    for organization_id in (
        AlertRule.objects.filter(is_active=True).values_list("organization", flat=True).distinct()
    ):
        raised += len(services.alerts_evaluate(organization=organization_id))
    return raised
