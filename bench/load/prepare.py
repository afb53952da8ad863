"""The people and the room the load test uses, made in the database the production run serves.

Viewers and members sign in once before the test (a session made here, as the sign-in page
would; two-factor is not asked of them: the organization does not require it of viewers and
responders), so the run measures the room, not password hashing; members also get API tokens.
Running it again reuses the people, makes fresh sessions and tokens, and opens a fresh room:
the rooms of earlier runs are resolved, so one run's hundreds of entries do not weigh on the
next.
"""

from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services as accounts_services
from accounts.models import Organization, Role, User
from incidents.models import Incident
from incidents.services import incident as incident_services
from monitoring.models import Source

ORGANIZATION = "lumen"
ROOM_TITLE = "Load test: the whole team in one room"
TO_RESOLVED = ("detected", "acknowledged", "responding", "monitoring", "resolved")


@dataclass
class LoadFixture:
    incident: int
    viewer_sessions: list[str]
    member_tokens: list[str]
    member_sessions: list[str]
    first_cursor: int  # the room's newest entry when the run starts
    organization_members: int  # every load viewer ever prepared stays a member
    source: int
    source_token: str


@transaction.atomic
def prepare(*, viewers: int, members: int) -> LoadFixture:
    organization = Organization.objects.get(slug=ORGANIZATION)
    lead = User.objects.get(username="lead")
    room = _room(organization, lead)
    viewer_users = _people(organization, "load-viewer", viewers)
    member_users = _people(organization, "load-member", members)
    responder = Role.objects.get(slug="responder")
    for user in member_users:
        incident_services.role_assign(incident=room, user=user, role=responder, acting_user=lead)
    source = Source.objects.filter(organization=organization, is_active=True).order_by("pk").first()
    return LoadFixture(
        incident=room.pk,
        viewer_sessions=[_session(user) for user in viewer_users],
        member_tokens=[Token.objects.get_or_create(user=user)[0].key for user in member_users],
        member_sessions=[_session(user) for user in member_users],
        first_cursor=room.timeline.order_by("-pk").values_list("pk", flat=True).first() or 0,
        organization_members=organization.memberships.count(),
        source=source.pk,
        source_token=source.ingest_token,
    )


def _room(organization: Organization, lead: User) -> Incident:
    earlier = Incident.objects.filter(
        organization=organization, title__startswith=ROOM_TITLE, status__in=Incident.OPEN_STATUSES
    )
    for room in earlier:
        for status in TO_RESOLVED[TO_RESOLVED.index(room.status) + 1 :]:
            room = incident_services.incident_transition(incident=room, to=status, acting_user=lead)
    title = f"{ROOM_TITLE} ({timezone.localtime():%Y-%m-%d %H:%M})"
    return incident_services.incident_open(
        organization=organization, acting_user=lead, title=title, severity="high", is_drill=True
    )


def _people(organization: Organization, prefix: str, count: int) -> list[User]:
    people = []
    for number in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=f"{prefix}-{number:03}",
            defaults={
                "full_name": f"{prefix.replace('-', ' ').capitalize()} {number}",
                "language": "nl" if number % 2 else "en",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            accounts_services.membership_add(organization=organization, user=user)
        people.append(user)
    return people


def _session(user: User) -> str:
    """A signed-in session, made by Django's own login as the sign-in page would."""
    client = Client()
    client.force_login(user)
    return client.session.session_key
