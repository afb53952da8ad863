"""Publications: a statement on one channel. A queued one can be cancelled before it is sent."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from crisisdesk.converters import ID_REGEX
from incidents import selectors, services
from incidents.api import R403, R404
from incidents.models import Publication
from incidents.serializers import PublicationSerializer


class PublicationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A publication of a statement the caller may see."""

    lookup_value_regex = ID_REGEX

    serializer_class = PublicationSerializer
    queryset = Publication.objects.none()

    def get_queryset(self):
        return Publication.objects.filter(
            statement__in=selectors.statements_visible_to(self.request.user)
        ).select_related("channel", "statement")

    @extend_schema(
        request=None,
        responses={
            200: PublicationSerializer,
            403: R403,
            404: R404,
            409: OpenApiResponse(description="Only a queued publication can be cancelled."),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop a queued post (needs `publish_statement`); 409 once it is sending or sent."""
        publication = self.get_object()
        services.require(request.user, "publish_statement", publication.statement.incident)
        publication = services.publication_cancel(publication=publication, acting_user=request.user)
        return Response(PublicationSerializer(publication).data)
