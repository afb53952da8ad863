"""Every REST endpoint under /api/v1/, wired from the apps' api modules."""

from django.urls import path
from rest_framework.routers import DefaultRouter

import crisisdesk.converters  # noqa: F401 - registers the <id:...> converter
from accounts.api import MemberViewSet, OrganizationViewSet, TokenView, UserViewSet
from accounts.security_log_api import SecurityLogViewSet
from incidents.api import (
    IncidentTaskViewSet,
    IncidentViewSet,
    RoleAssignmentViewSet,
    TaskViewSet,
    TimelineViewSet,
)
from incidents.channel_api import ChannelViewSet
from incidents.postmortem_api import ActionItemsView, ApplyToPlaybookView, PostMortemView
from incidents.publication_api import PublicationViewSet
from incidents.statement_api import IncidentStatementViewSet, StatementViewSet
from monitoring.api import AlertViewSet, IncidentMentionViewSet, MentionViewSet, SourceViewSet
from playbooks.api import PlaybookViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("playbooks", PlaybookViewSet, basename="playbook")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("tasks", TaskViewSet, basename="task")
router.register("statements", StatementViewSet, basename="statement")
router.register("publications", PublicationViewSet, basename="publication")
router.register("channels", ChannelViewSet, basename="channel")
router.register("sources", SourceViewSet, basename="source")
router.register("mentions", MentionViewSet, basename="mention")
router.register("alerts", AlertViewSet, basename="alert")

LIST = {"get": "list", "post": "create"}

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path(
        "organizations/<id:organization_pk>/members/",
        MemberViewSet.as_view({"get": "list", "post": "create"}),
        name="organization-members",
    ),
    path(
        "organizations/<id:organization_pk>/members/<id:pk>/",
        MemberViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="organization-member",
    ),
    path(
        "organizations/<id:organization_pk>/security-log/",
        SecurityLogViewSet.as_view({"get": "list"}),
        name="organization-security-log",
    ),
    # Resources of one incident. Unmapped verbs (PUT, PATCH, DELETE on the timeline) answer 405.
    path("incidents/<id:incident_pk>/roles/", RoleAssignmentViewSet.as_view(LIST), name="incident-roles"),
    path(
        "incidents/<id:incident_pk>/roles/<id:pk>/",
        RoleAssignmentViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="incident-role",
    ),
    path("incidents/<id:incident_pk>/timeline/", TimelineViewSet.as_view(LIST), name="incident-timeline"),
    path(
        "incidents/<id:incident_pk>/timeline/<id:pk>/",
        TimelineViewSet.as_view({"get": "retrieve"}),
        name="incident-timeline-entry",
    ),
    path("incidents/<id:incident_pk>/tasks/", IncidentTaskViewSet.as_view(LIST), name="incident-tasks"),
    path(
        "incidents/<id:incident_pk>/statements/",
        IncidentStatementViewSet.as_view(LIST),
        name="incident-statements",
    ),
    path(
        "incidents/<id:incident_pk>/mentions/",
        IncidentMentionViewSet.as_view(LIST),
        name="incident-mentions",
    ),
    path("incidents/<id:incident_pk>/postmortem/", PostMortemView.as_view(), name="incident-postmortem"),
    path(
        "incidents/<id:incident_pk>/postmortem/action-items/",
        ActionItemsView.as_view(),
        name="incident-action-items",
    ),
    path(
        "incidents/<id:incident_pk>/postmortem/apply/", ApplyToPlaybookView.as_view(), name="incident-apply"
    ),
    *router.urls,
]
