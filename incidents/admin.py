"""Incidents in the admin site: opened and changed through the services; the timeline is read-only."""

from django.contrib import admin

from accounts.admin_access import OrganizationAdminOnly
from accounts.selectors import organizations_administered_by
from incidents import services
from incidents.models import (
    Approval,
    Channel,
    Incident,
    IncidentRoleAssignment,
    Publication,
    Statement,
    Task,
    TimelineEntry,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = ("id", "occurred_at", "created_at", "kind", "author", "body", "corrects")
    readonly_fields = fields
    ordering = ("id",)


class RoleInline(ReadOnlyInline):
    model = IncidentRoleAssignment
    fields = ("user", "role", "assigned_by", "assigned_at")
    readonly_fields = fields


class TaskInline(ReadOnlyInline):
    model = Task
    fields = ("title", "assignee", "due_at", "completed_at")
    readonly_fields = fields


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "severity", "status", "is_drill", "restricted", "detected_at")
    list_filter = ("organization", "status", "severity", "is_drill")
    search_fields = ("title", "summary")
    inlines = [RoleInline, TaskInline, TimelineInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organization")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organization__in=organizations_administered_by(request.user))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organization", "title", "severity", "playbook", "summary", "is_drill", "restricted")
        return (
            "organization",
            "title",
            "severity",
            "summary",
            "restricted",
            "status",
            "playbook",
            "playbook_revision",
            "is_drill",
            "detected_at",
            "acknowledged_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "organization",
            "status",
            "playbook",
            "playbook_revision",
            "is_drill",
            "detected_at",
            "acknowledged_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization" and not request.user.is_superuser:
            kwargs["queryset"] = organizations_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return request.user.is_superuser or organizations_administered_by(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_view_permission

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return request.user.has_perm("incidents.change_incident", obj)

    def has_delete_permission(self, request, obj=None):
        return False  # incidents are the record; close them instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.incident_update(
                incident=obj,
                acting_user=request.user,
                **{name: data[name] for name in ("title", "summary", "severity", "restricted")},
            )
            return
        opened = services.incident_open(acting_user=request.user, **data)
        obj.pk = opened.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Inlines are read-only; nothing to save beyond what the service wrote."""


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    """The timeline is append-only: in the admin it is read, never changed."""

    list_display = ("id", "incident", "kind", "occurred_at", "author", "short_body")
    list_filter = ("kind",)
    fields = ("incident", "kind", "body", "occurred_at", "created_at", "author", "corrects")
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("incident", "author")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(incident__organization__in=organizations_administered_by(request.user))

    @admin.display(description=TimelineEntry._meta.get_field("body").verbose_name)
    def short_body(self, entry):
        return entry.body[:80]

    def has_module_permission(self, request):
        return request.user.is_superuser or organizations_administered_by(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Channel)
class ChannelAdmin(OrganizationAdminOnly, admin.ModelAdmin):
    """Organization admins configure where statements go; secrets stay write-only in lists."""

    list_display = ("name", "organization", "kind", "is_default", "is_active")
    list_filter = ("organization", "kind")
    fields = (
        "organization",
        "kind",
        "name",
        "is_default",
        "is_active",
        "url",
        "secret",
        "access_token",
        "max_length",
    )

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return request.user.has_perm("accounts.author_playbooks", obj.organization)

    def has_delete_permission(self, request, obj=None):
        return False  # publications point at their channel: switch it off instead


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = ("revision", "approver", "decision", "comment", "waited_seconds", "created_at")
    readonly_fields = fields


class PublicationInline(ReadOnlyInline):
    model = Publication
    fields = ("channel", "status", "external_url", "attempts", "last_error", "published_at")
    readonly_fields = fields


@admin.register(Statement)
class StatementAdmin(OrganizationAdminOnly, admin.ModelAdmin):
    """Statements are the record of what was said: read here, changed through the room or the API."""

    organization_path = "incident__organization"
    list_display = ("__str__", "incident", "status", "revision", "published_at")
    list_filter = ("status", "language")
    fields = (
        "incident",
        "author",
        "language",
        "body",
        "status",
        "version",
        "revision",
        "submitted_at",
        "published_at",
    )
    readonly_fields = fields
    inlines = [ApprovalInline, PublicationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
