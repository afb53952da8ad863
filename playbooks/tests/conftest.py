import pytest

from playbooks import services


@pytest.fixture
def playbook(org, team, roles):
    return services.playbook_create(
        organization=org,
        acting_user=team["lead"],
        name="Service outage",
        description="The app is down and customers complain.",
        trigger_keywords=["storing", "outage"],
        steps=[
            {"title": "Confirm the facts", "role": roles["monitor"], "due_after_minutes": 5},
            {"title": "Post the holding statement", "role": roles["spokesperson"], "due_after_minutes": 30},
        ],
        role_assignments=[
            {"role": roles["lead"], "user": team["lead"], "kind": "primary"},
            {"role": roles["approver"], "user": team["approver"], "kind": "primary"},
            {"role": roles["approver"], "user": team["approver2"], "kind": "backup"},
        ],
        templates=[
            {
                "name": "Holding",
                "kind": "holding",
                "body": "{organization} knows about {incident_title}. Next update at {next_update}.",
            },
        ],
    )
