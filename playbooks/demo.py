"""Demo playbooks: five scenarios, each in English and Dutch, for `manage.py seed_demo`."""

from accounts.demo import DemoAccounts
from accounts.models import Role
from playbooks import services
from playbooks.demo_content import SCENARIOS
from playbooks.models import Playbook

# role slug -> [(demo username, primary or backup)]
DEMO_ASSIGNMENTS = {
    "lead": [("lead", "primary"), ("spokesperson", "backup")],
    "monitor": [("monitor", "primary"), ("responder", "backup")],
    "responder": [("responder", "primary")],
    "spokesperson": [("spokesperson", "primary"), ("lead", "backup")],
    "approver": [("approver", "primary"), ("approver2", "primary")],
    "observer": [("observer", "primary")],
}


def seed(accounts: DemoAccounts) -> dict[str, Playbook]:
    """Create the demo playbooks that do not exist yet; returns them by "key:language"."""
    roles = {role.slug: role for role in Role.objects.all()}
    lead = accounts.users["lead"]
    assignments = [
        {"role": roles[slug], "user": accounts.users[username], "kind": kind}
        for slug, people in DEMO_ASSIGNMENTS.items()
        for username, kind in people
    ]
    playbooks = {}
    for scenario in SCENARIOS:
        for language in ("en", "nl"):
            content = scenario[language]
            existing = Playbook.objects.filter(
                organization=accounts.organization, name=content["name"], language=language
            ).first()
            playbooks[f"{scenario['key']}:{language}"] = existing or services.playbook_create(
                organization=accounts.organization,
                acting_user=lead,
                name=content["name"],
                description=content["description"],
                language=language,
                trigger_keywords=content["trigger_keywords"],
                steps=[{**step, "role": roles[step["role"]]} for step in content["steps"]],
                role_assignments=assignments,
                templates=[{**template, "language": language} for template in content["templates"]],
            )
    return playbooks
