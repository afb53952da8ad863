"""Editing a role's permissions (accounts.services.role_update_permissions, the admin's Role page)
changes what everyone who holds the role may do, on every incident, at once."""

import pytest

from accounts import services as accounts_services
from accounts.models import Role, User
from incidents import selectors, services
from incidents.tests.conftest import open_incident

pytestmark = pytest.mark.django_db


def perms(user: User, incident) -> set[str]:
    fresh = User.objects.get(pk=user.pk)  # guardian caches per instance
    granted = {
        codename
        for codename in selectors.INCIDENT_CODENAMES
        if fresh.has_perm(f"incidents.{codename}", incident)
    }
    assert granted == selectors.incident_permissions(fresh, incident.pk)  # the poll's query agrees
    return granted


@pytest.fixture
def press(db) -> Role:
    return Role.objects.create(
        slug="press", name="Press officer", permissions=["view_incident", "draft_statement"]
    )


@pytest.fixture
def incidents(org, team, roles, press):
    """Two incidents; `member` is press officer on both, and also monitor on the first."""
    first = open_incident(org, team, roles, title="First", restricted=True)
    second = open_incident(org, team, roles, title="Second", restricted=True)
    for incident in (first, second):
        services.role_assign(incident=incident, user=team["member"], role=press, acting_user=team["lead"])
    services.role_assign(incident=first, user=team["member"], role=roles["monitor"], acting_user=team["lead"])
    return first, second


class TestRoleUpdatePermissions:
    def test_a_permission_added_reaches_every_holder_on_every_incident(self, incidents, team, press):
        accounts_services.role_update_permissions(
            role=press, permissions=["view_incident", "draft_statement", "publish_statement"]
        )
        for incident in incidents:
            assert "publish_statement" in perms(team["member"], incident)
        assert "publish_statement" not in perms(team["observer"], incidents[0])

    def test_a_permission_dropped_goes_unless_another_role_there_grants_it(
        self, incidents, team, press, roles
    ):
        services.role_assign(
            incident=incidents[0], user=team["member"], role=roles["responder"], acting_user=team["lead"]
        )
        accounts_services.role_update_permissions(role=press, permissions=["view_incident"])
        first, second = incidents
        assert "draft_statement" in perms(team["member"], first)  # responder there still drafts
        assert "draft_statement" not in perms(team["member"], second)
        assert "view_incident" in perms(team["member"], second)

    def test_taking_view_away_keeps_it_where_another_role_gives_it(self, incidents, team, press):
        accounts_services.role_update_permissions(role=press, permissions=["draft_statement"])
        first, second = incidents
        assert "view_incident" in perms(team["member"], first)  # monitor there
        assert "view_incident" not in perms(team["member"], second)

    def test_the_role_is_saved_with_its_new_permissions(self, incidents, press):
        accounts_services.role_update_permissions(role=press, permissions=["view_incident", "link_mention"])
        assert Role.objects.get(pk=press.pk).permissions == ["view_incident", "link_mention"]

    def test_an_unknown_permission_changes_nothing(self, incidents, team, press):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError, match="launch_rockets"):
            accounts_services.role_update_permissions(
                role=press, permissions=["view_incident", "launch_rockets"]
            )
        assert Role.objects.get(pk=press.pk).permissions == ["view_incident", "draft_statement"]
        assert "draft_statement" in perms(team["member"], incidents[1])

    def test_a_role_assigned_afterwards_grants_the_new_set(self, org, team, roles, press):
        accounts_services.role_update_permissions(role=press, permissions=["view_incident", "manage_tasks"])
        incident = open_incident(org, team, roles, title="Later", restricted=True)
        services.role_assign(incident=incident, user=team["member"], role=press, acting_user=team["lead"])
        assert perms(team["member"], incident) == {"view_incident", "manage_tasks"}


class TestTheRoleAdmin:
    @pytest.fixture
    def superuser(self, db):
        return User.objects.create_superuser(username="root", password="demo")

    def test_saving_a_built_in_role_resyncs_its_holders(self, client, superuser, incidents, team, roles):
        client.force_login(superuser)
        observer = roles["observer"]
        response = client.post(
            f"/admin/accounts/role/{observer.pk}/change/",
            {"name": observer.name, "permissions": ["view_incident", "add_timeline_entry"]},
        )
        assert response.status_code == 302, response.content[:2000]
        assert "add_timeline_entry" in perms(team["observer"], incidents[0])
        assert "add_timeline_entry" in perms(team["observer"], incidents[1])

    def test_taking_a_permission_out_in_the_admin_revokes_it(self, client, superuser, incidents, team, press):
        client.force_login(superuser)
        response = client.post(
            f"/admin/accounts/role/{press.pk}/change/",
            {"slug": "press", "name": "Press officer", "permissions": ["view_incident"]},
        )
        assert response.status_code == 302, response.content[:2000]
        assert "draft_statement" not in perms(team["member"], incidents[1])
