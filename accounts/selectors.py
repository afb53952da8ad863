"""Reads for people and organizations, always as seen by one user."""

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from accounts.models import Membership, Organization, User


def active_memberships() -> QuerySet[Membership]:
    """Memberships that count: an account switched off (is_active=False) is nobody's member."""
    return Membership.objects.filter(user__is_active=True)


def is_active_member(user: User, organization_id: int) -> bool:
    return active_memberships().filter(user_id=user.pk, organization_id=organization_id).exists()


def active_members_of(organization_id: int) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=active_memberships().filter(organization_id=organization_id).values("user")
    )


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    """Organizations whose objects `user` may see: those they are a member of.

    Superusers are no exception here: the product never mixes organizations; the admin
    site is where a superuser sees everything.
    """
    return get_objects_for_user(
        user, "accounts.view_organization", Organization, accept_global_perms=False, with_superuser=False
    )


def organizations_administered_by(user: User) -> QuerySet[Organization]:
    return get_objects_for_user(
        user, "accounts.author_playbooks", Organization, accept_global_perms=False, with_superuser=False
    )


def organizations_managed_by(user: User) -> QuerySet[Organization]:
    """Organizations whose members `user` manages (organization admins)."""
    return get_objects_for_user(
        user, "accounts.manage_members", Organization, accept_global_perms=False, with_superuser=False
    )


def users_addable_by(user: User) -> QuerySet[User]:
    """Whom an organization admin may add in the admin site: people of the organizations they
    manage. Anyone else joins by e-mail (the members page or the API), which reveals nothing."""
    managed = organizations_managed_by(user)
    return User.objects.filter(memberships__organization__in=managed, is_active=True).distinct()


def users_visible_to(user: User) -> QuerySet[User]:
    """The people who share at least one organization with `user` (themselves included)."""
    shared = Membership.objects.filter(user=user).values("organization")
    return User.objects.filter(memberships__organization__in=shared, is_active=True).distinct()


def members_of(organization: Organization) -> QuerySet[Membership]:
    """The organization's memberships with their people, as the members page and API list them."""
    return (
        Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")
    )
