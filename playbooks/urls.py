from django.urls import path

import crisisdesk.converters  # noqa: F401 - registers the <id:...> converter
from playbooks import views

app_name = "playbooks"

urlpatterns = [
    path("", views.playbook_list, name="list"),
    path("<id:pk>/", views.playbook_detail, name="detail"),
    path("<id:pk>/revisions/<id:number>/", views.playbook_revision, name="revision"),
]
