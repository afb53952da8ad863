import pytest

from accounts import selectors, services
from accounts.models import Membership
from conftest import make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)


class TestMemberships:
    def test_a_member_sees_their_organization_through_its_group(self, org, other_org):
        user = make_user("sam", organization=org)
        assert fresh(user).has_perm("accounts.view_organization", org)
        assert not fresh(user).has_perm("accounts.view_organization", other_org)
        assert list(selectors.organizations_visible_to(user)) == [org]

    def test_an_admin_may_author_playbooks_and_becomes_staff(self, org):
        user = make_user("lotte", organization=org, is_admin=True)
        assert fresh(user).has_perm("accounts.author_playbooks", org)
        assert fresh(user).is_staff
        assert list(selectors.organizations_administered_by(user)) == [org]

    def test_dropping_the_admin_flag_revokes_authoring(self, org):
        user = make_user("lotte", organization=org, is_admin=True)
        services.membership_add(organization=org, user=user, is_admin=False)
        assert not fresh(user).has_perm("accounts.author_playbooks", org)
        assert fresh(user).has_perm("accounts.view_organization", org)

    def test_an_admin_of_no_organization_any_more_is_no_longer_staff(self, org, other_org):
        user = make_user("lotte", organization=org, is_admin=True)
        services.membership_add(organization=other_org, user=user, is_admin=True)
        services.membership_add(organization=org, user=user, is_admin=False)
        assert fresh(user).is_staff  # still the admin of the other one
        services.membership_remove(membership=Membership.objects.get(user=user, organization=other_org))
        assert not fresh(user).is_staff

    def test_a_superuser_stays_staff(self, org):
        user = make_user("root", organization=org, is_admin=True)
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
        services.membership_add(organization=org, user=user, is_admin=False)
        assert fresh(user).is_staff

    def test_a_member_made_staff_by_hand_stays_staff_on_joining(self, org, other_org):
        user = make_user("helpdesk")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        services.membership_add(organization=org, user=user)
        assert fresh(user).is_staff

    def test_removing_a_membership_removes_all_access(self, org):
        user = make_user("lotte", organization=org, is_admin=True)
        services.membership_remove(membership=Membership.objects.get(user=user))
        assert not fresh(user).has_perm("accounts.view_organization", org)
        assert not fresh(user).has_perm("accounts.author_playbooks", org)

    def test_a_superuser_sees_no_organization_in_the_product_without_membership(self, org):
        admin = make_user("root")
        admin.is_superuser = True
        admin.save()
        assert list(selectors.organizations_visible_to(admin)) == []
