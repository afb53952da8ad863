"""Demo organizations and people for `manage.py seed_demo`; running it twice changes nothing."""

from dataclasses import dataclass

from accounts import services
from accounts.models import Organization, User

DEMO_PASSWORD = "demo"

# username -> (full name, language, organization admin)
DEMO_TEAM = {
    "lead": ("Lotte de Vries", "en", True),
    "monitor": ("Sam Jansen", "en", False),
    "responder": ("Noah Bakker", "en", False),
    "spokesperson": ("Emma Visser", "en", False),
    "approver": ("Ruben Smit", "en", False),
    "approver2": ("Daan Meijer", "nl", False),
    "observer": ("Julia Mulder", "en", False),
    "member": ("Finn de Boer", "en", False),
}


@dataclass
class DemoAccounts:
    organization: Organization
    other_organization: Organization
    users: dict[str, User]


def _user(username: str, full_name: str, language: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "language": language, "email": f"{username}@example.com", **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _organization(name: str, slug: str) -> Organization:
    # The demo signs in with passwords alone, so that `make run` and the README's API examples work
    # as they are: the README shows how to turn two-factor sign-in on.
    return Organization.objects.filter(slug=slug).first() or services.organization_create(
        name=name, slug=slug, two_factor_required=False
    )


def seed() -> DemoAccounts:
    organization = _organization("Lumen Energy", "lumen")
    other = _organization("Parcel & Co", "parcel-co")
    users = {}
    for username, (full_name, language, is_admin) in DEMO_TEAM.items():
        users[username] = _user(username, full_name, language)
        services.membership_add(organization=organization, user=users[username], is_admin=is_admin)
    users["admin"] = _user("admin", "Site administrator", "en", is_staff=True, is_superuser=True)
    users["outsider"] = _user("outsider", "Olivia Outsider", "en")
    services.membership_add(organization=other, user=users["outsider"], is_admin=True)
    return DemoAccounts(organization=organization, other_organization=other, users=users)
