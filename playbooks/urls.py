from django.urls import path

from playbooks import views

app_name = "playbooks"

urlpatterns = [
    path("", views.playbook_list, name="list"),
    path("<int:pk>/", views.playbook_detail, name="detail"),
    path("<int:pk>/revisions/<int:number>/", views.playbook_revision, name="revision"),
]
