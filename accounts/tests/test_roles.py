import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from accounts import services
from accounts.models import Organization, Role
from accounts.roles import IncidentPermission

pytestmark = pytest.mark.django_db

# The permission matrix of DESIGN.md, written out once more by hand on purpose.
MATRIX = {
    "lead": {
        "view_incident",
        "change_incident",
        "assign_roles",
        "add_timeline_entry",
        "manage_tasks",
        "link_mention",
        "draft_statement",
        "publish_statement",
        "edit_postmortem",
    },
    "monitor": {"view_incident", "add_timeline_entry", "manage_tasks", "link_mention"},
    "responder": {"view_incident", "add_timeline_entry", "manage_tasks", "draft_statement"},
    "spokesperson": {
        "view_incident",
        "add_timeline_entry",
        "manage_tasks",
        "draft_statement",
        "publish_statement",
    },
    "approver": {"view_incident", "approve_statement"},
    "observer": {"view_incident"},
}


class TestBuiltinRoles:
    def test_the_data_migration_creates_the_six_roles_of_the_design(self):
        roles = {role.slug: set(role.permissions) for role in Role.objects.filter(is_builtin=True)}
        assert roles == MATRIX

    def test_role_names_are_translated(self):
        from django.utils import translation

        lead = Role.objects.get(slug="lead")
        with translation.override("nl"):
            assert lead.display_name == "Incidentleider"
        with translation.override("en"):
            assert lead.display_name == "Incident lead"

    def test_it_rejects_an_unknown_permission(self):
        from django.core.exceptions import ValidationError

        role = Role(slug="x", name="X", permissions=["view_incident", "launch_rockets"])
        with pytest.raises(ValidationError, match="launch_rockets"):
            role.full_clean()


@pytest.fixture
def target(org) -> Organization:
    """An object carrying the incident permission codenames, so the guardian grants are real.

    The incidents app declares these codenames on Incident; accounts must not import it, so
    here they are created on the Organization content type to exercise the same code path.
    """
    content_type = ContentType.objects.get_for_model(Organization)
    for codename, label in IncidentPermission.choices:
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": label}
        )
    return org


def perms_on(user, obj) -> set[str]:
    user = type(user).objects.get(pk=user.pk)  # a fresh object: guardian caches per instance
    return {codename for codename in IncidentPermission.values if user.has_perm(codename, obj)}


class TestRoleGrants:
    def test_it_grants_every_permission_of_the_role_on_the_object(self, target, team):
        services.role_grant(role=Role.objects.get(slug="spokesperson"), user=team["member"], obj=target)
        assert perms_on(team["member"], target) == MATRIX["spokesperson"]

    def test_the_grant_is_on_that_object_only(self, target, other_org, team):
        services.role_grant(role=Role.objects.get(slug="lead"), user=team["member"], obj=target)
        assert perms_on(team["member"], other_org) == set()

    def test_it_revokes_the_permissions_of_the_role(self, target, team):
        approver = Role.objects.get(slug="approver")
        services.role_grant(role=approver, user=team["member"], obj=target)
        services.role_revoke(role=approver, user=team["member"], obj=target)
        assert perms_on(team["member"], target) == set()

    def test_revoke_keeps_what_another_role_still_grants(self, target, team):
        responder, monitor = Role.objects.get(slug="responder"), Role.objects.get(slug="monitor")
        services.role_grant(role=responder, user=team["member"], obj=target)
        services.role_grant(role=monitor, user=team["member"], obj=target)
        services.role_revoke(role=responder, user=team["member"], obj=target, kept_roles=[monitor])
        assert perms_on(team["member"], target) == MATRIX["monitor"]
        assert "draft_statement" not in perms_on(team["member"], target)

    def test_organization_grant_reaches_every_member_through_the_group(self, target, team, outsider):
        services.organization_grant(organization=target, codename="view_incident", obj=target)
        assert perms_on(team["member"], target) == {"view_incident"}
        assert perms_on(outsider, target) == set()
        services.organization_revoke(organization=target, codename="view_incident", obj=target)
        assert perms_on(team["member"], target) == set()
