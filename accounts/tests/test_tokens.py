"""An API token lives until its owner revokes it, changes their password or is switched off."""

import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def token(team) -> str:
    return Token.objects.create(user=team["responder"]).key


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def alive(key: str) -> bool:
    return Token.objects.filter(key=key).exists()


class TestRevokingYourOwnToken:
    def test_delete_revokes_the_token_it_is_authenticated_by(self, token):
        client = client_with(token)
        assert client.delete("/api/v1/auth/token/").status_code == 204
        assert not alive(token)
        assert client.get("/api/v1/users/me/").status_code == 401

    def test_delete_without_a_token_answers_401(self, token):
        response = APIClient().delete("/api/v1/auth/token/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert alive(token)

    def test_delete_with_a_wrong_token_answers_401(self, token):
        assert client_with("not-a-token").delete("/api/v1/auth/token/").status_code == 401
        assert alive(token)

    def test_a_session_cannot_revoke_a_token_it_does_not_carry(self, token, team, client):
        client.force_login(team["responder"])
        assert client.delete("/api/v1/auth/token/").status_code == 401
        assert alive(token)

    def test_the_post_stays_unauthenticated_even_with_a_stale_token_header(self, token):
        client = client_with("stale-token-of-yesterday")
        response = client.post(
            "/api/v1/auth/token/", {"username": "responder", "password": "demo"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["token"] == token

    def test_a_new_token_after_revoking_is_another_one(self, token):
        client_with(token).delete("/api/v1/auth/token/")
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "responder", "password": "demo"}, format="json"
        )
        assert response.json()["token"] != token

    def test_the_schema_documents_204_and_401(self, client):
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        delete = schema["paths"]["/api/v1/auth/token/"]["delete"]
        assert {"204", "401"} <= set(delete["responses"])
        assert delete["security"] == [{"tokenAuth": []}]


class TestCredentialsChangeEndsTheToken:
    def test_set_password_and_save(self, token, team):
        user = fresh(team["responder"])
        user.set_password("a-new-long-passphrase")
        user.save()
        assert not alive(token)

    def test_set_password_with_update_fields(self, token, team):
        user = fresh(team["responder"])
        user.set_password("a-new-long-passphrase")
        user.save(update_fields=["password"])
        assert not alive(token)

    def test_a_hash_written_directly(self, token, team):
        user = fresh(team["responder"])
        user.password = make_password("a-new-long-passphrase")
        user.save(update_fields=["password"])
        assert not alive(token)

    def test_an_unusable_password(self, token, team):
        user = fresh(team["responder"])
        user.set_unusable_password()
        user.save()
        assert not alive(token)

    def test_switching_the_account_off(self, token, team):
        user = fresh(team["responder"])
        user.is_active = False
        user.save(update_fields=["is_active"])
        assert not alive(token)
        assert client_with(token).get("/api/v1/users/me/").status_code == 401

    def test_other_saves_keep_it(self, token, team):
        user = fresh(team["responder"])
        user.full_name = "Noah B."
        user.save()
        user.save(update_fields=["language"])
        assert alive(token)

    def test_a_hash_upgraded_at_sign_in_keeps_it(self, token, team, settings):
        settings.PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
        before = fresh(team["responder"]).password
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "responder", "password": "demo"}, format="json"
        )
        assert response.json()["token"] == token
        assert fresh(team["responder"]).password != before  # upgraded to PBKDF2
        assert alive(token)

    def test_the_password_change_page(self, token, team, client):
        client.force_login(team["responder"])
        assert client.get("/accounts/password/").status_code == 200
        response = client.post(
            "/accounts/password/",
            {
                "old_password": "demo",
                "new_password1": "a-new-long-passphrase",
                "new_password2": "a-new-long-passphrase",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/done/"
        assert not alive(token)
        assert client.get("/accounts/password/done/").status_code == 200  # still signed in here

    def test_the_admin_password_form(self, token, team, client):
        root = User.objects.create_superuser(username="root", password="demo")
        client.force_login(root)
        response = client.post(
            f"/admin/accounts/user/{team['responder'].pk}/password/",
            {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
        )
        assert response.status_code == 302, response.content[:2000]
        assert not alive(token)

    def test_the_admin_switching_an_account_off(self, token, team, client):
        root = User.objects.create_superuser(username="root", password="demo")
        client.force_login(root)
        user = team["responder"]
        response = client.post(
            f"/admin/accounts/user/{user.pk}/change/",
            {
                "username": user.username,
                "full_name": user.full_name,
                "email": user.email,
                "language": user.language,
                "time_zone": user.time_zone,
                "is_staff": "",
                "last_login_0": "",
                "last_login_1": "",
                "date_joined_0": "2026-01-01",
                "date_joined_1": "10:00:00",
            },
        )
        assert response.status_code == 302, response.content[:3000]
        assert not fresh(user).is_active
        assert not alive(token)
