from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin_access import OrganizationAdminOnly
from monitoring import selectors
from monitoring.models import Alert, AlertRule, Mention, Source


class EditableByAdmins(OrganizationAdminOnly):
    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)


class ShowsTheIncidentToThoseWhoMaySee(OrganizationAdminOnly):
    """Mentions and alerts are the organization's; the incident they lead to shows only to
    those who may see it (a restricted one needs a role), as on the monitoring page."""

    def get_queryset(self, request):
        shown = F("incident_id") if request.user.is_superuser else selectors.shown_incident(request.user)
        return super().get_queryset(request).annotate(shown_incident_id=shown)

    @admin.display(description=Mention._meta.get_field("incident").verbose_name)
    def linked_incident(self, obj) -> str:
        if obj.shown_incident_id is None:
            return "-"
        url = reverse("admin:incidents_incident_change", args=[obj.shown_incident_id])
        return format_html('<a href="{}">{}</a>', url, obj.incident.title)


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
class MentionAdmin(ShowsTheIncidentToThoseWhoMaySee, admin.ModelAdmin):
    organization_path = "source__organization"
    list_display = ("text", "source", "language", "sentiment", "posted_at")
    list_filter = ("language", "source")
    search_fields = ("text", "author")
    exclude = ("incident",)  # shown as linked_incident
    readonly_fields = (
        "source",
        "external_id",
        "author",
        "text",
        "url",
        "posted_at",
        "language",
        "sentiment",
        "linked_incident",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ShowsTheIncidentToThoseWhoMaySee, admin.ModelAdmin):
    organization_path = "rule__organization"
    list_display = ("rule", "status", "window_end", "created_at")
    list_filter = ("status",)
    exclude = ("mentions", "incident")  # the incident as linked_incident
    readonly_fields = (
        "rule",
        "window_start",
        "window_end",
        "figures",
        "status",
        "linked_incident",
        "decided_by",
        "decided_at",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
