"""The incident room in a real browser (Debian's Chromium through Playwright), with the demo team.

One story, as a team lives it: the lead opens an incident from a playbook and writes on the
timeline; the monitor sees it appear live; the observer only reads; a statement is drafted from
a template, approved by two approvers and published by the spokesperson.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from incidents.models import Incident
from playbooks.models import Playbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAYBOOK = "App and customer service down"


@pytest.fixture
def demo(settings, builtin_roles):
    call_command("seed_demo", stdout=io.StringIO())
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def sign_in(chromium, live_server):
    contexts, console = [], []

    def sign_in(username: str, width: int = 1280):
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        page.click("button[type=submit].primary")
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
    # The Content-Security-Policy holds on every page the story visited: no violation, no error.
    assert [text for text in console if "Content Security Policy" in text or "Refused" in text] == []


def statement_card(page):
    return page.locator("article.statement").first


def test_the_team_handles_an_incident_in_the_browser(demo, live_server, sign_in, screenshots):
    lead = sign_in("lead")
    lead.click("text=Open an incident")
    lead.fill("#id_title", "Wrong tariff on the website")
    lead.select_option("#id_severity", "high")
    playbook = Playbook.objects.get(name=PLAYBOOK)
    lead.select_option("#id_playbook", str(playbook.pk))
    lead.click("button:has-text('Open the incident')")
    expect(lead.locator("h1")).to_have_text("Wrong tariff on the website")
    room = lead.url
    incident = Incident.objects.get(title="Wrong tariff on the website")
    assert room == f"{live_server.url}/incidents/{incident.pk}/"

    monitor = sign_in("monitor")
    monitor.goto(room)
    expect(monitor.locator("#timeline-list")).to_contain_text("opened the incident")

    lead.fill("#id_entry-body", "Screenshots of the wrong tariff are spreading on Mastodon")
    lead.click("button:has-text('Add to timeline')")
    expect(lead.locator("#timeline-list")).to_contain_text("Screenshots of the wrong tariff", timeout=5000)
    expect(lead.locator("#id_entry-body")).to_have_value("")
    # The monitor's page was not reloaded: the entry arrives by polling within 5 seconds.
    expect(monitor.locator("#timeline-list")).to_contain_text("Screenshots of the wrong tariff", timeout=5000)

    observer = sign_in("observer")
    observer.goto(room)
    expect(observer.locator("#timeline-list")).to_contain_text("Screenshots of the wrong tariff")
    assert observer.locator("#entry-box").count() == 0
    assert observer.locator("main button").count() == 0

    responder = sign_in("responder")
    responder.goto(room)
    responder.click("summary:has-text('New statement')")
    holding = playbook.templates.get(kind="holding")
    responder.select_option("#id_draft-template", str(holding.pk))
    responder.click("button:has-text('Save as draft')")
    expect(statement_card(responder)).to_contain_text("Draft")
    expect(statement_card(responder)).to_contain_text("Lumen Energy")
    responder.click("button:has-text('Submit for approval')")
    expect(statement_card(responder)).to_contain_text("Waiting for approval")

    for name in ("approver", "approver2"):
        approver = sign_in(name)
        approver.goto(room)
        approver.locator("article.statement").first.locator(
            "button", has_text=re.compile("^(Approve|Goedkeuren)$")
        ).click()
        expect(approver.locator(".messages .message-error")).to_have_count(0)
    expect(statement_card(approver)).to_contain_text(re.compile("Goedgekeurd|Approved"))

    spokesperson = sign_in("spokesperson")
    spokesperson.goto(room)
    spokesperson.fill('article.statement >> [name$="-url"]', "https://social.example/@lumenenergy/1")
    spokesperson.click("button:has-text('Publish')")
    expect(statement_card(spokesperson)).to_contain_text("Published")
    expect(spokesperson.locator(".timer-done")).to_have_count(1)  # the first public response is done

    wide = sign_in("lead", width=1280)
    wide.goto(room)
    screenshots(wide, "room-1280")
    phone = sign_in("lead", width=390)
    phone.goto(room)
    screenshots(phone, "room-390")


def test_the_dutch_user_sees_dutch_pages(demo, live_server, sign_in, screenshots):
    daan = sign_in("approver2")
    expect(daan.locator("h1")).to_have_text("Wat aandacht vraagt")
    expect(daan.locator("html")).to_have_attribute("lang", "nl")
    incident = Incident.objects.get(title="App and customer service unreachable")
    daan.goto(f"{live_server.url}/incidents/{incident.pk}/")
    expect(daan.locator("#timeline-heading")).to_contain_text("Tijdlijn")
    expect(daan.locator("#statements-heading")).to_have_text("Verklaringen")
    screenshots(daan, "room-nl-1280")


def test_the_language_switch_changes_the_pages(demo, live_server, sign_in):
    sam = sign_in("monitor")
    expect(sam.locator("h1")).to_have_text("What needs attention")
    sam.click(".language-switch button[value=nl]")
    expect(sam.locator("h1")).to_have_text("Wat aandacht vraagt")


def test_the_postmortem_page_of_the_demo_incident(demo, live_server, sign_in, screenshots):
    lead = sign_in("lead")
    incident = Incident.objects.get(title="App and customer service unreachable")
    lead.goto(f"{live_server.url}/incidents/{incident.pk}/postmortem/")
    expect(lead.locator("h1")).to_contain_text("Post-mortem")
    expect(lead.locator("table.figures")).to_contain_text("Time to acknowledge")
    expect(lead.locator("svg.chart rect.phase")).not_to_have_count(0)
    screenshots(lead, "postmortem-1280")
