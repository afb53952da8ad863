"""The timeline's cursor (`?after=<entry id>`) never skips an entry, with writers at once.

An id is taken when the row is inserted, but a reader sees the row only when its transaction
commits: without the incident's lock in entry_write, a writer that inserts id 10 and commits late
lets a reader pass the cursor to 11 first, and 10 is never read. Twenty writers here keep their
transactions open for a moment after writing, in random order; the reader follows the cursor
through the real API the whole time.
"""

import random
import threading
import time

import pytest
from django.db import connection, transaction

from incidents import services
from incidents.models import TimelineEntry
from incidents.tests.conftest import api_as

WRITERS = 20
ENTRIES_EACH = 5


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_writers_and_a_reader_following_the_cursor_see_every_entry_once(
    builtin_roles, org, team, roles
):
    incident = services.incident_open(
        organization=org, acting_user=team["lead"], title="App down", severity="high"
    )
    start, stop, errors = threading.Barrier(WRITERS + 1), threading.Event(), []
    before = set(TimelineEntry.objects.filter(incident=incident).values_list("pk", flat=True))

    def write(n: int) -> None:
        rng = random.Random(n)
        try:
            start.wait()
            for i in range(ENTRIES_EACH):
                with transaction.atomic():
                    services.timeline_add(incident=incident, acting_user=team["lead"], body=f"{n}.{i}")
                    time.sleep(rng.uniform(0, 0.03))  # commit a moment later, as a busy request does
                time.sleep(rng.uniform(0, 0.03))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    seen: list[int] = []

    def read() -> None:
        client, cursor = api_as(team["observer"]), max(before)
        try:
            client.get(f"/api/v1/incidents/{incident.pk}/timeline/?after={cursor}")  # warm: read at once
            start.wait()
            while True:
                done = stop.is_set()  # read once more after the last writer committed
                answer = client.get(f"/api/v1/incidents/{incident.pk}/timeline/?after={cursor}")
                assert answer.status_code == 200, answer.content
                body = answer.json()
                rows = body["results"] if isinstance(body, dict) else body
                for row in rows:
                    seen.append(row["id"])
                    cursor = max(cursor, row["id"])
                if done and not rows:
                    return
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    reader = threading.Thread(target=read)
    for thread in [*writers, reader]:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    reader.join(timeout=60)
    assert errors == []
    written = set(TimelineEntry.objects.filter(incident=incident).values_list("pk", flat=True)) - before
    assert len(written) == WRITERS * ENTRIES_EACH
    assert len(seen) == len(set(seen)), "no entry twice"
    assert sorted(seen) == sorted(written), f"{len(written - set(seen))} entries skipped by the cursor"
