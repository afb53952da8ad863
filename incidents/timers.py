"""The clocks of an incident against its playbook's targets: what is due when, and what is late.

The next public update is due one cadence after the last one, or sooner when the last statement
promised a time: missing a promise is the loudest state of all.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident

SOON = timedelta(minutes=5)


@dataclass(frozen=True)
class Timer:
    key: str
    label: str
    due_at: datetime | None
    done_at: datetime | None
    promised: bool = False

    def state(self, now: datetime) -> str:
        """done, ok, soon, overdue or promise_broken; always shown with words, never colour alone."""
        if self.done_at is not None:
            return "done"
        if self.due_at is None:
            return "ok"
        if now > self.due_at:
            return "promise_broken" if self.promised else "overdue"
        return "soon" if self.due_at - now <= SOON else "ok"


@dataclass(frozen=True)
class LastUpdate:
    published_at: datetime
    promised_next_at: datetime | None = None


def timers_for(incident: Incident, *, last_update: LastUpdate | None = None) -> list[Timer]:
    target = incident.target()
    detected = incident.detected_at
    timers = [
        Timer(
            "acknowledge",
            _("Acknowledge"),
            detected + timedelta(minutes=target["minutes_to_acknowledge"]),
            incident.acknowledged_at,
        ),
        Timer(
            "first_response",
            _("First public response"),
            detected + timedelta(minutes=target["minutes_to_first_response"]),
            incident.first_response_at,
        ),
    ]
    if incident.first_response_at is not None and incident.is_open:
        timers.append(next_update_timer(incident, last_update, target["minutes_between_updates"]))
    return timers


def next_update_timer(incident: Incident, last_update: LastUpdate | None, cadence_minutes: int) -> Timer:
    last = max(filter(None, (last_update and last_update.published_at, incident.first_response_at)))
    due = last + timedelta(minutes=cadence_minutes)
    promised = last_update.promised_next_at if last_update else None
    if promised is not None and promised < due:
        return Timer("next_update", _("Promised update"), promised, None, promised=True)
    return Timer("next_update", _("Next public update"), due, None)


def now() -> datetime:
    return timezone.now()


def with_states(timers: list[Timer], now: datetime) -> list[tuple[Timer, str]]:
    return [(timer, timer.state(now)) for timer in timers]


def incident_rows(
    incidents, last_updates: dict, now: datetime
) -> list[tuple[Incident, list[tuple[Timer, str]]]]:
    """Each incident with its timers and their states: the dashboard's and the list's rows."""
    return [
        (incident, with_states(timers_for(incident, last_update=last_updates.get(incident.pk)), now))
        for incident in incidents
    ]
