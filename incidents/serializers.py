from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization, Role, User
from accounts.selectors import organizations_visible_to, users_visible_to
from crisisdesk.api import IdRelatedField, MomentField, SlugRelatedField
from incidents import tone
from incidents.models import (
    ActionItem,
    Approval,
    Channel,
    Incident,
    IncidentRoleAssignment,
    PostMortem,
    Publication,
    Statement,
    Task,
    TimelineEntry,
)
from playbooks.models import Language, Playbook, StatementTemplate
from playbooks.selectors import playbooks_visible_to


def _user_of(serializer):
    user = getattr(serializer.context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


class IncidentSerializer(serializers.ModelSerializer):
    playbook_revision = serializers.IntegerField(
        source="playbook_revision.number", read_only=True, default=None, allow_null=True
    )
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    allowed_transitions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Incident
        fields = (
            "id",
            "organization",
            "title",
            "summary",
            "severity",
            "status",
            "playbook",
            "playbook_revision",
            "is_drill",
            "restricted",
            "detected_at",
            "acknowledged_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "opened_by",
            "created_at",
            "updated_at",
            "allowed_transitions",
            "url",
        )
        read_only_fields = fields


class TimerSerializer(serializers.Serializer):
    key = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField(help_text="done, ok, soon, overdue or promise_broken")


class IncidentDetailSerializer(IncidentSerializer):
    permissions = serializers.SerializerMethodField(help_text="What the caller may do on this incident.")
    timers = serializers.SerializerMethodField(help_text="Targets of the playbook: what is due when.")

    class Meta(IncidentSerializer.Meta):
        fields = (*IncidentSerializer.Meta.fields, "permissions", "timers")
        read_only_fields = fields

    def get_permissions(self, incident: Incident) -> list[str]:
        return sorted(self.context.get("permissions", ()))

    @extend_schema_field(TimerSerializer(many=True))
    def get_timers(self, incident: Incident) -> list[dict]:
        from incidents import timers
        from incidents.selectors import last_public_updates

        now = timezone.now()
        last = last_public_updates([incident]).get(incident.pk)
        return [
            {"key": t.key, "due_at": t.due_at, "done_at": t.done_at, "state": t.state(now)}
            for t in timers.timers_for(incident, last_update=last)
        ]


class IncidentCreateSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices, default=Incident.Severity.MEDIUM)
    playbook = serializers.PrimaryKeyRelatedField(
        queryset=Playbook.objects.none(), required=False, allow_null=True
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    is_drill = serializers.BooleanField(required=False, default=False)
    restricted = serializers.BooleanField(required=False, default=False)

    def get_fields(self):
        fields = super().get_fields()
        if user := _user_of(self):
            fields["organization"].queryset = organizations_visible_to(user)
            fields["playbook"].queryset = playbooks_visible_to(user)
        return fields


class IncidentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices, required=False)
    restricted = serializers.BooleanField(required=False)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Incident.Status.choices)


class IncidentRoleAssignmentSerializer(serializers.ModelSerializer):
    role = SlugRelatedField(slug_field="slug", queryset=Role.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())

    class Meta:
        model = IncidentRoleAssignment
        fields = ("id", "user", "role")
        read_only_fields = ("id",)

    def get_fields(self):
        fields = super().get_fields()
        if user := _user_of(self):
            fields["user"].queryset = users_visible_to(user)
        return fields


class TimelineEntrySerializer(serializers.ModelSerializer):
    body = serializers.CharField(
        source="text",
        read_only=True,
        help_text="What happened; the system's own entries in the caller's language.",
    )
    author_name = serializers.CharField(
        source="author.get_full_name", read_only=True, default=None, allow_null=True
    )
    corrected_by = serializers.SerializerMethodField(help_text="Ids of the entries that correct this one.")

    class Meta:
        model = TimelineEntry
        fields = (
            "id",
            "incident",
            "kind",
            "body",
            "occurred_at",
            "created_at",
            "author",
            "author_name",
            "corrects",
            "corrected_by",
        )
        read_only_fields = fields

    def get_corrected_by(self, entry: TimelineEntry) -> list[int]:
        return [correction.pk for correction in entry.corrections.all()]


class TimelineEntryCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10_000)
    occurred_at = MomentField(required=False, allow_null=True)
    corrects = IdRelatedField(queryset=TimelineEntry.objects.none(), required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        if incident := self.context.get("incident"):
            fields["corrects"].queryset = incident.timeline.all()
        return fields


class TaskSerializer(serializers.ModelSerializer):
    role = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = (
            "id",
            "incident",
            "title",
            "description",
            "role",
            "assignee",
            "due_at",
            "is_overdue",
            "completed_at",
            "completed_by",
            "created_at",
        )
        read_only_fields = fields

    def get_is_overdue(self, task: Task) -> bool:
        return task.is_overdue()


class TaskWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    assignee = IdRelatedField(queryset=User.objects.none(), required=False, allow_null=True)
    due_at = MomentField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        if user := _user_of(self):
            fields["assignee"].queryset = users_visible_to(user)
        return fields


class ApprovalSerializer(serializers.ModelSerializer):
    approver_name = serializers.CharField(source="approver.get_full_name", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Approval
        fields = ("approver", "approver_name", "decision", "comment", "at", "waited_seconds")
        read_only_fields = fields


class PublicationSerializer(serializers.ModelSerializer):
    channel_name = serializers.CharField(source="channel.name", read_only=True)

    class Meta:
        model = Publication
        fields = (
            "id",
            "statement",
            "channel",
            "channel_name",
            "status",
            "revision",
            "body",
            "requested_at",
            "external_id",
            "external_url",
            "attempts",
            "last_error",
            "published_at",
        )
        read_only_fields = fields


class ToneHintSerializer(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()
    words = serializers.ListField(child=serializers.CharField())


class StatementSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)
    approvals = serializers.SerializerMethodField(help_text="Decisions on the current revision.")
    approvals_required = serializers.IntegerField(source="incident.approvals_required", read_only=True)
    tone = serializers.SerializerMethodField()
    waiting_seconds = serializers.SerializerMethodField(help_text="How long it has waited for approval.")
    publications = PublicationSerializer(many=True, read_only=True)
    actions = serializers.ListField(
        source="allowed_actions",
        child=serializers.CharField(),
        read_only=True,
        help_text="What its state allows now, whoever asks (submit, approve, request-changes, publish, "
        "edit, withdraw, cancel); your role and four eyes are checked on top.",
    )

    class Meta:
        model = Statement
        fields = (
            "id",
            "incident",
            "author",
            "author_name",
            "language",
            "template",
            "body",
            "status",
            "version",
            "revision",
            "approvals",
            "approvals_required",
            "tone",
            "next_update_at",
            "submitted_at",
            "waiting_seconds",
            "published_at",
            "publications",
            "actions",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(ApprovalSerializer(many=True))
    def get_approvals(self, statement: Statement) -> list[dict]:
        current = [a for a in statement.approvals.all() if a.revision == statement.revision]
        return ApprovalSerializer(current, many=True).data

    @extend_schema_field(ToneHintSerializer(many=True))
    def get_tone(self, statement: Statement) -> list[dict]:
        return [
            {"rule": hint["rule"], "message": str(tone.message(hint["rule"])), "words": hint["words"]}
            for hint in statement.tone
        ]

    def get_waiting_seconds(self, statement: Statement) -> int | None:
        if statement.status != Statement.Status.PENDING_APPROVAL or statement.submitted_at is None:
            return None
        return int((timezone.now() - statement.submitted_at).total_seconds())


class StatementCreateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    next_update_at = MomentField(
        required=False, allow_null=True, help_text="When the statement promises the next update."
    )
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    template = serializers.PrimaryKeyRelatedField(
        queryset=StatementTemplate.objects.none(), required=False, allow_null=True
    )

    def get_fields(self):
        fields = super().get_fields()
        if user := _user_of(self):
            fields["template"].queryset = StatementTemplate.objects.filter(
                playbook__organization__in=organizations_visible_to(user)
            )
        return fields


class StatementEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20_000)
    version = serializers.IntegerField(
        min_value=1, help_text="The version you edited; a stale one answers 409."
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PublishSerializer(serializers.Serializer):
    channel = serializers.PrimaryKeyRelatedField(
        queryset=Channel.objects.none(), required=False, allow_null=True
    )
    url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)

    def get_fields(self):
        fields = super().get_fields()
        if incident := self.context.get("incident"):
            fields["channel"].queryset = incident.organization.channels.filter(is_active=True)
        return fields


class ChannelSerializer(serializers.ModelSerializer):
    """A publishing channel; `secret` and `access_token` are written, never answered."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Webhook: the HMAC-SHA256 signing key. Write-only: left out, the stored one stays; "
        "a value replaces it; an empty string clears it (a 400 where the kind needs one).",
    )
    access_token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Mastodon: a token with write:statuses. Write-only: left out, the stored one stays; "
        "a value replaces it; an empty string clears it (a 400 where the kind needs one).",
    )

    class Meta:
        model = Channel
        fields = (
            "id",
            "organization",
            "kind",
            "name",
            "url",
            "is_default",
            "is_active",
            "max_length",
            "secret",
            "access_token",
        )
        # One default per organization is kept by the service (it unsets the old one), not refused.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        organization = fields["organization"]
        if (user := _user_of(self)) and not organization.read_only:
            organization.queryset = organizations_visible_to(user)
        return fields


class ChannelUpdateSerializer(ChannelSerializer):
    """A PATCH changes the fields it names; the organization is set when the channel is made."""

    organization = serializers.PrimaryKeyRelatedField(read_only=True)


class DiffRunSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField()


class StatementDiffSerializer(serializers.Serializer):
    from_revision = serializers.IntegerField()
    to_revision = serializers.IntegerField()
    runs = DiffRunSerializer(many=True)


class MetricsSerializer(serializers.Serializer):
    time_to_acknowledge_s = serializers.IntegerField(allow_null=True)
    time_to_first_response_s = serializers.IntegerField(allow_null=True)
    public_updates = serializers.IntegerField()
    cadence_kept_ratio = serializers.FloatField(allow_null=True)
    time_to_resolve_s = serializers.IntegerField(allow_null=True)
    approval_wait_median_s = serializers.IntegerField(allow_null=True)
    is_drill = serializers.BooleanField()
    targets = serializers.DictField()
    verdicts = serializers.DictField()
    conversation = serializers.DictField(allow_null=True)
    statement_effects = serializers.ListField(child=serializers.DictField())


class PostMortemSerializer(serializers.ModelSerializer):
    metrics = serializers.SerializerMethodField(
        help_text="Computed from the timeline and statements; read-only."
    )

    class Meta:
        model = PostMortem
        fields = (
            "summary",
            "went_well",
            "to_improve",
            "root_cause",
            "status",
            "completed_by",
            "completed_at",
            "metrics",
        )
        read_only_fields = ("completed_by", "completed_at", "metrics")

    @extend_schema_field(MetricsSerializer)
    def get_metrics(self, postmortem: PostMortem) -> dict:
        from incidents.postmortem import metrics

        return metrics(postmortem.incident)


class PostMortemWriteSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, max_length=20_000)
    went_well = serializers.CharField(allow_blank=True, max_length=20_000)
    to_improve = serializers.CharField(allow_blank=True, max_length=20_000)
    root_cause = serializers.CharField(allow_blank=True, max_length=20_000)
    status = serializers.ChoiceField(choices=PostMortem.Status.choices)


class ActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ("id", "title", "owner", "due_date", "status", "playbook", "playbook_revision")
        read_only_fields = ("id", "status", "playbook_revision")

    def get_fields(self):
        fields = super().get_fields()
        if user := _user_of(self):
            fields["owner"].queryset = users_visible_to(user)
            fields["playbook"].queryset = playbooks_visible_to(user)
        return fields


class ApplySerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=100)
