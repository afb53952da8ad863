"""Sign-in in two steps, and setting up and removing two-factor sign-in on the profile page.

The password step (`LoginView`) signs in only those without two-factor sign-in; for the others
it remembers, for five minutes, who passed it, and the code step (`login_code`) signs them in.
No session is ever signed in on a password alone when the person has a second factor.
"""

import time
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import two_factor
from accounts.forms import CodeForm, PasswordAgainForm, ProfileForm, TwoFactorSetupForm
from accounts.models import User
from accounts.views import profile_page

PENDING = "two_factor_pending"
PENDING_SECONDS = 5 * 60


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_enabled(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "until": time.time() + PENDING_SECONDS,
        }
        return redirect("login-code")


def _pending(request) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING)
    if not pending or pending["until"] < time.time():
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user else None


def login_code(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    found = _pending(request)
    if found is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    user, pending = found
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = two_factor.verify(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            if verified.recovery_code:
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)s are left. "
                        "Make new ones on your profile page."
                    )
                    % {"left": two_factor.recovery_codes_left(user)},
                )
            return redirect(pending["next"])
    return render(request, "registration/login_code.html", {"form": form})


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return ""


@login_required
def setup(request):
    """Set up an authenticator app: scan the code (or type the secret), confirm with a code."""
    if two_factor.is_enabled(request.user):
        messages.info(request, _("Two-factor sign-in is already set up."))
        return redirect("profile")
    device = two_factor.pending_device(request.user)
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.enable(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "new": True},
            )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, omitsize=True),
            "required": two_factor.setup_required(request.user),
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def remove(request):
    form = PasswordAgainForm(request.POST)
    if form.is_valid():
        try:
            two_factor.disable(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Two-factor sign-in is removed."))
            return redirect("profile")
    return _profile_with(request, two_factor_form=form)


@login_required
@require_POST
def recovery_codes(request):
    form = PasswordAgainForm(request.POST)
    if form.is_valid():
        try:
            codes = two_factor.recovery_codes_renew(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "", "new": False})
    return _profile_with(request, two_factor_form=form)


def _profile_with(request, **forms):
    return profile_page(request, ProfileForm(instance=request.user), status=400, **forms)
