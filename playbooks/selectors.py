"""Reads for playbooks, always as seen by one user."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.selectors import organizations_visible_to
from playbooks.models import Playbook, PlaybookRevision, PlaybookRoleAssignment, PlaybookStep


def playbooks_visible_to(user: User) -> QuerySet[Playbook]:
    """Playbooks of the organizations `user` belongs to; the rest does not exist for them."""
    return Playbook.objects.filter(organization__in=organizations_visible_to(user)).select_related(
        "organization"
    )


def playbooks_with_contents(queryset: QuerySet[Playbook]) -> QuerySet[Playbook]:
    """Everything a playbook page or the API detail shows, in a fixed number of queries."""
    return queryset.prefetch_related(
        Prefetch("steps", queryset=PlaybookStep.objects.select_related("role")),
        Prefetch("role_assignments", queryset=PlaybookRoleAssignment.objects.select_related("role", "user")),
        "templates",
        "targets",
    )


def revisions_of(playbook: Playbook) -> QuerySet[PlaybookRevision]:
    return playbook.revisions.select_related("created_by").order_by("-number")
