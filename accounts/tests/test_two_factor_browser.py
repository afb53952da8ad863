"""Two-factor sign-in and the security log in a real browser (Debian's Chromium through Playwright).

A fresh organization with the policy on: its approver has no second factor yet and is sent to set
it up before approving; a wrong code is refused, a recovery code works once; the organization's
admin reads all of it in the security log and its CSV; another organization's admin reads none.
"""

import csv
import io
import re
from base64 import b32encode

import pyotp
import pytest
from playwright.sync_api import expect

from accounts import services as accounts_services
from accounts import two_factor
from accounts.models import Role
from conftest import make_user
from incidents import services as incident_services
from incidents.models import Statement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def fresh(builtin_roles, settings):
    """A new organization (two-factor required, as for every new one) with a statement to approve."""
    settings.LANGUAGE_CODE = "en"
    organization = accounts_services.organization_create(name="Fresh Energy", slug="fresh")
    assert organization.two_factor_required
    admin = make_user("boss", organization=organization, is_admin=True)
    secret = b32encode(two_factor.pending_device(admin).bin_key).decode()
    two_factor.enable(user=admin, password="demo", code=pyotp.TOTP(secret).now())
    approver = make_user("approver2", organization=organization)
    responder = make_user("responder", organization=organization)
    make_user("@mallory", organization=organization)  # a name a spreadsheet would read as a formula
    roles = {role.slug: role for role in Role.objects.all()}
    incident = incident_services.incident_open(
        organization=organization, acting_user=admin, title="Wrong tariff", severity="low"
    )
    for user, role in ((approver, "approver"), (responder, "responder")):
        incident_services.role_assign(incident=incident, user=user, role=roles[role], acting_user=admin)
    from incidents.services import statements

    statement = statements.statement_draft(
        incident=incident, acting_user=responder, body="We are fixing the tariff page.", language="en"
    )
    statements.statement_submit(statement=statement, acting_user=responder)
    other = accounts_services.organization_create(
        name="Parcel & Co", slug="parcel-co", two_factor_required=False
    )
    make_user("outsider", organization=other, is_admin=True)
    return {"incident": incident, "statement": statement, "admin": admin, "admin_secret": secret}


@pytest.fixture
def browser_page(chromium, live_server):
    contexts = []

    def open_page():
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def password_step(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("main button[type=submit]")


def sign_out(page):
    page.click("header button:has-text('Sign out')")


def test_an_approver_sets_it_up_before_approving_and_the_admin_reads_it_all(
    fresh, live_server, browser_page, screenshots
):
    url = live_server.url
    room = f"{url}/incidents/{fresh['incident'].pk}/"
    page = browser_page()

    # Signed in with a password, approver2 is sent to set up two-factor sign-in before anything else.
    password_step(page, url, "approver2")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    page.goto(room)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=%2Fincidents%2F"))
    expect(page.locator("main")).to_contain_text("requires it for your role")
    screenshots(page, "two-factor-setup")
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")

    page.fill("#id_code", "000000")
    page.fill("#id_password", "demo")
    page.click("main button[type=submit]")
    expect(page.locator(".form-errors, .field-error")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # django-otp's pause after a wrong code (a second after the first)

    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.fill("#id_password", "demo")
    page.click("main button[type=submit]")
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == two_factor.RECOVERY_CODES
    page.click("text=I have saved them: go on")
    expect(page).to_have_url(room)

    statement = page.locator("article.statement").first
    statement.locator("button", has_text=re.compile("^Approve$")).click()
    expect(page.locator("article.statement").first).to_contain_text("Approved")
    assert Statement.objects.get(pk=fresh["statement"].pk).status == "approved"

    # Next time: the password, then a code. A wrong one is refused; a recovery code works once.
    sign_out(page)
    password_step(page, url, "approver2")
    expect(page).to_have_url(f"{url}/accounts/login/code/")
    page.fill("#id_code", "111111")
    page.click("main button[type=submit]")
    expect(page.locator(".field-error")).to_contain_text("That code is not right")
    page.fill("#id_code", codes[0])  # the recovery codes have their own pause: none yet
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{url}/")
    expect(page.locator(".messages")).to_contain_text("recovery code")
    sign_out(page)
    password_step(page, url, "approver2")
    page.fill("#id_code", codes[0])
    page.click("main button[type=submit]")
    expect(page.locator(".field-error")).to_contain_text("That code is not right")
    expect(page).to_have_url(f"{url}/accounts/login/code/")

    # The organization's admin reads all of it; they sign in with their own code.
    admin = browser_page()
    password_step(admin, url, "boss")
    device = fresh["admin"].totpdevice_set.get(confirmed=True)
    admin.fill("#id_code", pyotp.TOTP(fresh["admin_secret"]).at((device.last_t + 1) * 30))
    admin.click("main button[type=submit]")
    expect(admin).to_have_url(f"{url}/")
    admin.goto(f"{url}/accounts/organizations/fresh/security-log/")
    log = admin.locator("main")
    for seen in (
        "Two-factor set up",
        "Two-factor code refused",
        "Recovery code used",
        "Statement approved",
        "Signed in",
        "Member added",
    ):
        expect(log).to_contain_text(seen)
    expect(log).to_contain_text("approver2")
    screenshots(admin, "security-log")

    answer = admin.request.get(f"{url}/accounts/organizations/fresh/security-log.csv")
    assert answer.status == 200
    rows = list(csv.reader(io.StringIO(answer.text())))
    assert len(rows) > 8
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], "no cell a spreadsheet runs"
    assert "'@mallory" in cells, "the formula-looking name is there, escaped"
    assert any("approver2" in cell for cell in cells)

    # Another organization's admin sees nothing of it.
    outsider = browser_page()
    password_step(outsider, url, "outsider")
    expect(outsider).to_have_url(f"{url}/")
    assert outsider.goto(f"{url}/accounts/organizations/fresh/security-log/").status == 404
    assert outsider.request.get(f"{url}/accounts/organizations/fresh/security-log.csv").status == 404
    outsider.goto(f"{url}/accounts/organizations/parcel-co/security-log/")
    expect(outsider.locator("main")).to_contain_text("outsider")
    expect(outsider.locator("main")).not_to_contain_text("approver2")
