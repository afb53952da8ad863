"""Polling RSS and Mastodon through real HTTP servers on 127.0.0.1, started by the tests."""

import pytest

from crisisdesk.testing import Answer
from monitoring import polling, tasks
from monitoring.models import Mention, Source

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News about Lumen</title>
<item><guid>news-1</guid><title>Lumen Energy app down for hours</title>
<description>&lt;p&gt;Customers can't log in and are furious.&lt;/p&gt;</description>
<link>https://news.example/1</link><pubDate>Wed, 25 Nov 2026 09:30:00 GMT</pubDate></item>
<item><guid>news-2</guid><title>Storing bij Lumen Energy opgelost</title>
<description>Klanten zijn blij.</description>
<link>https://news.example/2</link><pubDate>Wed, 25 Nov 2026 10:30:00 GMT</pubDate></item>
</channel></rss>"""

STATUSES = [
    {
        "id": "111",
        "account": {"acct": "anna@social.example"},
        "content": "<p>Weer storing bij #lumenenergy 😡</p>",
        "url": "https://social.example/@anna/111",
        "created_at": "2026-11-25T09:45:00.000Z",
    },
    {
        "id": "112",
        "account": {"acct": "bob"},
        "content": "<p>Thanks #lumenenergy, fixed quickly 👍</p>",
        "url": "https://social.example/@bob/112",
        "created_at": "2026-11-25T09:50:00.000Z",
    },
]


class TestRss:
    def test_it_reads_a_feed_into_mentions_once(self, org, local_server):
        server = local_server(lambda request: Answer(200, RSS, {"Content-Type": "application/rss+xml"}))
        source = Source.objects.create(
            organization=org, kind="rss", name="News", url=server.url + "/feed.xml"
        )
        assert polling.source_poll(source=source).created == 2
        assert polling.source_poll(source=source).created == 0
        first = Mention.objects.get(external_id="news-1")
        assert first.text == "Lumen Energy app down for hours Customers can't log in and are furious."
        assert (first.language, Mention.objects.get(external_id="news-2").language) == ("en", "nl")
        source.refresh_from_db()
        assert source.failures == 0 and source.last_polled_at is not None

    def test_a_failing_source_records_its_error_and_backs_off(self, org, local_server):
        server = local_server(lambda request: Answer(503, "busy"))
        source = Source.objects.create(
            organization=org, kind="rss", name="News", url=server.url, poll_every_minutes=5
        )
        polling.source_poll(source=source)
        polling.source_poll(source=source)
        source.refresh_from_db()
        assert source.failures == 2 and "503" in source.last_error
        assert (source.next_poll_at - source.last_polled_at).total_seconds() == 20 * 60  # 5 × 2²
        assert not polling.sources_due(source.last_polled_at).filter(pk=source.pk).exists()
        assert polling.sources_due(source.next_poll_at).filter(pk=source.pk).exists()

    def test_not_a_feed_is_an_error_not_a_crash(self, org, local_server):
        server = local_server(lambda request: Answer(200, "<html>hello", {"Content-Type": "text/html"}))
        source = Source.objects.create(organization=org, kind="rss", name="News", url=server.url)
        assert polling.source_poll(source=source) is None or Mention.objects.count() == 0


class TestMastodon:
    def test_it_reads_a_hashtag_timeline(self, org, local_server):
        server = local_server(lambda request: Answer(200, STATUSES))
        source = Source.objects.create(
            organization=org, kind="mastodon", name="#lumenenergy", url=server.url, query="#lumenenergy"
        )
        assert polling.source_poll(source=source).created == 2
        assert server.received[0].path == "/api/v1/timelines/tag/lumenenergy?limit=40"
        anna = Mention.objects.get(external_id="111")
        assert (anna.author, anna.text, anna.language) == (
            "anna@social.example",
            "Weer storing bij #lumenenergy 😡",
            "nl",
        )
        assert anna.sentiment < 0

    def test_it_uses_the_search_for_words(self, org, local_server):
        server = local_server(lambda request: Answer(200, {"statuses": STATUSES[:1]}))
        source = Source.objects.create(
            organization=org, kind="mastodon", name="search", url=server.url, query="lumen storing"
        )
        assert polling.source_poll(source=source).created == 1
        assert server.received[0].path == "/api/v2/search?type=statuses&limit=40&q=lumen%20storing"


def test_the_beat_task_polls_every_due_source(org, local_server):
    server = local_server(lambda request: Answer(200, STATUSES))
    Source.objects.create(organization=org, kind="mastodon", name="a", url=server.url, query="#a")
    Source.objects.create(organization=org, kind="webhook", name="pushed")
    assert tasks.poll_sources() == 1
    assert Mention.objects.count() == 2
    assert tasks.poll_sources() == 0  # not due again yet
