from django.contrib import admin

from accounts.admin_access import OrganizationAdminOnly
from monitoring.models import Alert, AlertRule, Mention, Source


class EditableByAdmins(OrganizationAdminOnly):
    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(Source)
class SourceAdmin(EditableByAdmins, admin.ModelAdmin):
    list_display = ("name", "organization", "kind", "is_active", "last_polled_at", "failures")
    list_filter = ("organization", "kind", "is_active")
    readonly_fields = ("ingest_token", "last_polled_at", "next_poll_at", "failures", "last_error")


@admin.register(AlertRule)
class AlertRuleAdmin(EditableByAdmins, admin.ModelAdmin):
    list_display = ("name", "organization", "kind", "window_minutes", "min_count", "is_active")
    list_filter = ("organization", "kind")


@admin.register(Mention)
class MentionAdmin(OrganizationAdminOnly, admin.ModelAdmin):
    organization_path = "source__organization"
    list_display = ("text", "source", "language", "sentiment", "posted_at")
    list_filter = ("language", "source")
    search_fields = ("text", "author")
    readonly_fields = (
        "source",
        "external_id",
        "author",
        "text",
        "url",
        "posted_at",
        "language",
        "sentiment",
        "incident",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(OrganizationAdminOnly, admin.ModelAdmin):
    organization_path = "rule__organization"
    list_display = ("rule", "status", "window_end", "created_at")
    list_filter = ("status",)
    exclude = ("mentions",)
    readonly_fields = (
        "rule",
        "window_start",
        "window_end",
        "figures",
        "status",
        "incident",
        "decided_by",
        "decided_at",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
