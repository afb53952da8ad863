from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services, two_factor
from accounts.models import Membership, Organization, User
from accounts.serializers import (
    MemberAddSerializer,
    MemberSerializer,
    MeSerializer,
    OrganizationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)
from crisisdesk.converters import ID_REGEX


class TokenView(APIView):
    """Exchange a username and password for an API token (POST); revoke your own token (DELETE)."""

    def get_authenticators(self):
        # POST reads no credentials but the password in its body; DELETE is authenticated by
        # the very token it revokes (a browser session carries no token to revoke).
        return [TokenAuthentication()] if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    def _revoking(self) -> bool:
        return getattr(self.request, "method", None) == "DELETE"  # no request while the schema is built

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="A field is missing, the username and password do not match, or the "
                "two-factor `code` is missing or wrong."
            ),
            403: OpenApiResponse(
                description="The organization requires two-factor sign-in for this person's role, "
                "and it is not set up yet (on the profile page)."
            ),
            429: OpenApiResponse(description="Too many failed attempts: locked out for a while."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = serializer.validated_data
        # Axes needs the HttpRequest to count failures per username and address.
        user = authenticate(
            request._request, username=credentials["username"], password=credentials["password"]
        )
        if getattr(request._request, "axes_locked_out", False):
            raise Throttled(
                wait=int(settings.AXES_COOLOFF_TIME * 3600),
                detail=_("Too many failed sign-ins. Try again later."),
            )
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        if two_factor.is_enabled(user):
            self._second_factor(user, credentials.get("code", ""))
        elif two_factor.setup_required(user):
            raise PermissionDenied(two_factor.REQUIRED_MESSAGE)
        token = services.token_issue(user=user, request=request._request)
        return Response({"token": token.key})

    def _second_factor(self, user: User, code: str) -> None:
        if not code:
            raise ValidationError(
                {"code": [_("This account signs in with two-factor: send the code from the app as `code`.")]}
            )
        try:
            two_factor.verify(user=user, code=code, request=self.request._request)
        except DjangoValidationError as error:
            raise ValidationError({"code": error.messages}) from None

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token is revoked: requests with it answer 401 from now."),
            401: OpenApiResponse(description="No token in the Authorization header, or not a valid one."),
        },
        auth=[{"tokenAuth": []}],
    )
    def delete(self, request):
        services.token_revoke(user=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


@extend_schema_view(
    partial_update=extend_schema(
        responses={
            200: OrganizationSerializer,
            400: OpenApiResponse(description="Bad input; the answer names the field."),
            403: OpenApiResponse(description="You are a member, but not an admin of this organization."),
            404: OpenApiResponse(description="No such organization among yours."),
        }
    ),
)
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's organizations; their admins change the settings (`two_factor_required`)."""

    lookup_value_regex = ID_REGEX

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()

    def get_queryset(self):
        return selectors.organizations_visible_to(self.request.user).order_by("name")

    def partial_update(self, request, *args, **kwargs):
        organization = self.get_object()
        if not request.user.has_perm("accounts.manage_members", organization):
            raise PermissionDenied(_("Only the organization's admins change its settings."))
        serializer = self.get_serializer(organization, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organization = services.organization_update(
            organization=organization,
            acting_user=request.user,
            request=request._request,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(organization).data)


R403 = OpenApiResponse(description="You are a member, but not an admin of this organization.")
R404 = OpenApiResponse(description="No such organization among yours, or no such member.")


@extend_schema_view(
    list=extend_schema(responses={200: MemberSerializer(many=True), 403: R403, 404: R404}),
    retrieve=extend_schema(responses={200: MemberSerializer, 403: R403, 404: R404}),
    create=extend_schema(
        request=MemberAddSerializer,
        responses={
            201: MemberSerializer,
            400: OpenApiResponse(description="Bad input; the answer names the field (`email`, ...)."),
            403: R403,
            404: R404,
        },
    ),
    destroy=extend_schema(responses={204: None, 403: R403, 404: R404}),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An organization's members, for its admins: add people by e-mail, remove them.

    Removing someone ends every role and permission they had in the organization at once.
    """

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()
    lookup_field = "user_id"
    lookup_url_kwarg = "pk"

    @cached_property
    def organization(self) -> Organization:
        """The organization, if the caller belongs to it (404) and manages its members (403)."""
        organization = get_object_or_404(
            selectors.organizations_visible_to(self.request.user), pk=self.kwargs["organization_pk"]
        )
        if not self.request.user.has_perm("accounts.manage_members", organization):
            raise PermissionDenied(_("Only the organization's admins manage its members."))
        return organization

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a request
            return Membership.objects.none()
        return selectors.members_of(self.organization)

    def create(self, request, *args, **kwargs):
        organization = self.organization
        serializer = MemberAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_invite(
            organization=organization,
            acting_user=request.user,
            request=request._request,
            **serializer.validated_data,
        )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.membership_remove(
            membership=self.get_object(), acting_user=request.user, request=request._request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
