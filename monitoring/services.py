"""Writes for monitoring: ingesting mentions, raising alerts, escalating them into incidents.

Every way in (the API, a CSV upload, a polled feed) ends in `mentions_ingest`, which is
idempotent on (source, external id) and keeps the good rows of a batch with bad ones in it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization, User
from crisisdesk.errors import DomainError
from incidents import services as incident_services
from incidents.models import Incident, TimelineEntry
from incidents.timeline_messages import say, say_count
from monitoring import sentiment
from monitoring.models import Alert, AlertRule, Mention, Source
from monitoring.validation import row_clean

ALERT_MENTIONS_KEPT = 500


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


def mentions_ingest(*, source: Source, rows: list[dict], evaluate: bool = True) -> IngestResult:
    """Store the new mentions of a batch with their language and sentiment, then check the alert rules."""
    result = IngestResult()
    valid = []
    for index, row in enumerate(rows):
        data, errors = row_clean(row)
        if errors:
            result.errors.append({"index": index, "errors": errors})
        else:
            valid.append(data)
    new = _without_duplicates(source, valid)
    result.duplicates = len(valid) - len(new)
    readings = sentiment.read_many([row["text"] for row in new])
    mentions = [
        Mention(
            source=source,
            external_id=row["external_id"],
            author=row.get("author") or "",
            text=row["text"],
            url=row.get("url") or "",
            posted_at=row["posted_at"],
            language=reading.language,
            sentiment=reading.sentiment,
        )
        for row, reading in zip(new, readings, strict=True)
    ]
    Mention.objects.bulk_create(mentions, batch_size=1000, ignore_conflicts=True)
    result.created = len(mentions)
    if evaluate and mentions:
        result.alerts = alerts_evaluate(
            organization=source.organization_id, now=max(m.posted_at for m in mentions)
        )
    return result


def _without_duplicates(source: Source, rows: list[dict]) -> list[dict]:
    ids = {row["external_id"] for row in rows}
    known = set(
        Mention.objects.filter(source=source, external_id__in=ids).values_list("external_id", flat=True)
    )
    new, seen = [], set()
    for row in rows:
        if row["external_id"] in known or row["external_id"] in seen:
            continue
        seen.add(row["external_id"])
        new.append(row)
    return new


# --- alerts -----------------------------------------------------------------------------------


def alerts_evaluate(*, organization: Organization | int, now: datetime | None = None) -> list[Alert]:
    """Check every active rule of the organization for the window ending `now`.

    Each rule costs one aggregate query over its windows (indexed on posted_at), whatever the
    history; a rule in its cooldown is not checked, so one storm raises one alert.
    """
    now = now or timezone.now()
    raised = []
    for rule in AlertRule.objects.filter(organization=organization, is_active=True):
        if Alert.objects.filter(
            rule=rule, created_at__gt=now - timedelta(minutes=rule.cooldown_minutes)
        ).exists():
            continue
        alert = _check(rule, now)
        if alert is not None:
            raised.append(alert)
    return raised


def _mentions_of(rule: AlertRule):
    return Mention.objects.filter(source__organization_id=rule.organization_id)


def _check(rule: AlertRule, now: datetime) -> Alert | None:
    start = now - timedelta(minutes=rule.window_minutes)
    in_window = _mentions_of(rule).filter(posted_at__gt=start, posted_at__lte=now)
    if rule.kind == AlertRule.Kind.VOLUME_SPIKE:
        figures = _volume_figures(rule, now)
        fired = figures["count"] >= rule.min_count and figures["count"] >= rule.factor * figures["baseline"]
    elif rule.kind == AlertRule.Kind.NEGATIVE_SHARE:
        counts = in_window.aggregate(
            total=Count("id"), negative=Count("id", filter=Q(sentiment__lt=sentiment.NEGATIVE_BELOW))
        )
        share = counts["negative"] / counts["total"] if counts["total"] else 0.0
        figures = {"count": counts["total"], "negative": counts["negative"], "share": round(share, 3)}
        fired = counts["total"] >= rule.min_count and share >= rule.threshold
    else:
        in_window = in_window.filter(_keyword_filter(rule.keywords))
        figures = {"count": in_window.count(), "keywords": rule.keywords}
        fired = bool(rule.keywords) and figures["count"] >= max(rule.min_count, 1)
    if not fired:
        return None
    alert = Alert.objects.create(
        rule=rule, window_start=start, window_end=now, figures=figures, created_at=now
    )
    alert.mentions.set(in_window.order_by("-posted_at").values_list("pk", flat=True)[:ALERT_MENTIONS_KEPT])
    return alert


def _volume_figures(rule: AlertRule, now: datetime) -> dict:
    """Mentions in the window and in each of the windows before it, in one query."""
    window = timedelta(minutes=rule.window_minutes)
    edges = [now - window * i for i in range(rule.baseline_windows + 2)]
    counts = (
        _mentions_of(rule)
        .filter(posted_at__gt=edges[-1], posted_at__lte=now)
        .aggregate(
            **{
                f"w{i}": Count("id", filter=Q(posted_at__gt=edges[i + 1], posted_at__lte=edges[i]))
                for i in range(rule.baseline_windows + 1)
            }
        )
    )
    earlier = [counts[f"w{i}"] for i in range(1, rule.baseline_windows + 1)]
    baseline = sum(earlier) / len(earlier) if earlier else 0.0
    return {"count": counts["w0"], "baseline": round(baseline, 2)}


def _keyword_filter(keywords: list[str]) -> Q:
    query = Q(pk__in=[])
    for keyword in keywords:
        query |= Q(text__icontains=keyword)
    return query


@transaction.atomic
def alert_escalate(*, alert: Alert, acting_user: User) -> Incident:
    """One step from alert to incident: opened from the rule's playbook, with the alert's mentions."""
    alert = Alert.objects.select_for_update(of=("self",)).select_related("rule__playbook").get(pk=alert.pk)
    if alert.status != Alert.Status.NEW:
        raise DomainError(_("This alert was already handled."))
    rule = alert.rule
    incident = incident_services.incident_open(
        organization=rule.organization,
        acting_user=acting_user,
        title=_alert_title(alert),
        severity=rule.severity,
        playbook=rule.playbook if rule.playbook and rule.playbook.is_active else None,
        summary=_alert_summary(alert),
        detected_at=alert.created_at,
    )
    linked = Mention.objects.filter(pk__in=alert.mentions.values("pk"), incident__isnull=True).update(
        incident=incident
    )
    alert.status, alert.incident, alert.decided_by, alert.decided_at = (
        Alert.Status.ESCALATED,
        incident,
        acting_user,
        timezone.now(),
    )
    alert.save(update_fields=["status", "incident", "decided_by", "decided_at"])
    incident_services.entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.MENTION,
        author=acting_user,
        message=say_count(
            linked,
            gettext_noop("Escalated from the alert “%(rule)s”: %(count)d mention linked."),
            gettext_noop("Escalated from the alert “%(rule)s”: %(count)d mentions linked."),
            rule=rule.name,
        ),
    )
    return incident


def _alert_title(alert: Alert) -> str:
    return _("Alert: %(rule)s") % {"rule": alert.rule.name}


def _alert_summary(alert: Alert) -> str:
    figures = ", ".join(f"{name} {value}" for name, value in alert.figures.items())
    return _("Raised by the rule “%(rule)s” for %(start)s–%(end)s (%(figures)s).") % {
        "rule": alert.rule.name,
        "start": timezone.localtime(alert.window_start).strftime("%H:%M"),
        "end": timezone.localtime(alert.window_end).strftime("%H:%M"),
        "figures": figures,
    }


@transaction.atomic
def alert_dismiss(*, alert: Alert, acting_user: User) -> Alert:
    """Not a crisis: the alert stays, for the record, marked as dismissed."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.NEW:
        raise DomainError(_("This alert was already handled."))
    alert.status, alert.decided_by, alert.decided_at = Alert.Status.DISMISSED, acting_user, timezone.now()
    alert.save(update_fields=["status", "decided_by", "decided_at"])
    return alert


@transaction.atomic
def mention_link(*, incident: Incident, mention: Mention, acting_user: User) -> bool:
    """Link a mention to an incident (`link_mention`); answers whether it was newly linked."""
    incident_services.require(acting_user, "link_mention", incident)
    if mention.source.organization_id != incident.organization_id:
        raise PermissionDenied(_("This mention belongs to another organization."))
    if mention.incident_id == incident.pk:
        return False
    Mention.objects.filter(pk=mention.pk).update(incident=incident)
    mention.incident = incident
    incident_services.entry_write(
        incident=incident,
        kind=TimelineEntry.Kind.MENTION,
        author=acting_user,
        message=say(
            gettext_noop("%(name)s linked a mention by %(author)s: %(text)s"),
            name=acting_user.get_full_name(),
            author=mention.author or "?",
            text=mention.text[:200],
        ),
    )
    return True


def source_create(*, organization: Organization, acting_user: User, **fields) -> Source:
    if not acting_user.has_perm("accounts.author_playbooks", organization):
        raise PermissionDenied(_("Only organization admins add sources."))
    return Source.objects.create(organization=organization, **fields)
