"""The monitoring API: sources, mentions (batch ingest), alerts, and linking mentions to incidents."""

from django import forms
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from accounts.selectors import organizations_administered_by
from crisisdesk.converters import ID_REGEX, id_or_none
from incidents.api import R400, R403, R404, R409, IncidentScoped
from incidents.selectors import incident_permissions
from incidents.serializers import IncidentDetailSerializer
from monitoring import selectors, services
from monitoring.authentication import SourceTokenAuthentication
from monitoring.models import Alert, Mention, Source
from monitoring.serializers import (
    AlertSerializer,
    IngestResultSerializer,
    LinkMentionSerializer,
    MentionRowSerializer,
    MentionSerializer,
    SourceListItemSerializer,
    SourceSerializer,
    SourceWithTokenSerializer,
)
from monitoring.validation import MAX_BATCH


class SourceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The organization's sources; admins add them and read their ingest tokens."""

    lookup_value_regex = ID_REGEX

    queryset = Source.objects.none()
    filterset_fields = ("organization", "kind")

    def get_queryset(self):
        return selectors.sources_visible_to(self.request.user).order_by("organization", "name")

    def get_serializer_class(self):
        if self.action == "create":
            return SourceWithTokenSerializer
        return SourceSerializer

    @extend_schema(responses={200: SourceListItemSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        administered = set(organizations_administered_by(request.user).values_list("pk", flat=True))
        tokens = dict(
            self.get_queryset().filter(organization__in=administered).values_list("pk", "ingest_token")
        )
        for row in response.data["results"]:
            if row["id"] in tokens:
                row["ingest_token"] = tokens[row["id"]]
        return response

    @extend_schema(responses={201: SourceWithTokenSerializer, 400: R400, 403: R403})
    def create(self, request, *args, **kwargs):
        serializer = SourceWithTokenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        source = services.source_create(acting_user=request.user, **serializer.validated_data)
        return Response(SourceWithTokenSerializer(source).data, status=status.HTTP_201_CREATED)


class CanReadOrIngest(BasePermission):
    """Reading needs a signed-in member; posting mentions also takes a source's own token."""

    def has_permission(self, request, view):
        if request.method == "POST" and isinstance(request.auth, Source):
            return True
        return bool(request.user and request.user.is_authenticated)


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=10**18 - 1, **kwargs)


class MentionFilter(filters.FilterSet):
    """`?incident=` matches only an incident the caller may see: any other id finds nothing,
    so the answer never tells a restricted incident from one that does not exist."""

    incident = IdFilter(field_name="shown_incident_id")

    class Meta:
        model = Mention
        fields = ("source", "incident")


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("source", int), OpenApiParameter("incident", int)]),
)
class MentionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mentions of the caller's organizations, newest first; POST ingests one or a batch."""

    lookup_value_regex = ID_REGEX

    serializer_class = MentionSerializer
    queryset = Mention.objects.none()
    filterset_class = MentionFilter
    authentication_classes = [SourceTokenAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [CanReadOrIngest]

    def get_queryset(self):
        return selectors.mentions_visible_to(self.request.user).order_by("-posted_at", "-pk")

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="MentionRows",
            serializers=[MentionRowSerializer, MentionRowSerializer(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            200: IngestResultSerializer,
            201: IngestResultSerializer,
            400: OpenApiResponse(
                description="No row was good (rows and their errors), or the body is not a list."
            ),
            403: R403,
        },
    )
    def create(self, request, *args, **kwargs):
        rows = request.data if isinstance(request.data, list) else [request.data]
        if len(rows) > MAX_BATCH:
            raise ValidationError(
                {"non_field_errors": [_("At most %(count)d mentions in one request.") % {"count": MAX_BATCH}]}
            )
        result = services.IngestResult()
        grouped = self._rows_by_source(rows, result)
        for source in sorted(grouped, key=lambda source: source.pk):  # one source locked at a time
            indexed = grouped[source]
            part = services.mentions_ingest(source=source, rows=[row for _index, row in indexed])
            result.created += part.created
            result.duplicates += part.duplicates
            result.errors += [{**error, "index": indexed[error["index"]][0]} for error in part.errors]
        result.errors.sort(key=lambda error: error["index"])
        body = {"created": result.created, "duplicates": result.duplicates, "errors": result.errors}
        if result.errors and not (result.created or result.duplicates):
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    def _rows_by_source(self, rows, result) -> dict[Source, list[tuple[int, dict]]]:
        """Each row's source: the token's own, or one of the caller's organizations' sources."""
        if isinstance(self.request.auth, Source):
            return {self.request.auth: list(enumerate(rows))}
        sources = {source.pk: source for source in selectors.sources_visible_to(self.request.user)}
        grouped: dict[Source, list[tuple[int, dict]]] = {}
        for index, row in enumerate(rows):
            source = sources.get(id_or_none(row.get("source"))) if isinstance(row, dict) else None
            if source is None:
                result.errors.append({"index": index, "errors": {"source": [_("Unknown source.")]}})
                continue
            grouped.setdefault(source, []).append((index, row))
        return grouped


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts of the caller's organizations; any member escalates or dismisses a new one."""

    lookup_value_regex = ID_REGEX

    serializer_class = AlertSerializer
    queryset = Alert.objects.none()
    filterset_fields = ("status",)

    def get_queryset(self):
        return selectors.alerts_visible_to(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=None, responses={201: IncidentDetailSerializer, 403: R403, 404: R404, 409: R409})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        incident = services.alert_escalate(alert=self.get_object(), acting_user=request.user)
        permissions = incident_permissions(request.user, incident.pk)
        context = {**self.get_serializer_context(), "permissions": permissions}
        return Response(
            IncidentDetailSerializer(incident, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: AlertSerializer, 404: R404, 409: R409})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        services.alert_dismiss(alert=self.get_object(), acting_user=request.user)
        return Response(AlertSerializer(self.get_queryset().get(pk=pk)).data)


@extend_schema_view(
    list=extend_schema(responses={200: MentionSerializer(many=True), 404: R404}),
    create=extend_schema(
        request=LinkMentionSerializer,
        responses={200: MentionSerializer, 201: MentionSerializer, 400: R400, 403: R403, 404: R404},
    ),
)
class IncidentMentionViewSet(IncidentScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Mentions linked to the incident; linking needs `link_mention`."""

    lookup_value_regex = ID_REGEX

    serializer_class = MentionSerializer
    queryset = Mention.objects.none()

    def get_queryset(self):
        return (
            selectors.mentions_visible_to(self.request.user)
            .filter(incident=self.incident)
            .order_by("-posted_at", "-pk")
        )

    def create(self, request, *args, **kwargs):
        self.require("link_mention")
        serializer = LinkMentionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mention = (
            selectors.mentions_visible_to(request.user)
            .filter(
                pk=serializer.validated_data["mention"], source__organization=self.incident.organization_id
            )
            .first()
        )
        if mention is None:
            raise ValidationError({"mention": ["No such mention in this incident's organization."]})
        created = services.mention_link(incident=self.incident, mention=mention, acting_user=request.user)
        linked = self.get_queryset().get(pk=mention.pk)
        return Response(MentionSerializer(linked).data, status=status.HTTP_201_CREATED if created else 200)
