from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import Organization, Role, User
from accounts.selectors import organizations_visible_to, users_visible_to
from crisisdesk.api import SlugRelatedField
from playbooks.models import (
    Playbook,
    PlaybookRevision,
    PlaybookRoleAssignment,
    PlaybookStep,
    PlaybookTarget,
    Severity,
    StatementTemplate,
)


def run_model_clean(model_class, attrs: dict) -> None:
    """Ask the model's own clean() (the one place for its rules) and answer a 400."""
    try:
        model_class(**attrs).clean()
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from None


class RoleSlugField(SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Role.objects.all(), **kwargs)


class StepSerializer(serializers.ModelSerializer):
    role = RoleSlugField(allow_null=True, required=False)

    class Meta:
        model = PlaybookStep
        fields = ("id", "order", "title", "description", "role", "due_after_minutes")
        read_only_fields = ("id", "order")


class PlaybookRoleAssignmentSerializer(serializers.ModelSerializer):
    role = RoleSlugField()
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())

    class Meta:
        model = PlaybookRoleAssignment
        fields = ("id", "role", "user", "kind")
        read_only_fields = ("id",)

    def get_fields(self):
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        if user is not None and user.is_authenticated:
            fields["user"].queryset = users_visible_to(user)
        return fields


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementTemplate
        fields = ("id", "name", "kind", "language", "body")
        read_only_fields = ("id",)
        extra_kwargs = {"language": {"required": False}}

    def validate(self, attrs):
        run_model_clean(StatementTemplate, {"body": attrs.get("body", "")})
        return attrs


class TargetSerializer(serializers.ModelSerializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    approvals_required = serializers.IntegerField(min_value=1, max_value=10, required=False)

    class Meta:
        model = PlaybookTarget
        fields = (
            "severity",
            "minutes_to_acknowledge",
            "minutes_to_first_response",
            "minutes_between_updates",
            "approvals_required",
        )
        extra_kwargs = {name: {"required": False} for name in fields[1:4]}


class PlaybookListSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Playbook
        fields = (
            "id",
            "organization",
            "name",
            "description",
            "language",
            "trigger_keywords",
            "is_active",
            "revision",
            "updated_at",
            "url",
        )

    def get_url(self, playbook: Playbook) -> str:
        return playbook.get_absolute_url()


class PlaybookSerializer(PlaybookListSerializer):
    """A playbook with all it holds. On write, a nested list that is given replaces the old one;
    targets are merged per severity. `change_note` says why, for the new revision."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    trigger_keywords = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=100
    )
    steps = StepSerializer(many=True, required=False)
    role_assignments = PlaybookRoleAssignmentSerializer(many=True, required=False)
    templates = TemplateSerializer(many=True, required=False)
    targets = TargetSerializer(many=True, required=False)
    change_note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=2000)

    class Meta(PlaybookListSerializer.Meta):
        fields = (
            *PlaybookListSerializer.Meta.fields,
            "steps",
            "role_assignments",
            "templates",
            "targets",
            "change_note",
        )
        read_only_fields = ("revision", "updated_at")

    def get_fields(self):
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        if user is not None and user.is_authenticated:
            fields["organization"].queryset = organizations_visible_to(user)
        if self.instance is not None:
            fields["organization"].read_only = True
        return fields

    def validate_targets(self, targets):
        severities = [target["severity"] for target in targets]
        if len(severities) != len(set(severities)):
            raise serializers.ValidationError("Each severity may appear once.")
        return targets

    def validate(self, attrs):
        organization = attrs.get("organization") or getattr(self.instance, "organization", None)
        errors = {}
        for index, assignment in enumerate(attrs.get("role_assignments", [])):
            try:
                PlaybookRoleAssignment.check_member(assignment["user"], organization)
            except DjangoValidationError as error:
                errors[str(index)] = error.message_dict
        if errors:  # DRF's shape for a nested list: errors keyed by the row's index
            raise serializers.ValidationError({"role_assignments": errors})
        return attrs


class RevisionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.username", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = PlaybookRevision
        fields = ("number", "change_note", "created_by", "created_at")


class RevisionDetailSerializer(RevisionSerializer):
    class Meta(RevisionSerializer.Meta):
        fields = (*RevisionSerializer.Meta.fields, "snapshot")
