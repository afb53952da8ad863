"""The clocks of an incident against its playbook's targets: what is due when, and what is late."""

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

    def state(self, now: datetime) -> str:
        """done, ok, soon or overdue; always shown with words, never by colour alone."""
        if self.done_at is not None:
            return "done"
        if self.due_at is None:
            return "ok"
        if now > self.due_at:
            return "overdue"
        return "soon" if self.due_at - now <= SOON else "ok"


def timers_for(incident: Incident, *, last_public_update: datetime | None = None) -> list[Timer]:
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
        last = max(filter(None, (last_public_update, incident.first_response_at)))
        timers.append(
            Timer(
                "next_update",
                _("Next public update"),
                last + timedelta(minutes=target["minutes_between_updates"]),
                None,
            )
        )
    return timers


def minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def now() -> datetime:
    return timezone.now()
