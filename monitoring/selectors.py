"""Reads for monitoring, always as seen by one user."""

from datetime import datetime, timedelta

from django.db.models import Avg, Case, Count, F, IntegerField, QuerySet, When
from django.db.models.functions import TruncHour

from accounts.models import User
from accounts.selectors import organizations_administered_by, organizations_visible_to
from incidents.selectors import incidents_visible_to
from monitoring.models import Alert, Mention, Source


def sources_visible_to(user: User) -> QuerySet[Source]:
    return Source.objects.filter(organization__in=organizations_visible_to(user))


def sources_administered_by(user: User) -> QuerySet[Source]:
    return Source.objects.filter(organization__in=organizations_administered_by(user))


def shown_incident(user: User) -> Case:
    """The linked incident's id where `user` may see that incident, else None.

    Mentions and alerts are the organization's; a restricted incident they lead to is not.
    """
    return Case(
        When(incident__in=incidents_visible_to(user).values("pk"), then=F("incident_id")),
        default=None,
        output_field=IntegerField(),
    )


def mentions_visible_to(user: User) -> QuerySet[Mention]:
    """The mentions of `user`'s organizations; `shown_incident_id` is what they may know of the link."""
    return (
        Mention.objects.filter(source__organization__in=organizations_visible_to(user))
        .select_related("source")
        .annotate(shown_incident_id=shown_incident(user))
    )


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    """The alerts of `user`'s organizations; `shown_incident_id` as for mentions."""
    return (
        Alert.objects.filter(rule__organization__in=organizations_visible_to(user))
        .select_related("rule", "incident")
        .annotate(mention_count=Count("mentions"), shown_incident_id=shown_incident(user))
    )


def hourly_figures(user: User, *, since: datetime, until: datetime) -> list[dict]:
    """Mentions per source and hour, with the average sentiment: the monitoring chart, in one query."""
    return list(
        Mention.objects.filter(source__organization__in=organizations_visible_to(user))
        .filter(posted_at__gte=since, posted_at__lt=until)
        .annotate(hour=TruncHour("posted_at"))
        .values("source", "hour")
        .annotate(count=Count("id"), sentiment=Avg("sentiment"))
        .order_by("source", "hour")
    )


def hours(since: datetime, until: datetime) -> list[datetime]:
    start = since.replace(minute=0, second=0, microsecond=0)
    return [start + timedelta(hours=h) for h in range(int((until - start).total_seconds() // 3600) + 1)]
