"""The ASGI entry point: uvicorn serves pages, API and the live room's event streams.

Django's ASGIHandler runs each request inside its own asgiref ThreadSensitiveContext, so the
request's sync work (middleware, sessions, sync views) gets a thread of its own for as long as the
request lasts. For a page that is milliseconds; for a server-sent-event stream (paths ending in
/events/, open for minutes) it is an idle thread per viewer, ~120 KB each (measured, shared/STACK.md).
Streams therefore run without that context: their few sync calls (sessions, permission checks) go
to asgiref's one shared thread, one after another. A stream must keep its sync calls short, since
every stream of the process queues on that thread. All other requests keep Django's behaviour,
at most ASGI_REQUESTS_AT_ONCE of them at a time: a crowd arriving at once waits in the event
loop, as it would for a gunicorn worker, instead of each taking a thread and then waiting for
one of the pool's database connections (DB_POOL_TIMEOUT, then a 500).
"""

import asyncio
import os

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")

STREAM_SUFFIX = "/events/"


class StreamingASGIHandler(ASGIHandler):
    """ASGIHandler that serves long-lived streams without a thread per request."""

    def __init__(self):
        super().__init__()
        self._loop, self._requests_at_once = None, None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith(STREAM_SUFFIX):
            await self.handle(scope, receive, send)
        else:
            async with self._bound():
                await super().__call__(scope, receive, send)

    def _bound(self) -> asyncio.Semaphore:
        """The bound of this event loop (a server has one; tests start several)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._requests_at_once = loop, asyncio.Semaphore(settings.ASGI_REQUESTS_AT_ONCE)
        return self._requests_at_once


django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application() does
application = StreamingASGIHandler()
