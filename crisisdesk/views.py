from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from incidents import selectors as incident_selectors
from incidents import timers


@login_required
def dashboard(request):
    """What needs attention now: open incidents with their timers, statements waiting for me."""
    incidents = list(incident_selectors.incidents_filtered(request.user)[:50])
    last_updates = incident_selectors.last_public_updates(incidents)
    now = timers.now()
    rows = [
        (
            incident,
            [
                (t, t.state(now))
                for t in timers.timers_for(incident, last_public_update=last_updates.get(incident.pk))
            ],
        )
        for incident in incidents
    ]
    waiting = incident_selectors.statements_waiting_for(request.user).select_related("incident", "author")[
        :20
    ]
    return render(request, "dashboard.html", {"rows": rows, "waiting": waiting})
