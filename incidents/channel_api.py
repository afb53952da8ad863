"""The publishing-channels API: members read, organization admins write (incidents.services.channels).

The list shows active channels unless `?is_active=false` asks for the inactive ones, which only
organization admins see. A DELETE removes a channel nobody published to (204); a channel with
publications is the record of where statements went, so it is deactivated instead and the
answer is 409 saying so.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from crisisdesk.converters import ID_REGEX
from incidents import selectors
from incidents.models import Channel
from incidents.serializers import ChannelSerializer, ChannelUpdateSerializer
from incidents.services import channels

R400 = OpenApiResponse(description="Bad input; the answer names the field.")
R403 = OpenApiResponse(description="Only the organization's admins change its channels.")
R404 = OpenApiResponse(description="No such channel in your organizations.")
R409_DEACTIVATED = OpenApiResponse(
    response=inline_serializer("ChannelDeactivated", {"detail": serializers.CharField()}),
    description="The channel has publications, so it was deactivated (no longer active nor the "
    "default) instead of deleted; `detail` says so.",
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "is_active",
                bool,
                description="Active channels when left out; `false` lists the inactive channels "
                "of the organizations you administer.",
            )
        ]
    ),
    retrieve=extend_schema(responses={200: ChannelSerializer, 404: R404}),
    create=extend_schema(request=ChannelSerializer, responses={201: ChannelSerializer, 400: R400, 403: R403}),
    partial_update=extend_schema(
        request=ChannelUpdateSerializer,
        responses={200: ChannelSerializer, 400: R400, 403: R403, 404: R404},
    ),
    destroy=extend_schema(
        responses={
            204: OpenApiResponse(description="Deleted: nothing was ever published on it."),
            403: R403,
            404: R404,
            409: R409_DEACTIVATED,
        }
    ),
)
class ChannelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The publishing channels of the caller's organizations; their admins add, change and remove them.

    `secret` and `access_token` are write-only: a PATCH that leaves them out keeps them, one that
    gives a value replaces them.
    """

    lookup_value_regex = ID_REGEX

    serializer_class = ChannelSerializer
    queryset = Channel.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ("organization", "kind", "is_active")

    def get_queryset(self):
        queryset = selectors.channels_visible_to(self.request.user).select_related("organization")
        if self.action == "list" and "is_active" not in self.request.query_params:
            queryset = queryset.filter(is_active=True)
        return queryset.order_by("organization", "-is_default", "name", "pk")

    def get_serializer_class(self):
        return ChannelUpdateSerializer if self.action == "partial_update" else ChannelSerializer

    def get_object(self):
        """The channel (404 for outsiders); a write also needs its organization's admin (403)."""
        channel = super().get_object()
        if self.action in ("partial_update", "destroy"):
            channels.require_admin(self.request.user, channel.organization)
        return channel

    def perform_create(self, serializer):
        serializer.instance = channels.channel_create(
            acting_user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        try:
            serializer.instance = channels.channel_update(
                channel=serializer.instance, acting_user=self.request.user, **serializer.validated_data
            )
        except Channel.DoesNotExist:
            raise NotFound() from None  # deleted while this request waited for its lock

    def destroy(self, request, *args, **kwargs):
        channel = self.get_object()
        if channels.channel_delete(channel=channel, acting_user=request.user):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(
            {
                "detail": _(
                    "Statements were published on this channel, so it was deactivated instead of deleted."
                )
            },
            status=status.HTTP_409_CONFLICT,
        )
