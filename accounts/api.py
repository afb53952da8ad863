from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.models import Organization, User
from accounts.serializers import (
    MeSerializer,
    OrganizationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)
from crisisdesk.converters import ID_REGEX


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="A field is missing, or the username and password do not match."
            ),
            429: OpenApiResponse(description="Too many failed attempts: locked out for a while."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Axes needs the HttpRequest to count failures per username and address.
        user = authenticate(request._request, **serializer.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            raise Throttled(
                wait=int(settings.AXES_COOLOFF_TIME * 3600),
                detail=_("Too many failed sign-ins. Try again later."),
            )
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """The people who share an organization with the caller."""

    lookup_value_regex = ID_REGEX

    serializer_class = UserSerializer
    queryset = User.objects.none()  # the schema's type hints; get_queryset gives the real rows

    def get_queryset(self):
        return selectors.users_visible_to(self.request.user).order_by("username")

    @extend_schema(responses=MeSerializer)
    @action(detail=False, pagination_class=None)
    def me(self, request):
        user = User.objects.prefetch_related("memberships__organization").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's organizations."""

    lookup_value_regex = ID_REGEX

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()

    def get_queryset(self):
        return selectors.organizations_visible_to(self.request.user).order_by("name")
