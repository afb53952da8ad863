"""The person pickers of a large organization in a real browser (Debian's Chromium): type a
name, choose the person, and the form does the rest."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from incidents.tests.conftest import open_incident
from incidents.tests.test_people_picker import add_members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def incident(builtin_roles, org, team, roles):
    add_members(org, 60 - len(team))  # beyond PEOPLE_PICKER_LIMIT: the pickers search
    return open_incident(org, team, roles)


@pytest.fixture
def sign_in(chromium, live_server):
    contexts, console = [], []

    def sign_in(username: str):
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        page.click("main button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
    assert console == []  # no Content-Security-Policy refusal, no failed request


def test_the_lead_finds_a_person_by_name_and_gives_them_a_role(incident, live_server, sign_in, screenshots):
    chosen = User.objects.get(username="person042")
    lead = sign_in("lead")
    room = f"{live_server.url}/incidents/{incident.pk}/"
    lead.goto(room)
    lead.click("summary:has-text('Assign a role')")
    roles = lead.locator("#roles")
    expect(roles.locator("#id_role-user option")).to_have_count(1)  # no list of everyone

    box = roles.get_by_role("searchbox", name="Person", exact=True)  # the field's label names it
    box.press_sequentially("person04")
    box.press("Enter")  # searches at once, and sends no half-filled form
    matches = roles.get_by_role("combobox", name="Person: choose from the matches")
    expect(matches.locator("option")).to_have_count(11)  # "---------" and Person 040…049
    expect(roles.get_by_role("status")).to_have_text("10 people match.")
    assert lead.url == room

    box.fill("person 042")
    expect(matches.locator("option")).to_have_count(2)
    expect(roles.get_by_role("status")).to_have_text("1 person matches.")
    matches.select_option(label="Person 042 (person042)")
    roles.get_by_label("Role").select_option("observer")
    screenshots(lead, "people-picker-role")
    roles.get_by_role("button", name="Assign").click()

    expect(lead.locator("#live-roles")).to_contain_text("Person 042")
    assert incident.role_assignments.filter(user=chosen, role__slug="observer").exists()


def test_the_lead_finds_an_owner_for_an_action_item(incident, live_server, sign_in):
    lead = sign_in("lead")
    lead.goto(f"{live_server.url}/incidents/{incident.pk}/postmortem/")
    lead.click("summary:has-text('Add an action item')")
    lead.fill("#id_item-title", "A second approver at night")
    lead.get_by_role("searchbox", name="Owner", exact=True).press_sequentially("PERSON 007")
    owner = lead.get_by_role("combobox", name="Owner: choose from the matches")
    expect(owner.locator("option")).to_have_count(2)
    owner.select_option(label="Person 007 (person007)")
    lead.get_by_role("button", name="Add", exact=True).click()

    expect(lead.locator("main")).to_contain_text("A second approver at night")
    item = incident.postmortem.action_items.get()
    assert item.owner.username == "person007"
