from django.urls import path

import crisisdesk.converters  # noqa: F401 - registers the <id:...> converter
from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.monitoring_page, name="page"),
    path("upload/", views.csv_upload, name="upload"),
    path("alerts/<id:pk>/escalate/", views.alert_escalate, name="alert-escalate"),
    path("alerts/<id:pk>/dismiss/", views.alert_dismiss, name="alert-dismiss"),
]
