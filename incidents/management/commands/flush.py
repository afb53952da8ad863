"""Django's `flush`, which can also empty the append-only timeline on SQLite.

The timeline's triggers (migration 0007_timeline_append_only) refuse every UPDATE and DELETE of
an entry. PostgreSQL's flush is a TRUNCATE, which row triggers do not see; SQLite's is a DELETE of
every row, which they refuse. So on SQLite this flush takes the triggers off, empties the tables and
puts the very same triggers back, all in one transaction: tests and a reset of the demo work, and
no other path deletes an entry.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from incidents.models import TimelineEntry


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [TimelineEntry._meta.db_table],
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
