"""What the organization's security log says about an incident: roles given and taken on it,
and its statements approved and published (accounts.security_log writes the rows).

The services call these inside their transaction, so a line is there exactly when the change
is. They have no request: these lines carry no address.
"""

from collections.abc import Iterable

from accounts import security_log
from accounts.models import Role, User
from incidents.models import Channel, Incident, Statement

Kind = security_log.Kind


def _record(kind: Kind, *, incident: Incident, acting_user: User, subject: User | None = None, **detail):
    security_log.record(
        kind,
        actor=acting_user,
        subject=subject,
        organization=incident.organization,
        detail={"incident": incident.pk, "title": incident.title, **detail},
    )


def role_granted(*, incident: Incident, user: User, role: Role, acting_user: User) -> None:
    _record(Kind.ROLE_GRANTED, incident=incident, acting_user=acting_user, subject=user, role=role.name)


def roles_granted(*, incident: Incident, grants: Iterable[tuple[User, Role]], acting_user: User) -> None:
    """The roles an incident opens with (the opener's lead, the playbook's), one line each."""
    for user, role in sorted(grants, key=lambda grant: (grant[0].pk, grant[1].pk)):
        role_granted(incident=incident, user=user, role=role, acting_user=acting_user)


def role_removed(*, incident: Incident, user: User, role: Role, acting_user: User) -> None:
    _record(Kind.ROLE_REMOVED, incident=incident, acting_user=acting_user, subject=user, role=role.name)


def statement_approved(*, statement: Statement, acting_user: User, given: int, required: int) -> None:
    _record(
        Kind.STATEMENT_APPROVED,
        incident=statement.incident,
        acting_user=acting_user,
        statement=statement.pk,
        revision=statement.revision,
        approvals=[given, required],
    )


def statement_published(*, statement: Statement, channel: Channel, acting_user: User) -> None:
    """Someone sent the approved statement out (queued, or posted by hand on a manual channel)."""
    _record(
        Kind.STATEMENT_PUBLISHED,
        incident=statement.incident,
        acting_user=acting_user,
        statement=statement.pk,
        revision=statement.revision,
        channel=channel.name,
    )
