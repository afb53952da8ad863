import pytest

from incidents import services
from incidents.tests.conftest import open_incident

pytestmark = pytest.mark.django_db


class TestIncidentPages:
    def test_the_list_shows_visible_incidents(self, client, incident, restricted_incident, team):
        client.force_login(team["member"])
        response = client.get("/incidents/")
        assert b"App down" in response.content and b"Leaked memo" not in response.content

    def test_the_room_shows_the_incident_timeline_tasks_and_roles(self, client, incident, team):
        services.timeline_add(
            incident=incident, acting_user=team["monitor"], body="Volume tripled on Mastodon"
        )
        services.task_create(incident=incident, acting_user=team["lead"], title="Call IT")
        client.force_login(team["observer"])
        response = client.get(f"/incidents/{incident.pk}/")
        assert response.status_code == 200
        for text in (b"App down", b"Volume tripled on Mastodon", b"Call IT", b"Approver"):
            assert text in response.content

    def test_a_drill_shows_a_banner(self, client, org, team, roles):
        drill = open_incident(org, team, roles, title="Practice", is_drill=True)
        client.force_login(team["lead"])
        assert b"training incident" in client.get(f"/incidents/{drill.pk}/").content

    def test_an_outsider_and_a_member_of_a_restricted_room_get_404(
        self, client, incident, restricted_incident, team, outsider
    ):
        client.force_login(outsider)
        assert client.get(f"/incidents/{incident.pk}/").status_code == 404
        client.force_login(team["member"])
        assert client.get(f"/incidents/{restricted_incident.pk}/").status_code == 404

    def test_the_room_uses_a_constant_number_of_queries(
        self, client, incident, team, django_assert_max_num_queries
    ):
        client.force_login(team["observer"])
        with django_assert_max_num_queries(20) as few:
            client.get(f"/incidents/{incident.pk}/")
        for n in range(40):
            services.timeline_add(incident=incident, acting_user=team["monitor"], body=f"entry {n}")
            services.task_create(incident=incident, acting_user=team["lead"], title=f"task {n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(f"/incidents/{incident.pk}/")
