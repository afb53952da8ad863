"""The polling fallback's ETag, and the 304 it earns before sessions and guardian run.

A poll of a room where nothing happened costs one indexed query here instead of the session,
the user, guardian and the view (bench/poll.py). The tag is an HMAC of the room's change
counter keyed with the poller's own session cookie: it says nothing to another viewer, and
nobody can make one for a session they do not hold. Someone who lost the room in between gets
304s only until the room next changes, then the view's 404 (the change that removed them moves
the counter at once).
"""

import re

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.crypto import constant_time_compare, salted_hmac

from incidents.models import Incident

PATH = re.compile(r"^/incidents/(\d{1,18})/live/$")


def tag(request, incident_pk: int, version) -> str:
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    digest = salted_hmac("live-poll", f"{session}:{incident_pk}:{version}").hexdigest()[:32]
    return f'"{digest}"'


class NotModifiedMiddleware:
    """First in MIDDLEWARE: answers an unchanged poll with 304 from one query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        expected = request.headers.get("If-None-Match")
        match = PATH.match(request.path_info) if expected and request.method == "GET" else None
        if match:
            pk = int(match.group(1))
            version = Incident.objects.filter(pk=pk).values_list("live_version", flat=True).first()
            if version is not None and constant_time_compare(expected, tag(request, pk, version)):
                return HttpResponseNotModified()
        return self.get_response(request)
