from django.urls import path

import crisisdesk.converters  # noqa: F401 - registers the <id:...> converter
from incidents import people_views, postmortem_views, views
from incidents.live import views as live_views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_open, name="open"),
    path("overview/", postmortem_views.overview, name="overview"),
    path("<id:pk>/", views.incident_room, name="room"),
    path("<id:pk>/postmortem/", postmortem_views.postmortem_page, name="postmortem"),
    path("<id:pk>/postmortem/items/", postmortem_views.action_item_add, name="action-item-add"),
    path("<id:pk>/postmortem/apply/", postmortem_views.action_items_apply, name="action-items-apply"),
    path(
        "<id:pk>/postmortem/export.md",
        postmortem_views.postmortem_export,
        {"kind": "md"},
        name="postmortem-md",
    ),
    path(
        "<id:pk>/postmortem/print/",
        postmortem_views.postmortem_export,
        {"kind": "print"},
        name="postmortem-print",
    ),
    path("<id:pk>/transition/", views.incident_transition, name="transition"),
    path("<id:pk>/events/", live_views.events, name="events"),
    path("<id:pk>/live/", live_views.poll, name="live-poll"),
    path("<id:pk>/timeline/add/", views.timeline_add, name="timeline-add"),
    path("<id:pk>/tasks/", views.task_add, name="task-add"),
    path("<id:pk>/tasks/<id:task_pk>/complete/", views.task_complete, name="task-complete"),
    path("<id:pk>/roles/", views.role_assign, name="role-assign"),
    path("<id:pk>/people/", people_views.people_search, name="people"),
    path("<id:pk>/roles/<id:assignment_pk>/remove/", views.role_remove, name="role-remove"),
    path("<id:pk>/statements/", views.statement_draft, name="statement-draft"),
    path(
        "<id:pk>/statements/<id:statement_pk>/<slug:verb>/", views.statement_action, name="statement-action"
    ),
    path(
        "<id:pk>/publications/<id:publication_pk>/cancel/",
        views.publication_cancel,
        name="publication-cancel",
    ),
]
