"""Where people hold roles: told to accounts by the apps that keep the role assignments.

accounts may import no app to its right (DESIGN.md: accounts ← playbooks ← incidents ←
monitoring), yet two of its services must reach what those apps hold: leaving an organization
ends every role there (`membership_remove`), and editing a role's permissions resyncs the
grants of everyone who holds it (`role_update_permissions`). Each app that assigns roles on
its objects registers one `RoleHoldings` here, in its AppConfig.ready(); incidents does.

The guardian rows themselves need no hook: accounts removes them by content type, for every
model with a foreign key to Organization (see `accounts.services.object_permissions_remove`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import models

from accounts.models import Organization, Role, User


@dataclass(frozen=True)
class Holding:
    """`user` holds a role on `obj`; `roles` are all the roles they hold on it."""

    user: User
    obj: models.Model
    roles: tuple[Role, ...]


class RoleHoldings(Protocol):
    def lock_objects_holding(self, *, role: Role) -> None:
        """Lock, in primary-key order, the objects on which somebody holds `role`."""

    def holdings_of(self, *, role: Role) -> Iterable[Holding]:
        """Everyone who holds `role`, on each object, with all their roles there."""

    def end_in_organization(
        self, *, organization: Organization, user: User, acting_user: User | None
    ) -> None:
        """End every role `user` holds on `organization`'s objects (locked in pk order) and
        say so where it happened. Runs inside membership_remove, after the membership lock."""


_registered: dict[str, RoleHoldings] = {}


def register(app_label: str, holdings: RoleHoldings) -> None:
    """One per app (ready() may run again in tests: the last registration counts)."""
    _registered[app_label] = holdings


def registered() -> tuple[RoleHoldings, ...]:
    return tuple(_registered.values())
