import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import SPEAKING_PERMISSIONS, IncidentPermission
from crisisdesk.outbound import validate_url


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class User(AbstractUser):
    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        DUTCH = "nl", _("Dutch")

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    email_reminders = models.BooleanField(_("reminders by e-mail"), default=True)
    quiet_from = models.TimeField(
        _("quiet hours from"),
        null=True,
        blank=True,
        help_text=_("No reminder e-mails from this time (a critical incident still sends)."),
    )
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        ordering = ["username"]

    # --- credentials and the API token ---------------------------------------------------------
    # A new password or a switched-off account deletes the person's API token, so that the old
    # token opens nothing. Here, in save(), because every way of changing them ends here: the
    # password change and reset pages, the admin's password form and its is_active box,
    # `manage.py changepassword`, set_password() or set_unusable_password() anywhere. A hash
    # upgraded at sign-in (check_password with a newer hasher) is the same password: no change.
    # Only a queryset update() of these fields passes by, and the project never does that.

    _stored_password: str | None = None  # the hash as loaded from the database
    _upgrading_hash = False

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._stored_password = user.__dict__.get("password")
        return user

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._stored_password = self.__dict__.get("password")

    def check_password(self, raw_password) -> bool:
        self._upgrading_hash = True
        try:
            return super().check_password(raw_password)
        finally:
            self._upgrading_hash = False

    async def acheck_password(self, raw_password) -> bool:
        self._upgrading_hash = True
        try:
            return await super().acheck_password(raw_password)
        finally:
            self._upgrading_hash = False

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        adding = self._state.adding
        revoke = not adding and (
            (self._new_password() and (update_fields is None or "password" in update_fields))
            or (not self.is_active and (update_fields is None or "is_active" in update_fields))
        )
        super().save(*args, **kwargs)
        self._stored_password = self.password
        if revoke:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()

    def _new_password(self) -> bool:
        if self._upgrading_hash:
            return False
        if self._password is not None:  # set_password() since the last save (Django's own marker)
            return True
        return self._stored_password is not None and self.password != self._stored_password

    def in_quiet_hours(self, moment) -> bool:
        """Whether `moment` falls in this person's quiet hours, in their own time zone."""
        if self.quiet_from is None or self.quiet_until is None:
            return False
        local = moment.astimezone(zoneinfo.ZoneInfo(self.time_zone)).time()
        if self.quiet_from <= self.quiet_until:
            return self.quiet_from <= local < self.quiet_until
        return local >= self.quiet_from or local < self.quiet_until  # across midnight

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.username

    def __str__(self) -> str:
        return self.get_full_name()


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=User.Language.choices,
        default="nl",
        help_text=_("For messages to the whole team, such as the chat webhook."),
    )
    chat_webhook_url = models.URLField(
        _("chat webhook"),
        blank=True,
        help_text=_(
            "Slack- or Mattermost-compatible incoming webhook for new incidents, late updates and approvals."
        ),
    )
    two_factor_required = models.BooleanField(
        _("two-factor sign-in required"),
        default=True,
        help_text=_(
            "Everyone who can approve or publish a statement, and every admin, must sign in with a code "
            "from an authenticator app as well as their password."
        ),
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organization", editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        # Held as object permissions on the organization: members through its group get
        # view_organization; admins get these two, each on their own organization.
        permissions = [
            ("author_playbooks", _("Author playbooks, sources and channels")),
            ("manage_members", _("Manage members")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.chat_webhook_url:
            try:
                validate_url(self.chat_webhook_url)
            except ValidationError as error:
                raise ValidationError({"chat_webhook_url": error}) from None


@cache
def organization_links(model: type[models.Model]) -> tuple[str, ...]:
    """How objects of `model` belong to an organization: the names of its foreign keys to
    Organization (empty for a model that belongs to none). Leaving an organization takes the
    person's object permissions on these objects; the permission backend asks membership."""
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Organization
    )


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField(
        _("organization admin"),
        default=False,
        help_text=_("Admins author playbooks and manage members."),
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["organization", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class Role(models.Model):
    """A named set of permissions a person gets on the incident they are assigned to."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    permissions = models.JSONField(_("permissions on the incident"), default=list)
    is_builtin = models.BooleanField(_("built in"), default=False, editable=False)
    speaks_for_brand = models.BooleanField(
        _("approves or publishes"),
        default=False,
        editable=False,
        help_text=_("Derived from the permissions: whoever holds the role may need two-factor sign-in."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        self.speaks_for_brand = bool(SPEAKING_PERMISSIONS & set(self.permissions))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "permissions" in update_fields:
            kwargs["update_fields"] = {*update_fields, "speaks_for_brand"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """The name in the active language; built-in names are in the message catalogue."""
        return gettext(self.name) if self.is_builtin else self.name

    def clean(self) -> None:
        unknown = set(self.permissions) - set(IncidentPermission.values)
        if unknown:
            raise ValidationError(
                {"permissions": _("Unknown permissions: %(names)s") % {"names": ", ".join(sorted(unknown))}}
            )


class SecurityEvent(models.Model):
    """One line of an organization's security log: who signed in, changed access or spoke for the
    brand, when, and from where. Append-only in the database (migration 0004_security_log): the
    row is never changed, and only pruning deletes it, once it is older than a day."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor set up")
        TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor removed")
        TWO_FACTOR_FAILED = "two_factor_failed", _("Two-factor code refused")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        MEMBER_ADDED = "member_added", _("Member added")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REMOVED = "role_removed", _("Role removed")
        SETTINGS_CHANGED = "settings_changed", _("Settings changed")
        STATEMENT_APPROVED = "statement_approved", _("Statement approved")
        STATEMENT_PUBLISHED = "statement_published", _("Statement published")

    # No foreign key to User on purpose: the log outlives accounts, and names who it was then.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        related_name="security_events",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor_pk = models.PositiveIntegerField(_("actor id"), null=True)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    subject = models.CharField(_("concerning"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True)
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["organization", "-at"], name="security_event_org_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.actor} {self.at:%Y-%m-%d %H:%M}"
