"""Admin-site access by organization: superusers, and the admins of the object's organization."""

from accounts.selectors import organizations_administered_by


class OrganizationAdminOnly:
    """Mixin for ModelAdmins; `organization_path` leads from the model to its organization."""

    organization_path = "organization"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.organization_path}__in": organizations_administered_by(request.user)}
        )

    def has_module_permission(self, request):
        return request.user.is_superuser or organizations_administered_by(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization" and not request.user.is_superuser:
            kwargs["queryset"] = organizations_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
