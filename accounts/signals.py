"""Sign-ins, failed sign-ins and lockouts into the security log, from the signals Django's auth
and django-axes send (connected in AccountsConfig.ready()). Receivers only record: no rule
lives here.

Every path that signs a session in calls django.contrib.auth.login (the sign-in page, the
two-factor code step, the admin's login), and every failed authenticate() sends
user_login_failed, the API token endpoint's included.
"""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts import security_log
from accounts.security_log import Kind


@receiver(user_logged_in, dispatch_uid="security_log_signed_in")
def signed_in(sender, request, user, **kwargs) -> None:
    security_log.record(Kind.SIGNED_IN, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="security_log_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """Every failed attempt, those refused during a lockout included, under the name typed."""
    security_log.record(Kind.SIGN_IN_FAILED, request=request, username=str(credentials.get("username") or ""))


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def locked_out(sender, request, username=None, **kwargs) -> None:
    """Axes sends this on the failure that starts a lockout, and again on each attempt during it
    (which counts as one more failure): the log keeps the start, when the count reaches the limit."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != get_failure_limit(request, getattr(request, "axes_credentials", None)):
        return
    security_log.record(
        Kind.LOCKED_OUT, request=request, username=str(username or ""), detail={"failures": failures}
    )
