"""Reads for incidents, always as seen by one user."""

from django.db.models import Prefetch, QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from accounts.models import User
from incidents.models import Incident, IncidentRoleAssignment, Task, TimelineEntry

INCIDENT_CODENAMES = (
    "view_incident",
    "change_incident",
    "assign_roles",
    "add_timeline_entry",
    "manage_tasks",
    "link_mention",
    "draft_statement",
    "approve_statement",
    "publish_statement",
    "edit_postmortem",
)


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Incidents `user` may see: through the organization's group, or a role on a restricted one.

    As for organizations, a superuser sees only what their own roles and memberships show.
    """
    return get_objects_for_user(
        user, "incidents.view_incident", Incident, accept_global_perms=False, with_superuser=False
    ).select_related("organization", "playbook", "playbook_revision")


def incident_for_room(user: User, pk: int) -> Incident:
    """The incident with its roles, or Incident.DoesNotExist when `user` may not see it."""
    return (
        incidents_visible_to(user)
        .prefetch_related(
            Prefetch(
                "role_assignments", queryset=IncidentRoleAssignment.objects.select_related("user", "role")
            )
        )
        .get(pk=pk)
    )


def permissions_on(user: User, incident: Incident) -> set[str]:
    """Every incident permission `user` holds on `incident`, in one or two queries."""
    if not user.is_active:
        return set()
    checker = ObjectPermissionChecker(user)
    return {codename for codename in checker.get_perms(incident) if codename in INCIDENT_CODENAMES}


def timeline_of(incident: Incident, *, after: int | None = None) -> QuerySet[TimelineEntry]:
    entries = incident.timeline.select_related("author").order_by("id")
    return entries.filter(id__gt=after) if after is not None else entries


def tasks_of(incident: Incident) -> QuerySet[Task]:
    return incident.tasks.select_related("assignee", "role", "completed_by")


def role_assignments_of(incident: Incident) -> QuerySet[IncidentRoleAssignment]:
    return incident.role_assignments.select_related("user", "role").order_by("role_id", "user__username")
