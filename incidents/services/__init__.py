"""Writes for incidents; one module per topic, all reachable as `incidents.services.<name>`."""

from incidents.services.incident import (
    entry_write,
    incident_open,
    incident_transition,
    incident_update,
    require,
    role_assign,
    role_remove,
    task_complete,
    task_create,
    task_update,
    timeline_add,
)
from incidents.services.publishing import publication_cancel, publication_confirm, statement_publish
from incidents.services.statements import (
    StaleVersion,
    statement_approve,
    statement_draft,
    statement_edit,
    statement_request_changes,
    statement_submit,
    statement_withdraw,
    statements_recount,
    template_values,
)

__all__ = [
    "StaleVersion",
    "entry_write",
    "incident_open",
    "incident_transition",
    "incident_update",
    "publication_cancel",
    "publication_confirm",
    "require",
    "role_assign",
    "role_remove",
    "statement_approve",
    "statement_draft",
    "statement_edit",
    "statement_publish",
    "statement_request_changes",
    "statement_submit",
    "statement_withdraw",
    "statements_recount",
    "task_complete",
    "task_create",
    "task_update",
    "template_values",
    "timeline_add",
]
