"""The security log, append-only in the database like the incident timeline: a trigger refuses
every UPDATE of a security event, and every DELETE of one younger than a day, so neither
QuerySet.update(), a stray delete nor raw SQL rewrites who did what. Pruning
(accounts.services.security_log_prune) deletes only rows older than the retention setting, whose
minimum is one day.

Emptying the whole table stays possible for tests and resets, as for the timeline: PostgreSQL's
TRUNCATE (what `flush` does there) fires no row trigger, and on SQLite `flush` lifts the triggers
for its own transaction (incidents/management/commands/flush.py). A later migration that rebuilds
this table on SQLite drops its triggers and must create them again (TRIGGERS below); the
append-only tests fail when it does not.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

TABLE = "accounts_securityevent"
REFUSAL = "The security log is append-only: its rows are never changed, and deleted only after a day."

TRIGGERS = {
    "postgresql": [
        f"""
        CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND OLD.at < now() - interval '1 day' THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation';
        END;
        $$
        """,
        f"""
        CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
        """,
    ],
    # Django keeps SQLite datetimes as UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff', which sorts like
    # datetime('now', ...) does.
    "sqlite": [
        f"""
        CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
        """,
        f"""
        CREATE TRIGGER {TABLE}_no_young_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.at >= datetime('now', '-1 day')
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
        """,
    ],
}

DROPS = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
        f"DROP TRIGGER IF EXISTS {TABLE}_no_young_delete",
    ],
}


def _run(statements: dict, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"The append-only security log has no trigger for {vendor} yet: write one here.")
    for statement in statements[vendor]:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(TRIGGERS, schema_editor)


def drop_triggers(apps, schema_editor):
    _run(DROPS, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_reminders"),
    ]

    operations = [
        migrations.CreateModel(
            name="SecurityEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("signed_in", "Signed in"),
                            ("sign_in_failed", "Sign-in failed"),
                            ("locked_out", "Locked out"),
                            ("two_factor_enabled", "Two-factor set up"),
                            ("two_factor_disabled", "Two-factor removed"),
                            ("two_factor_failed", "Two-factor code refused"),
                            ("recovery_code_used", "Recovery code used"),
                            ("recovery_codes_renewed", "Recovery codes renewed"),
                            ("token_created", "API token created"),
                            ("token_revoked", "API token revoked"),
                            ("member_added", "Member added"),
                            ("member_removed", "Member removed"),
                            ("role_granted", "Role granted"),
                            ("role_removed", "Role removed"),
                            ("settings_changed", "Settings changed"),
                            ("statement_approved", "Statement approved"),
                            ("statement_published", "Statement published"),
                        ],
                        max_length=32,
                        verbose_name="event",
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                ("actor_pk", models.PositiveIntegerField(null=True, verbose_name="actor id")),
                ("actor", models.CharField(blank=True, max_length=150, verbose_name="by")),
                ("subject", models.CharField(blank=True, max_length=150, verbose_name="concerning")),
                ("address", models.GenericIPAddressField(null=True, verbose_name="address")),
                ("detail", models.JSONField(default=dict, verbose_name="detail")),
                (
                    "organization",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="security_events",
                        to="accounts.organization",
                        verbose_name="organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "security event",
                "verbose_name_plural": "security events",
                "ordering": ["-at", "-pk"],
                "indexes": [models.Index(fields=["organization", "-at"], name="security_event_org_at")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
