from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Role
from crisisdesk.errors import DomainError
from incidents import timeline_messages
from playbooks.models import DEFAULT_TARGETS, Playbook, PlaybookRevision, Severity


class TransitionNotAllowed(DomainError):
    pass


class IncidentClosed(DomainError):
    """A closed incident is the finished record: it takes no new statements, approvals,
    publications or tasks (its timeline still takes notes and corrections)."""

    default_message = "This incident is closed: its statements, tasks and details can no longer change."


class Incident(models.Model):
    class Status(models.TextChoices):
        DETECTED = "detected", _("Detected")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONDING = "responding", _("Responding")
        MONITORING = "monitoring", _("Monitoring")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    Severity = Severity

    # The lifecycle of DESIGN.md: a flare-up goes back from monitoring, a reopen from resolved.
    TRANSITIONS = {
        Status.DETECTED: {Status.ACKNOWLEDGED},
        Status.ACKNOWLEDGED: {Status.RESPONDING},
        Status.RESPONDING: {Status.MONITORING},
        Status.MONITORING: {Status.RESOLVED, Status.RESPONDING},
        Status.RESOLVED: {Status.CLOSED, Status.RESPONDING},
        Status.CLOSED: set(),
    }
    OPEN_STATUSES = (Status.DETECTED, Status.ACKNOWLEDGED, Status.RESPONDING, Status.MONITORING)

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DETECTED)
    playbook = models.ForeignKey(
        Playbook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("playbook"),
    )
    playbook_revision = models.ForeignKey(
        PlaybookRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("playbook revision"),
    )
    is_drill = models.BooleanField(_("drill"), default=False, help_text=_("A training incident."))
    restricted = models.BooleanField(
        _("restricted"), default=False, help_text=_("Only people with a role on the incident see it.")
    )
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first public response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Bumped by every write that changes what the room shows, in the write's transaction
    # (incidents.live.changes): the live room's change feed, and its row lock is the incident's.
    live_version = models.PositiveBigIntegerField(_("live version"), default=0, editable=False)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        # The codenames accounts.roles.IncidentPermission names; view and change are Django's own.
        permissions = [
            ("assign_roles", _("Assign and remove roles")),
            ("add_timeline_entry", _("Add timeline entries")),
            ("manage_tasks", _("Add, assign and complete tasks")),
            ("link_mention", _("Link mentions")),
            ("draft_statement", _("Draft, edit, submit and withdraw statements")),
            ("approve_statement", _("Approve statements or request changes")),
            ("publish_statement", _("Publish statements")),
            ("edit_postmortem", _("Edit the post-mortem")),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """Never write `live_version` from memory: only incidents.live.changes moves it, in SQL, and
        an instance read before a bump would otherwise set it back and hide a change."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "live_version"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("incidents:room", args=[self.pk])

    def clean(self) -> None:
        """The admin's form error; incident_open refuses the same for every other path."""
        if not (self.playbook_id and self.organization_id):
            return
        if self.playbook.organization_id != self.organization_id:
            raise ValidationError({"playbook": _("This playbook belongs to another organization.")})

    def target(self) -> dict:
        """The playbook's targets for this severity, as frozen in the revision the incident used."""
        if self.playbook_revision_id is not None:
            for target in self.playbook_revision.snapshot.get("targets", []):
                if target["severity"] == self.severity:
                    return target
        return {"severity": self.severity, **DEFAULT_TARGETS[Severity(self.severity)]}

    @property
    def approvals_required(self) -> int:
        return self.target()["approvals_required"]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_open_for_work(self) -> bool:
        """Statements, approvals, publications, tasks and details may still change: every status but
        closed (a resolved incident may still publish its closing statement)."""
        return self.status != self.Status.CLOSED

    def check_open_for_work(self) -> None:
        """Raise IncidentClosed (409) once the incident is closed; the services and the statement's
        checks call it, the room and the API's `actions` follow it."""
        if not self.is_open_for_work:
            raise IncidentClosed(
                _("This incident is closed: its statements, tasks and details can no longer change.")
            )

    def allowed_transitions(self) -> list[str]:
        return [status for status in self.Status if status in self.TRANSITIONS[self.Status(self.status)]]

    def transition_to(self, to: str, *, at=None, publishing: bool = False) -> list[str]:
        """Move to status `to` and stamp its time; returns the changed field names.

        Raises TransitionNotAllowed for an edge the lifecycle does not have, for closing without a
        completed post-mortem, and for closing while a statement is `publishing` (queued or being
        sent): a closed incident publishes nothing, so what is on its way out goes first.
        """
        if to not in self.Status.values:
            raise TransitionNotAllowed(_("“%(status)s” is not a status.") % {"status": to})
        if to not in self.TRANSITIONS[self.Status(self.status)]:
            raise TransitionNotAllowed(
                _("An incident that is %(current)s cannot become %(next)s.")
                % {"current": self.get_status_display().lower(), "next": self.Status(to).label.lower()}
            )
        if to == self.Status.CLOSED and not self.postmortem.is_completed:
            raise TransitionNotAllowed(_("Complete the post-mortem before closing the incident."))
        if to == self.Status.CLOSED and publishing:
            raise TransitionNotAllowed(
                _(
                    "A statement is still being published: wait until it has been sent, or cancel "
                    "the queued post, before closing the incident."
                )
            )
        at = at or timezone.now()
        changed = ["status"]
        stamps = {
            self.Status.ACKNOWLEDGED: "acknowledged_at",
            self.Status.RESOLVED: "resolved_at",
            self.Status.CLOSED: "closed_at",
        }
        if to in stamps:
            setattr(self, stamps[to], at)
            changed.append(stamps[to])
        if to == self.Status.RESPONDING and self.status == self.Status.RESOLVED:
            self.resolved_at = None  # reopened: it is no longer resolved
            changed.append("resolved_at")
        self.status = to
        return changed


class IncidentRoleAssignment(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="role_assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="incident_roles",
        verbose_name=_("person"),
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("role"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["role_id", "user__username"]
        verbose_name = _("role on an incident")
        verbose_name_plural = _("roles on incidents")
        constraints = [
            models.UniqueConstraint(fields=["incident", "user", "role"], name="one_role_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.role} · {self.user}"


class TimelineEntry(models.Model):
    """One line of the incident's record. Append-only: a mistake gets a correcting entry."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        STATUS_CHANGE = "status_change", _("Status change")
        ROLE_CHANGE = "role_change", _("Role change")
        STATEMENT = "statement", _("Statement")
        MENTION = "mention", _("Mention")
        TASK = "task", _("Task")
        REMINDER = "reminder", _("Reminder")
        SYSTEM = "system", _("System")

    # The record outlives nothing it refers to: an incident or a person with entries cannot be
    # deleted (PROTECT), and the database refuses every UPDATE and DELETE of an entry (migration
    # 0007_timeline_append_only), so not even QuerySet.update() can rewrite history.
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NOTE)
    body = models.TextField(_("text"))
    occurred_at = models.DateTimeField(_("happened at"), default=timezone.now)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    message = models.JSONField(
        _("message"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("What the system wrote, as a message and values, to show in each reader's language."),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["incident", "id"])]

    # What "never in the future" allows for the clocks of the browser and the server to differ.
    CLOCK_SKEW = timedelta(seconds=5)

    def __str__(self) -> str:
        return self.body[:80]

    def save(self, *args, **kwargs):
        # Refused here with a clear message (409); the database's triggers refuse every other path.
        if self.pk is not None and not self._state.adding:
            raise DomainError(_("Timeline entries cannot be changed; add a correcting entry instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(_("Timeline entries cannot be deleted; add a correcting entry instead."))

    @classmethod
    def check_occurred_at(cls, occurred_at, *, now=None) -> None:
        """Raise a ValidationError naming `occurred_at` for a time in the future: a timeline records
        what has happened. The one rule for the API and the room's form (through timeline_add)."""
        if occurred_at is not None and occurred_at > (now or timezone.now()) + cls.CLOCK_SKEW:
            raise ValidationError(
                {"occurred_at": _("This time is in the future: a timeline records what has happened.")}
            )

    @property
    def text(self) -> str:
        """The entry in the reader's language: a person's words as written, the system's translated."""
        return timeline_messages.render(self.message) if self.message else self.body


class Task(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    role = models.ForeignKey(
        Role,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible role"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["completed_at", "due_at", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    def is_overdue(self, now=None) -> bool:
        return not self.is_done and self.due_at is not None and self.due_at < (now or timezone.now())

    def complete(self, *, by, at=None) -> None:
        if self.is_done:
            raise DomainError(_("This task is already done."))
        self.completed_at, self.completed_by = at or timezone.now(), by


class PostMortem(models.Model):
    """The evaluation of an incident; it exists from the start as an empty draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    summary = models.TextField(_("summary"), blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    to_improve = models.TextField(_("what to improve"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("post-mortem")
        verbose_name_plural = _("post-mortems")

    def __str__(self) -> str:
        return str(self.incident)

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class ActionItem(models.Model):
    """Something to do better next time; it may become part of a playbook's next revision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("title"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    playbook = models.ForeignKey(
        Playbook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("playbook to change"),
    )
    playbook_revision = models.ForeignKey(
        PlaybookRevision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("proposed in revision"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title
