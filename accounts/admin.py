from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import selectors, services
from accounts.models import Membership, Organization, Role, User
from accounts.roles import IncidentPermission


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "email", "language", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Profile"), {"fields": ("full_name", "email", "language", "time_zone")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "language", "password1", "password2")},
        ),
    )


class MembershipInline(admin.TabularInline):
    """Members of the organization; saving goes through accounts.services (see save_formset)."""

    model = Membership
    extra = 1
    fields = ("user", "is_admin", "joined_at")
    readonly_fields = ("joined_at",)

    def get_autocomplete_fields(self, request):
        # The user search looks through every account: a superuser's tool. An organization
        # admin chooses among the people they already share an organization with.
        return ("user",) if request.user.is_superuser else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = selectors.users_addable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return may_manage_members(request, obj)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


def may_manage_members(request, organization: Organization | None) -> bool:
    if request.user.is_superuser:
        return True
    if organization is None:
        return selectors.organizations_managed_by(request.user).exists()
    return request.user.has_perm("accounts.manage_members", organization)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Superusers create organizations; an organization's admins manage its members here too."""

    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=selectors.organizations_managed_by(request.user))

    def get_readonly_fields(self, request, obj=None):
        # The slug is in the public status page's address, and the chat webhook is a server-side
        # request: a superuser's to set (organization admins came here for the members).
        return () if request.user.is_superuser else ("slug", "chat_webhook_url")

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    def has_module_permission(self, request):
        return may_manage_members(request, None)

    def has_view_permission(self, request, obj=None):
        return may_manage_members(request, obj)

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.organization_create(name=obj.name, slug=obj.slug)
            obj.pk, obj.group = created.pk, created.group
        # The rest (language, chat webhook, two-factor) as a change of settings, in the security log.
        services.organization_update(
            organization=obj,
            acting_user=request.user,
            request=request,
            **{
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name not in ("name", "slug") or change
            },
        )

    def save_formset(self, request, form, formset, change):
        """Members through membership_add and membership_remove, never formset.save().

        The admin's change message reads what the formset saved (new_objects, changed_objects,
        deleted_objects): they are filled in here with what the services did.
        """
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        organization = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.initial_forms:
            membership = inline_form.instance
            if formset._should_delete_form(inline_form):
                services.membership_remove(membership=membership, acting_user=request.user, request=request)
                formset.deleted_objects.append(membership)
            elif "user" in inline_form.changed_data:  # another person in this row: one leaves, one joins
                services.membership_remove(
                    membership=Membership.objects.get(pk=membership.pk),
                    acting_user=request.user,
                    request=request,
                )
                formset.new_objects.append(self._add(organization, inline_form, request))
            elif inline_form.has_changed():
                membership = self._add(organization, inline_form, request)
                formset.changed_objects.append((membership, inline_form.changed_data))
        for inline_form in formset.extra_forms:
            if inline_form.has_changed() and not formset._should_delete_form(inline_form):
                formset.new_objects.append(self._add(organization, inline_form, request))

    @staticmethod
    def _add(organization: Organization, inline_form, request) -> Membership:
        return services.membership_add(
            organization=organization,
            user=inline_form.cleaned_data["user"],
            is_admin=inline_form.cleaned_data.get("is_admin", False),
            acting_user=request.user,
            request=request,
        )


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions on the incident"),
        choices=IncidentPermission.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Role
        fields = ("slug", "name", "permissions")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ("slug", "name", "is_builtin")
    readonly_fields = ("is_builtin",)

    def get_readonly_fields(self, request, obj=None):
        # Built-in roles are the contract of DESIGN.md: their slug stays fixed.
        if obj and obj.is_builtin:
            return ("slug", "is_builtin")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.is_builtin) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """A change of permissions goes through the service, which resyncs everyone holding the role."""
        if not change or "permissions" not in form.changed_data:
            return super().save_model(request, obj, form, change)
        permissions = obj.permissions
        obj.permissions = Role.objects.get(pk=obj.pk).permissions  # the set the service compares with
        obj.save()
        services.role_update_permissions(role=obj, permissions=permissions)
        obj.refresh_from_db(fields=["permissions"])
