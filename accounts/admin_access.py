"""Admin-site access by organization: superusers, and the admins of the object's organization.

Superusers see and choose everything (the admin site is the operator's place); an organization
admin sees the rows of the organizations they administer, chooses only among those
organizations' objects in every foreign key, and list filters name nothing of anyone else.
"""

from django.contrib import admin
from django.db import models

from accounts.models import Organization, User
from accounts.selectors import organizations_administered_by


def organization_path(model: type[models.Model]) -> str | None:
    """How `model` leads to its organization, for choices; None for shared models (roles)."""
    if model is Organization:
        return "pk"
    if model is User:
        return "memberships__organization"
    field = next((f for f in model._meta.get_fields() if f.name == "organization"), None)
    return "organization" if isinstance(field, models.ForeignKey) else None


class OrganizationChoices:
    """Mixin for ModelAdmins and inlines: foreign-key and many-to-many choices only among the
    objects of the organizations the person administers (superusers: all).

    The path from a related model to its organization is `organization_path` (organizations,
    people, and models with an `organization`), or declared in `choice_organization_paths`
    (field name → path, e.g. {"template": "playbook__organization"}).
    """

    choice_organization_paths: dict[str, str] = {}

    def _restrict_choices(self, db_field, request, kwargs) -> None:
        if request.user.is_superuser:
            return
        path = self.choice_organization_paths.get(db_field.name) or organization_path(db_field.related_model)
        if path is None:
            return
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = db_field.related_model._default_manager.all()
        lookup = {f"{path}__in": organizations_administered_by(request.user)}
        kwargs["queryset"] = queryset.filter(**lookup).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._restrict_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._restrict_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OrganizationAdminOnly(OrganizationChoices):
    """Mixin for ModelAdmins; `organization_path` leads from the model to its organization."""

    organization_path = "organization"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.organization_path}__in": organizations_administered_by(request.user)}
        )

    def get_list_filter(self, request):
        """A related filter lists every object of its model; for an organization admin, only
        those their own rows point at (RelatedOnlyFieldListFilter), so no other organization's
        names show."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [_related_only(self.model, entry) for entry in filters]

    def has_module_permission(self, request):
        return request.user.is_superuser or organizations_administered_by(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


def _related_only(model: type[models.Model], entry):
    if not isinstance(entry, str):
        return entry
    field = None
    for name in entry.split("__"):
        field = model._meta.get_field(name)
        model = field.related_model
        if model is None:
            return entry
    if field is not None and field.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry
