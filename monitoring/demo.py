"""Demo monitoring for `manage.py seed_demo`: four sources, a day of mentions in English and Dutch
with a storm around the live incident, alert rules, and the alert that storm raised."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import DemoAccounts
from incidents.models import Incident
from monitoring import services
from monitoring.models import Alert, AlertRule, Mention, Source
from playbooks.models import Playbook

CALM = [
    ("en", "Switched to Lumen last month, smooth so far"),
    ("en", "Does anyone know when Lumen sends the annual statement?"),
    ("en", "Thanks @lumenenergy, quick answer in the chat 👍"),
    ("nl", "Vraagje: wanneer past Lumen het termijnbedrag aan?"),
    ("nl", "Netjes geholpen door de klantenservice van Lumen, top"),
    ("nl", "Lumen heeft een nieuwe app-update uitgebracht"),
]
STORM = [
    ("en", "Lumen app down AGAIN. Can't log in, can't see my bill 😡"),
    ("en", "On hold with Lumen for 52 minutes now. Useless."),
    ("en", "Is the Lumen Energy app working for anyone? Error message every time"),
    ("en", "@lumenenergy the chat is broken too, how do I report a power cut?? 🤬"),
    ("en", "Lumen customer service unreachable, what a joke"),
    ("nl", "Lumen app ligt er weer uit, echt bagger 😡"),
    ("nl", "Al 40 minuten in de wacht bij Lumen. Belachelijk."),
    ("nl", "Kan niet inloggen bij Lumen, storing? Niemand neemt op"),
    ("nl", "Weer eens storing bij Lumen. Amateurs."),
    ("nl", "Gaslucht in de straat en Lumen is onbereikbaar?! Schandalig"),
]


def seed(accounts: DemoAccounts, playbooks: dict[str, Playbook], incidents: dict[str, Incident]) -> None:
    organization = accounts.organization
    sources = {
        kind: Source.objects.get_or_create(
            organization=organization, name=name, defaults={"kind": kind, **extra}
        )[0]
        for kind, name, extra in (
            ("webhook", "Social listening feed", {}),
            (
                "mastodon",
                "#lumenenergy on Mastodon",
                {"url": "https://mastodon.example", "query": "#lumenenergy", "is_active": False},
            ),
            ("rss", "News about Lumen", {"url": "https://news.example/lumen.rss", "is_active": False}),
            ("manual", "CSV uploads", {}),
        )
    }
    rules = _rules(organization, playbooks)
    if Mention.objects.filter(source__organization=organization).exists():
        return
    live = incidents["live"]
    storm_end = live.detected_at
    services.mentions_ingest(source=sources["webhook"], rows=_calm_day(storm_end), evaluate=False)
    services.mentions_ingest(source=sources["webhook"], rows=_storm(storm_end), evaluate=False)
    if not Alert.objects.filter(rule=rules["spike"]).exists():
        services.alerts_evaluate(organization=organization, now=storm_end)
    for mention in Mention.objects.filter(
        source__organization=organization, posted_at__lte=storm_end
    ).order_by("-posted_at")[:8]:
        services.mention_link(incident=live, mention=mention, acting_user=accounts.users["monitor"])


def _rules(organization, playbooks) -> dict[str, AlertRule]:
    outage = playbooks["service-outage:en"]
    return {
        "spike": AlertRule.objects.get_or_create(
            organization=organization,
            name="Volume spike",
            defaults={
                "kind": "volume_spike",
                "window_minutes": 15,
                "baseline_windows": 8,
                "factor": 3,
                "min_count": 15,
                "playbook": outage,
                "severity": "high",
            },
        )[0],
        "negative": AlertRule.objects.get_or_create(
            organization=organization,
            name="Mostly negative",
            defaults={
                "kind": "negative_share",
                "window_minutes": 30,
                "threshold": 0.7,
                "min_count": 20,
                "severity": "medium",
            },
        )[0],
        "safety": AlertRule.objects.get_or_create(
            organization=organization,
            name="Safety words",
            defaults={
                "kind": "keyword",
                "keywords": ["gas smell", "gaslucht", "no power", "geen stroom"],
                "min_count": 1,
                "window_minutes": 15,
                "severity": "critical",
            },
        )[0],
    }


def _calm_day(end) -> list[dict]:
    """A mention every ten minutes for the day before the storm."""
    return [_row(f"calm-{n}", *CALM[n % len(CALM)], end - timedelta(minutes=40 + 10 * n)) for n in range(144)]


def _storm(end) -> list[dict]:
    """120 angry mentions in the 30 minutes before the incident was opened."""
    return [_row(f"storm-{n}", *STORM[n % len(STORM)], end - timedelta(seconds=15 * n)) for n in range(120)]


def _row(external_id: str, language: str, text: str, posted_at) -> dict:
    number = external_id.rsplit("-", 1)[-1]
    return {
        "external_id": external_id,
        "author": f"{'klant' if language == 'nl' else 'customer'}{number}",
        "text": text,
        "url": f"https://social.example/@user/{external_id}",
        "posted_at": timezone.localtime(posted_at).isoformat(),
    }
