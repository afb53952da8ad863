"""Ingesting batches of 1,000 mentions (language, sentiment, alert rules, insert) against the floor
of what it must do anyway: scoring the same texts and a plain bulk_create of the same rows.

Runs in a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL).

    make bench            # or: .venv/bin/python -m bench.ingest
"""

import os
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")
os.environ.setdefault("SECRET_KEY", "django-insecure-bench-only")  # DEBUG off needs a key
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 1_000
ROUNDS = 5
TEXTS = [
    "Lumen app down AGAIN. Can't log in, can't see my bill 😡",
    "On hold with Lumen for 52 minutes now. Useless.",
    "Thanks @lumenenergy, quick answer in the chat 👍",
    "Lumen app ligt er weer uit, echt bagger 😡",
    "Al 40 minuten in de wacht bij Lumen. Belachelijk.",
    "Netjes geholpen door de klantenservice van Lumen, top",
    "Does anyone know when Lumen sends the annual statement?",
    "Vraagje: wanneer past Lumen het termijnbedrag aan?",
]


def batch(prefix: str, start) -> list[dict]:
    return [
        {
            "external_id": f"{prefix}-{n}",
            "author": f"user{n}",
            "text": f"{TEXTS[n % len(TEXTS)]} #{n}",
            "url": f"https://social.example/{prefix}/{n}",
            "posted_at": start - timedelta(seconds=n),
        }
        for n in range(BATCH)
    ]


def main() -> None:
    from accounts import services as accounts_services
    from monitoring import sentiment, services
    from monitoring.models import AlertRule, Mention, Source

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        organization = accounts_services.organization_create(
            name="Bench", slug="bench", two_factor_required=False
        )
        source = Source.objects.create(organization=organization, kind="webhook", name="bench")
        for kind in ("volume_spike", "negative_share", "keyword"):
            AlertRule.objects.create(
                organization=organization,
                name=kind,
                kind=kind,
                keywords=["gas smell"],
                cooldown_minutes=0,
                min_count=10**9,
            )  # evaluated every batch, never firing
        sentiment.read_many(TEXTS)  # warm up the analyzers
        full, floor = [], []
        now = timezone.now()
        for round_ in range(ROUNDS):
            rows = batch(f"full{round_}", now)
            started = time.perf_counter()
            result = services.mentions_ingest(source=source, rows=rows)
            full.append(time.perf_counter() - started)
            assert result.created == BATCH, result

            rows = batch(f"floor{round_}", now)
            started = time.perf_counter()
            readings = sentiment.read_many([row["text"] for row in rows])
            Mention.objects.bulk_create(
                [
                    Mention(
                        source=source,
                        external_id=row["external_id"],
                        author=row["author"],
                        text=row["text"],
                        url=row["url"],
                        posted_at=row["posted_at"],
                        language=r.language,
                        sentiment=r.sentiment,
                    )
                    for row, r in zip(rows, readings, strict=True)
                ],
                batch_size=1000,
            )
            floor.append(time.perf_counter() - started)
        full_rate, floor_rate = BATCH / statistics.median(full), BATCH / statistics.median(floor)
        print(f"database: {connection.vendor}; {ROUNDS} batches of {BATCH:,} mentions each (median)\n")
        print(f"{'path':<58} | {'mentions/s':>10}")
        print("-" * 72)
        print(f"{'full ingest (validate, dedupe, language, sentiment, alerts)':<58} | {full_rate:>10,.0f}")
        print(f"{'floor: scoring + plain bulk_create of the same rows':<58} | {floor_rate:>10,.0f}")
        print(f"\nfull ingest runs at {full_rate / floor_rate:.0%} of the floor (target: at least 80%)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
