"""The live feed `alerts`: a new alert in my organizations reaches every page I have open.

Against the real database and real streams from uvicorn (the `live_server` fixture): the feed's
tokens for everyone in a constant number of queries, the regions the pages read again, an
alert raised here reaching another member's `/events/` stream, and one raised by another
process arriving through Redis at once (the service wakes the members up on commit).
"""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import membership_add
from conftest import make_user
from crisisdesk.testing import RedisServer, run_django
from incidents.live import feeds
from incidents.live import hub as live_hub
from incidents.tests.live_support import EventStream
from monitoring import services
from monitoring.live_feed import feed
from monitoring.models import AlertRule, Source

pytestmark = pytest.mark.django_db


def keyword_rule(organization, name="Outage words"):
    return AlertRule.objects.create(
        organization=organization,
        name=name,
        kind="keyword",
        keywords=["outage"],
        min_count=3,
        window_minutes=15,
        cooldown_minutes=0,  # every check may raise one: the tests raise several
    )


def mentions_now(organization, prefix, count=3):
    source, _ = Source.objects.get_or_create(organization=organization, kind="webhook", name="Listening feed")
    now = timezone.now()
    rows = [
        {
            "external_id": f"{prefix}{n}",
            "author": f"user{n}",
            "text": "Another outage, the app is down",
            "posted_at": (now - timedelta(seconds=10 * n + 1)).isoformat(),
        }
        for n in range(count)
    ]
    services.mentions_ingest(source=source, rows=rows, evaluate=False)


def raise_alert(organization, prefix):
    """An alert raised the way the API's ingest, the poller and the beat raise them."""
    mentions_now(organization, prefix)
    [alert] = services.alerts_evaluate(organization=organization)
    return alert


class TestTokens:
    def test_a_new_alert_moves_the_token_of_its_organizations_members_only(
        self, org, other_org, team, outsider
    ):
        keyword_rule(org)
        keyword_rule(other_org, name="Parcel words")
        people = {team["monitor"].pk, team["lead"].pk, outsider.pk}
        before = feed.tokens(people)
        assert before == {}
        alert = raise_alert(org, "a")
        after = feed.tokens(people)
        assert after[team["monitor"].pk] == after[team["lead"].pk] == (alert.pk, 1, "Outage words")
        assert outsider.pk not in after
        assert feed.data(team["monitor"].pk, after[team["monitor"].pk]) == {
            "count": 1,
            "newest": alert.pk,
            "rule": "Outage words",
        }

    def test_a_dismissed_alert_moves_it_too_and_counts_down(self, org, team):
        keyword_rule(org)
        first, second = raise_alert(org, "a"), raise_alert(org, "b")
        monitor = team["monitor"].pk
        assert feed.tokens({monitor})[monitor] == (second.pk, 2, "Outage words")
        services.alert_dismiss(alert=first, acting_user=team["lead"])
        assert feed.tokens({monitor})[monitor] == (second.pk, 1, "Outage words")

    def test_a_member_of_two_organizations_hears_of_both(self, org, other_org, team, outsider):
        keyword_rule(org)
        keyword_rule(other_org, name="Parcel words")
        both = make_user("both", organization=org)
        membership_add(organization=other_org, user=both)
        mine = raise_alert(org, "a")
        theirs = raise_alert(other_org, "b")
        assert feed.tokens({both.pk})[both.pk] == (max(mine.pk, theirs.pk), 2, "Parcel words")
        assert feed.tokens({outsider.pk})[outsider.pk] == (theirs.pk, 1, "Parcel words")

    def test_someone_no_longer_active_hears_nothing(self, org, team):
        keyword_rule(org)
        raise_alert(org, "a")
        team["observer"].is_active = False
        team["observer"].save()
        assert team["observer"].pk not in feed.tokens({team["observer"].pk})

    def test_the_queries_do_not_grow_with_the_people_asked(self, org, other_org, team, outsider):
        keyword_rule(org)
        keyword_rule(other_org, name="Parcel words")
        raise_alert(org, "a")
        raise_alert(other_org, "b")
        few = {team["monitor"].pk, outsider.pk}
        many = few | {make_user(f"member{n}", organization=org).pk for n in range(30)}
        with CaptureQueriesContext(connection) as asked_few:
            feed.tokens(few)
        with CaptureQueriesContext(connection) as asked_many:
            tokens = feed.tokens(many)
        assert len(asked_many) == len(asked_few) == 3
        assert len(tokens) == 32

    def test_the_feed_is_registered_for_every_page(self):
        assert feeds._feeds["alerts"] is feed


class TestRegions:
    """What the pages read again when the feed moves: the region only, as the whole page shows it."""

    def test_the_dashboard_and_the_monitoring_page_answer_their_alerts_region(self, org, team):
        keyword_rule(org)
        alert = raise_alert(org, "a")
        client = Client()
        client.force_login(team["monitor"])
        for url, region in (
            ("/?part=alerts", "dashboard-alerts"),
            ("/monitoring/?part=alerts", "monitoring-alerts"),
        ):
            part = client.get(url).content.decode()
            assert part.startswith(f'<section class="card" id="{region}"') and "Outage words" in part, url
            assert "<html" not in part and "topbar" not in part
            page = client.get(url.split("?")[0]).content.decode()
            assert f'id="{region}"' in page and 'data-live-refresh="alerts"' in page
        assert f'id="alert-{alert.pk}"' in client.get("/monitoring/?part=alerts").content.decode()

    def test_a_region_read_again_keeps_the_flash_messages_for_the_page(self, org, team):
        keyword_rule(org)
        alert = raise_alert(org, "a")
        client = Client()
        client.force_login(team["lead"])
        client.post(f"/monitoring/alerts/{alert.pk}/dismiss/")
        client.post(f"/monitoring/alerts/{alert.pk}/dismiss/")  # "already handled": a message waits
        assert "already handled" not in client.get("/?part=alerts").content.decode()
        assert "already handled" in client.get("/monitoring/").content.decode()

    def test_another_organizations_alert_is_not_in_the_region(self, org, other_org, team):
        keyword_rule(other_org, name="Parcel words")
        raise_alert(other_org, "b")
        client = Client()
        client.force_login(team["monitor"])
        assert "Parcel words" not in client.get("/?part=alerts").content.decode()
        assert "Parcel words" not in client.get("/monitoring/?part=alerts").content.decode()


# --- over real streams -----------------------------------------------------------------------------


@pytest.fixture
def streams(live_server):
    opened = []

    def open_stream(user) -> EventStream:
        stream = EventStream(f"{live_server.url}/events/", user)
        opened.append(stream)
        stream.wait_for(lambda e: e.name == "hello", what="hello")
        return stream

    yield open_stream
    for stream in opened:
        stream.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_a_new_alert_reaches_another_members_page_within_two_seconds(streams, org, other_org, team, outsider):
    keyword_rule(org)
    monitor, lead, elsewhere = streams(team["monitor"]), streams(team["lead"]), streams(outsider)
    raised = time.monotonic()
    alert = raise_alert(org, "a")
    for page in (monitor, lead):
        event = page.wait_for(lambda e: e.name == "alerts", timeout=2, what="the alert")
        assert event.data == {"count": 1, "newest": alert.pk, "rule": "Outage words"}
        assert event.at - raised < 2
    time.sleep(1.2)  # a check of every feed has passed
    assert elsewhere.named("alerts") == []


RAISER = """
import sys
from monitoring import services
services.alerts_evaluate(organization=int(sys.argv[1]))
"""


def raise_elsewhere(organization, **env):
    """alerts_evaluate in a process of its own (as the Celery beat's), on the test's database."""
    run_django(RAISER, str(organization.pk), **env)


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_an_alert_raised_by_another_process_arrives_through_redis_at_once(
    settings, live_server, streams, org, team
):
    redis = RedisServer().start()
    settings.LIVE_EVENTS_URL = redis.url
    settings.LIVE_CHECK_SECONDS = 30  # so only the service's wake-up can bring it in time
    try:
        keyword_rule(org)
        mentions_now(org, "a")
        page = streams(team["monitor"])
        time.sleep(0.5)  # the hub's subscription is made (and its catch-up look is over)
        raise_elsewhere(org, LIVE_EVENTS_URL=redis.url)
        event = page.wait_for(lambda e: e.name == "alerts", timeout=1.5, what="the alert through Redis")
        assert event.data["count"] == 1
    finally:
        redis.stop()
        settings.LIVE_EVENTS_URL = ""
        live_hub.hub.wake()
