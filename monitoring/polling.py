"""Polling RSS/Atom feeds and Mastodon searches into mentions; a failing source backs off.

Every fetch goes through crisisdesk.outbound; an error keeps the status and our own words.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import feedparser
import requests
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from crisisdesk import outbound
from monitoring.models import Source
from monitoring.services import IngestResult, mentions_ingest

TIMEOUT_SECONDS = (5, 20)
MAX_BACKOFF_MINUTES = 240


class PollError(Exception):
    pass


def sources_due(now: datetime) -> QuerySet[Source]:
    return Source.objects.filter(is_active=True, kind__in=Source.POLLED).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )


def backoff_minutes(source: Source) -> int:
    """Wait longer after each failure in a row: 2×, 4×, … the usual interval, at most four hours."""
    return min(source.poll_every_minutes * 2**source.failures, MAX_BACKOFF_MINUTES)


def source_poll(*, source: Source, now: datetime | None = None) -> IngestResult | None:
    now = now or timezone.now()
    try:
        rows = fetch_rows(source)
    except PollError as error:
        source.failures += 1
        source.last_error = str(error)[:2000]
        source.last_polled_at, source.next_poll_at = now, now + timedelta(minutes=backoff_minutes(source))
        source.save(update_fields=["failures", "last_error", "last_polled_at", "next_poll_at"])
        return None
    result = mentions_ingest(source=source, rows=rows)
    source.failures, source.last_error = 0, ""
    source.last_polled_at, source.next_poll_at = now, now + timedelta(minutes=source.poll_every_minutes)
    source.save(update_fields=["failures", "last_error", "last_polled_at", "next_poll_at"])
    return result


def fetch_rows(source: Source) -> list[dict]:
    if source.kind == Source.Kind.RSS:
        return _feed_rows(_get(source.url).content)
    if source.kind == Source.Kind.MASTODON:
        try:
            answer = _get(_mastodon_url(source)).json()
        except ValueError as error:
            raise PollError("The Mastodon server did not answer JSON.") from error
        return _mastodon_rows(answer)
    raise PollError(f"A {source.kind} source is not polled.")


def _get(url: str) -> requests.Response:
    try:
        response = outbound.request("GET", url, timeout=TIMEOUT_SECONDS)
    except outbound.OutboundError as error:
        raise PollError(str(error)) from error
    if response.status_code != 200:
        raise PollError(outbound.status_error(response))
    return response


def _feed_rows(content: bytes) -> list[dict]:
    feed = feedparser.parse(content)
    if feed.bozo and not feed.entries:
        raise PollError(f"Not a feed: {feed.get('bozo_exception')}")
    return [
        {
            "external_id": entry.get("id") or entry.get("link") or entry.get("title", ""),
            "author": entry.get("author", ""),
            "text": strip_tags(" ".join(filter(None, (entry.get("title"), entry.get("summary"))))).strip(),
            "url": entry.get("link", ""),
            "posted_at": _entry_time(entry),
        }
        for entry in feed.entries
    ]


def _entry_time(entry) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else timezone.now()


def _mastodon_url(source: Source) -> str:
    server, query = source.url.rstrip("/"), source.query.strip()
    if query.startswith("#"):
        return f"{server}/api/v1/timelines/tag/{quote(query[1:])}?limit=40"
    return f"{server}/api/v2/search?type=statuses&limit=40&q={quote(query)}"


def _mastodon_rows(answer) -> list[dict]:
    statuses = answer.get("statuses", []) if isinstance(answer, dict) else answer
    if not isinstance(statuses, list):
        raise PollError("The Mastodon server answered something else than statuses.")
    return [
        {
            "external_id": str(status.get("id", "")),
            "author": (status.get("account") or {}).get("acct", ""),
            "text": strip_tags(status.get("content") or "").strip(),
            "url": status.get("url") or "",
            "posted_at": parse_datetime(status.get("created_at") or "") or timezone.now(),
        }
        for status in statuses
        if isinstance(status, dict)
    ]
