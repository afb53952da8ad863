"""Django's `flush`, which can also empty the append-only tables on SQLite.

The timeline's triggers (migration 0007_timeline_append_only) refuse every UPDATE and DELETE of
an entry, the security log's (accounts 0004_security_log) every UPDATE and a young row's DELETE.
PostgreSQL's flush is a TRUNCATE, which row triggers do not see; SQLite's is a DELETE of every
row, which they refuse. So on SQLite this flush takes the triggers off, empties the tables and
puts the very same triggers back, all in one transaction: tests and a reset of the demo work, and
no other path deletes an entry.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from accounts.models import SecurityEvent
from incidents.models import TimelineEntry

APPEND_ONLY = (TimelineEntry, SecurityEvent)


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                triggers = []
                for model in APPEND_ONLY:
                    cursor.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                        [model._meta.db_table],
                    )
                    triggers += cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
