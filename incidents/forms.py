"""Forms of the incident pages. They validate input; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from crisisdesk.pages import MomentField
from incidents.models import ActionItem, Incident, PostMortem
from incidents.people_picker import people_field
from playbooks.models import Language, StatementTemplate


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class IncidentOpenForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    title = forms.CharField(
        label=_("What is happening?"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Incident.Severity.choices, initial=Incident.Severity.MEDIUM
    )
    playbook = forms.ModelChoiceField(
        label=_("Playbook"),
        queryset=None,
        required=False,
        empty_label=_("No playbook"),
        help_text=_("Copies its roles and turns its steps into tasks."),
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_drill = forms.BooleanField(label=_("This is a drill"), required=False)
    restricted = forms.BooleanField(label=_("Restricted: only people with a role see it"), required=False)

    def __init__(self, *args, organizations, playbooks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["playbook"].queryset = playbooks.filter(is_active=True)
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations.first()
            self.fields["organization"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        playbook, organization = data.get("playbook"), data.get("organization")
        if playbook and organization and playbook.organization_id != organization.pk:
            self.add_error("playbook", _("This playbook belongs to another organization."))
        return data


class TimelineEntryForm(forms.Form):
    body = forms.CharField(
        label=_("What happened?"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    occurred_at = MomentField(label=_("Happened at (optional)"), required=False, widget=LocalDateTimeInput())
    corrects = forms.IntegerField(required=False, widget=forms.HiddenInput())
    # "Not in the future" is timeline_add's rule (TimelineEntry.check_occurred_at): its error shows
    # next to the field, so the form and the API cannot disagree.


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet")
    )
    due_at = MomentField(label=_("Due"), required=False, widget=LocalDateTimeInput())

    def __init__(self, *args, people, incident=None, **kwargs):
        """Given the `incident`, a large organization's `people` are found with a search box."""
        super().__init__(*args, **kwargs)
        people_field(self.fields["assignee"], people=people, incident=incident)


class RoleForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), to_field_name="slug")

    def __init__(self, *args, people, incident=None, **kwargs):
        """Given the `incident`, a large organization's `people` are found with a search box."""
        super().__init__(*args, **kwargs)
        people_field(self.fields["user"], people=people, incident=incident)


class StatementDraftForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Start from a template"),
        queryset=StatementTemplate.objects.none(),
        required=False,
        empty_label=_("No template"),
    )
    body = forms.CharField(
        label=_("Or write it"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates

    def clean(self):
        data = super().clean()
        if not data.get("template") and not (data.get("body") or "").strip():
            self.add_error("body", _("Write the statement, or start from a template."))
        return data


class StatementEditForm(forms.Form):
    body = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))
    version = forms.IntegerField(widget=forms.HiddenInput())


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000)


class PublishForm(forms.Form):
    channel = forms.TypedChoiceField(label=_("Channel"), coerce=int)
    url = forms.URLField(
        label=_("Address of the post (for a channel posted by hand)"), required=False, assume_scheme="https"
    )

    def __init__(self, *args, channels, **kwargs):
        """`channels` is a list, so rendering the form for many statements costs no query."""
        super().__init__(*args, **kwargs)
        self.channels = {channel.pk: channel for channel in channels}
        self.fields["channel"].choices = [(channel.pk, channel.name) for channel in channels]
        default = next((channel for channel in channels if channel.is_default), None)
        if default is not None:
            self.fields["channel"].initial = default.pk

    def clean_channel(self):
        return self.channels[self.cleaned_data["channel"]]


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *Incident.Status.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any")), *Incident.Severity.choices]
    )
    drill = forms.ChoiceField(
        label=_("Drills"),
        required=False,
        choices=[("", _("Real and drills")), ("no", _("Real only")), ("yes", _("Drills only"))],
    )
    mine = forms.BooleanField(label=_("Only where I have a role"), required=False)


class PostMortemForm(forms.ModelForm):
    class Meta:
        model = PostMortem
        fields = ("summary", "went_well", "to_improve", "root_cause", "status")
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("summary", "went_well", "to_improve", "root_cause")
        }


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ("title", "owner", "due_date", "playbook")
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, prefix="item", **kwargs)
        members = User.objects.filter(memberships__organization_id=incident.organization_id)
        people_field(self.fields["owner"], people=members.order_by("full_name"), incident=incident)
        self.fields["playbook"].queryset = incident.organization.playbooks.all()
        self.fields["playbook"].initial = incident.playbook_id
