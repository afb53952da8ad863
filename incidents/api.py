"""The incidents API: thin views over incidents.services, visibility from incidents.selectors.

The order of answers: 404 when the caller may not see the incident, 403 when they may see it
but their role does not allow the action, then 400 for bad input and 409 for a wrong state.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from crisisdesk.api import Pagination
from crisisdesk.converters import ID_REGEX, id_or_none
from incidents import selectors, services
from incidents.models import Incident, IncidentRoleAssignment, Task, TimelineEntry
from incidents.serializers import (
    IncidentCreateSerializer,
    IncidentDetailSerializer,
    IncidentRoleAssignmentSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    TaskSerializer,
    TaskWriteSerializer,
    TimelineEntryCreateSerializer,
    TimelineEntrySerializer,
    TransitionSerializer,
)

R400 = OpenApiResponse(description="Bad input; the answer names the field.")
R403 = OpenApiResponse(description="Your role on the incident does not allow this.")
R404 = OpenApiResponse(description="No such incident, or you may not see it.")
R409 = OpenApiResponse(description="Not allowed in the incident's current state.")


class IncidentScoped:
    """For views under /incidents/{incident_pk}/: the incident, if the caller may see it."""

    @cached_property
    def incident(self) -> Incident:
        return get_object_or_404(
            selectors.incidents_visible_to(self.request.user), pk=self.kwargs["incident_pk"]
        )

    def require(self, codename: str) -> None:
        services.require(self.request.user, codename, self.incident)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "incident": self.incident}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("severity", str),
            OpenApiParameter("is_drill", bool),
            OpenApiParameter("organization", int),
        ]
    ),
    retrieve=extend_schema(responses={200: IncidentDetailSerializer, 404: R404}),
    create=extend_schema(
        request=IncidentCreateSerializer, responses={201: IncidentDetailSerializer, 400: R400, 403: R403}
    ),
    partial_update=extend_schema(
        request=IncidentUpdateSerializer,
        responses={200: IncidentDetailSerializer, 400: R400, 403: R403, 404: R404, 409: R409},
    ),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents the caller may see; any member opens one in their organization and leads it."""

    lookup_value_regex = ID_REGEX

    queryset = Incident.objects.none()
    serializer_class = IncidentSerializer
    filterset_fields = ("status", "severity", "is_drill", "organization")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.incidents_visible_to(self.request.user)

    def detail_response(self, incident: Incident, status_code=status.HTTP_200_OK, *, reload=True) -> Response:
        if reload:  # after a write, answer with the incident as stored
            incident = selectors.incidents_visible_to(self.request.user).get(pk=incident.pk)
        context = {
            **self.get_serializer_context(),
            "permissions": selectors.incident_permissions(self.request.user, incident.pk),
        }
        return Response(IncidentDetailSerializer(incident, context=context).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object(), reload=False)

    def create(self, request, *args, **kwargs):
        serializer = IncidentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        incident = services.incident_open(acting_user=request.user, **serializer.validated_data)
        return self.detail_response(incident, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()
        services.require(request.user, "change_incident", incident)
        serializer = IncidentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_update(
            incident=incident, acting_user=request.user, **serializer.validated_data
        )
        return self.detail_response(incident)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: IncidentDetailSerializer, 400: R400, 403: R403, 404: R404, 409: R409},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        incident = self.get_object()
        services.require(request.user, "change_incident", incident)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_transition(
            incident=incident, to=serializer.validated_data["to"], acting_user=request.user
        )
        return self.detail_response(incident)


@extend_schema_view(
    list=extend_schema(responses={200: IncidentRoleAssignmentSerializer(many=True), 404: R404}),
    create=extend_schema(
        responses={
            200: IncidentRoleAssignmentSerializer,
            201: IncidentRoleAssignmentSerializer,
            400: R400,
            403: R403,
            404: R404,
        }
    ),
    retrieve=extend_schema(responses={200: IncidentRoleAssignmentSerializer, 404: R404}),
    destroy=extend_schema(responses={204: None, 403: R403, 404: R404, 409: R409}),
)
class RoleAssignmentViewSet(
    IncidentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """People and their roles on the incident; the lead assigns and removes them."""

    serializer_class = IncidentRoleAssignmentSerializer
    queryset = IncidentRoleAssignment.objects.none()

    def get_queryset(self):
        return selectors.role_assignments_of(self.incident)

    def create(self, request, *args, **kwargs):
        self.require("assign_roles")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment, created = services.role_assign(
            incident=self.incident, acting_user=request.user, **serializer.validated_data
        )
        return Response(
            IncidentRoleAssignmentSerializer(assignment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def destroy(self, request, *args, **kwargs):
        self.require("assign_roles")
        services.role_remove(assignment=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimelinePagination(Pagination):
    page_size = 500
    max_page_size = 500


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("after", int, description="Only entries newer than this id.")],
        responses={200: TimelineEntrySerializer(many=True), 400: R400, 404: R404},
    ),
    create=extend_schema(
        request=TimelineEntryCreateSerializer,
        responses={201: TimelineEntrySerializer, 400: R400, 403: R403, 404: R404},
    ),
    retrieve=extend_schema(responses={200: TimelineEntrySerializer, 404: R404}),
)
class TimelineViewSet(
    IncidentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The incident's record, oldest first. Append-only: no edit, no delete (405)."""

    serializer_class = TimelineEntrySerializer
    pagination_class = TimelinePagination
    queryset = TimelineEntry.objects.none()

    def get_queryset(self):
        entries = selectors.timeline_of(self.incident.pk, after=self.after_cursor())
        return entries.prefetch_related("corrections")

    def after_cursor(self) -> int | None:
        after = self.request.query_params.get("after")
        if after in (None, ""):
            return None
        if (cursor := id_or_none(after)) is None:
            raise ValidationError({"after": [_("A timeline entry id (a whole number) is expected.")]})
        return cursor

    def create(self, request, *args, **kwargs):
        self.require("add_timeline_entry")
        serializer = TimelineEntryCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = services.timeline_add(
            incident=self.incident, acting_user=request.user, **serializer.validated_data
        )
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: TaskSerializer(many=True), 404: R404}),
    create=extend_schema(
        request=TaskWriteSerializer,
        responses={201: TaskSerializer, 400: R400, 403: R403, 404: R404, 409: R409},
    ),
)
class IncidentTaskViewSet(IncidentScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The incident's tasks: open ones first, by due time."""

    lookup_value_regex = ID_REGEX

    serializer_class = TaskSerializer
    queryset = Task.objects.none()

    def get_queryset(self):
        return selectors.tasks_of(self.incident)

    def create(self, request, *args, **kwargs):
        self.require("manage_tasks")
        serializer = TaskWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        task = services.task_create(
            incident=self.incident, acting_user=request.user, **serializer.validated_data
        )
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(responses={200: TaskSerializer, 404: R404}),
    partial_update=extend_schema(
        request=TaskWriteSerializer,
        responses={200: TaskSerializer, 400: R400, 403: R403, 404: R404, 409: R409},
    ),
)
class TaskViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One task: read it, change it, complete it (`manage_tasks` on its incident)."""

    lookup_value_regex = ID_REGEX

    serializer_class = TaskSerializer
    queryset = Task.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        visible = selectors.incidents_visible_to(self.request.user)
        return Task.objects.filter(incident__in=visible).select_related("incident", "role")

    def partial_update(self, request, *args, **kwargs):
        task = self.get_object()
        services.require(request.user, "manage_tasks", task.incident)
        serializer = TaskWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        task = services.task_update(task=task, acting_user=request.user, **serializer.validated_data)
        return Response(TaskSerializer(task).data)

    @extend_schema(request=None, responses={200: TaskSerializer, 403: R403, 404: R404, 409: R409})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()
        services.require(request.user, "manage_tasks", task.incident)
        return Response(TaskSerializer(services.task_complete(task=task, acting_user=request.user)).data)
