"""The live room in real browsers (Debian's Chromium), served by uvicorn: changes arrive pushed."""

import time

import pytest
from playwright.sync_api import expect

from incidents import services
from incidents.live.hub import hub
from incidents.models import Channel
from incidents.tests.conftest import open_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


@pytest.fixture
def room(builtin_roles, org, team, roles):
    incident = open_incident(org, team, roles, severity="medium")  # one approval publishes
    services.role_assign(
        incident=incident, user=team["approver"], role=roles["responder"], acting_user=team["lead"]
    )
    Channel.objects.create(organization=org, kind="manual", name="Website", is_default=True)
    return incident


@pytest.fixture
def browsers(chromium, live_server):
    contexts = []

    def sign_in(username: str):
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        page.click("main button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def open_room(page, live_server, incident):
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    expect(page.locator("body[data-live=stream]")).to_have_count(1, timeout=5000)
    return page


def test_an_approval_reaches_the_other_browsers_within_a_second(browsers, live_server, room, team):
    statement = services.statement_draft(incident=room, acting_user=team["approver"], body="We are on it.")
    services.statement_submit(statement=statement, acting_user=team["approver"])
    pages = {
        name: open_room(browsers(name), live_server, room)
        for name in ("approver", "approver2", "spokesperson", "lead", "observer")
    }
    card = {name: page.locator(f"#statement-{statement.pk}") for name, page in pages.items()}
    assert card["approver"].locator("form.decision").count() == 0  # four eyes: the author
    expect(card["approver2"].locator("form.decision")).to_have_count(1)
    for name in ("spokesperson", "lead"):
        expect(card[name].locator("form.publish")).to_have_count(0)

    card["approver2"].get_by_role("button", name="Approve").click()
    clicked = time.monotonic()
    for name in ("spokesperson", "lead", "observer"):
        expect(card[name].locator(".approvals")).to_contain_text("1 of 1 approval", timeout=1000)
        expect(card[name].locator(".statement-status")).to_have_text("Approved", timeout=1000)
    for name in ("spokesperson", "lead"):
        expect(card[name].locator("form.publish button[type=submit]")).to_be_visible(timeout=1000)
    assert time.monotonic() - clicked < 2.5  # all three, one after the other, each within 1 s
    expect(card["observer"].locator("form.publish")).to_have_count(0)
    expect(card["approver"].locator(".statement-status")).to_have_text("Approved", timeout=1000)
    assert card["approver"].locator("form.decision").count() == 0  # never, after the push either

    # Who is in the room: the five names with a role.
    for name in ("Lead", "Approver", "Approver2", "Spokesperson", "Observer"):
        expect(pages["observer"].locator("#live-presence")).to_contain_text(name, timeout=4000)


def test_a_dropped_connection_loses_no_entry(browsers, live_server, room, team):
    page = open_room(browsers("observer"), live_server, room)
    page.context.set_offline(True)
    hub.close_all_soon()  # the server drops every stream, as a deploy does
    for n in range(3):
        services.timeline_add(incident=room, acting_user=team["monitor"], body=f"While offline {n}")
        time.sleep(3)
    page.context.set_offline(False)
    for n in range(3):
        expect(page.locator("#timeline-list")).to_contain_text(f"While offline {n}", timeout=10000)
    assert page.locator("#timeline-list li.entry", has_text="While offline 0").count() == 1


def test_someone_removed_from_a_restricted_incident_stops_seeing_it(
    browsers, live_server, builtin_roles, org, team, roles
):
    secret = open_incident(org, team, roles, title="Leaked memo", restricted=True)
    page = open_room(browsers("observer"), live_server, secret)
    services.role_remove(
        assignment=secret.role_assignments.get(user=team["observer"]), acting_user=team["lead"]
    )
    expect(page.locator("#live-revoked")).to_be_visible(timeout=2000)
    services.timeline_add(incident=secret, acting_user=team["lead"], body="After the observer left")
    page.wait_for_timeout(1500)
    expect(page.locator("#timeline-list")).not_to_contain_text("After the observer left")


def test_seven_tabs_of_one_browser_all_stay_live(browsers, live_server, room, team):
    first = browsers("monitor")
    tabs = [open_room(first, live_server, room)]
    tabs += [open_room(first.context.new_page(), live_server, room) for _ in range(6)]
    services.timeline_add(incident=room, acting_user=team["lead"], body="Seen in every tab")
    for tab in tabs:
        expect(tab.locator("#timeline-list")).to_contain_text("Seen in every tab", timeout=3000)
