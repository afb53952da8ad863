"""Someone who left the organization stays in the playbook as a gap to fill, shown on its page
and in the admin, until an admin names someone else (incidents skip them meanwhile)."""

import pytest

from accounts import services as accounts_services
from accounts.models import Membership

pytestmark = pytest.mark.django_db


def leave(user, organization) -> None:
    accounts_services.membership_remove(
        membership=Membership.objects.get(user=user, organization=organization)
    )


class TestThePlaybookPage:
    def test_it_shows_who_left_and_the_role_left_without_a_primary(self, client, playbook, team, org):
        leave(team["approver"], org)
        client.force_login(team["member"])
        body = client.get(f"/playbooks/{playbook.pk}/").content.decode()
        assert "Left the organization" in body
        assert "<s>Approver</s>" in body
        assert "No primary for Approver: name someone in the admin site." in body
        assert "No primary for Incident lead" not in body

    def test_a_switched_off_account_is_a_gap_too(self, client, playbook, team):
        lead = type(team["lead"]).objects.get(pk=team["lead"].pk)
        lead.is_active = False
        lead.save(update_fields=["is_active"])
        client.force_login(team["member"])
        body = client.get(f"/playbooks/{playbook.pk}/").content.decode()
        assert "No primary for Incident lead" in body

    def test_no_gap_no_warning(self, client, playbook, team):
        client.force_login(team["member"])
        body = client.get(f"/playbooks/{playbook.pk}/").content.decode()
        assert "Left the organization" not in body
        assert "No primary for" not in body

    def test_the_page_still_uses_a_constant_number_of_queries(
        self, client, playbook, team, org, django_assert_max_num_queries
    ):
        leave(team["approver"], org)
        client.force_login(team["member"])
        with django_assert_max_num_queries(12):
            assert client.get(f"/playbooks/{playbook.pk}/").status_code == 200


class TestTheAdmin:
    def test_the_change_page_shows_the_gap(self, client, playbook, team, org):
        leave(team["approver"], org)
        client.force_login(team["lead"])
        body = client.get(f"/admin/playbooks/playbook/{playbook.pk}/change/").content.decode()
        assert "Left the organization: name someone else" in body
        assert "No primary for Approver: name someone below." in body
