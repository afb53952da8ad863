"""Sources that point inside: refused when saved (API 400 naming `url`, a form error in the admin) and,
when written around that, refused at every poll before any connection is made (crisisdesk.outbound).

The tests allow 127.0.0.1 for their local servers (conftest.py); `localhost` and the other names
below lead to the same server, so a request that got through would show on it."""

import pytest

from crisisdesk.testing import Answer
from incidents.tests.conftest import api_as
from monitoring import polling
from monitoring.models import Mention, Source

pytestmark = pytest.mark.django_db

REFUSED_AT_WRITE = [
    "http://localhost/feed.xml",
    "http://127.0.0.2/feed.xml",
    "http://[::1]/feed.xml",
    "http://10.0.0.1/feed.xml",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/feed.xml",
    "ftp://files.example/feed.xml",
    "file:///etc/passwd",
]


def inside_names(server) -> list[str]:
    port = server.url.rsplit(":", 1)[1]
    return [f"http://{host}:{port}" for host in ("localhost", "[::ffff:127.0.0.1]", "0.0.0.0", "2130706433")]


def post_source(user, **fields):
    return api_as(user).post("/api/v1/sources/", {"name": "Feed", **fields}, format="json")


class TestSavingASource:
    @pytest.mark.parametrize("url", REFUSED_AT_WRITE)
    def test_the_api_refuses_a_feed_inside_naming_url(self, org, team, url):
        response = post_source(team["lead"], organization=org.pk, kind="rss", url=url)
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["url"]
        assert not Source.objects.exists()

    def test_the_api_refuses_a_mastodon_server_inside_naming_url(self, org, team):
        response = post_source(
            team["lead"], organization=org.pk, kind="mastodon", url="http://localhost:3000", query="#lumen"
        )
        assert response.status_code == 400 and list(response.json()) == ["url"]

    @pytest.mark.parametrize("url", ["https://nowhere.invalid/feed.xml", "http://127.0.0.1:8080/feed.xml"])
    def test_a_host_that_does_not_resolve_yet_or_is_allowed_is_accepted(self, org, team, url):
        response = post_source(team["lead"], organization=org.pk, kind="rss", url=url)
        assert response.status_code == 201, response.content
        assert Source.objects.get().url == url

    def test_the_admin_shows_the_refusal_on_the_field(self, client, org, team):
        client.force_login(team["lead"])
        data = {"organization": org.pk, "kind": "rss", "name": "Feed", "query": "", "poll_every_minutes": 5}
        page = client.post("/admin/monitoring/source/add/", {**data, "url": "http://localhost/feed.xml"})
        assert page.status_code == 200
        assert "localhost is a local, private or reserved address" in page.content.decode()
        assert not Source.objects.exists()
        page = client.post("/admin/monitoring/source/add/", {**data, "url": "ftp://files.example/feed.xml"})
        assert page.status_code == 200 and "Only http:// and https://" in page.content.decode()
        saved = client.post("/admin/monitoring/source/add/", {**data, "url": "https://nowhere.invalid/f"})
        assert saved.status_code == 302 and Source.objects.count() == 1


class TestPollingASourceWrittenAroundTheChecks:
    """`QuerySet.update()` skips the model's checks; every poll checks again, before connecting."""

    @pytest.mark.parametrize("kind", ["rss", "mastodon"])
    def test_no_request_reaches_an_address_inside(self, org, local_server, kind):
        server = local_server(lambda request: Answer(200, "<rss/>" if kind == "rss" else []))
        source = Source.objects.create(organization=org, kind=kind, name="Feed", query="#lumen")
        for url in inside_names(server):
            Source.objects.filter(pk=source.pk).update(url=url, next_poll_at=None)
            source.refresh_from_db()
            assert polling.source_poll(source=source) is None
            source.refresh_from_db()
            assert "is a local, private or reserved address" in source.last_error
        assert server.received == []
        assert source.failures == 4 and not Mention.objects.exists()

    def test_a_redirect_inside_is_not_followed(self, org, local_server):
        inside = local_server(lambda request: Answer(200, "<rss/>"))
        outside = local_server(lambda request: Answer(302, "", {"Location": inside_names(inside)[0] + "/x"}))
        source = Source.objects.create(organization=org, kind="rss", name="Feed", url=outside.url + "/feed")
        assert polling.source_poll(source=source) is None
        source.refresh_from_db()
        assert source.failures == 1 and source.last_error.startswith("localhost is a local")
        assert inside.received == [] and len(outside.received) == 1

    def test_an_error_answer_is_kept_without_its_body(self, org, local_server):
        server = local_server(lambda request: Answer(404, "internal admin panel, token=abc123"))
        source = Source.objects.create(organization=org, kind="rss", name="Feed", url=server.url + "/f")
        polling.source_poll(source=source)
        source.refresh_from_db()
        assert source.last_error == "127.0.0.1 answered 404 (Not Found)."

    def test_a_mastodon_server_answering_something_else_than_json_is_an_error_not_a_crash(
        self, org, local_server
    ):
        server = local_server(lambda request: Answer(200, "<html>maintenance</html>"))
        source = Source.objects.create(
            organization=org, kind="mastodon", name="Masto", url=server.url, query="#lumen"
        )
        assert polling.source_poll(source=source) is None
        source.refresh_from_db()
        assert source.failures == 1 and source.last_error == "The Mastodon server did not answer JSON."
