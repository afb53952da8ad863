import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def token_for(api, username, password="demo"):
    response = api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


class TestTokenAuth:
    def test_it_gives_a_token_that_authenticates(self, api, team):
        token = token_for(api, "responder")
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = api.get("/api/v1/users/me/")
        assert response.status_code == 200
        assert response.json()["username"] == "responder"

    def test_it_gives_the_same_token_twice(self, api, team):
        assert token_for(api, "responder") == token_for(api, "responder")

    def test_it_refuses_a_wrong_password_with_400(self, api, team):
        response = api.post(
            "/api/v1/auth/token/", {"username": "responder", "password": "nope"}, format="json"
        )
        assert response.status_code == 400
        assert "non_field_errors" in response.json()

    def test_it_names_a_missing_field(self, api, team):
        response = api.post("/api/v1/auth/token/", {"username": "responder"}, format="json")
        assert response.status_code == 400
        assert "password" in response.json()

    def test_without_credentials_the_api_answers_401(self, api, team):
        assert api.get("/api/v1/users/me/").status_code == 401

    def test_a_bad_token_answers_401(self, api, team):
        api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert api.get("/api/v1/users/me/").status_code == 401

    def test_it_locks_out_after_repeated_failures(self, api, team, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            api.post("/api/v1/auth/token/", {"username": "lead", "password": "wrong"}, format="json")
        response = api.post("/api/v1/auth/token/", {"username": "lead", "password": "demo"}, format="json")
        assert response.status_code == 429
        assert "detail" in response.json()


class TestUsersAndOrganizations:
    @pytest.fixture
    def as_member(self, api, team):
        api.force_authenticate(team["member"])
        return api

    def test_me_describes_the_caller_and_their_memberships(self, as_member):
        body = as_member.get("/api/v1/users/me/").json()
        assert body["username"] == "member"
        assert body["memberships"] == [
            {
                "organization": {
                    "id": body["memberships"][0]["organization"]["id"],
                    "name": "Lumen Energy",
                    "slug": "lumen",
                    "two_factor_required": False,
                },
                "is_admin": False,
            }
        ]

    def test_users_lists_only_people_who_share_an_organization(self, as_member, outsider, team):
        body = as_member.get("/api/v1/users/").json()
        usernames = [row["username"] for row in body["results"]]
        assert usernames == sorted(team)
        assert "outsider" not in usernames
        assert set(body["results"][0]) == {"id", "username", "full_name", "language"}
        assert set(body) == {"count", "next", "previous", "results"}

    def test_a_user_of_another_organization_answers_404(self, as_member, outsider):
        assert as_member.get(f"/api/v1/users/{outsider.pk}/").status_code == 404

    def test_organizations_lists_only_the_callers(self, as_member, other_org, org):
        body = as_member.get("/api/v1/organizations/").json()
        assert body["results"] == [
            {"id": org.pk, "name": "Lumen Energy", "slug": "lumen", "two_factor_required": False}
        ]

    def test_another_organization_answers_404(self, as_member, other_org):
        assert as_member.get(f"/api/v1/organizations/{other_org.pk}/").status_code == 404

    def test_the_users_list_has_a_constant_number_of_queries(
        self, as_member, org, django_assert_max_num_queries
    ):
        from conftest import make_user

        for index in range(30):
            make_user(f"extra{index}", organization=org)
        # session-less force_authenticate: count, page of users
        with django_assert_max_num_queries(2):
            assert as_member.get("/api/v1/users/").status_code == 200


class TestSchema:
    def test_the_openapi_schema_is_served(self, api):
        response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        schema = response.json()
        assert "/api/v1/auth/token/" in schema["paths"]
        assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]

    def test_the_docs_page_uses_no_cdn(self, api):
        response = api.get("/api/docs/")
        assert response.status_code == 200
        assert b"cdn." not in response.content
        assert b"/static/drf_spectacular_sidecar/" in response.content
