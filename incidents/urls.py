from django.urls import path

from incidents import postmortem_views, views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_open, name="open"),
    path("overview/", postmortem_views.overview, name="overview"),
    path("<int:pk>/", views.incident_room, name="room"),
    path("<int:pk>/postmortem/", postmortem_views.postmortem_page, name="postmortem"),
    path("<int:pk>/postmortem/items/", postmortem_views.action_item_add, name="action-item-add"),
    path("<int:pk>/postmortem/apply/", postmortem_views.action_items_apply, name="action-items-apply"),
    path(
        "<int:pk>/postmortem/export.md",
        postmortem_views.postmortem_export,
        {"kind": "md"},
        name="postmortem-md",
    ),
    path(
        "<int:pk>/postmortem/print/",
        postmortem_views.postmortem_export,
        {"kind": "print"},
        name="postmortem-print",
    ),
    path("<int:pk>/transition/", views.incident_transition, name="transition"),
    path("<int:pk>/timeline/", views.timeline_since, name="timeline-since"),
    path("<int:pk>/timeline/add/", views.timeline_add, name="timeline-add"),
    path("<int:pk>/tasks/", views.task_add, name="task-add"),
    path("<int:pk>/tasks/<int:task_pk>/complete/", views.task_complete, name="task-complete"),
    path("<int:pk>/roles/", views.role_assign, name="role-assign"),
    path("<int:pk>/roles/<int:assignment_pk>/remove/", views.role_remove, name="role-remove"),
    path("<int:pk>/statements/", views.statement_draft, name="statement-draft"),
    path(
        "<int:pk>/statements/<int:statement_pk>/<slug:verb>/", views.statement_action, name="statement-action"
    ),
]
