"""Post-mortem figures, computed from the timeline and the statements, never typed in.

A status change counts at the time its timeline entry says it happened; when a later entry
corrects it with another time, the correction's time counts. So fixing the record fixes the
figures. Mentions are read through the organization's sources (monitoring is to the right of
incidents: a reverse relation, not an import).
"""

from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q
from django.utils import timezone

from incidents.models import Approval, Incident, Statement, TimelineEntry

NEGATIVE_BELOW = -0.05  # the same line monitoring draws between negative and not
CONVERSATION_WINDOW = timedelta(hours=24)
STATEMENT_WINDOW = timedelta(hours=1)


def status_moments(incident: Incident) -> dict[str, datetime]:
    """When the incident first reached each status, by the (corrected) timeline."""
    entries = incident.timeline.filter(kind=TimelineEntry.Kind.STATUS_CHANGE).prefetch_related("corrections")
    moments: dict[str, datetime] = {}
    for entry in entries.order_by("id"):
        status = ((entry.message or {}).get("params", {}).get("after") or {}).get("status")
        if status is None:
            continue
        corrections = sorted(entry.corrections.all(), key=lambda correction: correction.pk)
        moment = corrections[-1].occurred_at if corrections else entry.occurred_at
        moments.setdefault(status, moment)
    return moments


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


def metrics(incident: Incident) -> dict:
    target = incident.target()
    moments = status_moments(incident)
    published = list(
        incident.statements.filter(status=Statement.Status.PUBLISHED)
        .order_by("published_at")
        .values_list("published_at", flat=True)
    )
    cadence = timedelta(minutes=target["minutes_between_updates"])
    intervals = [later - earlier for earlier, later in pairwise(published)]
    figures = {
        "time_to_acknowledge_s": _seconds(incident.detected_at, moments.get("acknowledged")),
        "time_to_first_response_s": _seconds(incident.detected_at, published[0] if published else None),
        "public_updates": len(published),
        "cadence_kept_ratio": round(sum(i <= cadence for i in intervals) / len(intervals), 3)
        if intervals
        else None,
        "time_to_resolve_s": _seconds(incident.detected_at, moments.get("resolved")),
        "approval_wait_median_s": _approval_wait(incident),
        "is_drill": incident.is_drill,
    }
    figures["targets"] = {
        "time_to_acknowledge_s": target["minutes_to_acknowledge"] * 60,
        "time_to_first_response_s": target["minutes_to_first_response"] * 60,
        "minutes_between_updates": target["minutes_between_updates"],
    }
    figures["verdicts"] = {
        name: None if figures[name] is None else figures[name] <= figures["targets"][name]
        for name in ("time_to_acknowledge_s", "time_to_first_response_s")
    }
    figures["conversation"] = conversation(incident, moments.get("resolved"))
    figures["statement_effects"] = statement_effects(incident, published)
    return figures


def _approval_wait(incident: Incident) -> int | None:
    waits = list(
        Approval.objects.filter(statement__incident=incident, waited_seconds__isnull=False).values_list(
            "waited_seconds", flat=True
        )
    )
    return int(median(waits)) if waits else None


def _mentions(incident: Incident):
    """The organization's mentions, found through its sources' reverse relations; None without monitoring."""
    try:
        source_model = incident.organization._meta.get_field("sources").related_model
        mention_model = source_model._meta.get_field("mentions").related_model
    except FieldDoesNotExist:
        return None
    return mention_model.objects.filter(source__organization_id=incident.organization_id)


def _volume(mentions, start: datetime, end: datetime) -> dict:
    counts = mentions.filter(posted_at__gte=start, posted_at__lt=end).aggregate(
        count=Count("id"), negative=Count("id", filter=Q(sentiment__lt=NEGATIVE_BELOW))
    )
    share = round(counts["negative"] / counts["count"], 3) if counts["count"] else None
    return {"mentions": counts["count"], "negative_share": share}


def conversation(incident: Incident, resolved_at: datetime | None) -> dict | None:
    """Mentions and their negative share in the day before, during, and the day after."""
    mentions = _mentions(incident)
    if mentions is None or not mentions.exists():
        return None
    end = resolved_at or timezone.now()
    return {
        "before": _volume(mentions, incident.detected_at - CONVERSATION_WINDOW, incident.detected_at),
        "during": _volume(mentions, incident.detected_at, end),
        "after": _volume(mentions, end, end + CONVERSATION_WINDOW) if resolved_at else None,
    }


def statement_effects(incident: Incident, published: list[datetime]) -> list[dict]:
    """Per public statement: the conversation in the hour before and the hour after it."""
    mentions = _mentions(incident)
    if mentions is None:
        return []
    return [
        {
            "published_at": moment.isoformat(),
            "before": _volume(mentions, moment - STATEMENT_WINDOW, moment),
            "after": _volume(mentions, moment, moment + STATEMENT_WINDOW),
        }
        for moment in published
    ]


PHASE_ORDER = ("detected", "acknowledged", "responding", "monitoring", "resolved")
CHART_WIDTH, CHART_HEIGHT, BUCKETS = 720, 120, 24


def chart(incident: Incident) -> dict:
    """Status phases as bands, public statements as ticks and mention volume as bars, on one time axis."""
    moments = status_moments(incident)
    start = incident.detected_at
    end = moments.get("resolved") or timezone.now()
    span = max((end - start).total_seconds(), 60.0)

    def x(moment: datetime) -> float:
        return round(min(max((moment - start).total_seconds() / span, 0.0), 1.0) * CHART_WIDTH, 1)

    changes = sorted(
        [("detected", start), *((s, m) for s, m in moments.items() if s in PHASE_ORDER[1:])],
        key=lambda pair: pair[1],
    )
    phases = [
        {"status": status, "x": x(moment), "width": round(x(next_moment) - x(moment), 1)}
        for (status, moment), (_, next_moment) in zip(changes, [*changes[1:], (None, end)], strict=True)
    ]
    published = incident.statements.filter(status=Statement.Status.PUBLISHED).values_list(
        "published_at", flat=True
    )
    return {
        "phases": phases,
        "statements": [x(moment) for moment in published],
        "bars": _mention_bars(incident, start, end),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


def _mention_bars(incident: Incident, start: datetime, end: datetime) -> list[dict]:
    mentions = _mentions(incident)
    if mentions is None:
        return []
    step = (end - start) / BUCKETS
    counts = mentions.filter(posted_at__gte=start, posted_at__lt=end).aggregate(
        **{
            f"b{i}": Count(
                "id", filter=Q(posted_at__gte=start + step * i, posted_at__lt=start + step * (i + 1))
            )
            for i in range(BUCKETS)
        }
    )
    top = max(counts.values(), default=0) or 1
    width = CHART_WIDTH / BUCKETS
    return [
        {
            "x": round(i * width + 1, 1),
            "width": round(width - 2, 1),
            "count": counts[f"b{i}"],
            "height": round(60 * counts[f"b{i}"] / top, 1),
            "y": round(CHART_HEIGHT - 60 * counts[f"b{i}"] / top, 1),
        }
        for i in range(BUCKETS)
    ]


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h {rest // 60:02d}m" if hours else f"{rest // 60}m"
