"""Reads for incidents, always as seen by one user."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from accounts.models import Membership, User
from accounts.selectors import organizations_administered_by, organizations_visible_to
from incidents.models import (
    Approval,
    Channel,
    Incident,
    IncidentRoleAssignment,
    Notification,
    Publication,
    Statement,
    Task,
    TimelineEntry,
)
from incidents.timers import LastUpdate
from playbooks.models import StatementTemplate

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
    incident = incident_with_roles(pk) if "view_incident" in incident_permissions(user, pk) else None
    if incident is None:
        raise Incident.DoesNotExist
    return incident


def room_for(user: User, pk: int) -> tuple[Incident, set[str]]:
    """The incident and `user`'s permissions on it (asked once), or DoesNotExist; for the room page,
    whose parts come from the room's state (incidents.live.render)."""
    permissions = incident_permissions(user, pk)
    incident = Incident.objects.filter(pk=pk).first() if "view_incident" in permissions else None
    if incident is None:
        raise Incident.DoesNotExist
    return incident, permissions


def incident_with_roles(pk: int) -> Incident | None:
    """The incident as the room shows it, whoever looks (the live hub renders it for everyone)."""
    return (
        Incident.objects.select_related("organization", "playbook", "playbook_revision")
        .prefetch_related(
            Prefetch(
                "role_assignments", queryset=IncidentRoleAssignment.objects.select_related("user", "role")
            )
        )
        .filter(pk=pk)
        .first()
    )


def incident_permissions(user: User, incident_pk: int) -> set[str]:
    """`user`'s permissions on one incident, by their own grants or their groups', in one query.

    The room's poll asks it every 2 seconds for everyone in the room, without loading the
    incident; the room, the API and the post-mortem ask it too. Like `incidents_visible_to`,
    only object permissions count: a superuser gets no shortcut. Like every permission check
    (accounts.backends), they count only while `user` is an active member of the incident's
    organization: a grant left behind after leaving opens nothing. No "view_incident" in the
    answer means the incident is not there for `user`. Written in SQL over guardian's tables
    because the same query built with the ORM cost the poll more CPU than all else it does
    (2 ms against 0.3; bench/load). The permission matrix test holds it to guardian's answer.
    """
    if not user.is_active:
        return set()
    content_type = ContentType.objects.get_for_model(Incident)
    tables = {
        "user_perms": UserObjectPermission._meta.db_table,
        "group_perms": GroupObjectPermission._meta.db_table,
        "user_groups": User.groups.through._meta.db_table,
        "permissions": Permission._meta.db_table,
        "incidents": Incident._meta.db_table,
        "memberships": Membership._meta.db_table,
    }
    sql = """
        SELECT granted.codename FROM (
            SELECT p.codename FROM {permissions} p JOIN {user_perms} up ON up.permission_id = p.id
            WHERE up.user_id = %s AND up.content_type_id = %s AND up.object_pk = %s
            UNION
            SELECT p.codename FROM {permissions} p JOIN {group_perms} gp ON gp.permission_id = p.id
            JOIN {user_groups} ug ON ug.group_id = gp.group_id
            WHERE ug.user_id = %s AND gp.content_type_id = %s AND gp.object_pk = %s
        ) granted
        WHERE EXISTS (
            SELECT 1 FROM {incidents} i JOIN {memberships} m ON m.organization_id = i.organization_id
            WHERE i.id = %s AND m.user_id = %s
        )
    """.format(**tables)  # noqa: S608 - table names from the models, values as parameters
    where = (user.pk, content_type.pk, str(incident_pk))
    with connection.cursor() as cursor:
        cursor.execute(sql, where + where + (int(incident_pk), user.pk))
        return {codename for (codename,) in cursor.fetchall()} & set(INCIDENT_CODENAMES)


def incident_permissions_many(
    user_ids, incident_ids, *, codenames=INCIDENT_CODENAMES
) -> dict[tuple[int, int], set[str]]:
    """`incident_permissions` for every pair of these people and incidents, in two queries.

    The live hub re-checks the rights of everyone with a room open every few seconds; asking
    once per person would cost a query each. Same rules: object grants of the person or their
    groups, counted only while the person is active and a member of the incident's organization.
    `codenames` narrows what is asked, and `user_ids=None` asks about whoever holds one of them:
    the live feed `approvals` asks who may approve on the incidents with a statement waiting,
    at a cost that does not grow with the thousands of people who have a page open.
    """
    incident_ids = sorted(set(incident_ids))
    if user_ids is not None:
        user_ids = sorted(set(user_ids))
    if user_ids == [] or not incident_ids:
        return {}
    content_type = ContentType.objects.get_for_model(Incident)
    grants = {
        "content_type": content_type,
        "object_pk__in": [str(pk) for pk in incident_ids],
        "permission__codename__in": sorted(set(codenames) & set(INCIDENT_CODENAMES)),
    }
    direct = UserObjectPermission.objects.filter(**grants)
    by_group = GroupObjectPermission.objects.filter(**grants)
    if user_ids is not None:
        direct, by_group = direct.filter(user_id__in=user_ids), by_group.filter(group__user__in=user_ids)
    direct = direct.values_list("user_id", "object_pk", "permission__codename")
    by_group = by_group.values_list("group__user", "object_pk", "permission__codename")
    rows = list(direct.union(by_group))
    if not rows:
        return {}
    members = Membership.objects.filter(
        user_id__in={user_id for user_id, _, _ in rows},  # only who has a grant here
        user__is_active=True,
        organization__incidents__in=incident_ids,
    ).values_list("user_id", "organization__incidents")
    allowed = set(members)
    granted: dict[tuple[int, int], set[str]] = {}
    for user_id, object_pk, codename in rows:
        key = (user_id, int(object_pk))
        if key in allowed and codename in INCIDENT_CODENAMES:
            granted.setdefault(key, set()).add(codename)
    return granted


def timeline_of(incident_pk: int, *, after: int | None = None) -> QuerySet[TimelineEntry]:
    entries = (
        TimelineEntry.objects.filter(incident_id=incident_pk)
        .select_related("author", "corrects")
        .order_by("id")
    )
    return entries.filter(id__gt=after) if after is not None else entries


def timeline_ids(incident_pk: int, *, after: int | None = None) -> QuerySet:
    """Ids of the incident's entries, newest first: what the room's poll asks before anything else."""
    ids = TimelineEntry.objects.filter(incident_id=incident_pk).order_by("-id").values_list("id", flat=True)
    return ids.filter(id__gt=after) if after is not None else ids


def tasks_of(incident: Incident) -> QuerySet[Task]:
    return incident.tasks.select_related("assignee", "role", "completed_by")


def role_assignments_of(incident: Incident) -> QuerySet[IncidentRoleAssignment]:
    return incident.role_assignments.select_related("user", "role").order_by("role_id", "user__username")


def statements_visible_to(user: User) -> QuerySet[Statement]:
    return Statement.objects.filter(incident__in=incidents_visible_to(user))


def statements_with_details(queryset: QuerySet[Statement]) -> QuerySet[Statement]:
    """Everything a statement shows (approvals, publications, targets) in a fixed number of queries."""
    return queryset.select_related("incident__playbook_revision", "author").prefetch_related(
        "revisions",
        Prefetch("approvals", queryset=Approval.objects.select_related("approver").order_by("created_at")),
        Prefetch("publications", queryset=Publication.objects.select_related("channel")),
    )


def statement_diff_base(statement: Statement, user: User) -> int:
    """The revision `user` last decided on (what they last saw), else the first one."""
    seen = [
        a.revision
        for a in statement.approvals.all()
        if a.approver_id == user.pk and a.revision < statement.revision
    ]
    return max(seen, default=1)


def published_statements_of(organization_slug: str) -> QuerySet[Statement]:
    """What the public status page shows: published statements of public, real incidents."""
    return (
        Statement.objects.filter(
            status=Statement.Status.PUBLISHED,
            incident__organization__slug=organization_slug,
            incident__is_drill=False,
            incident__restricted=False,
        )
        .select_related("incident")
        .order_by("-published_at", "-pk")
    )


def statements_waiting_for(user: User) -> QuerySet[Statement]:
    """Statements waiting for `user`'s decision: pending, on incidents they approve for, not
    their own text, and no decision of theirs on the current revision yet. Oldest first."""
    approvable = get_objects_for_user(
        user, "incidents.approve_statement", Incident, accept_global_perms=False, with_superuser=False
    )
    decided = Approval.objects.filter(statement=OuterRef("pk"), revision=OuterRef("revision"), approver=user)
    return (
        Statement.objects.filter(status=Statement.Status.PENDING_APPROVAL, incident__in=approvable)
        .exclude(author=user)
        .exclude(Exists(decided))
        .order_by("submitted_at", "pk")
    )


def notifications_of(user: User) -> QuerySet[Notification]:
    """`user`'s notifications about incidents they may still see (a role removed takes them away)."""
    return user.notifications.filter(incident__in=incidents_visible_to(user).values("pk"))


def incidents_filtered(
    user: User, *, q: str = "", status: str = "", severity: str = "", drill: str = "", mine: bool = False
) -> QuerySet[Incident]:
    """The incident list as filtered on its page; open incidents unless `status` says otherwise."""
    incidents = incidents_visible_to(user)
    if status == "":
        incidents = incidents.filter(status__in=Incident.OPEN_STATUSES)
    elif status != "all":
        incidents = incidents.filter(status=status)
    if severity:
        incidents = incidents.filter(severity=severity)
    if drill:
        incidents = incidents.filter(is_drill=drill == "yes")
    if mine:
        incidents = incidents.filter(role_assignments__user=user).distinct()
    if q:
        incidents = incidents.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return incidents.order_by("-detected_at", "-pk")


def last_public_updates(incidents) -> dict[int, LastUpdate]:
    """Each incident's last published statement (when, and the next update it promised), in one query."""
    latest: dict[int, LastUpdate] = {}
    rows = (
        Statement.objects.filter(incident__in=incidents, status=Statement.Status.PUBLISHED)
        .order_by("incident", "-published_at")
        .values_list("incident", "published_at", "next_update_at")
    )
    for incident_id, published_at, promised in rows:
        latest.setdefault(incident_id, LastUpdate(published_at, promised))
    return latest


def people_of(incident: Incident) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organization_id=incident.organization_id, is_active=True
    ).order_by("full_name", "username")


def templates_for(incident: Incident) -> QuerySet[StatementTemplate]:
    if incident.playbook_id is None:
        return StatementTemplate.objects.filter(playbook__organization_id=incident.organization_id)
    return StatementTemplate.objects.filter(playbook_id=incident.playbook_id)


def channels_visible_to(user: User) -> QuerySet[Channel]:
    """The active channels of the user's organizations, and every channel of those they administer."""
    return Channel.objects.filter(
        Q(organization__in=organizations_visible_to(user), is_active=True)
        | Q(organization__in=organizations_administered_by(user))
    )
