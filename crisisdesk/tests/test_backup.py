"""The demo survives a dumpdata / loaddata round trip (the database-neutral backup path)."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "playbooks", "incidents", "monitoring", "guardian"}
    }


def test_dumpdata_and_loaddata_round_trip_the_demo(builtin_roles, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    before = counts()
    dump = tmp_path / "crisisdesk.json"
    with dump.open("w") as out:
        call_command(
            "dumpdata",
            "--natural-foreign",
            "--natural-primary",
            *[f"--exclude={e}" for e in EXCLUDED],
            stdout=out,
        )
    call_command("flush", "--noinput", verbosity=0)
    assert counts()["incidents.Incident"] == 0
    call_command("loaddata", str(dump), verbosity=0)
    assert counts() == before
    from incidents.models import Incident

    live = Incident.objects.get(title="App and customer service unreachable")
    lead = live.role_assignments.filter(role__slug="lead").first().user
    assert lead.has_perm("incidents.change_incident", live)  # the object permissions came back too
