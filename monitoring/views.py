from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisisdesk.errors import DomainError
from monitoring import charts, selectors, services
from monitoring.forms import CsvUploadForm
from monitoring.models import Alert, Source

CHART_HOURS = 24


@login_required
def monitoring_page(request):
    """Charts, mentions and alerts. `?part=alerts` answers only the alerts, as the page's live
    updates read them again when the feed `alerts` moves (static/js/pages.js)."""
    if request.GET.get("part") == "alerts":
        return render(request, "monitoring/partials/alerts.html", {"alerts": _alerts(request.user)})
    now = timezone.now()
    since = now - timedelta(hours=CHART_HOURS - 1)
    sources = list(selectors.sources_visible_to(request.user).order_by("name"))
    hours = selectors.hours(since, now)
    figures: dict[int, dict] = {}
    for row in selectors.hourly_figures(request.user, since=hours[0], until=now + timedelta(hours=1)):
        figures.setdefault(row["source"], {})[row["hour"]] = row
    source_charts = sorted(
        ((source, charts.hourly_chart(hours, figures.get(source.pk, {}))) for source in sources),
        key=lambda pair: -pair[1].total,
    )
    return render(
        request,
        "monitoring/monitoring.html",
        {
            "source_charts": source_charts,
            "mentions": selectors.mentions_visible_to(request.user).order_by("-posted_at")[:50],
            "alerts": _alerts(request.user),
            "upload_form": CsvUploadForm(
                sources=selectors.sources_administered_by(request.user).filter(kind=Source.Kind.MANUAL)
            ),
        },
    )


def _alerts(user):
    return selectors.alerts_visible_to(user).order_by("-created_at")[:30]


def _alert_or_404(request, pk: int) -> Alert:
    return get_object_or_404(selectors.alerts_visible_to(request.user), pk=pk)


@login_required
@require_POST
def alert_escalate(request, pk: int):
    try:
        incident = services.alert_escalate(alert=_alert_or_404(request, pk), acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("monitoring:page")
    messages.success(request, _("Incident opened from the alert. You lead it."))
    return redirect(incident)


@login_required
@require_POST
def alert_dismiss(request, pk: int):
    try:
        services.alert_dismiss(alert=_alert_or_404(request, pk), acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("monitoring:page")


@login_required
@require_POST
def csv_upload(request):
    sources = selectors.sources_administered_by(request.user).filter(kind=Source.Kind.MANUAL)
    form = CsvUploadForm(request.POST, request.FILES, sources=sources)
    if not form.is_valid():
        if not sources.exists():
            raise PermissionDenied
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("monitoring:page")
    result = services.mentions_ingest(source=form.cleaned_data["source"], rows=form.cleaned_data["file"])
    messages.success(
        request,
        _("%(created)d new mentions, %(duplicates)d already known, %(errors)d rows with errors.")
        % {"created": result.created, "duplicates": result.duplicates, "errors": len(result.errors)},
    )
    for error in result.errors[:5]:
        messages.warning(
            request,
            _("Row %(row)d: %(errors)s")
            % {
                "row": error["index"] + 2,
                "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in error["errors"].items()),
            },
        )
    return redirect("monitoring:page")
