from incidents.models.incident import (
    ActionItem,
    Incident,
    IncidentRoleAssignment,
    PostMortem,
    Task,
    TimelineEntry,
    TransitionNotAllowed,
)
from incidents.models.reminder import Notification, Reminder
from incidents.models.statement import Approval, Channel, Publication, Statement, StatementRevision

__all__ = [
    "ActionItem",
    "Approval",
    "Channel",
    "Incident",
    "IncidentRoleAssignment",
    "Notification",
    "PostMortem",
    "Publication",
    "Reminder",
    "Statement",
    "StatementRevision",
    "Task",
    "TimelineEntry",
    "TransitionNotAllowed",
]
