"""An organization's security log for its admins: the page with filters, and the filtered rows
as CSV. Members who are not admins get 403, everyone else 404 (as on the members page)."""

import csv
import json
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts import security_log
from accounts.forms import SecurityLogFilterForm
from accounts.models import SecurityEvent
from accounts.views import _managed_organization

PAGE_SIZE = 50

# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV injection"):
# such a cell gets a leading single quote, which makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@login_required
def security_log_page(request, slug: str):
    organization = _managed_organization(request, slug)
    form = SecurityLogFilterForm(request.GET)
    context = {
        "organization": organization,
        "form": form,
        "page": None,
        "rows": [],
        "retention_days": settings.SECURITY_LOG_RETENTION_DAYS,
    }
    if not form.is_valid():
        return render(request, "accounts/security_log.html", context, status=400)
    paginator = Paginator(security_log.events_in(organization, **form.filters()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "page": page,
        "rows": [(event, security_log.describe(event)) for event in page],
        "query": query.urlencode(),
    }
    return render(request, "accounts/security_log.html", context)


@login_required
def security_log_csv(request, slug: str):
    """The filtered rows, all of them, streamed: a year of log never sits in memory."""
    organization = _managed_organization(request, slug)
    form = SecurityLogFilterForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    events = security_log.events_in(organization, **form.filters())
    rows = _csv_rows(events, zone=timezone.get_current_timezone(), language=translation.get_language())
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([csv_cell(value) for value in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="security-log-{organization.slug}-{day}.csv"'
    return response


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_rows(events, *, zone, language: str) -> Iterator[list]:
    """Read while the response streams, after the request's time zone and language are gone:
    both are carried in."""
    with translation.override(language):
        yield [
            gettext("Time"),
            gettext("Event"),
            gettext("Event code"),
            gettext("By"),
            gettext("Concerning"),
            gettext("Address"),
            gettext("Detail"),
            gettext("Data"),
        ]
        for event in events.iterator(chunk_size=2000):
            yield _csv_row(event, zone)


def _csv_row(event: SecurityEvent, zone) -> list:
    return [
        event.at.astimezone(zone).isoformat(timespec="seconds"),
        event.get_kind_display(),
        event.kind,
        event.actor,
        event.subject,
        event.address or "",
        security_log.describe(event),
        json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
    ]


class _Echo:
    """csv.writer writes to this, which hands each line back to be streamed."""

    def write(self, line: str) -> str:
        return line
