"""Sign-in lockout: what a locked-out sign-in sees (AXES_LOCKOUT_CALLABLE), and whose address
counts (AXES_CLIENT_IP_CALLABLE; the security log reads it too)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def lockout_response(
    request, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        # DRF's error shape, so API clients read it like any other refusal.
        return JsonResponse({"detail": _("Too many failed sign-ins. Try again later.")}, status=429)
    return TemplateResponse(request, "registration/locked_out.html", status=429).render()


def client_ip(request) -> str | None:
    """The peer's address; behind make prod's nginx (BEHIND_PROXY) every peer is 127.0.0.1, and
    the client's address is the last X-Forwarded-For entry, the one the proxy wrote."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")
