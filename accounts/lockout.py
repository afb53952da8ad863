"""What a locked-out sign-in sees (django-axes calls this through AXES_LOCKOUT_CALLABLE)."""

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
