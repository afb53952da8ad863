"""Incident roles as accounts sees them (accounts.holdings): who holds a role where, and what
ends when someone leaves the organization. Registered in IncidentsConfig.ready(), since
accounts may not import incidents."""

from collections.abc import Iterator
from itertools import groupby

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_noop

from accounts.holdings import Holding
from accounts.models import Organization, Role, User
from incidents import timeline_messages as tm
from incidents.live import changes as live_changes
from incidents.models import Incident, IncidentRoleAssignment, TimelineEntry
from incidents.services.incident import LEAD, entry_write


class IncidentRoleHoldings:
    def lock_objects_holding(self, *, role: Role) -> None:
        holding = IncidentRoleAssignment.objects.filter(role=role).values("incident_id")
        list(_locked(Incident.objects.filter(pk__in=holding)).values_list("pk", flat=True))

    def holdings_of(self, *, role: Role) -> Iterator[Holding]:
        holder = IncidentRoleAssignment.objects.filter(
            role=role, incident_id=OuterRef("incident_id"), user_id=OuterRef("user_id")
        )
        assignments = (
            IncidentRoleAssignment.objects.filter(Exists(holder))
            .select_related("incident", "user", "role")
            .order_by("incident_id", "user_id")
        )
        for _key, group in groupby(assignments, key=lambda a: (a.incident_id, a.user_id)):
            group = list(group)
            yield Holding(user=group[0].user, obj=group[0].incident, roles=tuple(a.role for a in group))

    def end_in_organization(
        self, *, organization: Organization, user: User, acting_user: User | None
    ) -> None:
        """Delete `user`'s roles on the organization's incidents, one timeline entry on each.

        Their object permissions go after this, all at once (accounts.services.membership_remove).
        An incident they alone led keeps no lead: the entry says so, for someone to take it on.
        """
        live_changes.people_changed([user.pk])  # their open streams close at once
        held = IncidentRoleAssignment.objects.filter(user=user, incident__organization=organization)
        incidents = list(_locked(Incident.objects.filter(pk__in=held.values("incident_id"))))
        for incident in incidents:
            live_changes.incident_changed(incident.pk)  # their roles change, not only the timeline
        assignments = {
            incident_id: list(group)
            for incident_id, group in groupby(
                held.select_related("role").order_by("incident_id", "role_id"), key=lambda a: a.incident_id
            )
        }
        held.delete()
        leads_left = set(
            IncidentRoleAssignment.objects.filter(incident__in=incidents, role__slug=LEAD).values_list(
                "incident_id", flat=True
            )
        )
        name = user.get_full_name()
        for incident in incidents:
            people = tm.people((name, a.role.name) for a in assignments.get(incident.pk, []))
            message = (
                gettext_noop("%(user)s left the organization and no longer holds a role here: %(people)s.")
                if incident.pk in leads_left or not incident.is_open
                else gettext_noop(
                    "%(user)s left the organization and no longer holds a role here: %(people)s. "
                    "Nobody leads this incident now: assign a lead."
                )
            )
            entry_write(
                incident=incident,
                kind=TimelineEntry.Kind.ROLE_CHANGE,
                author=acting_user,
                message=tm.say(message, user=name, people=people),
            )


def _locked(incidents):
    """Incident rows locked in primary-key order (the project lock order, after memberships)."""
    return incidents.select_for_update(no_key=True).order_by("pk")


def speaking_assignments(*, user, organization):
    """The roles on the organization's incidents that let `user` approve or publish
    (accounts.two_factor asks, to know who must sign in with a second factor)."""
    return IncidentRoleAssignment.objects.filter(
        user_id=user, incident__organization_id=organization, role__speaks_for_brand=True
    )
