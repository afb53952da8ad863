"""The vocabulary of incident permissions and the built-in roles that bundle them.

Roles are data (`accounts.Role`); this module names the permissions a role may hold on an
incident and describes the built-in roles the data migration creates. The permission
codenames are declared on `incidents.Incident`; accounts only knows their names, so that
it depends on no app to its right.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class IncidentPermission(models.TextChoices):
    VIEW = "view_incident", _("View the incident room, timeline and statements")
    CHANGE = "change_incident", _("Change status, severity and summary")
    ASSIGN_ROLES = "assign_roles", _("Assign and remove roles")
    ADD_TIMELINE_ENTRY = "add_timeline_entry", _("Add timeline entries")
    MANAGE_TASKS = "manage_tasks", _("Add, assign and complete tasks")
    LINK_MENTION = "link_mention", _("Link mentions")
    DRAFT_STATEMENT = "draft_statement", _("Draft, edit, submit and withdraw statements")
    APPROVE_STATEMENT = "approve_statement", _("Approve statements or request changes")
    PUBLISH_STATEMENT = "publish_statement", _("Publish statements")
    EDIT_POSTMORTEM = "edit_postmortem", _("Edit the post-mortem")


P = IncidentPermission

# Who holds one of these speaks for the brand in public: where the organization asks for it,
# they must sign in with a second factor (accounts/two_factor.py).
SPEAKING_PERMISSIONS = frozenset({P.APPROVE_STATEMENT.value, P.PUBLISH_STATEMENT.value})

# slug -> (name, permissions). Names are marked for translation; they are stored in English.
BUILTIN_ROLES: dict[str, tuple[str, list[str]]] = {
    "lead": (
        gettext_noop("Incident lead"),
        [
            P.VIEW,
            P.CHANGE,
            P.ASSIGN_ROLES,
            P.ADD_TIMELINE_ENTRY,
            P.MANAGE_TASKS,
            P.LINK_MENTION,
            P.DRAFT_STATEMENT,
            P.PUBLISH_STATEMENT,
            P.EDIT_POSTMORTEM,
        ],
    ),
    "monitor": (
        gettext_noop("Monitor"),
        [P.VIEW, P.ADD_TIMELINE_ENTRY, P.MANAGE_TASKS, P.LINK_MENTION],
    ),
    "responder": (
        gettext_noop("Responder"),
        [P.VIEW, P.ADD_TIMELINE_ENTRY, P.MANAGE_TASKS, P.DRAFT_STATEMENT],
    ),
    "spokesperson": (
        gettext_noop("Spokesperson"),
        [P.VIEW, P.ADD_TIMELINE_ENTRY, P.MANAGE_TASKS, P.DRAFT_STATEMENT, P.PUBLISH_STATEMENT],
    ),
    "approver": (gettext_noop("Approver"), [P.VIEW, P.APPROVE_STATEMENT]),
    "observer": (gettext_noop("Observer"), [P.VIEW]),
}
