"""The timeline is append-only in the database too: a trigger refuses every UPDATE and DELETE of a
timeline entry, so neither QuerySet.update(), a cascade nor raw SQL can rewrite history.

An incident or a person with entries cannot be deleted any more (PROTECT): the record keeps who
wrote it. Emptying a whole table stays possible for tests and resets: PostgreSQL's TRUNCATE (what
`flush` does there) fires no row trigger, and on SQLite `flush` lifts the triggers for its own
transaction (incidents/management/commands/flush.py).

On SQLite, a later migration that rebuilds this table (Django's "remake table" for some field
changes) drops its triggers: such a migration must create them again (TRIGGERS below); the
append-only tests fail when it does not.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "incidents_timelineentry"
REFUSAL = "Timeline entries are append-only: add a correcting entry instead of changing or deleting one."

TRIGGERS = {
    "postgresql": [
        f"""
        CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation';
        END;
        $$
        """,
        f"""
        CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
        """,
    ],
    "sqlite": [
        f"""
        CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
        """,
        f"""
        CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
        """,
    ],
}

DROPS = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
    ],
    "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"],
}


def _run(statements: dict, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"The append-only timeline has no trigger for {vendor} yet: write one here.")
    for statement in statements[vendor]:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(TRIGGERS, schema_editor)


def drop_triggers(apps, schema_editor):
    _run(DROPS, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_publication_frozen_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="timelineentry",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="timelineentry",
            name="incident",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="timeline",
                to="incidents.incident",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
