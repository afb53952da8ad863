import zoneinfo
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation

from accounts import two_factor


class UserPreferencesMiddleware:
    """Speak the signed-in user's language and show times in their time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class TwoFactorSetupMiddleware:
    """Send someone who must set up two-factor sign-in (accounts/two_factor.py) to do so before any
    other page; a request to the API with their browser session answers 403.

    API tokens are checked by accounts.authentication.TokenAuthentication.
    """

    # The pages they may still open: setting it up, signing out, the language and public pages.
    ALLOWED = frozenset(
        {"two-factor-setup", "logout", "language", "login", "login-code", "status-page", "status-feed"}
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.url_name in self.ALLOWED or not request.user.is_authenticated:
            return None
        if not two_factor.setup_required(request.user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(two_factor.REQUIRED_MESSAGE)}, status=403)
        target = f"{reverse('two-factor-setup')}?{urlencode({'next': request.get_full_path()})}"
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)
