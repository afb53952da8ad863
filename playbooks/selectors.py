"""Reads for playbooks, always as seen by one user."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.models import Role, User
from accounts.selectors import active_memberships, organizations_visible_to
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
        Prefetch(
            "role_assignments",
            queryset=role_assignments_with_presence(
                PlaybookRoleAssignment.objects.select_related("role", "user")
            ),
        ),
        "templates",
        "targets",
    )


def revisions_of(playbook: Playbook) -> QuerySet[PlaybookRevision]:
    return playbook.revisions.select_related("created_by").order_by("-number")


def role_assignments_with_presence(
    queryset: QuerySet[PlaybookRoleAssignment],
) -> QuerySet[PlaybookRoleAssignment]:
    """Each assignment with `person_left`: its person is no longer an active member of the
    playbook's organization. The row stays, as a gap to fill; incidents opened from the
    playbook skip that person."""
    present = active_memberships().filter(
        user=OuterRef("user"), organization=OuterRef("playbook__organization")
    )
    return queryset.annotate(person_left=~Exists(present))


def roles_without_primary(assignments: Iterable[PlaybookRoleAssignment]) -> list[Role]:
    """Roles the playbook names people for, but no primary who is still there (from
    `role_assignments_with_presence`): the gaps its page and the admin point out."""
    covered: dict[Role, bool] = {}
    for assignment in assignments:
        primary_here = assignment.kind == assignment.Kind.PRIMARY and not assignment.person_left
        covered[assignment.role] = covered.get(assignment.role, False) or primary_here
    return [role for role, has_primary in covered.items() if not has_primary]


def speaking_assignments(*, user, organization) -> QuerySet[PlaybookRoleAssignment]:
    """The places in the organization's playbooks that name `user` for a role that approves or
    publishes (accounts.two_factor asks, to know who must sign in with a second factor)."""
    return PlaybookRoleAssignment.objects.filter(
        user_id=user, playbook__organization_id=organization, role__speaks_for_brand=True
    )
