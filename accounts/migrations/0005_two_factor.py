"""Two-factor sign-in by role: the organization's setting, and which roles speak for the brand.

Organizations that exist already keep signing in as before (the setting is added switched off);
organizations created from now on have it on (the field's default). A role speaks for the brand
when it can approve or publish a statement; Role.save() keeps that in step from now on, this
migration works it out for the roles there are.
"""

from django.db import migrations, models

SPEAKING = {"approve_statement", "publish_statement"}
HELP = (
    "Everyone who can approve or publish a statement, and every admin, must sign in with a code "
    "from an authenticator app as well as their password."
)


def mark_speaking_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        if SPEAKING & set(role.permissions):
            role.speaks_for_brand = True
            role.save(update_fields=["speaks_for_brand"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_security_log")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="two_factor_required",
            field=models.BooleanField(
                default=False, help_text=HELP, verbose_name="two-factor sign-in required"
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="two_factor_required",
            field=models.BooleanField(
                default=True, help_text=HELP, verbose_name="two-factor sign-in required"
            ),
        ),
        migrations.AddField(
            model_name="role",
            name="speaks_for_brand",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Derived from the permissions: whoever holds the role may need two-factor sign-in.",
                verbose_name="approves or publishes",
            ),
        ),
        migrations.RunPython(mark_speaking_roles, migrations.RunPython.noop),
    ]
