from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
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
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)
    fields = ("user", "is_admin", "joined_at")
    readonly_fields = ("joined_at",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.organization_create(name=obj.name, slug=obj.slug)
        obj.pk, obj.group = created.pk, created.group

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if not inline_form.has_changed() and not formset._should_delete_form(inline_form):
                continue
            membership = inline_form.instance
            if formset._should_delete_form(inline_form):
                if membership.pk:
                    services.membership_remove(membership=membership)
            elif inline_form.cleaned_data.get("user"):
                services.membership_add(
                    organization=form.instance,
                    user=inline_form.cleaned_data["user"],
                    is_admin=inline_form.cleaned_data.get("is_admin", False),
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
