from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from incidents import selectors as incident_selectors
from incidents import timers
from monitoring import selectors as monitoring_selectors


@login_required
def dashboard(request):
    """What needs attention now: open incidents with their timers, statements waiting for me, new alerts.

    `?part=approvals` or `?part=alerts` answers only that region, as the page's live updates
    read it again when the feed moves (not the whole page, and none of its flash messages).
    """
    part = request.GET.get("part")
    if part == "approvals":
        return render(request, "partials/dashboard_waiting.html", {"waiting": _waiting_for(request.user)})
    if part == "alerts":
        return render(request, "partials/dashboard_alerts.html", {"alerts": _new_alerts(request.user)})
    incidents = list(incident_selectors.incidents_filtered(request.user)[:50])
    rows = timers.incident_rows(incidents, incident_selectors.last_public_updates(incidents), timers.now())
    return render(
        request,
        "dashboard.html",
        {"rows": rows, "waiting": _waiting_for(request.user), "alerts": _new_alerts(request.user)},
    )


def _waiting_for(user):
    return incident_selectors.statements_waiting_for(user).select_related("incident", "author")[:20]


def _new_alerts(user):
    return monitoring_selectors.alerts_visible_to(user).filter(status="new").order_by("-created_at")[:10]


def not_found(request, exception=None):
    """404: JSON in DRF's shape under /api/ (clients read one format), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
