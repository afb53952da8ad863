from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate, gettext
from django.views.decorators.http import require_POST

from accounts import selectors, services, two_factor
from accounts.forms import LanguageForm, MemberAddForm, PasswordAgainForm, ProfileForm
from accounts.models import Membership, Organization


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, **form.cleaned_data)
        activate(request.user.language)
        messages.success(request, gettext("Your profile has been saved."))
        return redirect("profile")
    return profile_page(request, form)


def profile_page(request, form, *, status=200, two_factor_form=None):
    """The profile page; the two-factor forms come back here with their errors."""
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "managed": selectors.organizations_managed_by(user).order_by("name"),
            "two_factor": two_factor.is_enabled(user),
            "two_factor_required": two_factor.memberships_requiring(user).exists(),
            "recovery_codes_left": two_factor.recovery_codes_left(user),
            "two_factor_form": two_factor_form or PasswordAgainForm(),
        },
        status=status,
    )


def _managed_organization(request, slug: str) -> Organization:
    """The organization if `request.user` belongs to it (404 otherwise) and manages its members (403)."""
    organization = get_object_or_404(selectors.organizations_visible_to(request.user), slug=slug)
    if not request.user.has_perm("accounts.manage_members", organization):
        raise PermissionDenied
    return organization


@login_required
def members(request, slug: str):
    """An organization's members, for its admins: add one by e-mail (the same service as the API)."""
    organization = _managed_organization(request, slug)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = services.member_invite(
            organization=organization,
            acting_user=request.user,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"] or None,
            is_admin=form.cleaned_data["is_admin"] or None,  # unticked keeps an existing admin's flag
            request=request,
        )
        messages.success(
            request,
            gettext("%(name)s is a member of %(organization)s now.")
            % {"name": membership.user.get_full_name(), "organization": organization.name},
        )
        return redirect("members", slug=organization.slug)
    return render(
        request,
        "accounts/members.html",
        {"organization": organization, "memberships": selectors.members_of(organization), "form": form},
    )


@login_required
@require_POST
def member_remove(request, slug: str, user_pk: int):
    """Remove a member: every role and permission they had in the organization ends at once."""
    organization = _managed_organization(request, slug)
    membership = get_object_or_404(Membership, organization=organization, user_id=user_pk)
    name = membership.user.get_full_name()
    services.membership_remove(membership=membership, acting_user=request.user, request=request)
    messages.success(
        request,
        gettext("%(name)s is no longer a member of %(organization)s.")
        % {"name": name, "organization": organization.name},
    )
    if not request.user.has_perm("accounts.manage_members", organization):  # they removed themselves
        return redirect("profile")
    return redirect("members", slug=organization.slug)


@require_POST
def language_switch(request):
    """Switch the language: saved in the profile when signed in, in a cookie otherwise."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
