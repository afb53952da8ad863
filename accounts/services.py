"""Writes for organizations, memberships and role permissions."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import models, transaction
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_user_obj_perms_model

from accounts.models import Membership, Organization, Role, User

ADMIN_PERMISSIONS = ("accounts.author_playbooks", "accounts.manage_members")


@transaction.atomic
def organization_create(*, name: str, slug: str) -> Organization:
    group, _ = Group.objects.get_or_create(name=f"organization:{slug}")
    organization = Organization.objects.create(name=name, slug=slug, group=group)
    assign_perm("accounts.view_organization", group, organization)
    return organization


@transaction.atomic
def membership_add(*, organization: Organization, user: User, is_admin: bool = False) -> Membership:
    """Make `user` a member (or update their admin flag); idempotent.

    Organization admins author playbooks in the admin site, so they become staff.
    """
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"is_admin": is_admin}
    )
    user.groups.add(organization.group)
    for perm in ADMIN_PERMISSIONS:
        (assign_perm if is_admin else remove_perm)(perm, user, organization)
    if is_admin and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, acting_user: User | None = None) -> None:
    membership.user.groups.remove(membership.organization.group)
    for perm in ADMIN_PERMISSIONS:
        remove_perm(perm, membership.user, membership.organization)
    membership.delete()


def role_grant(*, role: Role, user: User, obj: models.Model) -> None:
    """Give `user` every permission of `role` on `obj` (an object permission in guardian)."""
    for codename in role.permissions:
        assign_perm(codename, user, obj)


def role_grant_many(*, grants: Iterable[tuple[User, Role]], obj: models.Model) -> None:
    """`role_grant` for many people at once: one insert per permission, not per person."""
    users_by_codename: dict[str, set[User]] = defaultdict(set)
    for user, role in grants:
        for codename in role.permissions:
            users_by_codename[codename].add(user)
    manager = get_user_obj_perms_model(obj).objects
    for codename, users in users_by_codename.items():
        manager.assign_perm_to_many(codename, list(users), obj, ignore_conflicts=True)


def role_revoke(*, role: Role, user: User, obj: models.Model, kept_roles: Iterable[Role] = ()) -> None:
    """Take away the permissions of `role` on `obj`, except those a kept role still grants."""
    still_granted = {codename for kept in kept_roles for codename in kept.permissions}
    for codename in set(role.permissions) - still_granted:
        remove_perm(codename, user, obj)


def organization_grant(*, organization: Organization, codename: str, obj: models.Model) -> None:
    """Give every member of `organization` a permission on `obj`, through its group."""
    assign_perm(codename, organization.group, obj)


def organization_revoke(*, organization: Organization, codename: str, obj: models.Model) -> None:
    remove_perm(codename, organization.group, obj)


PROFILE_FIELDS = (
    "full_name",
    "email",
    "language",
    "time_zone",
    "email_reminders",
    "quiet_from",
    "quiet_until",
)


def user_update_profile(*, user: User, **fields) -> User:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"user_update_profile() cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=list(fields))
    return user


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
