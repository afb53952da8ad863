"""Writes for monitoring: ingesting mentions, raising alerts, escalating them into incidents.

Every way in (the API, a CSV upload, a polled feed) ends in `mentions_ingest`, which is
idempotent on (source, external id) and keeps the good rows of a batch with bad ones in it.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization, User
from crisisdesk.errors import DomainError
from incidents import services as incident_services
from incidents.live import changes as live_changes
from incidents.models import Incident, TimelineEntry
from incidents.timeline_messages import say, say_count
from monitoring import sentiment
from monitoring.models import Alert, AlertRule, Mention, Source
from monitoring.validation import row_clean

ALERT_MENTIONS_KEPT = 500

logger = logging.getLogger(__name__)


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


def mentions_ingest(*, source: Source, rows: list, evaluate: bool = True) -> IngestResult:
    """Store the new mentions of a batch with their language and sentiment, then check the alert rules.

    Every row is counted once: created, a duplicate, or an error with its index. Good rows are
    kept when others are bad, also when a bad one only fails at the database. Two batches for
    one source are stored one after the other (the source's row lock), so two identical batches
    posted at once count each mention once as created and once as a duplicate.
    """
    result = IngestResult()
    now = timezone.now()
    valid: list[tuple[int, dict]] = []
    for index, row in enumerate(rows):
        data, errors = row_clean(row, now=now)
        if errors:
            result.errors.append({"index": index, "errors": errors})
        else:
            valid.append((index, data))
    new = _without_duplicates(source, valid)  # before scoring, which is most of the cost
    readings = sentiment.read_many([row["text"] for _, row in new])
    mentions = [
        (
            index,
            Mention(
                source=source,
                external_id=row["external_id"],
                author=row.get("author") or "",
                text=row["text"],
                url=row.get("url") or "",
                posted_at=row["posted_at"],
                language=reading.language,
                sentiment=reading.sentiment,
            ),
        )
        for (index, row), reading in zip(new, readings, strict=True)
    ]
    stored, refused = [], []
    if mentions:
        stored, refused = _store_under_lock(source, mentions)
    result.created = len(stored)
    result.duplicates = len(valid) - len(stored) - len(refused)
    result.errors = sorted([*result.errors, *refused], key=lambda error: error["index"])
    if evaluate and stored:
        result.alerts = alerts_evaluate(
            organization=source.organization_id, now=max(m.posted_at for m in stored)
        )
    return result


# What a row's values can make the database refuse (a lock timeout is no fault of the row).
REFUSED_ROW = (DataError, IntegrityError, UnicodeError)


@transaction.atomic
def _store_under_lock(
    source: Source, mentions: list[tuple[int, Mention]]
) -> tuple[list[Mention], list[dict]]:
    """Store under the source's row lock, so two batches of one source are stored one after the
    other. What another batch stored while this one was being scored makes the insert fail on
    the unique (source, external id): those rows are duplicates, the rest is stored (row by row
    if the database refuses a row)."""
    list(Source.objects.select_for_update(no_key=True).filter(pk=source.pk).values_list("pk"))
    try:
        with transaction.atomic():
            return Mention.objects.bulk_create([m for _, m in mentions], batch_size=1000), []
    except REFUSED_ROW:  # a duplicate stored meanwhile, or a row the database refuses
        known = _known_ids(source, [mention.external_id for _, mention in mentions])
        mentions = [(index, _unsaved(m)) for index, m in mentions if m.external_id not in known]
    return _store(mentions)


def _unsaved(mention: Mention) -> Mention:
    """A mention whose insert was rolled back (bulk_create may have set its id): to insert again."""
    mention.pk, mention._state.adding = None, True
    return mention


def _known_ids(source: Source, external_ids: list[str]) -> set[str]:
    return set(
        Mention.objects.filter(source=source, external_id__in=external_ids).values_list(
            "external_id", flat=True
        )
    )


def _without_duplicates(source: Source, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """The rows not stored yet, each external id once (the first row that has it)."""
    known = _known_ids(source, [row["external_id"] for _, row in rows])
    new, seen = [], set()
    for index, row in rows:
        if row["external_id"] in known or row["external_id"] in seen:
            continue
        seen.add(row["external_id"])
        new.append((index, row))
    return new


def _store(mentions: list[tuple[int, Mention]]) -> tuple[list[Mention], list[dict]]:
    """Insert the mentions in one go; when the database refuses that, row by row, so only the
    rows it refuses are lost. Answers the stored mentions and the refused rows' errors."""
    try:
        with transaction.atomic():
            return Mention.objects.bulk_create([m for _, m in mentions], batch_size=1000), []
    except REFUSED_ROW:
        pass
    stored, refused = [], []
    for index, mention in mentions:
        try:
            with transaction.atomic():
                _unsaved(mention).save(force_insert=True)
        except REFUSED_ROW:
            if _known_ids(mention.source, [mention.external_id]):
                continue  # stored meanwhile by a write that took no lock: a duplicate
            logger.warning("The database refused row %d of a batch for source %s", index, mention.source_id)
            refused.append(
                {"index": index, "errors": {"non_field_errors": [_("The database refused this row.")]}}
            )
        else:
            stored.append(mention)
    return stored, refused


# --- alerts -----------------------------------------------------------------------------------


def alerts_evaluate(*, organization: Organization | int, now: datetime | None = None) -> list[Alert]:
    """Check every active rule of the organization for the window ending `now`.

    Each rule costs one aggregate query over its windows (indexed on posted_at), whatever the
    history; a rule in its cooldown is not checked, so one storm raises one alert. Each rule is
    checked under its row lock, in its own transaction: the API's ingest, the poller and the beat
    checking at once raise one alert between them.
    """
    now = now or timezone.now()
    raised = []
    rules = AlertRule.objects.filter(organization=organization, is_active=True).order_by("pk")
    for rule_id in rules.values_list("pk", flat=True):
        alert = _rule_evaluate(rule_id, now)
        if alert is not None:
            raised.append(alert)
    return raised


@transaction.atomic
def _rule_evaluate(rule_id: int, now: datetime) -> Alert | None:
    # Lock order: alerts come after incidents and the rest; one rule locked at a time. FOR NO KEY
    # UPDATE serializes the checks of one rule without holding up rows that refer to it.
    rule = AlertRule.objects.select_for_update(no_key=True).filter(pk=rule_id, is_active=True).first()
    if rule is None:
        return None
    cooldown_start = now - timedelta(minutes=rule.cooldown_minutes)
    if Alert.objects.filter(rule=rule, created_at__gt=cooldown_start).exists():
        return None
    return _check(rule, now)


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
    _members_told(rule.pk)
    return alert


def _members_told(rule_id: int) -> None:
    """An alert of the rule's organization was raised or handled: when the transaction commits,
    every web process reads the live feeds (monitoring.live_feed among them) again, so dashboards
    and monitoring pages show it at once, not at the next check. One message for everyone."""
    live_changes.feeds_changed()


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
    _members_told(alert.rule_id)
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
    _members_told(alert.rule_id)
    return alert


@transaction.atomic
def mention_link(*, incident: Incident, mention: Mention, acting_user: User) -> bool:
    """Link a mention to an incident (`link_mention`); answers whether it was newly linked."""
    incident_services.require(acting_user, "link_mention", incident)
    if mention.source.organization_id != incident.organization_id:
        raise PermissionDenied(_("This mention belongs to another organization."))
    if mention.incident_id == incident.pk:
        return False
    incident_services.incident_locked(incident.pk)  # the lock order: the incident before the mention
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
    source = Source(organization=organization, **fields)
    source.full_clean()  # the model's rules, as in the admin (a feed's address among them)
    source.save()
    return source
