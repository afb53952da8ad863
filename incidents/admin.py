"""Incidents in the admin site: opened and changed through the services; the timeline is read-only."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.admin_access import OrganizationAdminOnly
from accounts.selectors import organizations_visible_to
from incidents import selectors, services
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
from incidents.services import channels


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        """Whoever may see the incident (or statement) page sees its parts, read-only."""
        return self.admin_site._registry[self.parent_model].has_view_permission(request, obj)

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


class IncidentsTheyMaySee(OrganizationAdminOnly):
    """Rows of incidents, or about them: an organization admin sees only the incidents they may
    see anywhere else (a restricted one needs a role on it); superusers see all.

    `incident_path` leads from the model to its incident ("" for the incident itself).
    """

    incident_path = "incident"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.incident_path}__in" if self.incident_path else "pk__in"
        return queryset.filter(**{lookup: selectors.incidents_visible_to(request.user).values("pk")})


@admin.register(Incident)
class IncidentAdmin(IncidentsTheyMaySee, admin.ModelAdmin):
    incident_path = ""
    list_display = ("title", "organization", "severity", "status", "is_drill", "restricted", "detected_at")
    list_filter = ("organization", "status", "severity", "is_drill")
    search_fields = ("title", "summary")
    inlines = [RoleInline, TaskInline, TimelineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new incident has no parts to show yet

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
        if db_field.name == "organization":  # only members open an incident there (and lead it)
            kwargs["queryset"] = organizations_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        # As incident_update: a closed incident is the record, shown read-only.
        return obj.is_open_for_work and request.user.has_perm("incidents.change_incident", obj)

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
        for formset in formsets:  # the change message reads what each inline saved: nothing
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(TimelineEntry)
class TimelineEntryAdmin(IncidentsTheyMaySee, admin.ModelAdmin):
    """The timeline is append-only: in the admin it is read, never changed."""

    organization_path = "incident__organization"
    list_display = ("id", "incident", "kind", "occurred_at", "author", "short_body")
    list_filter = ("kind",)
    fields = ("incident", "kind", "body", "occurred_at", "created_at", "author", "corrects")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("incident", "author")

    @admin.display(description=TimelineEntry._meta.get_field("body").verbose_name)
    def short_body(self, entry):
        return entry.body[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


SECRET_FIELDS = ("secret", "access_token")


def _secret_field(name: str) -> forms.CharField:
    return forms.CharField(
        label=Channel._meta.get_field(name).verbose_name,
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class ChannelAdminForm(forms.ModelForm):
    """Secrets are typed in and never shown again: a blank field keeps the stored value."""

    url = forms.URLField(
        label=Channel._meta.get_field("url").verbose_name,
        help_text=Channel._meta.get_field("url").help_text,
        required=False,
        assume_scheme="https",
    )
    secret = _secret_field("secret")
    access_token = _secret_field("access_token")

    class Meta:
        model = Channel
        fields = ("organization", "kind", "name", "is_default", "is_active", "url", "max_length")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if name in self.fields:
                help_text = Channel._meta.get_field(name).help_text
                if getattr(self.instance, name):
                    help_text = format_lazy("{} {}", help_text, _("One is stored: leave blank to keep it."))
                self.fields[name].help_text = help_text

    def clean_secret(self):
        return self.cleaned_data["secret"] or self.instance.secret

    def clean_access_token(self):
        return self.cleaned_data["access_token"] or self.instance.access_token

    def _get_validation_exclusions(self):
        # Ticking "default" moves the default here (channel_update unsets the old one), so the
        # one-default constraint must not refuse it; Channel.clean() still sees every field.
        return {*super()._get_validation_exclusions(), "is_default"}


@admin.register(Channel)
class ChannelAdmin(OrganizationAdminOnly, admin.ModelAdmin):
    """Organization admins configure where statements go, through incidents.services.channels.

    Secrets are never shown; deleting a channel that has publications deactivates it instead.
    """

    form = ChannelAdminForm
    list_display = ("name", "organization", "kind", "is_default", "is_active")
    list_filter = ("organization", "kind", "is_active")
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

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return [name for name in self.fields if name not in SECRET_FIELDS]  # read-only: never shown
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return ("organization",) if obj is not None else ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each through channel_delete
        return actions

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return request.user.has_perm(channels.ADMIN_PERMISSION, obj.organization)

    has_delete_permission = has_change_permission

    def save_model(self, request, obj, form, change):
        if change:
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            channels.channel_update(channel=obj, acting_user=request.user, **changed)
            return
        data = dict(form.cleaned_data)
        created = channels.channel_create(
            organization=data.pop("organization"), acting_user=request.user, **data
        )
        obj.pk = created.pk
        obj._state.adding = False

    def get_deleted_objects(self, objs, request):
        """Publications protect their channel: say it will be deactivated rather than refuse."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            deleted = [*deleted, _("Statements were published on it: it will be deactivated, not deleted.")]
        return deleted, model_count, perms_needed, []

    def log_deletions(self, request, queryset):
        kept = [channel for channel in queryset if channel.publications.exists()]
        for channel in kept:
            self.log_change(request, channel, _("Deactivated instead of deleted: it has publications."))
        return super().log_deletions(request, [channel for channel in queryset if channel not in kept])

    def delete_model(self, request, obj):
        if not channels.channel_delete(channel=obj, acting_user=request.user):
            self.message_user(
                request,
                _("Statements were published on “%(name)s”, so it was deactivated instead of deleted.")
                % {"name": obj.name},
                messages.WARNING,
            )

    def response_delete(self, request, obj_display, obj_id):
        if Channel.objects.filter(pk=obj_id).exists():  # deactivated: the warning above, no "deleted"
            return HttpResponseRedirect(reverse("admin:incidents_channel_changelist"))
        return super().response_delete(request, obj_display, obj_id)


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = ("revision", "approver", "decision", "comment", "waited_seconds", "created_at")
    readonly_fields = fields


class PublicationInline(ReadOnlyInline):
    model = Publication
    fields = ("channel", "status", "external_url", "attempts", "last_error", "published_at")
    readonly_fields = fields


@admin.register(Statement)
class StatementAdmin(IncidentsTheyMaySee, admin.ModelAdmin):
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
