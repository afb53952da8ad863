"""Each protection, tested: CSP, CSRF, throttles, session expiry, admin for staff, health check."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from incidents.tests.conftest import open_incident

pytestmark = pytest.mark.django_db


class TestContentSecurityPolicy:
    def test_pages_send_a_strict_policy(self, client, team):
        client.force_login(team["lead"])
        policy = client.get("/")["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy

    def test_pages_carry_no_inline_script_or_style(self, client, team, org, roles):
        incident = open_incident(org, team, roles)
        client.force_login(team["lead"])
        for url in (
            "/",
            "/incidents/",
            f"/incidents/{incident.pk}/",
            f"/incidents/{incident.pk}/postmortem/",
            "/playbooks/",
            "/monitoring/",
            "/accounts/profile/",
        ):
            html = client.get(url).content.decode()
            for tag in html.split("<script")[1:]:
                assert tag.split(">", 1)[0].strip().startswith("src=") or " src=" in tag.split(">", 1)[0], url
            assert " style=" not in html and "<style" not in html, url


class TestCsrf:
    def test_every_page_form_needs_the_token(self, team, org, roles):
        incident = open_incident(org, team, roles)
        client = Client(enforce_csrf_checks=True)
        client.force_login(team["lead"])
        for url, data in (
            (f"/incidents/{incident.pk}/timeline/add/", {"entry-body": "x"}),
            (f"/incidents/{incident.pk}/transition/", {"to": "acknowledged"}),
            ("/accounts/language/", {"language": "nl"}),
            ("/accounts/logout/", {}),
        ):
            assert client.post(url, data).status_code == 403, url
        assert not incident.timeline.filter(body="x").exists()

    def test_the_api_with_a_session_needs_the_token_too(self, team, org):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(team["lead"])
        response = client.post("/api/v1/incidents/", {"organization": org.pk, "title": "x"}, format="json")
        assert response.status_code == 403


class TestThrottles:
    def test_writes_are_limited_per_person_and_reads_are_not(self, team, org, roles, settings):
        settings.API_WRITE_RATE = "3/min"
        incident = open_incident(org, team, roles)
        client = APIClient()
        client.force_authenticate(team["monitor"])
        url = f"/api/v1/incidents/{incident.pk}/timeline/"
        codes = [client.post(url, {"body": f"n{n}"}, format="json").status_code for n in range(4)]
        assert codes == [201, 201, 201, 429]
        assert all(client.get(url).status_code == 200 for _ in range(10))
        other = APIClient()
        other.force_authenticate(team["lead"])
        assert other.post(url, {"body": "someone else"}, format="json").status_code == 201


class TestSessions:
    def test_a_session_expires(self, client, team, settings):
        client.post("/accounts/login/", {"username": "lead", "password": "demo"})
        assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE <= 12 * 3600


class TestAdmin:
    def test_the_admin_is_for_staff_only(self, client, team):
        client.force_login(team["monitor"])
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


class TestHealth:
    def test_healthz_reports_database_and_broker(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


class TestOutOfRangeIds:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/alerts/99999999999999999999/",
            "/api/v1/incidents/99999999999999999999/",
            "/api/v1/incidents/99999999999999999999/timeline/",
            "/incidents/99999999999999999999/",
        ],
    )
    def test_an_id_past_the_database_range_is_a_404(self, client, team, url):
        client.force_login(team["lead"])
        assert client.get(url).status_code == 404

    def test_an_api_404_is_json(self, client, team):
        client.force_login(team["lead"])
        response = client.get("/api/v1/incidents/99999999999999999999/")
        assert response.json() == {"detail": "Not found."}

    def test_a_huge_number_in_a_body_is_a_400(self, team, org):
        client = APIClient()
        client.force_authenticate(team["lead"])
        response = client.post("/api/v1/incidents/", {"organization": 10**30, "title": "x"}, format="json")
        assert response.status_code == 400
