"""Writing the security log: one call, `record()`, from the services and the sign-in signals.

Each organization's admins read their own log, so an event about a person goes to every
organization that person belongs to (a sign-in), unless the caller names the one it concerns (a
role on one incident). The row keeps names, not foreign keys to people: it outlives accounts.
"""

from collections.abc import Mapping

from axes.helpers import get_client_ip_address
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.http import HttpRequest
from django.utils.translation import gettext_noop

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
    """The client's address as django-axes reads it (settings: REMOTE_ADDR), or None."""
    if request is None:
        return None
    address = get_client_ip_address(request)
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None  # no address, or something that is not one (a test client's, a proxy's)
    return address
