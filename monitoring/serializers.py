from rest_framework import serializers

from accounts.models import Organization
from accounts.selectors import organizations_visible_to
from crisisdesk.api import MomentField
from monitoring.models import Alert, Mention, Source


class SourceSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    class Meta:
        model = Source
        fields = (
            "id",
            "organization",
            "kind",
            "name",
            "url",
            "query",
            "is_active",
            "poll_every_minutes",
            "last_polled_at",
            "last_error",
        )
        read_only_fields = ("last_polled_at", "last_error")

    def get_fields(self):
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        if user is not None and user.is_authenticated:
            fields["organization"].queryset = organizations_visible_to(user)
        return fields

    def validate(self, attrs):
        kind = attrs.get("kind")
        if kind == Source.Kind.RSS and not attrs.get("url"):
            raise serializers.ValidationError({"url": ["A feed needs its URL."]})
        if kind == Source.Kind.MASTODON and not (attrs.get("url") and attrs.get("query")):
            raise serializers.ValidationError(
                {"query": ["A Mastodon source needs a server URL and a hashtag or search."]}
            )
        return attrs


class SourceListItemSerializer(SourceSerializer):
    """The schema of a row of the sources list: the view adds `ingest_token` where the caller
    administers the source's organization, and only there."""

    ingest_token = serializers.CharField(required=False, help_text="Only for the organization's admins.")

    class Meta(SourceSerializer.Meta):
        fields = (*SourceSerializer.Meta.fields, "ingest_token")


class SourceWithTokenSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = (*SourceSerializer.Meta.fields, "ingest_token")
        read_only_fields = (*SourceSerializer.Meta.read_only_fields, "ingest_token")


class ShownIncidentField(serializers.IntegerField):
    """The linked incident's id, or null where the caller may not see it (the selectors' annotation)."""

    def __init__(self, **kwargs):
        super().__init__(source="shown_incident_id", read_only=True, allow_null=True, **kwargs)


class MentionSerializer(serializers.ModelSerializer):
    incident = ShownIncidentField()

    class Meta:
        model = Mention
        fields = (
            "id",
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
        read_only_fields = fields


class MentionRowSerializer(serializers.Serializer):
    """One posted mention (documentation of the batch; rows are validated one by one)."""

    source = serializers.IntegerField(required=False, help_text="Not needed with a source's Bearer token.")
    external_id = serializers.CharField(max_length=255)
    author = serializers.CharField(max_length=200, required=False, allow_blank=True)
    text = serializers.CharField(max_length=10_000)
    url = serializers.URLField(required=False, allow_blank=True)
    posted_at = MomentField(help_text="When it was posted; at most a few minutes ahead of our clock.")


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)


class LinkMentionSerializer(serializers.Serializer):
    mention = serializers.IntegerField()


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    kind = serializers.CharField(source="rule.kind", read_only=True)
    mention_count = serializers.IntegerField(read_only=True)
    incident = ShownIncidentField()

    class Meta:
        model = Alert
        fields = (
            "id",
            "rule",
            "rule_name",
            "kind",
            "window_start",
            "window_end",
            "figures",
            "status",
            "mention_count",
            "incident",
            "created_at",
            "decided_at",
        )
        read_only_fields = fields
