import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class TestSignIn:
    def test_the_sign_in_page_renders(self, client):
        response = client.get("/accounts/login/")
        assert response.status_code == 200
        assert b'name="username"' in response.content

    def test_it_signs_in_and_lands_on_the_dashboard(self, client, team):
        response = client.post("/accounts/login/", {"username": "lead", "password": "demo"}, follow=True)
        assert response.redirect_chain[-1][0] == "/"
        assert b"What needs attention" in response.content

    def test_a_wrong_password_shows_a_form_error(self, client, team):
        response = client.post("/accounts/login/", {"username": "lead", "password": "nope"})
        assert response.status_code == 200
        assert b"form-errors" in response.content

    def test_the_dashboard_needs_a_sign_in(self, client):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_it_signs_out_with_a_post(self, client, team):
        client.force_login(team["lead"])
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/").status_code == 302


class TestSignInThrottle:
    def fail(self, client, username, times):
        for _ in range(times):
            client.post("/accounts/login/", {"username": username, "password": "wrong"})

    def test_it_locks_out_after_repeated_failures(self, client, team, settings):
        self.fail(client, "lead", settings.AXES_FAILURE_LIMIT)
        response = client.post("/accounts/login/", {"username": "lead", "password": "demo"})
        assert response.status_code == 429
        assert b"Too many failed sign-ins" in response.content

    def test_a_stranger_cannot_lock_out_a_colleague_from_another_address(self, team, settings):
        stranger = Client(REMOTE_ADDR="203.0.113.9")
        self.fail(stranger, "lead", settings.AXES_FAILURE_LIMIT + 2)
        colleague = Client(REMOTE_ADDR="198.51.100.7")
        response = colleague.post("/accounts/login/", {"username": "lead", "password": "demo"})
        assert response.status_code == 302

    def test_other_usernames_are_not_locked(self, client, team, settings):
        self.fail(client, "lead", settings.AXES_FAILURE_LIMIT)
        response = client.post("/accounts/login/", {"username": "monitor", "password": "demo"})
        assert response.status_code == 302


class TestLanguages:
    def test_a_dutch_speaking_user_gets_dutch_pages(self, client, org):
        from conftest import make_user

        client.force_login(make_user("daan", organization=org, language="nl"))
        response = client.get("/")
        assert response["Content-Language"] == "nl"
        assert b"Wat aandacht vraagt" in response.content
        assert b'<html lang="nl">' in response.content

    def test_an_english_speaking_user_gets_english_pages(self, client, team):
        client.force_login(team["monitor"])
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="nl")
        assert b"What needs attention" in response.content

    def test_the_sign_in_page_follows_the_browser_language(self, client):
        response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="nl")
        assert b"Inloggen" in response.content

    def test_the_language_switch_saves_the_profile(self, client, team):
        client.force_login(team["monitor"])
        response = client.post("/accounts/language/", {"language": "nl", "next": "/"})
        assert response.status_code == 302
        team["monitor"].refresh_from_db()
        assert team["monitor"].language == "nl"
        assert b"Wat aandacht vraagt" in client.get("/").content

    def test_the_language_switch_refuses_a_foreign_next(self, client, team):
        response = client.post("/accounts/language/", {"language": "nl", "next": "https://evil.example/"})
        assert response["Location"] == "/"


class TestProfile:
    def test_it_saves_language_and_time_zone(self, client, team):
        client.force_login(team["monitor"])
        response = client.post(
            "/accounts/profile/",
            {
                "full_name": "Sam J",
                "email": "sam@example.com",
                "language": "nl",
                "time_zone": "Europe/London",
            },
        )
        assert response.status_code == 302
        team["monitor"].refresh_from_db()
        assert (team["monitor"].language, team["monitor"].time_zone) == ("nl", "Europe/London")

    def test_an_unknown_time_zone_is_a_form_error(self, client, team):
        client.force_login(team["monitor"])
        response = client.post(
            "/accounts/profile/",
            {"full_name": "Sam", "email": "", "language": "en", "time_zone": "Mars/Olympus"},
        )
        assert response.status_code == 200
        assert b"field-error" in response.content
        team["monitor"].refresh_from_db()
        assert team["monitor"].time_zone == "Europe/Amsterdam"
