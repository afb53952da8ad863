import io

import pytest
from django.core.management import call_command

from accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def snapshot():
    from incidents.models import Channel, Incident, Statement, TimelineEntry
    from playbooks.models import Playbook, PlaybookRevision

    return (
        sorted(
            Incident.objects.values_list("title", "status", "restricted", "is_drill", "organization__slug")
        ),
        TimelineEntry.objects.count(),
        sorted(Statement.objects.values_list("status", "revision", "version")),
        sorted(Channel.objects.values_list("name", "kind", "is_default")),
        sorted(Playbook.objects.values_list("name", "language", "revision")),
        PlaybookRevision.objects.count(),
        sorted(User.objects.values_list("username", "password", "full_name", "language", "is_superuser")),
        sorted(Organization.objects.values_list("slug", "name", "group_id")),
        sorted(Membership.objects.values_list("user__username", "organization__slug", "is_admin")),
    )


def test_it_creates_the_demo_people_of_the_design():
    call_command("seed_demo", stdout=io.StringIO())
    lumen = set(
        User.objects.filter(memberships__organization__slug="lumen").values_list("username", flat=True)
    )
    assert lumen == {
        "lead",
        "monitor",
        "responder",
        "spokesperson",
        "approver",
        "approver2",
        "observer",
        "member",
    }
    assert Membership.objects.get(user__username="lead").is_admin
    assert User.objects.get(username="admin").is_superuser
    outsider = User.objects.get(username="outsider")
    assert list(outsider.organizations.values_list("slug", flat=True)) == ["parcel-co"]
    assert User.objects.get(username="approver").check_password("demo")


def test_running_it_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first
