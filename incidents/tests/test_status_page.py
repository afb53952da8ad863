import xml.etree.ElementTree as ET

import pytest

from incidents.models import Statement
from incidents.tests.conftest import act, draft, open_incident

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def published(incident, team, body):
    statement = draft(incident, team, body=body)
    act(team, "responder", statement["id"], "submit")
    act(team, "approver", statement["id"], "approve")
    act(team, "approver2", statement["id"], "approve")
    act(team, "spokesperson", statement["id"], "publish", {"url": "https://social.example/1"})
    return Statement.objects.get(pk=statement["id"])


@pytest.fixture
def statements(org, team, roles, manual_channel):
    """Published public ones, plus every kind that must not show."""
    public = open_incident(org, team, roles, title="App down")
    first = published(public, team, "We know the app is down. Sorry. Next update at 10:00.")
    second = published(public, team, "The app works again. Thank you for your patience.")
    draft(public, team, body="A draft nobody may see yet")
    pending = draft(public, team, body="Waiting for approval")
    act(team, "responder", pending["id"], "submit")
    drill = open_incident(org, team, roles, title="Drill", is_drill=True)
    published(drill, team, "Drill statement, never public")
    hidden = open_incident(org, team, roles, title="Restricted", restricted=True)
    published(hidden, team, "Restricted statement, never public")
    return [second, first]


class TestStatusPage:
    def test_it_shows_exactly_the_published_public_statements_newest_first(self, client, statements):
        response = client.get("/status/lumen/")
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("The app works again") < html.index("We know the app is down")
        for secret in ("A draft nobody", "Waiting for approval", "Drill statement", "Restricted statement"):
            assert secret not in html

    def test_it_needs_no_sign_in_and_an_unknown_organization_is_404(self, client, statements, other_org):
        assert client.get("/status/nobody/").status_code == 404
        assert client.get("/status/parcel-co/").status_code == 200

    def test_another_organizations_page_shows_none_of_ours(self, client, statements, other_org):
        assert "The app works again" not in client.get("/status/parcel-co/").content.decode()


class TestStatusFeed:
    def test_the_atom_feed_has_exactly_the_published_public_statements(self, client, statements):
        response = client.get("/status/lumen/feed/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.content)
        entries = feed.findall(f"{ATOM}entry")
        assert [entry.find(f"{ATOM}summary").text for entry in entries] == [s.body for s in statements]
        assert all(entry.find(f"{ATOM}updated").text for entry in entries)

    def test_the_page_uses_a_constant_number_of_queries(
        self, client, statements, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(3):
            client.get("/status/lumen/")
