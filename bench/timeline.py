"""Timeline poll and incident detail with 10, 1,000 and 10,000 timeline entries.

Runs in a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL), through
the full Django stack in process (middleware, auth, DRF), and prints queries per request and
the median time of each request.

    make bench            # or: .venv/bin/python -m bench.timeline
"""

import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")
os.environ.setdefault("SECRET_KEY", "django-insecure-bench-only")  # DEBUG off needs a key
os.environ.setdefault("AXES_ENABLED", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

SIZES = (10, 1_000, 10_000)
REPEATS = 30


def measure(client: APIClient, url: str) -> tuple[int, float, int]:
    """(queries per request, median milliseconds, response rows)"""
    client.get(url)  # warm up
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:200]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    rows = len(response.json().get("results", [])) if "results" in response.json() else 1
    return len(queries), statistics.median(timings), rows


def main() -> None:
    from accounts import services as accounts_services
    from accounts.models import User
    from incidents import services
    from incidents.models import TimelineEntry

    settings_db = connection.settings_dict["ENGINE"].rsplit(".", 1)[-1]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        organization = accounts_services.organization_create(
            name="Bench", slug="bench", two_factor_required=False
        )
        lead = User.objects.create_user("bench-lead", password="x")
        accounts_services.membership_add(organization=organization, user=lead)
        client = APIClient()
        client.force_authenticate(lead)
        print(f"database: {settings_db}; {REPEATS} requests each, in process (no network)\n")
        print(f"{'entries':>8} | {'request':<32} | {'queries':>7} | {'median ms':>9} | {'rows':>5}")
        print("-" * 75)
        for size in SIZES:
            incident = services.incident_open(organization=organization, acting_user=lead, title=f"{size}")
            body = "Update number {}: volume steady, sentiment improving."
            TimelineEntry.objects.bulk_create(
                (
                    TimelineEntry(incident=incident, body=body.format(n), author=lead)
                    for n in range(size - incident.timeline.count())
                ),
                batch_size=1000,
            )
            last = incident.timeline.order_by("-id").values_list("id", flat=True)[5]
            base = f"/api/v1/incidents/{incident.pk}/"
            for label, url in (
                ("timeline poll ?after= (5 new)", f"{base}timeline/?after={last}"),
                ("incident detail", base),
                ("timeline first page (500)", f"{base}timeline/"),
            ):
                queries, median, rows = measure(client, url)
                print(f"{size:>8,} | {label:<32} | {queries:>7} | {median:>9.2f} | {rows:>5}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
