"""Public statements, their approvals and their publication on an organization's channels."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from crisisdesk.errors import DomainError
from crisisdesk.outbound import validate_url
from incidents import tone
from incidents.models.incident import Incident
from playbooks.models import Language, StatementTemplate


class Channel(models.Model):
    """Where an organization publishes: a signed webhook, a Mastodon account, or by hand."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        MASTODON = "mastodon", _("Mastodon")
        MANUAL = "manual", _("Manual (posted by hand)")

    DEFAULT_LENGTH_LIMITS = {Kind.MASTODON: 500}

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default channel"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    url = models.URLField(
        _("URL"),
        blank=True,
        help_text=_("Webhook: the address to post to. Mastodon: the server, e.g. https://mastodon.social."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("Webhook: the key for the HMAC-SHA256 signature header."),
    )
    access_token = models.CharField(
        _("access token"),
        max_length=200,
        blank=True,
        help_text=_("Mastodon: an access token with the write:statuses scope."),
    )
    max_length = models.PositiveIntegerField(
        _("length limit"),
        null=True,
        blank=True,
        help_text=_("Characters a post may have; empty for the usual limit."),
    )

    class Meta:
        ordering = ["organization", "-is_default", "name"]
        verbose_name = _("publishing channel")
        verbose_name_plural = _("publishing channels")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_default=True),
                name="one_default_channel_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def length_limit(self) -> int | None:
        return self.max_length or self.DEFAULT_LENGTH_LIMITS.get(self.kind)

    def clean(self) -> None:
        needs = {self.Kind.WEBHOOK: ("url", "secret"), self.Kind.MASTODON: ("url", "access_token")}
        errors = {
            name: _("A %(kind)s channel needs this.") % {"kind": self.get_kind_display()}
            for name in needs.get(self.kind, ())
            if not getattr(self, name)
        }
        if self.is_default and not self.is_active:
            errors["is_default"] = _("An inactive channel cannot be the default.")
        if self.url:
            try:
                validate_url(self.url)
            except ValidationError as error:
                errors["url"] = error
        if errors:
            raise ValidationError(errors)


class Statement(models.Model):
    """A public statement: drafted, approved by others (four eyes), then published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    FINAL = (Status.PUBLISHED, Status.WITHDRAWN)

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="statements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    template = models.ForeignKey(
        StatementTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template"),
    )
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Grows on every change; a stale version is refused.")
    )
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Grows on every edit of the text.")
    )
    tone = models.JSONField(_("tone hints"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    next_update_at = models.DateTimeField(
        _("next update promised at"),
        null=True,
        blank=True,
        help_text=_("The time this statement promises the next update; it sets the deadline when sooner."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [
            models.Index(fields=["incident", "status"]),
            models.Index(fields=["status", "published_at"]),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def current_approvals(self) -> list["Approval"]:
        """Approvals of the current revision (from the prefetched approvals when there are)."""
        return [a for a in self.approvals.all() if a.revision == self.revision and a.decision == "approved"]

    @property
    def tone_hints(self) -> list[dict]:
        return [{**hint, "message": tone.message(hint["rule"])} for hint in self.tone]

    def approvals_given(self) -> int:
        """Distinct people who approved the current revision (one person counts once)."""
        return len({approval.approver_id for approval in self.current_approvals})

    # What can be done to a statement, in the order the room shows it; the API's `actions`.
    ACTIONS = ("submit", "approve", "request-changes", "publish", "edit", "withdraw", "cancel")

    def allowed_actions(self) -> list[str]:
        """The actions its state allows now, whoever asks: the same checks the transitions make
        (a person's role, and four eyes, are asked on top). Reads the prefetched publications
        and approvals (incidents.selectors.statements_with_details)."""
        publishing, required = self.is_publishing(), self.incident.approvals_required
        checks = {
            "submit": self.check_submittable,
            "approve": self.check_decidable,
            "request-changes": self.check_decidable,
            "publish": lambda: self.check_can_be_published(approvals_required=required),
            "edit": lambda: self.check_changeable(publishing=publishing),
            "withdraw": lambda: self.check_changeable(publishing=publishing),
            "cancel": self.check_cancellable,
        }
        allowed = []
        for action in self.ACTIONS:
            try:
                checks[action]()
            except DomainError:
                continue
            allowed.append(action)
        return allowed

    def is_publishing(self) -> bool:
        """A post is queued or being sent (from the prefetched publications when there are)."""
        return any(publication.in_flight for publication in self.publications.all())

    def check_changeable(self, *, publishing: bool) -> None:
        """Raise unless the text may change or be withdrawn: not final, and nothing on its way out."""
        self.incident.check_open_for_work()
        if self.status in self.FINAL:
            raise DomainError(
                _("A %(status)s statement cannot be changed.") % {"status": self.get_status_display().lower()}
            )
        if publishing:
            raise DomainError(
                _(
                    "This statement is being published: cancel the queued publication first, "
                    "or wait until it has been sent."
                )
            )

    def edit(self, body: str, *, publishing: bool) -> None:
        """New text makes a new revision: the approvals given so far no longer count."""
        self.check_changeable(publishing=publishing)
        self.body, self.revision, self.status, self.submitted_at = (
            body,
            self.revision + 1,
            self.Status.DRAFT,
            None,
        )

    def check_submittable(self) -> None:
        self.incident.check_open_for_work()
        if self.status == self.Status.CHANGES_REQUESTED:
            raise DomainError(_("Changes were requested: edit the text before submitting it again."))
        if self.status != self.Status.DRAFT:
            raise DomainError(_("Only a draft can be submitted for approval."))

    def submit(self) -> None:
        self.check_submittable()
        self.status, self.submitted_at = self.Status.PENDING_APPROVAL, timezone.now()

    def check_decidable(self) -> None:
        """Raise unless someone (not its writers) may approve or request changes now."""
        self.incident.check_open_for_work()
        if self.status != self.Status.PENDING_APPROVAL:
            raise DomainError(_("Only a statement waiting for approval can be approved or sent back."))

    def check_decision_by(self, user, *, approvals: list["Approval"]) -> None:
        """Raise unless `user` may approve or request changes on the current revision now."""
        self.check_decidable()
        if user.pk in self.writers():
            raise DomainError(_("Four eyes: you wrote this text, so someone else must approve it."))
        if any(approval.approver_id == user.pk for approval in approvals):
            raise DomainError(_("You already gave your decision on this revision."))

    def not_deciding(self) -> set[int]:
        """Who may not approve or send back the current revision: its writers and who decided it."""
        decided = {
            approval.approver_id for approval in self.approvals.all() if approval.revision == self.revision
        }
        return self.writers() | decided

    def writers(self) -> set[int]:
        """Everyone who wrote the current text: the author and whoever made this revision."""
        editors = {rev.author_id for rev in self.revisions.all() if rev.number == self.revision}
        return {self.author_id, *editors}

    def approve(self, *, approvals_given: int, approvals_required: int) -> None:
        if approvals_given >= approvals_required:
            self.status = self.Status.APPROVED

    def recount(self, *, approvals_required: int) -> bool:
        """The incident's severity changed what it needs: waiting and approved statements follow.

        Answers whether the status changed. A published statement stays published.
        """
        if self.status not in (self.Status.APPROVED, self.Status.PENDING_APPROVAL):
            return False
        enough = self.approvals_given() >= approvals_required
        status = self.Status.APPROVED if enough else self.Status.PENDING_APPROVAL
        changed, self.status = status != self.status, status
        return changed

    def request_changes(self) -> None:
        self.status = self.Status.CHANGES_REQUESTED

    def withdraw(self, *, publishing: bool) -> None:
        self.check_changeable(publishing=publishing)
        self.status = self.Status.WITHDRAWN

    def check_can_be_published(self, *, approvals_required: int, revision: int | None = None) -> None:
        """The gate: an incident not closed, approved (or already out on another channel), at
        `revision` when given, and with as many distinct approvals of that revision as the incident
        needs now."""
        self.incident.check_open_for_work()
        given = self.approvals_given()
        if self.status not in (self.Status.APPROVED, self.Status.PUBLISHED, self.Status.PENDING_APPROVAL):
            raise DomainError(_("Only an approved statement can be published."))
        if revision is not None and revision != self.revision:
            raise DomainError(_("The text changed after it was approved."))
        if given < approvals_required or self.status == self.Status.PENDING_APPROVAL:
            raise DomainError(
                _("This statement has %(given)d of the %(required)d approvals the incident needs now.")
                % {"given": given, "required": approvals_required}
            )

    def check_cancellable(self) -> None:
        """Raise unless one of its posts is queued and may still be stopped."""
        self.incident.check_open_for_work()
        if not any(publication.may_be_cancelled for publication in self.publications.all()):
            raise DomainError(_("No post of this statement is queued."))

    def mark_published(self, at) -> bool:
        """Record the first confirmation; later ones (another channel, a retry) change nothing."""
        if self.status == self.Status.PUBLISHED:
            return False
        self.status, self.published_at = self.Status.PUBLISHED, at
        return True


class StatementRevision(models.Model):
    """The text of each revision, kept so approvers can see what changed."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [models.UniqueConstraint(fields=["statement", "number"], name="one_text_per_revision")]

    def __str__(self) -> str:
        return f"{self.statement_id} r{self.number}"


class Approval(models.Model):
    """One person's decision on one revision; a new revision starts with none."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="approvals")
    revision = models.PositiveIntegerField(_("revision"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approver")
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    waited_seconds = models.PositiveIntegerField(
        _("waited (seconds)"), null=True, blank=True, help_text=_("From submission until this decision.")
    )
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["statement", "revision", "created_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "revision", "approver"], name="one_decision_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · r{self.revision}"


class Publication(models.Model):
    """A statement on one channel, with the text and revision that were approved.

    The row makes publishing idempotent (one post per channel) and freezes what goes out: the
    connector sends `body`, never the statement's text of the moment.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        SENDING = "sending", _("Sending")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    IN_FLIGHT = (Status.PENDING, Status.SENDING)

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="publications")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="publications")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    revision = models.PositiveIntegerField(_("approved revision"))
    body = models.TextField(_("text sent"))
    external_id = models.CharField(_("id on the channel"), max_length=200, blank=True)
    external_url = models.URLField(_("address of the post"), max_length=500, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["statement", "pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [models.UniqueConstraint(fields=["statement", "channel"], name="one_post_per_channel")]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.get_status_display()}"

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt at one text, so a receiver that saw it once ignores a repeat;
        a new approved revision on the same channel is a new post."""
        return f"crisisdesk-publication-{self.pk}-r{self.revision}"

    @property
    def in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT

    def request(self, *, body: str, revision: int, requested_by) -> None:
        """Queue this channel's post of `body` at `revision`: a new row, or one that failed or was
        cancelled before, which takes the new request's text (never an older one)."""
        if self.pk is not None and self.status not in (self.Status.FAILED, self.Status.CANCELLED):
            raise DomainError(_("This statement is already queued or published on this channel."))
        self.status, self.body, self.revision, self.requested_by = (
            self.Status.PENDING,
            body,
            revision,
            requested_by,
        )
        self.last_error, self.claimed_at, self.attempts = "", None, 0
        self.requested_at = timezone.now()

    @property
    def may_be_cancelled(self) -> bool:
        return self.status == self.Status.PENDING

    def cancel(self) -> None:
        """Stop the queued post (the caller holds the statement's lock, its incident open)."""
        if not self.may_be_cancelled:
            raise DomainError(
                _("Only a queued publication can be cancelled; this one’s status is “%(status)s”.")
                % {"status": self.get_status_display()}
            )
        self.status, self.claimed_at = self.Status.CANCELLED, None
