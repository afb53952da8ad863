from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.monitoring_page, name="page"),
    path("upload/", views.csv_upload, name="upload"),
    path("alerts/<int:pk>/escalate/", views.alert_escalate, name="alert-escalate"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert-dismiss"),
]
