"""Two-factor sign-in: setting it up, signing in with it, recovery codes, the API token."""

import re
import threading

import pyotp
import pytest
from django.db import connection
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services, two_factor
from accounts.models import SecurityEvent
from conftest import make_user

SECRET = re.compile(r"data-secret>([A-Z2-7 ]+)<")


def secret_on(page: str) -> str:
    return SECRET.search(page).group(1).replace(" ", "")


def code_for(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def next_code(user, secret: str) -> str:
    """The app's next code: the one used to set it up cannot be used again (django-otp keeps the
    last time step used)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return pyotp.TOTP(secret).at((device.last_t + 1) * device.step)


def set_up(client, user) -> tuple[str, list[str]]:
    """Set up two-factor sign-in through the pages; answers the secret and the recovery codes."""
    client.force_login(user)
    secret = secret_on(client.get("/accounts/two-factor/").content.decode())
    page = client.post("/accounts/two-factor/", {"code": code_for(secret), "password": "demo"})
    assert page.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    client.logout()
    return secret, codes


def kinds(user) -> list[str]:
    """What the log holds of `user`, but the sign-ins of the tests' force_login."""
    events = SecurityEvent.objects.filter(actor=user.username).exclude(kind="signed_in", address=None)
    return list(events.order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def person(org):
    return make_user("approver2", organization=org)


class TestSettingItUp:
    def test_the_secret_shown_gives_the_codes_the_app_would(self, client, person):
        client.force_login(person)
        first = client.get("/accounts/two-factor/").content.decode()
        again = client.get("/accounts/two-factor/").content.decode()
        assert secret_on(first) == secret_on(again), "a reload keeps the secret the app scanned"
        assert "<svg" in first, "a QR code to scan"
        page = client.post("/accounts/two-factor/", {"code": code_for(secret_on(first)), "password": "demo"})
        codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
        assert len(codes) == two_factor.RECOVERY_CODES
        assert two_factor.is_enabled(person)
        assert kinds(person) == ["two_factor_enabled"]

    def test_a_wrong_code_is_refused_and_logged(self, client, person):
        client.force_login(person)
        client.get("/accounts/two-factor/")
        page = client.post("/accounts/two-factor/", {"code": "000000", "password": "demo"})
        assert "That code is not right" in page.content.decode()
        assert not two_factor.is_enabled(person)
        assert kinds(person) == ["two_factor_failed"]

    def test_the_password_is_asked_again(self, client, person):
        client.force_login(person)
        secret = secret_on(client.get("/accounts/two-factor/").content.decode())
        page = client.post("/accounts/two-factor/", {"code": code_for(secret), "password": "wrong"})
        assert "That is not your password." in page.content.decode()
        assert not two_factor.is_enabled(person)

    def test_setting_it_up_revokes_the_token_had_with_a_password_alone(self, client, person):
        Token.objects.create(user=person)
        set_up(client, person)
        assert not Token.objects.filter(user=person).exists()


class TestSigningIn:
    def test_the_password_alone_signs_nobody_in(self, client, person):
        secret, _codes = set_up(client, person)
        answer = client.post("/accounts/login/", {"username": "approver2", "password": "demo"})
        assert answer.headers["Location"] == "/accounts/login/code/"
        assert client.get("/").status_code == 302, "not signed in between the two steps"
        answer = client.post("/accounts/login/code/", {"code": next_code(person, secret)})
        assert answer.status_code == 302 and answer.headers["Location"] == "/"
        assert client.get("/").status_code == 200
        assert kinds(person)[-1] == "signed_in"

    def test_a_wrong_code_is_refused_and_logged(self, client, person):
        set_up(client, person)
        client.post("/accounts/login/", {"username": "approver2", "password": "demo"})
        page = client.post("/accounts/login/code/", {"code": "123456"})
        assert page.status_code == 200 and "That code is not right" in page.content.decode()
        assert client.get("/").status_code == 302
        assert kinds(person)[-1] == "two_factor_failed"

    def test_a_recovery_code_works_once(self, client, person):
        _secret, codes = set_up(client, person)
        client.post("/accounts/login/", {"username": "approver2", "password": "demo"})
        answer = client.post("/accounts/login/code/", {"code": codes[0].upper()})
        assert answer.status_code == 302
        assert kinds(person)[-2:] == ["recovery_code_used", "signed_in"]
        client.logout()
        client.post("/accounts/login/", {"username": "approver2", "password": "demo"})
        page = client.post("/accounts/login/code/", {"code": codes[0]})
        assert "That code is not right" in page.content.decode()
        assert StaticToken.objects.filter(device__user=person).count() == two_factor.RECOVERY_CODES - 1

    def test_the_code_step_waits_five_minutes_at_most(self, client, person):
        secret, _codes = set_up(client, person)
        client.post("/accounts/login/", {"username": "approver2", "password": "demo"})
        session = client.session
        session["two_factor_pending"]["until"] = 0
        session.save()
        answer = client.post("/accounts/login/code/", {"code": next_code(person, secret)})
        assert answer.headers["Location"] == "/accounts/login/"
        assert client.get("/").status_code == 302

    def test_the_code_step_without_a_password_first_goes_back_to_sign_in(self, client):
        assert client.get("/accounts/login/code/").headers["Location"] == "/accounts/login/"

    def test_the_admin_site_signs_in_through_the_same_two_steps(self, client, person):
        assert client.get("/admin/login/").headers["Location"].startswith("/accounts/login/")


class TestRemovingIt:
    def test_with_the_password_it_goes_and_the_log_says_so(self, client, person):
        set_up(client, person)
        client.force_login(person)
        page = client.post("/accounts/two-factor/remove/", {"password": "wrong"})
        assert page.status_code == 400 and two_factor.is_enabled(person)
        client.post("/accounts/two-factor/remove/", {"password": "demo"})
        assert not two_factor.is_enabled(person)
        assert not TOTPDevice.objects.filter(user=person).exists()
        assert kinds(person)[-1] == "two_factor_disabled"

    def test_new_recovery_codes_replace_the_old(self, client, person):
        _secret, old = set_up(client, person)
        client.force_login(person)
        page = client.post("/accounts/two-factor/recovery-codes/", {"password": "demo"}).content.decode()
        new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
        assert len(new) == two_factor.RECOVERY_CODES and not set(new) & set(old)
        assert set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True)) == set(
            new
        )


class TestTheApiToken:
    def post(self, **body):
        return APIClient().post("/api/v1/auth/token/", body, format="json")

    def test_with_two_factor_the_token_needs_the_code(self, client, person):
        secret, _codes = set_up(client, person)
        missing = self.post(username="approver2", password="demo")
        assert missing.status_code == 400 and "code" in missing.json()
        right = self.post(username="approver2", password="demo", code=next_code(person, secret))
        assert right.status_code == 200 and Token.objects.get(user=person).key == right.json()["token"]
        wrong = self.post(username="approver2", password="demo", code="000000")
        assert wrong.status_code == 400 and "code" in wrong.json()
        assert kinds(person)[-2:] == ["token_created", "two_factor_failed"]

    def test_wrong_codes_slow_down_the_next_tries(self, client, person):
        secret, _codes = set_up(client, person)
        assert self.post(username="approver2", password="demo", code="000000").status_code == 400
        answer = self.post(username="approver2", password="demo", code=next_code(person, secret))
        assert answer.status_code == 400 and "Too many wrong codes" in answer.json()["code"][0]

    def test_without_two_factor_it_works_as_before(self, person):
        assert self.post(username="approver2", password="demo").status_code == 200


class TestTheSettingOfTheOrganization:
    def test_admins_turn_it_on_and_the_log_says_who(self, org, person):
        admin = make_user("admin", organization=org, is_admin=True)
        api = APIClient()
        api.force_authenticate(admin)
        answer = api.patch(f"/api/v1/organizations/{org.pk}/", {"two_factor_required": True}, format="json")
        assert answer.status_code == 200 and answer.json()["two_factor_required"] is True
        event = SecurityEvent.objects.get(kind="settings_changed")
        assert (event.actor, event.organization, event.detail) == (
            "admin",
            org,
            {"changed": {"two_factor_required": [False, True]}},
        )

    def test_members_may_not_even_with_bad_input_and_others_do_not_see_it(self, org, other_org, person):
        api = APIClient()
        api.force_authenticate(person)
        assert api.patch(f"/api/v1/organizations/{org.pk}/", {"two_factor_required": "x"}).status_code == 403
        assert api.patch(f"/api/v1/organizations/{other_org.pk}/", {}).status_code == 404
        admin = make_user("admin", organization=org, is_admin=True)
        api.force_authenticate(admin)
        assert api.patch(f"/api/v1/organizations/{org.pk}/", {"two_factor_required": "x"}).status_code == 400

    def test_new_organizations_have_it_on(self, db):
        assert services.organization_create(name="New", slug="new").two_factor_required


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_one_recovery_code_sent_twice_at_once_signs_in_once(org):
    person = make_user("approver2", organization=org)
    device = TOTPDevice.objects.create(user=person, confirmed=True, name="app")
    codes = two_factor._new_recovery_codes(person)
    assert device.pk
    results, barrier = [], threading.Barrier(2)

    def use():
        barrier.wait()
        try:
            results.append(two_factor.verify(user=person, code=codes[0]).recovery_code)
        except Exception as error:  # the ValidationError of the one that lost
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results)) == ["True", "ValidationError"]
