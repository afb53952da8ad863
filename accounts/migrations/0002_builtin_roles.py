"""Create the six built-in roles of DESIGN.md and the permissions each grants on an incident.

The table is copied here, not imported, so that this migration keeps meaning what it meant
when it was written.
"""

from django.db import migrations

BUILTIN_ROLES = {
    "lead": (
        "Incident lead",
        [
            "view_incident",
            "change_incident",
            "assign_roles",
            "add_timeline_entry",
            "manage_tasks",
            "link_mention",
            "draft_statement",
            "publish_statement",
            "edit_postmortem",
        ],
    ),
    "monitor": ("Monitor", ["view_incident", "add_timeline_entry", "manage_tasks", "link_mention"]),
    "responder": ("Responder", ["view_incident", "add_timeline_entry", "manage_tasks", "draft_statement"]),
    "spokesperson": (
        "Spokesperson",
        ["view_incident", "add_timeline_entry", "manage_tasks", "draft_statement", "publish_statement"],
    ),
    "approver": ("Approver", ["view_incident", "approve_statement"]),
    "observer": ("Observer", ["view_incident"]),
}


def create_builtin_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for slug, (name, permissions) in BUILTIN_ROLES.items():
        Role.objects.update_or_create(
            slug=slug, defaults={"name": name, "permissions": permissions, "is_builtin": True}
        )


def remove_builtin_roles(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(slug__in=BUILTIN_ROLES, is_builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_builtin_roles, remove_builtin_roles)]
