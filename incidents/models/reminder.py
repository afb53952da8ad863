"""Reminders the beat task sends, and the in-app notifications they leave for people."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents import timeline_messages
from incidents.models.incident import Incident


class Reminder(models.Model):
    """One reminder per incident, subject and due moment: the unique constraint, not luck, keeps a
    beat task that runs twice (or two beats at once) from sending it twice."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(_("what"), max_length=80)
    due_at = models.DateTimeField(_("due at"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["incident", "key", "due_at"], name="one_reminder_per_moment")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.due_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    message = models.JSONField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return timeline_messages.render(self.message)
