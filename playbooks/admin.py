"""The admin site is where organization admins author playbooks.

Access follows the organization: a person edits the playbooks of the organizations they
administer (`accounts.author_playbooks` on the organization, through guardian), nothing else.
Saving records a new revision through the same service the API uses.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import organizations_administered_by
from playbooks import selectors, services
from playbooks.models import (
    Playbook,
    PlaybookRevision,
    PlaybookRoleAssignment,
    PlaybookStep,
    PlaybookTarget,
    StatementTemplate,
)

AUTHOR_PERMISSION = "accounts.author_playbooks"


def may_author(request, playbook: Playbook | None) -> bool:
    if playbook is None or playbook.organization_id is None:
        return request.user.is_superuser or organizations_administered_by(request.user).exists()
    return request.user.has_perm(AUTHOR_PERMISSION, playbook.organization)


class AuthorPermissions:
    """Admin permissions from the organization object permission, not model permissions."""

    def has_module_permission(self, request):
        return may_author(request, None)

    def _allowed(self, request, obj=None):
        playbook = obj if isinstance(obj, Playbook) else getattr(obj, "playbook", None)
        return may_author(request, playbook)

    has_view_permission = has_change_permission = has_delete_permission = _allowed

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, obj)


class StepInline(AuthorPermissions, admin.TabularInline):
    model = PlaybookStep
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}
    fields = ("order", "title", "description", "role", "due_after_minutes")


class RoleAssignmentInline(AuthorPermissions, admin.TabularInline):
    model = PlaybookRoleAssignment
    extra = 0
    fields = ("role", "user", "kind", "presence")
    readonly_fields = ("presence",)

    def get_queryset(self, request):
        return selectors.role_assignments_with_presence(super().get_queryset(request))

    @admin.display(description=_("Still there?"))
    def presence(self, assignment: PlaybookRoleAssignment) -> str:
        if getattr(assignment, "person_left", False):
            return gettext("Left the organization: name someone else")
        return "" if assignment.pk is None else gettext("Yes")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(
                memberships__organization__in=organizations_administered_by(request.user)
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TemplateInline(AuthorPermissions, admin.StackedInline):
    model = StatementTemplate
    extra = 0
    fields = ("name", "kind", "language", "body", "preview")
    readonly_fields = ("preview",)

    @admin.display(description=_("Preview with sample values"))
    def preview(self, template: StatementTemplate) -> str:
        return template.preview() if template.pk else gettext("Save to see a preview.")


class TargetInline(AuthorPermissions, admin.TabularInline):
    model = PlaybookTarget
    extra = 0
    max_num = 4
    fields = (
        "severity",
        "minutes_to_acknowledge",
        "minutes_to_first_response",
        "minutes_between_updates",
        "approvals_required",
    )


class KeywordsField(forms.CharField):
    """Trigger keywords typed one per line (or comma-separated), stored as a list."""

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [word.strip() for line in text.splitlines() for word in line.split(",") if word.strip()]


class PlaybookForm(forms.ModelForm):
    trigger_keywords = KeywordsField(
        label=_("Trigger keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Mentions with these words suggest this scenario."),
    )
    change_note = forms.CharField(
        label=_("Change note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What changed and why; kept with the new revision."),
    )

    class Meta:
        model = Playbook
        fields = ("organization", "name", "language", "description", "trigger_keywords", "is_active")


@admin.register(Playbook)
class PlaybookAdmin(AuthorPermissions, admin.ModelAdmin):
    form = PlaybookForm
    list_display = ("name", "organization", "language", "is_active", "revision", "updated_at")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter), "language", "is_active")
    search_fields = ("name", "description")
    readonly_fields = ("revision", "revision_history", "role_gaps")
    inlines = [StepInline, RoleAssignmentInline, TemplateInline, TargetInline]
    actions = ["duplicate_as_new_scenario"]
    fieldsets = (
        (
            None,
            {"fields": ("organization", "name", "language", "description", "trigger_keywords", "is_active")},
        ),
        (_("Who does what"), {"fields": ("role_gaps",)}),
        (_("Revision"), {"fields": ("revision", "change_note", "revision_history")}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organization")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organization__in=organizations_administered_by(request.user))

    def get_readonly_fields(self, request, obj=None):
        # The organization is chosen once; moving a playbook would break its incidents' history.
        return (*self.readonly_fields, "organization") if obj else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization" and not request.user.is_superuser:
            kwargs["queryset"] = organizations_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("Gaps"))
    def role_gaps(self, playbook: Playbook) -> str:
        if not playbook.pk:
            return "-"
        assignments = playbook.role_assignments.select_related("role")
        gaps = selectors.roles_without_primary(selectors.role_assignments_with_presence(assignments))
        return (
            " ".join(
                gettext("No primary for %(role)s: name someone below.") % {"role": role.display_name}
                for role in gaps
            )
            or "-"
        )

    @admin.display(description=_("Revisions"))
    def revision_history(self, playbook: Playbook) -> str:
        revisions = playbook.revisions.select_related("created_by")[:10] if playbook.pk else []
        return (
            format_html_join(
                "",
                "<p><a href='{}'>{} {}</a> · {} · {}</p>",
                (
                    (
                        reverse("playbooks:revision", args=[playbook.pk, r.number]),
                        gettext("Revision"),
                        r.number,
                        r.created_by or "",
                        r.change_note,
                    )
                    for r in revisions
                ),
            )
            or "-"
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.playbook_targets_fill_defaults(playbook=form.instance)
        services.playbook_revision_record(
            playbook=form.instance,
            acting_user=request.user,
            change_note=form.cleaned_data.get("change_note")
            or (gettext("Edited") if change else gettext("Created")),
        )

    @admin.action(description=_("Duplicate as a new scenario"))
    def duplicate_as_new_scenario(self, request, queryset):
        for playbook in queryset:
            if not may_author(request, playbook):
                continue
            copy = services.playbook_duplicate(
                playbook=playbook,
                name=gettext("%(name)s (copy)") % {"name": playbook.name},
                acting_user=request.user,
            )
            self.message_user(
                request,
                gettext("Created “%(name)s”, inactive until you switch it on.") % {"name": copy.name},
                messages.SUCCESS,
            )


@admin.register(PlaybookRevision)
class PlaybookRevisionAdmin(admin.ModelAdmin):
    """Revisions are the record: read-only for everyone."""

    list_display = ("playbook", "number", "created_by", "created_at")
    list_filter = (("playbook__organization", admin.RelatedOnlyFieldListFilter),)  # no other organization's
    fields = ("playbook", "number", "change_note", "created_by", "created_at", "snapshot")
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("playbook", "created_by")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(playbook__organization__in=organizations_administered_by(request.user))

    def has_module_permission(self, request):
        return may_author(request, None)

    def has_view_permission(self, request, obj=None):
        return may_author(request, obj.playbook if obj else None)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
