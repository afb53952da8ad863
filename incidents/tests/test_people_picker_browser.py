"""The person pickers of a large organization in a real browser (Debian's Chromium): type a
name, choose the person, and the form does the rest."""

import pytest
from playwright.sync_api import expect

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
