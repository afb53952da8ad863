"""What writes call so the live room hears of them: in the write's own transaction, on commit."""

from django.db import transaction
from django.db.models import F

from incidents.live import bus
from incidents.models import Incident


def incident_changed(incident_pk: int) -> None:
    """Bump the incident's change counter and wake the web processes when the transaction commits.

    The UPDATE takes the incident's row lock (FOR NO KEY UPDATE on PostgreSQL), so this is also
    the lock every write under an incident takes first (README, "Lock order"); a caller holding it
    already takes nothing new. The counter catches writes that leave no timeline entry (a
    publication's state, a plain `.update()`): the hub re-renders a room when it moves.
    """
    Incident.objects.filter(pk=incident_pk).update(live_version=F("live_version") + 1)
    transaction.on_commit(lambda: bus.publish(bus.incident_message(incident_pk)))


def people_changed(user_ids) -> None:
    """Their rights, bell or dashboard changed (a role or membership ended, a notification, a
    statement to approve): their open streams are checked again as soon as the transaction commits."""
    messages = [bus.user_message(user_id) for user_id in user_ids]
    transaction.on_commit(lambda: [bus.publish(message) for message in messages])


def feeds_changed() -> None:
    """Something for many people's pages (an alert for a whole organization): every web process
    reads every feed again for everyone with a page open, when the transaction commits. One
    message, however many people."""
    transaction.on_commit(lambda: bus.publish(bus.FEEDS_MESSAGE))
