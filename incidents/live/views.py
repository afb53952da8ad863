"""The live room's two doors: the event stream (under ASGI) and the poll that stands in for it."""

import asyncio
import random

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from crisisdesk.converters import id_or_none
from incidents import selectors
from incidents.live import poll_tag, render
from incidents.live.hub import Stream, hub
from incidents.models import Incident

RETRY_MS = 2000  # the browser waits this (plus jitter) before it reconnects


async def events(request, pk: int | None = None):
    """`text/event-stream` for the room `pk` (its permission, 404 otherwise) or, without `pk`, for
    the person's own pages (the bell, the dashboard). Never under WSGI: a sync worker would read
    the endless stream to its end before answering, and hold a thread for good; there the
    answer is a quick 503 and the page polls instead."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=503, headers={"Retry-After": "3600"})
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=403)
    stream = Stream(
        user_id=user.pk, name=user.get_full_name(), language=user.language, time_zone=user.time_zone
    )
    if pk is not None:
        perms = await sync_to_async(selectors.incident_permissions)(user, pk)
        if "view_incident" not in perms:
            raise Http404
        last_event = id_or_none(request.headers.get("Last-Event-ID", ""))
        stream.incident_id = pk
        stream.allow(perms)
        stream.after = (
            last_event if last_event is not None else (id_or_none(request.GET.get("after", "")) or 0)
        )
        # After a reconnect the page may have missed any part: send them all again.
        stream.seen_version = id_or_none(request.GET.get("v", "")) if last_event is None else None
    await hub.join(stream)
    response = StreamingHttpResponse(_body(stream), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


async def _body(stream: Stream):
    loop = asyncio.get_running_loop()
    # Jitter, so a crowd that opened the room at once does not come back all at once.
    lifetime = settings.LIVE_STREAM_SECONDS * random.uniform(0.8, 1.0)
    ends_at = loop.time() + lifetime
    try:
        yield f"retry: {RETRY_MS + random.randint(0, RETRY_MS)}\nevent: hello\ndata: {{}}\n\n".encode()
        while (left := ends_at - loop.time()) > 0:
            try:
                async with asyncio.timeout(min(settings.LIVE_HEARTBEAT_SECONDS, left)):
                    chunk = await stream.queue.get()
            except TimeoutError:
                yield b": hb\n\n"
                continue
            if chunk is None:
                return
            chunks = [chunk]
            while not stream.queue.empty():  # all that a tick queued, in one write
                chunk = stream.queue.get_nowait()
                if chunk is None:
                    yield b"".join(chunks)
                    return
                chunks.append(chunk)
            yield b"".join(chunks)
    finally:
        hub.leave(stream)


@login_required
@require_GET
def poll(request, pk: int):
    """What the stream would have sent since `?after=<entry id>&v=<change counter>`, as JSON; for a
    browser that cannot hold a stream. An unchanged room answers 304 before this view runs
    (incidents.live.middleware)."""
    after, seen = id_or_none(request.GET.get("after", "0")), id_or_none(request.GET.get("v", ""))
    if after is None:
        return JsonResponse({"after": ["Not an entry id."]}, status=400)
    perms = selectors.incident_permissions(request.user, pk)
    if "view_incident" not in perms:
        raise Http404
    version = Incident.objects.filter(pk=pk).values_list("live_version", flat=True).first()
    kind = render.Kind(request.user.language, request.user.time_zone, frozenset(perms))
    newest = render.newest_entries(pk, after=after)[-render.ENTRY_LIMIT :]
    html = render.entries_html(pk, kind, [entry_id for entry_id, _kind in newest])
    events = [
        {"event": "entry", "id": entry_id, "data": {"id": entry_id, "kind": entry_kind, "html": html[n]}}
        for n, (entry_id, entry_kind) in enumerate(newest)
    ]
    cursor = events[-1]["id"] if events else after
    if seen != version and (state := render.room_state(pk)) is not None:
        events += [
            {"event": part, "id": cursor, "data": {"html": html}}
            for part, html in render.parts_html(state, kind).items()
        ]
    response = JsonResponse({"version": version, "cursor": cursor, "events": events})
    response["ETag"] = poll_tag.tag(request, pk, version)
    response["Cache-Control"] = "private, no-cache"
    return response
