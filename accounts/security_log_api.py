"""GET /api/v1/organizations/{id}/security-log/: the organization's security log, for its admins.

Thin over accounts.security_log.events_in, like the page; members who are not admins get 403,
everyone else 404 (as for the members).
"""

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404

from accounts import security_log, selectors
from accounts.models import Organization, SecurityEvent
from crisisdesk.converters import fits_in_utc


class SecurityEventSerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    detail = serializers.DictField(read_only=True)

    class Meta:
        model = SecurityEvent
        fields = ("id", "kind", "at", "actor", "subject", "address", "organization", "detail")
        read_only_fields = fields


class MomentFormField(IsoDateTimeField):
    """An ISO 8601 time (a date alone is its midnight), one that UTC can hold (not year 0)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not fits_in_utc(moment):
            raise forms.ValidationError(gettext_lazy("This time is out of range."), code="overflow")
        return moment


class MomentFilter(filters.IsoDateTimeFilter):
    field_class = MomentFormField


class SecurityEventFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=SecurityEvent.Kind.choices)
    since = MomentFilter(field_name="at", lookup_expr="gte")
    until = MomentFilter(field_name="at", lookup_expr="lt")
    person = filters.CharFilter(method="filter_person", max_length=150)

    class Meta:
        model = SecurityEvent
        fields = ("kind", "since", "until", "person")

    def filter_person(self, queryset, name, value):
        return queryset.filter(security_log.about_person(value.strip())) if value.strip() else queryset


R403 = OpenApiResponse(description="You are a member, but not an admin of this organization.")
R404 = OpenApiResponse(description="No such organization among yours, or no such page.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=SecurityEvent.Kind.values),
            OpenApiParameter(
                "since", str, description="From this time on (ISO 8601; a date is its midnight)."
            ),
            OpenApiParameter(
                "until", str, description="Before this time (ISO 8601; a date is its midnight)."
            ),
            OpenApiParameter(
                "person", str, description="Part of the username of who acted or whom it concerned."
            ),
        ],
        responses={
            200: SecurityEventSerializer(many=True),
            400: OpenApiResponse(description="A filter is not right; the answer names it."),
            403: R403,
            404: R404,
        },
    ),
)
class SecurityLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The organization's security log, newest first: sign-ins and their failures, lockouts,
    two-factor, API tokens, members, roles, settings, statements approved and published."""

    serializer_class = SecurityEventSerializer
    queryset = SecurityEvent.objects.none()
    filterset_class = SecurityEventFilter

    @cached_property
    def organization(self) -> Organization:
        """The organization, if the caller belongs to it (404) and manages its members (403)."""
        organization = get_object_or_404(
            selectors.organizations_visible_to(self.request.user), pk=self.kwargs["organization_pk"]
        )
        if not self.request.user.has_perm("accounts.manage_members", organization):
            raise PermissionDenied(_("Only the organization's admins read its security log."))
        return organization

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a request
            return SecurityEvent.objects.none()
        return security_log.events_in(self.organization)
