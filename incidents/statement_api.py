"""The statements API: the approval workflow and publishing, thin over incidents.services."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from crisisdesk.converters import ID_REGEX
from incidents import selectors, services
from incidents.api import R400, R403, R404, R409, IncidentScoped
from incidents.diff import word_diff
from incidents.models import Statement
from incidents.serializers import (
    CommentSerializer,
    PublishSerializer,
    StatementCreateSerializer,
    StatementDiffSerializer,
    StatementEditSerializer,
    StatementSerializer,
)

R409_STATEMENT = OpenApiResponse(
    description="Wrong state, a self-approval, a second decision, or a stale version."
)


@extend_schema_view(
    list=extend_schema(responses={200: StatementSerializer(many=True), 404: R404}),
    create=extend_schema(
        request=StatementCreateSerializer,
        responses={201: StatementSerializer, 400: R400, 403: R403, 404: R404, 409: R409},
    ),
)
class IncidentStatementViewSet(IncidentScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The incident's statements, newest first; drafting needs `draft_statement`."""

    lookup_value_regex = ID_REGEX

    serializer_class = StatementSerializer
    queryset = Statement.objects.none()

    def get_queryset(self):
        return selectors.statements_with_details(self.incident.statements.all())

    def create(self, request, *args, **kwargs):
        self.require("draft_statement")
        serializer = StatementCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        statement = services.statement_draft(
            incident=self.incident, acting_user=request.user, **serializer.validated_data
        )
        return Response(_render(statement), status=status.HTTP_201_CREATED)


def _render(statement: Statement) -> dict:
    statement = selectors.statements_with_details(Statement.objects.filter(pk=statement.pk)).get()
    return StatementSerializer(statement).data


def _action_schema(request=CommentSerializer, ok=200):
    return extend_schema(
        request=request,
        responses={ok: StatementSerializer, 400: R400, 403: R403, 404: R404, 409: R409_STATEMENT},
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("waiting_for_me", bool, description="Only statements waiting for my approval."),
            OpenApiParameter("status", str),
            OpenApiParameter("incident", int),
        ]
    ),
    retrieve=extend_schema(responses={200: StatementSerializer, 404: R404}),
    partial_update=extend_schema(
        request=StatementEditSerializer,
        responses={200: StatementSerializer, 400: R400, 403: R403, 404: R404, 409: R409_STATEMENT},
    ),
)
class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Statements and their workflow. Every action answers the changed statement."""

    lookup_value_regex = ID_REGEX

    serializer_class = StatementSerializer
    queryset = Statement.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ("status", "incident")

    def get_queryset(self):
        user = self.request.user
        if self.action == "list" and self.request.query_params.get("waiting_for_me") in ("true", "1"):
            return selectors.statements_with_details(selectors.statements_waiting_for(user))
        return selectors.statements_with_details(selectors.statements_visible_to(user))

    def _do(self, codename: str, service, serializer_class=CommentSerializer, **extra):
        statement = self.get_object()
        services.require(self.request.user, codename, statement.incident)
        serializer = serializer_class(
            data=self.request.data, context={**self.get_serializer_context(), "incident": statement.incident}
        )
        serializer.is_valid(raise_exception=True)
        return service(
            statement=statement, acting_user=self.request.user, **serializer.validated_data, **extra
        )

    def partial_update(self, request, *args, **kwargs):
        return Response(
            _render(self._do("draft_statement", services.statement_edit, StatementEditSerializer))
        )

    @_action_schema()
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return Response(_render(self._do("draft_statement", services.statement_submit)))

    @_action_schema()
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return Response(_render(self._do("approve_statement", services.statement_approve)))

    @_action_schema()
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return Response(_render(self._do("approve_statement", services.statement_request_changes)))

    @_action_schema()
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return Response(_render(self._do("draft_statement", services.statement_withdraw)))

    @_action_schema(request=PublishSerializer, ok=202)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        statement = self._do("publish_statement", services.statement_publish, PublishSerializer)
        return Response(_render(statement), status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: StatementDiffSerializer, 404: R404})
    @action(detail=True)
    def diff(self, request, pk=None):
        """What changed since the revision the caller last decided on (or the first one)."""
        statement = self.get_object()
        base = selectors.statement_diff_base(statement, request.user)
        old = get_object_or_404(statement.revisions, number=base).body
        return Response(
            {"from_revision": base, "to_revision": statement.revision, "runs": word_diff(old, statement.body)}
        )
