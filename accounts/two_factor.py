"""Two-factor sign-in: who must have it, and setting it up, checking and removing it.

django-otp keeps the devices: a TOTP device (the person's authenticator app) and a static
device holding their recovery codes, each code usable once. Someone has two-factor sign-in when
they have a confirmed TOTP device.

Who must have it (`setup_required`): in an organization that asks for it
(`Organization.two_factor_required`), its admins and everyone who holds a role that can approve
or publish a statement there (`Role.speaks_for_brand`). The apps that keep role assignments tell
this module where to look (`register_role_source`), since accounts imports no app to its right.
Such a person is sent to set it up before any other page, and their API token is refused, until
they have (accounts/middleware.py, accounts/authentication.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security_log, services
from accounts.models import Membership, SecurityEvent, User

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

REQUIRED_MESSAGE = _(
    "Your organization requires two-factor sign-in for your role: set it up on your profile page "
    "before you go on."
)

TOO_MANY = _("Too many wrong codes: wait a moment, then try again.")

# --- who must have it ------------------------------------------------------------------------

# source(user=OuterRef, organization=OuterRef) -> the assignments of a role that speaks for the
# brand, held by that user on that organization's objects.
RoleSource = Callable[..., models.QuerySet]
_role_sources: dict[str, RoleSource] = {}


def register_role_source(app_label: str, source: RoleSource) -> None:
    """One per app that assigns roles, from its AppConfig.ready() (the last one counts)."""
    _role_sources[app_label] = source


def _holds_speaking_role() -> Q:
    condition = Q(pk__in=[])
    for source in _role_sources.values():
        condition |= Exists(source(user=OuterRef("user_id"), organization=OuterRef("organization_id")))
    return condition


def memberships_requiring(user: User) -> models.QuerySet[Membership]:
    """The memberships for which `user` must sign in with a second factor."""
    return Membership.objects.filter(user=user, organization__two_factor_required=True).filter(
        Q(is_admin=True) | _holds_speaking_role()
    )


def is_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def setup_required(user: User) -> bool:
    """Whether `user` must set up two-factor sign-in before going on (one query)."""
    if not user.is_authenticated:
        return False
    return (
        memberships_requiring(user)
        .exclude(Exists(TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)))
        .exists()
    )


# --- setting it up and removing it ------------------------------------------------------------


def pending_device(user: User) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device, kept until confirmed, so the
    secret shown stays the same across reloads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def _check_password(user: User, password: str) -> None:
    if not user.check_password(password):
        raise ValidationError({"password": _("That is not your password.")})


def _locked(user: User) -> User:
    """The user's row, locked: setting up, removing and renewing codes run one at a time."""
    return User.objects.select_for_update().get(pk=user.pk)


def enable(*, user: User, password: str, code: str, request: HttpRequest | None = None) -> list[str]:
    """Confirm the pending authenticator app with a code from it; answers new recovery codes.

    API tokens issued before are revoked: they were had with a password alone.
    """
    codes = _enable(user=user, password=password, code=code, request=request)
    if codes is None:  # recorded after the rollback, so the failure stays in the log
        security_log.record(SecurityEvent.Kind.TWO_FACTOR_FAILED, request=request, actor=user)
        raise ValidationError({"code": _("That code is not right. Enter the six digits the app shows now.")})
    return codes


@transaction.atomic
def _enable(*, user: User, password: str, code: str, request: HttpRequest | None) -> list[str] | None:
    _locked(user)
    _check_password(user, password)
    if is_enabled(user):
        raise ValidationError(_("Two-factor sign-in is already set up."))
    device = pending_device(user)
    if not device.verify_is_allowed()[0]:
        raise ValidationError({"code": TOO_MANY})
    if not device.verify_token(_digits(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _new_recovery_codes(user)
    services.token_revoke(user=user, request=request)
    security_log.record(SecurityEvent.Kind.TWO_FACTOR_ENABLED, request=request, actor=user)
    return codes


@transaction.atomic
def disable(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Remove the authenticator app and the recovery codes."""
    _locked(user)
    _check_password(user, password)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_log.record(SecurityEvent.Kind.TWO_FACTOR_DISABLED, request=request, actor=user)


@transaction.atomic
def recovery_codes_renew(*, user: User, password: str, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes; the old ones stop working."""
    _locked(user)
    _check_password(user, password)
    if not is_enabled(user):
        raise ValidationError(_("Set up two-factor sign-in first."))
    codes = _new_recovery_codes(user)
    security_log.record(SecurityEvent.Kind.RECOVERY_CODES_RENEWED, request=request, actor=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


# --- checking a code at sign-in ---------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    recovery_code: bool


def _digits(code: str) -> str:
    return "".join(code.split())


def verify(*, user: User, code: str, request: HttpRequest | None = None) -> Verified:
    """Check a code from the app, or a recovery code (used up by this); raises ValidationError.

    Six digits go to the app's device, anything else to the recovery codes, so that a recovery
    code does not count as a failure against the app. django-otp locks the device row while it
    checks (two requests with one recovery code: one succeeds) and slows down repeated failures.
    """
    code = _digits(code).lower()
    recovery = not (code.isdigit() and len(code) == 6)
    model = StaticDevice if recovery else TOTPDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            security_log.record(SecurityEvent.Kind.TWO_FACTOR_FAILED, request=request, actor=user)
            raise ValidationError(TOO_MANY)
        if verify_token(user, device.persistent_id, code) is not None:
            if recovery:
                security_log.record(
                    SecurityEvent.Kind.RECOVERY_CODE_USED,
                    request=request,
                    actor=user,
                    detail={"left": recovery_codes_left(user)},
                )
            return Verified(recovery_code=recovery)
    security_log.record(SecurityEvent.Kind.TWO_FACTOR_FAILED, request=request, actor=user)
    raise ValidationError(
        _("That code is not right. Enter the six digits the app shows now, or a recovery code.")
    )
