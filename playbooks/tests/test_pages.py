import pytest

from playbooks import services

pytestmark = pytest.mark.django_db


class TestPlaybookPages:
    def test_a_member_reads_the_list(self, client, playbook, team):
        client.force_login(team["observer"])
        response = client.get("/playbooks/")
        assert response.status_code == 200
        assert b"Service outage" in response.content

    def test_a_member_reads_the_detail(self, client, playbook, team):
        client.force_login(team["member"])
        response = client.get(f"/playbooks/{playbook.pk}/")
        assert response.status_code == 200
        for text in (b"Confirm the facts", b"Post the holding statement", b"Approver", b"Revision 1"):
            assert text in response.content
        assert b"Edit in the admin site" not in response.content

    def test_an_admin_gets_the_edit_link(self, client, playbook, team):
        client.force_login(team["lead"])
        assert b"Edit in the admin site" in client.get(f"/playbooks/{playbook.pk}/").content

    def test_an_outsider_gets_404(self, client, playbook, outsider):
        client.force_login(outsider)
        assert client.get(f"/playbooks/{playbook.pk}/").status_code == 404
        assert b"Service outage" not in client.get("/playbooks/").content

    def test_an_old_revision_stays_readable(self, client, playbook, team, roles):
        services.playbook_update(
            playbook=playbook,
            acting_user=team["lead"],
            change_note="Shorter",
            steps=[{"title": "Only step", "role": roles["lead"], "due_after_minutes": 1}],
        )
        client.force_login(team["member"])
        old = client.get(f"/playbooks/{playbook.pk}/revisions/1/")
        assert old.status_code == 200
        assert b"Confirm the facts" in old.content and b"old revision" in old.content
        assert b"Only step" in client.get(f"/playbooks/{playbook.pk}/revisions/2/").content

    def test_the_pages_are_in_dutch_for_a_dutch_user(self, client, playbook, team):
        team["approver2"].language = "nl"
        team["approver2"].save()
        client.force_login(team["approver2"])
        response = client.get(f"/playbooks/{playbook.pk}/")
        assert b"Stappen" in response.content
        assert b"Draaiboeken" in client.get("/playbooks/").content

    def test_the_detail_page_uses_a_constant_number_of_queries(
        self, client, playbook, team, roles, django_assert_max_num_queries
    ):
        client.force_login(team["member"])
        services.playbook_update(
            playbook=playbook,
            acting_user=team["lead"],
            steps=[
                {"title": f"Step {n}", "role": roles["responder"], "due_after_minutes": n} for n in range(40)
            ],
        )
        with django_assert_max_num_queries(12):
            assert client.get(f"/playbooks/{playbook.pk}/").status_code == 200
