"""Incident pages: the list, opening an incident, and the room with its actions.

Views are thin: a form validates, a service acts. A failed form re-renders the room with the
typed input and the error next to its field; a refused action (wrong state) is a message.
Visibility is decided once, by `incident_or_404`; permissions by the services (403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import organizations_visible_to
from crisisdesk.converters import id_or_none
from crisisdesk.errors import DomainError
from crisisdesk.pages import add_form_errors
from incidents import selectors, services, timeline_html, timers
from incidents.forms import (
    CommentForm,
    IncidentFilterForm,
    IncidentOpenForm,
    PublishForm,
    RoleForm,
    StatementDraftForm,
    StatementEditForm,
    TaskForm,
    TimelineEntryForm,
)
from incidents.live import render as live_parts
from incidents.models import Incident, IncidentRoleAssignment, Publication, Statement, Task
from playbooks.selectors import playbooks_visible_to

ROOM_TIMELINE_LIMIT = 200


def incident_or_404(request, pk: int) -> Incident:
    try:
        return selectors.incident_for_room(request.user, pk)
    except Incident.DoesNotExist:
        raise Http404 from None


# --- list and opening ------------------------------------------------------------------------


@login_required
def incident_list(request):
    form = IncidentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    incidents = list(selectors.incidents_filtered(request.user, **filters)[:200])
    rows = timers.incident_rows(incidents, selectors.last_public_updates(incidents), timers.now())
    return render(request, "incidents/incident_list.html", {"form": form, "rows": rows})


@login_required
def incident_open(request):
    organizations = organizations_visible_to(request.user)
    playbooks = playbooks_visible_to(request.user)
    initial = {"playbook": request.GET.get("playbook")} if request.GET.get("playbook") else None
    form = IncidentOpenForm(
        request.POST or None, initial=initial, organizations=organizations, playbooks=playbooks
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_open(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Incident opened. You lead it."))
            return redirect(incident)
    return render(request, "incidents/incident_open.html", {"form": form}, status=400 if form.errors else 200)


# --- the room ---------------------------------------------------------------------------------


def room_context(request, incident: Incident, perms: set[str] | None = None, **bound_forms) -> dict:
    """Everything the room shows, in a constant number of queries; `bound_forms` keep typed input.

    The live parts come from the same state and templates the live hub pushes (incidents.live).
    """
    permissions = perms if perms is not None else selectors.incident_permissions(request.user, incident.pk)
    entries_html, entry_ids = timeline_html.newest_entries_html(
        incident.pk, perms=permissions, limit=ROOM_TIMELINE_LIMIT + 1
    )
    parts = live_parts.page_parts_html(
        incident,
        permissions,
        viewer_id=request.user.pk,
        csrf_token=get_token(request),
        entry_ids=entry_ids,
        edit_forms=bound_forms.get("edit_forms"),
    )
    people = selectors.people_of(incident)
    return {
        "incident": incident,
        "perms": permissions,
        "parts": parts,
        "incident_id": incident.pk,
        "entries_html": entries_html[:ROOM_TIMELINE_LIMIT],
        "more_entries": len(entry_ids) > ROOM_TIMELINE_LIMIT,
        "last_entry_id": entry_ids[0] if entry_ids else 0,
        "entry_form": bound_forms.get("entry_form") or TimelineEntryForm(prefix="entry"),
        "task_form": bound_forms.get("task_form")
        or TaskForm(people=people, incident=incident, prefix="task"),
        "role_form": bound_forms.get("role_form")
        or RoleForm(people=people, incident=incident, prefix="role"),
        "draft_form": bound_forms.get("draft_form")
        or StatementDraftForm(
            templates=selectors.templates_for(incident),
            initial={"language": request.LANGUAGE_CODE},
            prefix="draft",
        ),
        "limit": ROOM_TIMELINE_LIMIT,
    }


@login_required
@require_GET
def incident_room(request, pk: int):
    try:
        incident, perms = selectors.room_for(request.user, pk)
    except Incident.DoesNotExist:
        raise Http404 from None
    return render(request, "incidents/room.html", room_context(request, incident, perms))


def _room_with_errors(request, incident, **bound_forms):
    return render(request, "incidents/room.html", room_context(request, incident, **bound_forms), status=400)


def _back(incident: Incident, anchor: str = ""):
    return redirect(reverse("incidents:room", args=[incident.pk]) + (f"#{anchor}" if anchor else ""))


def _refused(request, incident, error: DomainError, anchor=""):
    messages.error(request, error.message)
    return _back(incident, anchor)


@login_required
@require_POST
def incident_transition(request, pk: int):
    incident = incident_or_404(request, pk)
    try:
        services.incident_transition(
            incident=incident, to=request.POST.get("to", ""), acting_user=request.user
        )
    except DomainError as error:
        return _refused(request, incident, error)
    return _back(incident)


# --- timeline (live) --------------------------------------------------------------------------


@login_required
def timeline_add(request, pk: int):
    incident = incident_or_404(request, pk)
    if request.method == "GET":  # the box, set to correct an entry when `?corrects=` says so
        corrects = request.GET.get("corrects")
        form = TimelineEntryForm(initial={"corrects": corrects}, prefix="entry")
        corrected = incident.timeline.filter(pk=corrects).first() if id_or_none(corrects) else None
        return render(
            request,
            "incidents/partials/entry_form.html",
            {"incident": incident, "entry_form": form, "corrected": corrected},
        )
    services.require(request.user, "add_timeline_entry", incident)
    form = TimelineEntryForm(request.POST, prefix="entry")
    if form.is_valid():
        corrects = form.cleaned_data["corrects"]
        try:
            services.timeline_add(
                incident=incident,
                acting_user=request.user,
                body=form.cleaned_data["body"],
                occurred_at=form.cleaned_data["occurred_at"],
                corrects=incident.timeline.filter(pk=corrects).first() if corrects else None,
            )
        except ValidationError as error:
            add_form_errors(form, error)
    if request.htmx:
        fresh = form if form.errors else TimelineEntryForm(prefix="entry")
        response = render(
            request, "incidents/partials/entry_form.html", {"incident": incident, "entry_form": fresh}
        )
        if not form.errors:
            response["HX-Trigger"] = "timeline-changed"
        return response
    if form.errors:
        return _room_with_errors(request, incident, entry_form=form)
    return _back(incident, "timeline")


# --- tasks ------------------------------------------------------------------------------------


@login_required
@require_POST
def task_add(request, pk: int):
    incident = incident_or_404(request, pk)
    services.require(request.user, "manage_tasks", incident)
    form = TaskForm(request.POST, people=selectors.people_of(incident), incident=incident, prefix="task")
    if form.is_valid():
        try:
            services.task_create(incident=incident, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            return _refused(request, incident, error, "tasks")
        except ValidationError as error:
            add_form_errors(form, error)
    if form.errors:
        return _room_with_errors(request, incident, task_form=form)
    return _back(incident, "tasks")


@login_required
@require_POST
def task_complete(request, pk: int, task_pk: int):
    incident = incident_or_404(request, pk)
    task = get_object_or_404(Task, pk=task_pk, incident=incident)
    try:
        services.task_complete(task=task, acting_user=request.user)
    except DomainError as error:
        return _refused(request, incident, error, "tasks")
    return _back(incident, "tasks")


# --- roles ------------------------------------------------------------------------------------


@login_required
@require_POST
def role_assign(request, pk: int):
    incident = incident_or_404(request, pk)
    services.require(request.user, "assign_roles", incident)
    form = RoleForm(request.POST, people=selectors.people_of(incident), incident=incident, prefix="role")
    if form.is_valid():
        try:
            services.role_assign(incident=incident, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
    if form.errors:
        return _room_with_errors(request, incident, role_form=form)
    return _back(incident, "roles")


@login_required
@require_POST
def role_remove(request, pk: int, assignment_pk: int):
    incident = incident_or_404(request, pk)
    assignment = get_object_or_404(IncidentRoleAssignment, pk=assignment_pk, incident=incident)
    try:
        services.role_remove(assignment=assignment, acting_user=request.user)
    except DomainError as error:
        return _refused(request, incident, error, "roles")
    return _back(incident, "roles")


# --- statements -------------------------------------------------------------------------------


@login_required
@require_POST
def statement_draft(request, pk: int):
    incident = incident_or_404(request, pk)
    services.require(request.user, "draft_statement", incident)
    form = StatementDraftForm(request.POST, templates=selectors.templates_for(incident), prefix="draft")
    if form.is_valid():
        try:
            services.statement_draft(incident=incident, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            return _refused(request, incident, error, "statements")
        except ValidationError as error:
            add_form_errors(form, error)
    if form.errors:
        return _room_with_errors(request, incident, draft_form=form)
    return _back(incident, "statements")


STATEMENT_ACTIONS = {
    "submit": (services.statement_submit, CommentForm, "draft_statement"),
    "approve": (services.statement_approve, CommentForm, "approve_statement"),
    "request-changes": (services.statement_request_changes, CommentForm, "approve_statement"),
    "withdraw": (services.statement_withdraw, CommentForm, "draft_statement"),
    "edit": (services.statement_edit, StatementEditForm, "draft_statement"),
    "publish": (services.statement_publish, PublishForm, "publish_statement"),
}


@login_required
@require_POST
def statement_action(request, pk: int, statement_pk: int, verb: str):
    incident = incident_or_404(request, pk)
    statement = get_object_or_404(Statement, pk=statement_pk, incident=incident)
    if verb not in STATEMENT_ACTIONS:
        raise Http404
    service, form_class, codename = STATEMENT_ACTIONS[verb]
    services.require(request.user, codename, incident)  # 403 before any 400, as in the API
    kwargs = (
        {"channels": incident.organization.channels.filter(is_active=True)}
        if form_class is PublishForm
        else {}
    )
    prefixes = {"edit": f"s{statement.pk}", "publish": f"p{statement.pk}"}
    form = form_class(request.POST, prefix=prefixes.get(verb), **kwargs)
    if form.is_valid():
        try:
            service(statement=statement, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            return _refused(request, incident, error, f"statement-{statement.pk}")
        except ValidationError as error:
            add_form_errors(form, error)
    if form.errors:
        if verb == "edit":
            return _room_with_errors(request, incident, edit_forms={statement.pk: form})
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return _back(incident, f"statement-{statement.pk}")


@login_required
@require_POST
def publication_cancel(request, pk: int, publication_pk: int):
    incident = incident_or_404(request, pk)
    publication = get_object_or_404(Publication, pk=publication_pk, statement__incident=incident)
    try:
        services.publication_cancel(publication=publication, acting_user=request.user)
    except DomainError as error:
        return _refused(request, incident, error, f"statement-{publication.statement_id}")
    return _back(incident, f"statement-{publication.statement_id}")


@login_required
def notifications(request):
    """The bell's page: the newest notifications; seeing them marks them read."""
    notifications = selectors.notifications_of(request.user)
    items = list(notifications.select_related("incident").order_by("-created_at")[:50])
    unread = [item.pk for item in items if item.read_at is None]
    if unread:
        notifications.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "incidents/notifications.html", {"items": items, "unread": set(unread)})
