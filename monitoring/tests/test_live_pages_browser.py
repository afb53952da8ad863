"""A person's own pages, live, in real browsers (Debian's Chromium) served by uvicorn: the dashboard,
the monitoring page and the bell show a new alert, a statement waiting for my approval and a new
notification without a reload; a hidden tab shows a desktop notification (issue 18's acceptance).
"""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from incidents import services
from incidents.services.reminders import reminders_send
from incidents.tests.conftest import open_incident
from monitoring import services as monitoring_services
from monitoring.tests.test_live_alerts import keyword_rule, raise_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

# An alert, a reminder and a dismissal wake their people's streams up at once (people_changed);
# a statement's submission, decision or withdrawal, and notifications read, are found by the
# hub's look at every feed once a second (LIVE_CHECK_SECONDS): up to two seconds, and the page's
# jitter (pages.js) and its read of the region.
BY_THE_CHECK = 3000  # ms

# The tab is in the background (headless Chromium shows every tab), and what the page asks of the
# browser's Notification is written down, then handed to the real one.
HIDDEN_AND_LISTENED_TO = """
Object.defineProperty(Document.prototype, "hidden", {
  configurable: true, get: function () { return true; },
});
window.shownNotifications = [];
(function () {
  var Real = window.Notification;
  function Listened(title, options) {
    options = options || {};
    window.shownNotifications.push({ title: title, body: options.body || "", tag: options.tag || "" });
    return new Real(title, options);
  }
  Object.defineProperty(Listened, "permission", { get: function () { return Real.permission; } });
  Listened.requestPermission = function (callback) { return Real.requestPermission(callback); };
  window.Notification = Listened;
})();
"""


@pytest.fixture
def browsers(chromium, live_server):
    contexts = []

    def sign_in(username: str, *, notifications: bool = False):
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        if notifications:
            context.grant_permissions(["notifications"], origin=live_server.url)
            context.add_init_script(HIDDEN_AND_LISTENED_TO)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        page.click("main button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/")
        return live(page)

    yield sign_in
    for context in contexts:
        context.close()


def live(page):
    """The page's stream is open; a mark on the window tells whether it was ever reloaded."""
    expect(page.locator("body[data-live=stream]")).to_have_count(1, timeout=5000)
    page.evaluate("window.notReloaded = true")
    return page


def not_reloaded(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def submitted(incident, author, body):
    statement = services.statement_draft(incident=incident, acting_user=author, body=body)
    return services.statement_submit(statement=statement, acting_user=author)


def test_a_new_alert_shows_on_the_dashboard_and_the_monitoring_page_of_others(
    browsers, live_server, builtin_roles, org, team
):
    keyword_rule(org)
    dashboard = browsers("monitor")
    monitoring = browsers("lead")
    monitoring.goto(f"{live_server.url}/monitoring/")
    live(monitoring)
    expect(dashboard.locator("#dashboard-alerts")).to_contain_text("No new alerts.")

    alert = raise_alert(org, "a")  # as the ingest, the poller or the beat raise it
    raised = time.monotonic()
    expect(dashboard.locator("#dashboard-alerts")).to_contain_text("Outage words", timeout=2000)
    expect(monitoring.locator(f"#alert-{alert.pk}")).to_contain_text("Outage words", timeout=2000)
    assert time.monotonic() - raised < 2.5  # both, one after the other, each within 2 s
    assert not_reloaded(dashboard) and not_reloaded(monitoring)

    # What came in is the real region: its Dismiss works, and the other page hears of it too.
    monitoring.locator(f"#alert-{alert.pk}").get_by_role("button", name="Dismiss").click()
    expect(monitoring.locator(f"#alert-{alert.pk}")).to_contain_text("Dismissed")
    expect(dashboard.locator("#dashboard-alerts")).to_contain_text("No new alerts.", timeout=2000)
    assert not_reloaded(dashboard)


def test_a_statement_waiting_for_me_and_a_notification_show_without_reload(
    browsers, live_server, builtin_roles, org, team, roles
):
    incident = open_incident(org, team, roles)
    dashboard = browsers("approver2")
    waiting = dashboard.locator("#dashboard-waiting")
    expect(waiting).to_contain_text("Nothing waits for you.")
    expect(dashboard.locator("a.bell .bell-count")).to_have_count(0)

    statement = submitted(incident, team["responder"], "We know the app is down and we are on it.")
    expect(waiting.locator(f"#waiting-{statement.pk}")).to_contain_text("App down", timeout=BY_THE_CHECK)
    expect(waiting.locator(f"#waiting-{statement.pk}")).to_contain_text("We know the app is down")

    # Ten minutes later nobody has decided: the reminder rings approver2's bell.
    reminders_send(now=statement.submitted_at + timedelta(minutes=11))
    expect(dashboard.locator("a.bell .bell-count")).to_have_text("1", timeout=2000)
    expect(dashboard.locator("a.bell")).to_have_class("bell bell-unread")

    services.statement_approve(statement=statement, acting_user=team["approver2"])  # elsewhere
    expect(waiting).to_contain_text("Nothing waits for you.", timeout=BY_THE_CHECK)
    assert not_reloaded(dashboard)

    # Reading the notifications (in another tab of the same browser) empties the bell here.
    other_tab = dashboard.context.new_page()
    other_tab.goto(f"{live_server.url}/notifications/")
    expect(dashboard.locator("a.bell .bell-count")).to_have_count(0, timeout=BY_THE_CHECK)
    expect(dashboard.locator("a.bell")).to_have_class("bell")


def test_a_hidden_tab_shows_a_desktop_notification_for_each_piece_of_news(
    browsers, live_server, builtin_roles, org, team, roles
):
    keyword_rule(org)
    incident = open_incident(org, team, roles)
    page = browsers("approver2", notifications=True)
    assert page.evaluate("document.hidden") is True

    def shown(at_least: int = 0, timeout: float = 2.0) -> list[dict]:
        """The notifications shown so far, once there are `at_least` (the page's CSP forbids
        wait_for_function's eval)."""
        deadline = time.monotonic() + timeout
        while len(notes := page.evaluate("window.shownNotifications")) < at_least:
            assert time.monotonic() < deadline, f"{len(notes)} notifications, not {at_least}: {notes}"
            time.sleep(0.05)
        return notes

    statement = submitted(incident, team["responder"], "We know the app is down.")
    expect(page.locator(f"#waiting-{statement.pk}")).to_be_visible(timeout=BY_THE_CHECK)
    shown(1)
    alert = raise_alert(org, "a")
    shown(2)
    reminders_send(now=statement.submitted_at + timedelta(minutes=11))
    shown(3)
    assert shown() == [
        {
            "title": "A statement waits for your approval",
            "body": "",
            "tag": f"crisisdesk-approvals-{int(statement.submitted_at.timestamp() * 1000)}",
        },
        {"title": "New alert", "body": "Outage words", "tag": f"crisisdesk-alerts-{alert.pk}"},
        {"title": "New notification", "body": "", "tag": "crisisdesk-bell-1"},
    ]

    # Less to do is no news: a withdrawn statement and a dismissed alert notify nobody.
    services.statement_withdraw(statement=statement, acting_user=team["responder"])
    monitoring_services.alert_dismiss(alert=alert, acting_user=team["lead"])
    expect(page.locator("#dashboard-waiting")).to_contain_text("Nothing waits for you.", timeout=BY_THE_CHECK)
    expect(page.locator("#dashboard-alerts")).to_contain_text("No new alerts.", timeout=2000)
    assert len(shown()) == 3


def test_the_notifications_page_turns_desktop_notifications_on(
    browsers, live_server, builtin_roles, org, team
):
    page = browsers("monitor")
    page.goto(f"{live_server.url}/notifications/")
    button = page.get_by_role("button", name="Desktop notifications: turn on")
    expect(button).to_be_visible()
    page.context.grant_permissions(["notifications"], origin=live_server.url)  # the person says yes
    button.click()
    expect(page.locator("[data-desktop-notifications] [data-when=granted]")).to_be_visible()
    expect(button).to_be_hidden()
    page.reload()
    expect(page.locator("[data-desktop-notifications] [data-when=granted]")).to_be_visible()
    expect(page.get_by_role("button", name="Desktop notifications: turn on")).to_be_hidden()
