from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from monitoring.models import AlertRule, Source

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def source(org):
    return Source.objects.create(organization=org, kind="webhook", name="Listening feed")


def rows(count, *, start=NOW, every=timedelta(minutes=1), text="The app is down again, useless", prefix="m"):
    """`count` mentions, one every `every`, the last at `start`."""
    return [
        {
            "external_id": f"{prefix}{n}",
            "author": f"user{n}",
            "text": text,
            "url": f"https://social.example/{prefix}{n}",
            "posted_at": (start - every * n).isoformat(),
        }
        for n in range(count)
    ]


@pytest.fixture
def volume_rule(org):
    return AlertRule.objects.create(
        organization=org,
        name="Volume spike",
        kind="volume_spike",
        window_minutes=15,
        baseline_windows=4,
        factor=3,
        min_count=10,
        cooldown_minutes=60,
    )
