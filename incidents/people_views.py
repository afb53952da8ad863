"""The person pickers' search (incidents.people_picker): the options that match what was typed.

A picker is named by its field's html name; each is used by one form, and searching in it needs
the right that form needs. The field itself still validates what is sent (forms.py).
"""

from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crisisdesk.converters import LONE_SURROGATE
from incidents import selectors
from incidents.forms import ActionItemForm, RoleForm, TaskForm
from incidents.models import Incident
from incidents.people_picker import (
    PEOPLE_SEARCH_LIMIT,
    SEARCH_TEXT_MAX,
    people_matching,
    person_label,
    status_id,
)


class Picker(NamedTuple):
    empty_label: str | None  # the field's first option ("Nobody yet"), None for none
    permission: str  # what the form it belongs to needs


# By html name: the form's prefix (as the room and the post-mortem page give it) and the field.
PICKERS = {
    "task-assignee": Picker(TaskForm.base_fields["assignee"].empty_label, "manage_tasks"),
    "role-user": Picker(RoleForm.base_fields["user"].empty_label, "assign_roles"),
    "item-owner": Picker(ActionItemForm.base_fields["owner"].empty_label, "edit_postmortem"),
}


@login_required
@require_GET
def people_search(request, pk: int):
    permissions = selectors.incident_permissions(request.user, pk)
    if "view_incident" not in permissions:
        raise Http404
    name, text = request.GET.get("name", ""), request.GET.get("q", "").strip()
    picker = PICKERS.get(name)
    if picker is None:
        return HttpResponseBadRequest(_("There is no person picker of that name."))
    if picker.permission not in permissions:  # before judging what was typed: 403 before 400
        raise PermissionDenied
    if len(text) > SEARCH_TEXT_MAX or "\x00" in text or LONE_SURROGATE.search(text):
        return HttpResponseBadRequest(
            _("Search with at most %(count)d characters of a name.") % {"count": SEARCH_TEXT_MAX}
        )
    incident = Incident.objects.only("organization_id").filter(pk=pk).first()
    if incident is None:
        raise Http404
    found = people_matching(selectors.people_of(incident), text=text, limit=PEOPLE_SEARCH_LIMIT + 1)
    return render(
        request,
        "incidents/partials/people_options.html",
        {
            "empty_label": picker.empty_label,
            "people": [(person.pk, person_label(person)) for person in found[:PEOPLE_SEARCH_LIMIT]],
            "more": len(found) > PEOPLE_SEARCH_LIMIT,
            "text": text,
            "status_id": status_id(name),
        },
    )
