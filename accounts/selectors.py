"""Reads for people and organizations, always as seen by one user."""

from django.db.models import QuerySet

from accounts.models import Membership, Organization, User


def organizations_of(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user)


def organizations_administered_by(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user, memberships__is_admin=True)


def users_visible_to(user: User) -> QuerySet[User]:
    """The people who share at least one organization with `user` (themselves included)."""
    shared = Membership.objects.filter(user=user).values("organization")
    return User.objects.filter(memberships__organization__in=shared, is_active=True).distinct()


def is_member(user: User, organization: Organization) -> bool:
    return Membership.objects.filter(user=user, organization=organization).exists()


def is_admin(user: User, organization: Organization) -> bool:
    return Membership.objects.filter(user=user, organization=organization, is_admin=True).exists()
