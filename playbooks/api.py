from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from crisisdesk.converters import ID_REGEX
from playbooks import selectors, services
from playbooks.models import Playbook
from playbooks.serializers import (
    PlaybookListSerializer,
    PlaybookSerializer,
    RevisionDetailSerializer,
    RevisionSerializer,
)

AUTHOR_PERMISSION = "accounts.author_playbooks"

ERRORS = {
    400: OpenApiResponse(description="Bad input; the answer names the field."),
    403: OpenApiResponse(description="Only organization admins write playbooks."),
    404: OpenApiResponse(description="No such playbook in your organizations."),
}


@extend_schema_view(
    list=extend_schema(responses={200: PlaybookListSerializer}),
    retrieve=extend_schema(responses={200: PlaybookSerializer, 404: ERRORS[404]}),
    create=extend_schema(responses={201: PlaybookSerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: PlaybookSerializer, **ERRORS}),
)
class PlaybookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Playbooks of the caller's organizations; organization admins write them."""

    lookup_value_regex = ID_REGEX

    queryset = Playbook.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ("organization", "language", "is_active")

    def get_queryset(self):
        queryset = selectors.playbooks_visible_to(self.request.user).order_by("organization", "name")
        if self.action == "list":
            return queryset
        return selectors.playbooks_with_contents(queryset)

    def get_serializer_class(self):
        return PlaybookListSerializer if self.action == "list" else PlaybookSerializer

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if self.action == "partial_update" and not request.user.has_perm(AUTHOR_PERMISSION, obj.organization):
            raise PermissionDenied()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not self.request.user.has_perm(AUTHOR_PERMISSION, organization):
            raise PermissionDenied()
        serializer.instance = services.playbook_create(
            organization=organization, acting_user=self.request.user, **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.playbook_update(
            playbook=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        return self._reloaded(response)

    def partial_update(self, request, *args, **kwargs):
        response = super().partial_update(request, *args, **kwargs)
        return self._reloaded(response)

    def _reloaded(self, response):
        """Answer with the playbook as stored, nested lists included."""
        playbook = selectors.playbooks_with_contents(Playbook.objects.filter(pk=response.data["id"])).get()
        response.data = PlaybookSerializer(playbook, context=self.get_serializer_context()).data
        return response

    @extend_schema(filters=False, responses={200: RevisionSerializer(many=True), 404: ERRORS[404]})
    @action(detail=True)
    def revisions(self, request, pk=None):
        playbook = get_object_or_404(selectors.playbooks_visible_to(request.user), pk=pk)
        page = self.paginate_queryset(selectors.revisions_of(playbook))
        return self.get_paginated_response(RevisionSerializer(page, many=True).data)

    @extend_schema(responses={200: RevisionDetailSerializer, 404: ERRORS[404]})
    @action(detail=True, url_path=r"revisions/(?P<number>[0-9]{1,9})")
    def revision(self, request, pk=None, number=None):
        playbook = get_object_or_404(selectors.playbooks_visible_to(request.user), pk=pk)
        revision = get_object_or_404(selectors.revisions_of(playbook), number=number)
        return Response(RevisionDetailSerializer(revision).data)
