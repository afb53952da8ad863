from incidents.models.incident import (
    Incident,
    IncidentRoleAssignment,
    PostMortem,
    Task,
    TimelineEntry,
    TransitionNotAllowed,
)
from incidents.models.statement import Approval, Channel, Publication, Statement, StatementRevision

__all__ = [
    "Approval",
    "Channel",
    "Incident",
    "IncidentRoleAssignment",
    "PostMortem",
    "Publication",
    "Statement",
    "StatementRevision",
    "Task",
    "TimelineEntry",
    "TransitionNotAllowed",
]
