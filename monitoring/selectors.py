"""Reads for monitoring, always as seen by one user."""

from datetime import datetime, timedelta

from django.db.models import Avg, Count, QuerySet
from django.db.models.functions import TruncHour

from accounts.models import User
from accounts.selectors import organizations_administered_by, organizations_visible_to
from monitoring.models import Alert, Mention, Source


def sources_visible_to(user: User) -> QuerySet[Source]:
    return Source.objects.filter(organization__in=organizations_visible_to(user))


def sources_administered_by(user: User) -> QuerySet[Source]:
    return Source.objects.filter(organization__in=organizations_administered_by(user))


def mentions_visible_to(user: User) -> QuerySet[Mention]:
    return Mention.objects.filter(source__organization__in=organizations_visible_to(user)).select_related(
        "source"
    )


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(rule__organization__in=organizations_visible_to(user))
        .select_related("rule", "incident")
        .annotate(mention_count=Count("mentions"))
    )


def hourly_figures(user: User, *, since: datetime, until: datetime) -> list[dict]:
    """Mentions per source and hour, with the average sentiment: the monitoring chart, in one query."""
    return list(
        mentions_visible_to(user)
        .filter(posted_at__gte=since, posted_at__lt=until)
        .annotate(hour=TruncHour("posted_at"))
        .values("source", "hour")
        .annotate(count=Count("id"), sentiment=Avg("sentiment"))
        .order_by("source", "hour")
    )


def hours(since: datetime, until: datetime) -> list[datetime]:
    start = since.replace(minute=0, second=0, microsecond=0)
    return [start + timedelta(hours=h) for h in range(int((until - start).total_seconds() // 3600) + 1)]
