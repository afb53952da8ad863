from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Role
from playbooks import placeholders


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    DUTCH = "nl", _("Dutch")


# Targets per severity when a playbook does not say otherwise (DESIGN.md: approvals 1, 1, 2, 2).
DEFAULT_TARGETS = {
    Severity.LOW: {
        "minutes_to_acknowledge": 60,
        "minutes_to_first_response": 240,
        "minutes_between_updates": 480,
        "approvals_required": 1,
    },
    Severity.MEDIUM: {
        "minutes_to_acknowledge": 30,
        "minutes_to_first_response": 120,
        "minutes_between_updates": 240,
        "approvals_required": 1,
    },
    Severity.HIGH: {
        "minutes_to_acknowledge": 15,
        "minutes_to_first_response": 60,
        "minutes_between_updates": 120,
        "approvals_required": 2,
    },
    Severity.CRITICAL: {
        "minutes_to_acknowledge": 5,
        "minutes_to_first_response": 30,
        "minutes_between_updates": 60,
        "approvals_required": 2,
    },
}


class Playbook(models.Model):
    """The crisis plan for one scenario: who does what, what to say, and how fast."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="playbooks")
    name = models.CharField(_("scenario"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    trigger_keywords = models.JSONField(
        _("trigger keywords"),
        default=list,
        blank=True,
        help_text=_(
            "Words in mentions that suggest this scenario; monitoring suggests alert rules from them."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name", "language"], name="one_scenario_name_per_language"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("playbooks:detail", args=[self.pk])

    def target_for(self, severity: str) -> "PlaybookTarget":
        for target in self.targets.all():
            if target.severity == severity:
                return target
        return PlaybookTarget(playbook=self, severity=severity, **DEFAULT_TARGETS[Severity(severity)])


class PlaybookRoleAssignment(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        BACKUP = "backup", _("Backup")

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("role"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("primary or backup"), max_length=10, choices=Kind.choices, default=Kind.PRIMARY)

    class Meta:
        ordering = ["role_id", "-kind", "user__username"]  # primary before backup
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "role", "user"], name="one_assignment_per_role_and_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} · {self.user} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.user_id and self.playbook_id:
            self.check_member(self.user, self.playbook.organization)

    @staticmethod
    def check_member(user, organization) -> None:
        if not user.memberships.filter(organization=organization).exists():
            raise ValidationError({"user": _("This person is not a member of the playbook's organization.")})


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    role = models.ForeignKey(
        Role,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("responsible role"),
    )
    due_after_minutes = models.PositiveIntegerField(
        _("due after (minutes)"), default=0, help_text=_("Minutes after detection when this step is due.")
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return self.title


class StatementTemplate(models.Model):
    class Kind(models.TextChoices):
        HOLDING = "holding", _("Holding statement")
        UPDATE = "update", _("Update")
        RESOLUTION = "resolution", _("Resolution")

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.HOLDING)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {organization}, {incident_title}, {date}, {time}, {next_update}, {channel}."
        ),
    )

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("statement template")
        verbose_name_plural = _("statement templates")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = placeholders.unknown_placeholders(self.body or "")
        if unknown:
            raise ValidationError({"body": unknown_placeholder_message(unknown)})

    def render(self, values: dict[str, str]) -> str:
        return placeholders.fill(self.body, values)

    def preview(self) -> str:
        return self.render(placeholders.sample_values(organization=self.playbook.organization.name))


def unknown_placeholder_message(names: list[str]) -> str:
    return _("Unknown placeholder: %(names)s. Known: %(known)s.") % {
        "names": ", ".join(f"{{{name}}}" for name in names),
        "known": ", ".join(f"{{{name}}}" for name in placeholders.PLACEHOLDERS),
    }


class PlaybookTarget(models.Model):
    """How fast the team must act at one severity, and how many approvals a statement needs."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="targets")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    minutes_to_acknowledge = models.PositiveIntegerField(_("minutes to acknowledge"))
    minutes_to_first_response = models.PositiveIntegerField(_("minutes to first public response"))
    minutes_between_updates = models.PositiveIntegerField(_("minutes between public updates"))
    approvals_required = models.PositiveSmallIntegerField(_("approvals a statement needs"))

    class Meta:
        ordering = ["playbook", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["playbook", "severity"], name="one_target_per_severity"),
            models.CheckConstraint(
                condition=models.Q(approvals_required__gte=1), name="at_least_one_approval"
            ),
        ]

    def __str__(self) -> str:
        return self.get_severity_display()


class PlaybookRevision(models.Model):
    """A frozen copy of a playbook as it was; incidents point at the revision they used."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    change_note = models.TextField(_("change note"), blank=True)
    is_proposal = models.BooleanField(
        _("proposal"),
        default=False,
        help_text=_("Proposed from a post-mortem; an organization admin reviews it and edits the playbook."),
    )
    snapshot = models.JSONField(_("snapshot"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["playbook", "-number"]
        get_latest_by = "number"
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="one_revision_number")]

    def __str__(self) -> str:
        return _("%(playbook)s, revision %(number)d") % {
            "playbook": self.snapshot.get("name", ""),
            "number": self.number,
        }
