"""The post-mortem pages: the evaluation of one incident, its exports, and the organization overview."""

from collections import defaultdict
from statistics import median

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisisdesk.converters import id_or_none
from crisisdesk.pages import add_form_errors
from incidents import postmortem, selectors
from incidents.forms import ActionItemForm, PostMortemForm
from incidents.models import ActionItem, Incident
from incidents.services import postmortem as services
from incidents.views import incident_or_404
from playbooks.models import DEFAULT_TARGETS, Severity


def _context(request, incident: Incident, **forms) -> dict:
    permissions = selectors.incident_permissions(request.user, incident.pk)
    figures = postmortem.metrics(incident)
    rows = [
        (
            _("Time to acknowledge"),
            postmortem.duration(figures["time_to_acknowledge_s"]),
            postmortem.duration(figures["targets"]["time_to_acknowledge_s"]),
            figures["verdicts"]["time_to_acknowledge_s"],
        ),
        (
            _("Time to first public response"),
            postmortem.duration(figures["time_to_first_response_s"]),
            postmortem.duration(figures["targets"]["time_to_first_response_s"]),
            figures["verdicts"]["time_to_first_response_s"],
        ),
        (_("Public updates"), figures["public_updates"], "", None),
        (
            _("Update intervals within the cadence"),
            "–" if figures["cadence_kept_ratio"] is None else f"{figures['cadence_kept_ratio']:.0%}",
            _("every %(minutes)d min") % {"minutes": figures["targets"]["minutes_between_updates"]},
            None if figures["cadence_kept_ratio"] is None else figures["cadence_kept_ratio"] == 1,
        ),
        (_("Time to resolve"), postmortem.duration(figures["time_to_resolve_s"]), "", None),
        (_("Median wait for an approval"), postmortem.duration(figures["approval_wait_median_s"]), "", None),
    ]
    return {
        "incident": incident,
        "pm": incident.postmortem,
        "figures": figures,
        "rows": rows,
        "chart": postmortem.chart(incident),
        "can_edit": "edit_postmortem" in permissions,
        "items": incident.postmortem.action_items.select_related("owner", "playbook", "playbook_revision"),
        "form": forms.get("form") or PostMortemForm(instance=incident.postmortem),
        "item_form": forms.get("item_form") or ActionItemForm(incident=incident),
    }


@login_required
def postmortem_page(request, pk: int):
    incident = incident_or_404(request, pk)
    if request.method == "POST":
        services.require(request.user, "edit_postmortem", incident)  # 403 before any form error
        form = PostMortemForm(request.POST, instance=incident.postmortem)
        if form.is_valid():
            try:
                services.postmortem_update(incident=incident, acting_user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                return redirect("incidents:postmortem", pk=incident.pk)
        return render(
            request, "incidents/postmortem.html", _context(request, incident, form=form), status=400
        )
    return render(request, "incidents/postmortem.html", _context(request, incident))


@login_required
@require_POST
def action_item_add(request, pk: int):
    incident = incident_or_404(request, pk)
    services.require(request.user, "edit_postmortem", incident)
    form = ActionItemForm(request.POST, incident=incident)
    if form.is_valid():
        try:
            services.action_item_create(incident=incident, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("incidents:postmortem", pk=incident.pk)
    return render(
        request, "incidents/postmortem.html", _context(request, incident, item_form=form), status=400
    )


@login_required
@require_POST
def action_items_apply(request, pk: int):
    incident = incident_or_404(request, pk)
    services.require(request.user, "edit_postmortem", incident)  # 403 before any form error
    ids = [id_or_none(value) for value in request.POST.getlist("items")]
    if None in ids:
        messages.error(request, _("Choose action items from the list."))
        return redirect("incidents:postmortem", pk=incident.pk)
    items = list(
        ActionItem.objects.filter(postmortem__incident=incident, pk__in=ids).select_related(
            "playbook", "postmortem"
        )
    )
    try:
        revisions = services.action_items_apply(incident=incident, acting_user=request.user, items=items)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Proposed as revision %(numbers)s; an organization admin reviews it.")
            % {"numbers": ", ".join(str(r.number) for r in revisions)},
        )
    return redirect("incidents:postmortem", pk=incident.pk)


@login_required
def postmortem_export(request, pk: int, kind: str):
    """Markdown to share, or a page to print, in the reader's language."""
    incident = incident_or_404(request, pk)
    context = _context(request, incident)
    if kind == "md":
        text = render_to_string("incidents/postmortem.md", context, request=request)
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="postmortem-{incident.pk}.md"'
        return response
    return render(request, "incidents/postmortem_print.html", context)


@login_required
def overview(request):
    """Per month: incidents by severity and the median times against their targets; drills apart."""
    rows = selectors.incidents_visible_to(request.user).values_list(
        "detected_at",
        "acknowledged_at",
        "first_response_at",
        "severity",
        "is_drill",
        "playbook_revision__snapshot",
    )
    months: dict[tuple, dict] = defaultdict(
        lambda: {
            "count": 0,
            "severities": defaultdict(int),
            "ack": [],
            "first": [],
            "ack_met": 0,
            "first_met": 0,
        }
    )
    for detected, acknowledged, first, severity, is_drill, snapshot in rows:
        month = months[(is_drill, detected.year, detected.month)]
        month["count"] += 1
        month["severities"][severity] += 1
        target = _target(snapshot, severity)
        for key, moment, limit in (
            ("ack", acknowledged, target["minutes_to_acknowledge"]),
            ("first", first, target["minutes_to_first_response"]),
        ):
            if moment:
                minutes = (moment - detected).total_seconds() / 60
                month[key].append(minutes)
                month[f"{key}_met"] += minutes <= limit
    table = [
        {
            "drill": drill,
            "year": year,
            "month": number,
            "count": m["count"],
            "severities": dict(m["severities"]),
            "ack": round(median(m["ack"])) if m["ack"] else None,
            "ack_met": m["ack_met"],
            "ack_n": len(m["ack"]),
            "first": round(median(m["first"])) if m["first"] else None,
            "first_met": m["first_met"],
            "first_n": len(m["first"]),
        }
        for (drill, year, number), m in sorted(
            months.items(), key=lambda item: (item[0][0], -item[0][1], -item[0][2])
        )
    ]
    tables = [
        (_("Incidents"), [row for row in table if not row["drill"]]),
        (_("Drills"), [row for row in table if row["drill"]]),
    ]
    return render(
        request, "incidents/overview.html", {"tables": tables, "severities": Incident.Severity.choices}
    )


def _target(snapshot, severity: str) -> dict:
    for target in (snapshot or {}).get("targets", []):
        if target["severity"] == severity:
            return target
    return DEFAULT_TARGETS[Severity(severity)]
