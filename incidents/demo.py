"""Demo incidents for `manage.py seed_demo`: a live one with a realistic timeline, a restricted
one, a drill, and one in the second organization. Existing ones (by title) are left alone."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import DemoAccounts
from accounts.models import Role
from incidents import services
from incidents.models import Channel, Incident
from playbooks.models import Playbook

LIVE_TITLE = "App and customer service unreachable"

# (minutes after detection, who, what): the first hour and a half of a real-looking outage.
LIVE_TIMELINE = [
    (
        2,
        "monitor",
        "Mentions of “app down” and “can't log in” tripled in ten minutes, mostly on X and Mastodon.",
    ),
    (6, "monitor", "Customer service phone queue at 38 minutes; chat shows an error page."),
    (11, "lead", "IT confirms: the login service went down after a failed update. No estimate yet."),
    (
        18,
        "responder",
        "Holding statement drafted from the playbook template; outage number 0800-9009 included.",
    ),
    (24, "monitor", "Two customers report a gas smell and can't get through. Passed to the emergency line."),
    (31, "lead", "IT expects a fix within the hour; rollback of the update is running."),
    (47, "monitor", "Negative share of mentions at 81%; a local news site asks for a comment."),
    (
        58,
        "spokesperson",
        "Journalist of the regional paper called back; gave the holding statement, no extra.",
    ),
]


def seed(accounts: DemoAccounts, playbooks: dict[str, Playbook]) -> dict[str, Incident]:
    users, roles = accounts.users, {role.slug: role for role in Role.objects.all()}
    for organization, name in (
        (accounts.organization, "Website and social accounts (posted by hand)"),
        (accounts.other_organization, "Customer site (posted by hand)"),
    ):
        Channel.objects.get_or_create(
            organization=organization, is_default=True, defaults={"kind": Channel.Kind.MANUAL, "name": name}
        )
    incidents = {}
    existing = {
        incident.title: incident
        for incident in Incident.objects.filter(
            organization__in=[accounts.organization, accounts.other_organization]
        )
    }

    if LIVE_TITLE in existing:
        incidents["live"] = existing[LIVE_TITLE]
    else:
        incidents["live"] = _live_incident(accounts, playbooks["service-outage:en"], roles)

    title = "Internal memo about price increase leaked"
    incidents["restricted"] = existing.get(title) or _restricted_incident(accounts, title, roles)

    title = "Drill: influencer post about our prices"
    incidents["drill"] = existing.get(title) or services.incident_open(
        organization=accounts.organization,
        acting_user=users["lead"],
        title=title,
        severity="medium",
        playbook=playbooks["employee-influencer-controversy:en"],
        is_drill=True,
        summary="Quarterly drill: a paid influencer jokes about customers who cannot pay their bills.",
    )

    title = "Parcels delayed before the holidays"
    incidents["other"] = existing.get(title) or services.incident_open(
        organization=accounts.other_organization,
        acting_user=users["outsider"],
        title=title,
        severity="high",
        summary="Customers post photos of empty doorsteps; the sorting centre is two days behind.",
    )
    return incidents


def _live_incident(accounts: DemoAccounts, playbook: Playbook, roles) -> Incident:
    users = accounts.users
    detected_at = timezone.now() - timedelta(minutes=64)
    incident = services.incident_open(
        organization=accounts.organization,
        acting_user=users["lead"],
        title=LIVE_TITLE,
        severity="high",
        playbook=playbook,
        detected_at=detected_at,
        summary="Customers cannot log in to the app and the phone queue is long; complaints grow online.",
    )
    services.role_assign(
        incident=incident, user=users["observer"], role=roles["observer"], acting_user=users["lead"]
    )
    transitions = {4: "acknowledged", 12: "responding"}  # minute after detection -> status
    for minutes, username, body in LIVE_TIMELINE:
        for at_minute in sorted(m for m in transitions if m <= minutes):
            services.incident_transition(
                incident=incident,
                to=transitions.pop(at_minute),
                acting_user=users["lead"],
                at=detected_at + timedelta(minutes=at_minute),
            )
        services.timeline_add(
            incident=incident,
            acting_user=users[username],
            body=body,
            occurred_at=detected_at + timedelta(minutes=minutes),
        )
    for task in incident.tasks.order_by("due_at")[:2]:
        services.task_complete(task=task, acting_user=task.assignee or users["lead"])
    _live_statements(incident, users)
    return incident


def _live_statements(incident: Incident, users) -> None:
    """The holding statement went out; the first update waits for its second approval."""
    holding = incident.playbook.templates.get(kind="holding")
    statement = services.statement_draft(incident=incident, acting_user=users["responder"], template=holding)
    services.statement_submit(statement=statement, acting_user=users["responder"])
    services.statement_approve(statement=statement, acting_user=users["approver"], comment="Clear and kind.")
    services.statement_approve(statement=statement, acting_user=users["approver2"])
    services.statement_publish(
        statement=statement,
        acting_user=users["spokesperson"],
        url="https://social.example/@lumenenergy/110293",
    )
    update = services.statement_draft(
        incident=incident,
        acting_user=users["spokesperson"],
        language="en",
        body="Update: the app works again for most of you, though logging in can still be slow. Sorry it is "
        "taking this long, and thank you for your patience. Power cut or gas smell? Call 0800-9009. "
        "Next update within the hour.",
    )
    services.statement_submit(statement=update, acting_user=users["spokesperson"])
    services.statement_approve(statement=update, acting_user=users["approver"])


def _restricted_incident(accounts: DemoAccounts, title: str, roles) -> Incident:
    users = accounts.users
    incident = services.incident_open(
        organization=accounts.organization,
        acting_user=users["lead"],
        title=title,
        severity="medium",
        restricted=True,
        summary="A journalist has a copy of an internal memo; only the core team is in this room.",
    )
    for username, slug in (("spokesperson", "spokesperson"), ("approver", "approver")):
        services.role_assign(
            incident=incident, user=users[username], role=roles[slug], acting_user=users["lead"]
        )
    services.incident_transition(incident=incident, to="acknowledged", acting_user=users["lead"])
    return incident
