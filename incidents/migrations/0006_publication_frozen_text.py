import django.utils.timezone
from django.db import migrations, models


def freeze_existing(apps, schema_editor):
    """Rows from before: the text they sent (or will send) is the statement's text of today."""
    Publication = apps.get_model("incidents", "Publication")
    for publication in Publication.objects.select_related("statement").iterator():
        publication.body = publication.statement.body
        publication.revision = publication.statement.revision
        publication.requested_at = publication.created_at
        publication.save(update_fields=["body", "revision", "requested_at"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_postmortem")]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="body",
            field=models.TextField(default="", verbose_name="text sent"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="publication",
            name="revision",
            field=models.PositiveIntegerField(default=1, verbose_name="approved revision"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="publication",
            name="requested_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="requested at"),
        ),
        migrations.AlterField(
            model_name="publication",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Queued"),
                    ("sending", "Sending"),
                    ("published", "Published"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["status", "claimed_at"], name="incidents_p_status_20ca1d_idx"),
        ),
        migrations.RunPython(freeze_existing, migrations.RunPython.noop),
    ]
