from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from incidents import selectors
from incidents.models import Incident


@login_required
def incident_list(request):
    incidents = selectors.incidents_visible_to(request.user).order_by("-detected_at")
    return render(request, "incidents/incident_list.html", {"incidents": incidents})


@login_required
def incident_room(request, pk: int):
    try:
        incident = selectors.incident_for_room(request.user, pk)
    except Incident.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "incidents/room.html",
        {
            "incident": incident,
            "timeline": selectors.timeline_of(incident),
            "tasks": selectors.tasks_of(incident),
            "statements": selectors.statements_with_details(incident.statements.all()),
            "permissions": selectors.permissions_on(request.user, incident),
        },
    )
