"""The security log: `record()`, called from the services and the sign-in signals, and reading
an organization's log (`events_in`, `describe`) for its admins' page, CSV export and API.

Each organization's admins read their own log, so an event about a person goes to every
organization that person belongs to (a sign-in), unless the caller names the one it concerns (a
role on one incident). The row keeps names, not foreign keys to people: it outlives accounts.
"""

from collections.abc import Mapping
from datetime import datetime

from axes.helpers import get_client_ip_address
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import validate_ipv46_address
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.models import Organization, SecurityEvent, User

Kind = SecurityEvent.Kind

# The role named in the log when someone is made an organization admin, or stops being one.
ORGANIZATION_ADMIN = gettext_noop("Organization admin")


def record(
    kind: Kind | str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    username: str = "",
    organization: Organization | None = None,
    subject: User | None = None,
    detail: Mapping | None = None,
) -> list[SecurityEvent]:
    """Log `kind` once in `organization`, or, without one, once in each organization of the
    person it is about (the actor; else the subject; else the account named `username`), or
    once with no organization when there is none (a failed sign-in for an unknown name).

    `actor` is who acted (None for a failed sign-in: then `username` is the name typed);
    `subject` whom it concerned when not the actor. One insert.
    """
    kind = Kind(kind)
    actor = actor if actor is not None and actor.pk is not None else None
    if organization is not None:
        organizations: list[Organization | None] = [organization]
    else:
        person = actor or subject
        if person is not None:
            found = Organization.objects.filter(memberships__user_id=person.pk)
        elif username:
            found = Organization.objects.filter(memberships__user__username=username)
        else:
            found = Organization.objects.none()
        organizations = list(found.order_by("pk")) or [None]
    event = {
        "kind": kind,
        "actor_pk": actor.pk if actor else None,
        "actor": (actor.get_username() if actor else username)[:150],
        "subject": subject.get_username()[:150] if subject is not None else "",
        "address": client_address(request),
        "detail": dict(detail or {}),
    }
    return SecurityEvent.objects.bulk_create(
        [SecurityEvent(organization=organization, **event) for organization in organizations]
    )


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as django-axes reads it (accounts.lockout.client_ip), or None."""
    if request is None:
        return None
    address = get_client_ip_address(request)
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None  # no address, or something that is not one (a test client's, a proxy's)
    return address


# --- reading it ---------------------------------------------------------------------------------


def events_in(
    organization: Organization,
    *,
    kind: str = "",
    person: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[SecurityEvent]:
    """The organization's events, newest first: of one kind, about a person (the name of who
    acted or whom it concerned contains `person`), from `since` up to, not including, `until`."""
    events = SecurityEvent.objects.filter(organization=organization).order_by("-at", "-pk")
    if kind:
        events = events.filter(kind=kind)
    if person:
        events = events.filter(about_person(person))
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    return events


def about_person(person: str) -> Q:
    """The events whose actor or subject has `person` in their username."""
    return Q(actor__icontains=person) | Q(subject__icontains=person)


def describe(event: SecurityEvent) -> str:
    """The event's detail in a line for people, in the active language."""
    detail = dict(event.detail) if isinstance(event.detail, dict) else {"detail": event.detail}
    parts = []
    if "role" in detail:
        parts.append(gettext("Role: %(role)s") % {"role": gettext(str(detail.pop("role")))})
    if "statement" in detail:
        parts.append(
            gettext("statement %(statement)s, revision %(revision)s")
            % {"statement": detail.pop("statement"), "revision": detail.pop("revision", "?")}
        )
    if "approvals" in detail:
        given, required = detail.pop("approvals")
        parts.append(gettext("approval %(given)s of %(required)s") % {"given": given, "required": required})
    if "channel" in detail:
        parts.append(gettext("on %(channel)s") % {"channel": detail.pop("channel")})
    if "incident" in detail:
        parts.append(
            gettext("incident #%(incident)s “%(title)s”")
            % {"incident": detail.pop("incident"), "title": detail.pop("title", "")}
        )
    if detail.pop("is_admin", False):
        parts.append(gettext("as organization admin"))
    if "failures" in detail:
        parts.append(gettext("after %(count)s failed attempts") % {"count": detail.pop("failures")})
    if "left" in detail:
        left = detail.pop("left")
        parts.append(
            ngettext("%(count)s recovery code left", "%(count)s recovery codes left", left) % {"count": left}
        )
    for name, change in dict(detail.pop("changed", {}) or {}).items():
        setting = _setting_name(name)
        if isinstance(change, list | tuple) and len(change) == 2:
            parts.append(f"{setting}: {_value(change[0])} → {_value(change[1])}")
        else:  # a value kept out of the log (a webhook address holds its secret)
            parts.append(gettext("%(setting)s changed") % {"setting": setting})
    parts.extend(f"{name}: {value}" for name, value in detail.items())
    return " · ".join(str(part) for part in parts)


def _value(value) -> str:
    if isinstance(value, bool):
        return gettext("on") if value else gettext("off")
    return str(value)


def _setting_name(name: str) -> str:
    """An organization setting by its label in the active language (its field name if unknown)."""
    try:
        return str(Organization._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
