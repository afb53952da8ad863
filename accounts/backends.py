"""Object permissions that hold only for the members of the object's organization."""

from django.db import models
from guardian.backends import ObjectPermissionBackend

from accounts.models import Organization, organization_links
from accounts.selectors import is_active_member


class MemberObjectPermissionBackend(ObjectPermissionBackend):
    """guardian's object permissions, counted only while the person is an active member of the
    organization the object belongs to (the organization itself, or an object with a foreign
    key to it, such as an incident: accounts.models.organization_links).

    Leaving an organization deletes the person's grants there (membership_remove); this is the
    second lock on the same door, so that a grant left behind by a bug or a race opens nothing.
    It costs one query per check on such an object. Objects that belong to no organization get
    guardian's answer as it is.
    """

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return self._counts(user_obj, obj) and super().has_perm(user_obj, perm, obj)

    def get_group_permissions(self, user_obj, obj=None):
        return super().get_group_permissions(user_obj, obj) if self._counts(user_obj, obj) else set()

    def get_all_permissions(self, user_obj, obj=None):
        return super().get_all_permissions(user_obj, obj) if self._counts(user_obj, obj) else set()

    @staticmethod
    def _counts(user_obj, obj) -> bool:
        if not isinstance(obj, models.Model) or not user_obj.is_authenticated:
            return True  # guardian answers these itself (no object, no account: no permission)
        if isinstance(obj, Organization):
            organization_ids = [obj.pk]
        else:
            organization_ids = [getattr(obj, f"{link}_id") for link in organization_links(type(obj))]
        return all(is_active_member(user_obj, pk) for pk in organization_ids if pk is not None)
