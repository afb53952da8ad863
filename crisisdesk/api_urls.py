"""Every REST endpoint under /api/v1/, wired from the apps' api modules."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import OrganizationViewSet, TokenView, UserViewSet
from playbooks.api import PlaybookViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("playbooks", PlaybookViewSet, basename="playbook")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
