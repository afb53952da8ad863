from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crisisdesk import views
from crisisdesk.health import healthz
from incidents import views as incident_views
from incidents.live import views as live_views
from incidents.status_page import StatusFeed, status_page

admin.site.site_header = _("crisisdesk administration")
admin.site.site_title = _("crisisdesk")
# The admin signs in through the site's own sign-in (password, then the second factor).
admin.site.login = login_required(admin.site.login)

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("incidents/", include("incidents.urls")),
    path("notifications/", incident_views.notifications, name="notifications"),
    path("events/", live_views.events, name="events"),
    path("playbooks/", include("playbooks.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("status/<slug:slug>/", status_page, name="status-page"),
    path("status/<slug:slug>/feed/", StatusFeed(), name="status-feed"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crisisdesk.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs' script is a file (the split view), so only Swagger UI's own inline styles need allowing.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

handler404 = "crisisdesk.views.not_found"
