import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from crisisdesk.outbound import validate_url
from incidents.models import Incident
from playbooks.models import Playbook, Severity


def new_ingest_token() -> str:
    return secrets.token_urlsafe(32)


class Source(models.Model):
    """Where mentions come from: a feed or a Mastodon search we poll, a webhook, or a CSV upload."""

    class Kind(models.TextChoices):
        RSS = "rss", _("RSS or Atom feed")
        MASTODON = "mastodon", _("Mastodon search or hashtag")
        WEBHOOK = "webhook", _("Webhook (pushed to the API)")
        MANUAL = "manual", _("Manual (CSV upload)")

    POLLED = (Kind.RSS, Kind.MASTODON)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), blank=True, help_text=_("The feed, or the Mastodon server."))
    query = models.CharField(
        _("hashtag or search"),
        max_length=200,
        blank=True,
        help_text=_("Mastodon: a hashtag (#lumenenergy) or search words."),
    )
    ingest_token = models.CharField(
        _("ingest token"), max_length=64, unique=True, default=new_ingest_token, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    poll_every_minutes = models.PositiveIntegerField(_("poll every (minutes)"), default=5)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("next poll at"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.url:
            try:
                validate_url(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error}) from None


class Mention(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mentions")
    external_id = models.CharField(_("id at the source"), max_length=255)
    author = models.CharField(_("author"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    url = models.URLField(_("URL"), max_length=500, blank=True)
    posted_at = models.DateTimeField(_("posted at"))
    language = models.CharField(_("language"), max_length=2)
    sentiment = models.FloatField(_("sentiment"))
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentions",
        verbose_name=_("incident"),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-posted_at", "-pk"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="one_mention_per_source_id")
        ]
        indexes = [models.Index(fields=["source", "posted_at"]), models.Index(fields=["posted_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class AlertRule(models.Model):
    """When the conversation turns: a spike in volume, a share of negative posts, or a keyword."""

    class Kind(models.TextChoices):
        VOLUME_SPIKE = "volume_spike", _("Volume spike")
        NEGATIVE_SHARE = "negative_share", _("Share of negative mentions")
        KEYWORD = "keyword", _("Keyword")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    window_minutes = models.PositiveIntegerField(_("window (minutes)"), default=15)
    baseline_windows = models.PositiveIntegerField(
        _("windows in the baseline"),
        default=8,
        help_text=_("Volume spike: how many earlier windows make the normal level."),
    )
    factor = models.FloatField(
        _("factor"), default=3.0, help_text=_("Volume spike: how many times the normal level.")
    )
    threshold = models.FloatField(
        _("threshold"),
        default=0.6,
        help_text=_("Negative share: the share (0–1) of negative mentions that alerts."),
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    min_count = models.PositiveIntegerField(_("minimum mentions"), default=10)
    cooldown_minutes = models.PositiveIntegerField(
        _("cooldown (minutes)"), default=60, help_text=_("No new alert from this rule for this long.")
    )
    playbook = models.ForeignKey(
        Playbook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("playbook"),
    )
    severity = models.CharField(
        _("severity when escalated"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An escalated alert opens its incident from this playbook: it must be the organization's."""
        if not (self.playbook_id and self.organization_id):
            return
        if self.playbook.organization_id != self.organization_id:
            raise ValidationError({"playbook": _("This playbook belongs to another organization.")})


class Alert(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ESCALATED = "escalated", _("Escalated")
        DISMISSED = "dismissed", _("Dismissed")

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    figures = models.JSONField(_("figures"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    mentions = models.ManyToManyField(Mention, related_name="alerts", blank=True)
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("incident"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["rule", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rule}: {self.window_end:%Y-%m-%d %H:%M}"
