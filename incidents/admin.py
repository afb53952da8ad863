"""Incidents in the admin site: opened and changed through the services; the timeline is read-only."""

from django.contrib import admin

from accounts.selectors import organizations_administered_by
from incidents import services
from incidents.models import Incident, IncidentRoleAssignment, Task, TimelineEntry


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
