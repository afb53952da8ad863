"""DESIGN.md's permission matrix, and the one rule that says what each cell must answer.

A cell is one person trying one action, through the API or through a page. `expected` says
what DESIGN.md promises; `observed` writes down what really happened in the same words: the
status, where a page sent the person, and whether the action took effect. A test compares
the two for a whole row of people at once, so a failure shows every wrong cell together.
Not a test module (pytest collects only test_*.py): test_permission_matrix.py uses it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

# The members of the organization, one per matrix column; the demo team has two approvers.
COLUMNS = ("lead", "monitor", "responder", "spokesperson", "approver", "approver2", "observer", "member")
# Everyone a cell is tried by: the columns; `former`, who had a role on the incident and then
# left the organization (still signed in on the browser, holding the API token they had);
# another organization's admin; and nobody signed in.
PEOPLE = (*COLUMNS, "former", "outsider", "anonymous")

ALLOWED = {
    "view_incident": set(COLUMNS),
    "change_incident": {"lead"},
    "assign_roles": {"lead"},
    "add_timeline_entry": {"lead", "monitor", "responder", "spokesperson"},
    "manage_tasks": {"lead", "monitor", "responder", "spokesperson"},
    "link_mention": {"lead", "monitor"},
    "draft_statement": {"lead", "responder", "spokesperson"},
    "approve_statement": {"approver", "approver2"},
    "publish_statement": {"lead", "spokesperson"},
    "edit_postmortem": {"lead"},
}

API, PAGE = "api", "page"
LOGIN_PATH = "/accounts/login/"
# DRF's answer to nobody signed in: TokenAuthentication comes first, so it is 401 with
# `WWW-Authenticate: Token` (a 403 would mean no authentication class offered a challenge).
API_SIGN_IN_STATUS = 401


def visible(person: str, *, restricted: bool) -> bool:
    """Members see their organization's incidents; a restricted one only those with a role on it."""
    if person not in COLUMNS:
        return False
    return not (restricted and person == "member")


def allowed(person: str, permission: str, *, restricted: bool) -> bool:
    return visible(person, restricted=restricted) and person in ALLOWED[permission]


@dataclass(frozen=True)
class Action:
    """One thing a person does that needs `permission`, through one surface.

    `attempt(world, client)` sets up the state the action needs (with the services), makes the
    request, and answers the response and whether the action took effect (the entry exists,
    the statement is approved; for a read: the answer shows the object).
    `ok` is the status it answers when allowed; a page's `back_to(world)` is where it redirects then.
    """

    name: str
    permission: str
    surface: str
    ok: int
    attempt: Callable[..., tuple[HttpResponse, bool]]
    back_to: Callable[..., str] | None = None

    def __str__(self) -> str:
        return f"{self.surface}-{self.permission}-{self.name}"


def expected(action: Action, person: str, *, restricted: bool, back_to: str | None = None) -> str:
    """DESIGN.md's answer for one cell, written as `observed` writes a response.

    Allowed: the action's own success answer, and it took effect. Visible but not allowed: 403,
    nothing changed. Not visible (another organization, restricted without a role, or left the
    organization): 404, nothing changed. Not signed in: the API's 401, a page's redirect to the
    sign-in page. Leaving the last organization deletes the person's token: the API's 401.
    """
    if person == "anonymous" or (person == "former" and action.surface == API):
        return str(API_SIGN_IN_STATUS) if action.surface == API else describe(302, LOGIN_PATH, done=False)
    if not visible(person, restricted=restricted):
        return describe(404, None, done=False)
    if not allowed(person, action.permission, restricted=restricted):
        return describe(403, None, done=False)
    return describe(action.ok, back_to, done=True)


def observed(response: HttpResponse, *, done: bool) -> str:
    location = urlsplit(response["Location"]).path if response.has_header("Location") else None
    return describe(response.status_code, location, done=done)


def describe(status: int, location: str | None, *, done: bool) -> str:
    """`201, done`; `302 → /incidents/4/, done`; `403`: a status, its redirect, and whether it acted."""
    text = str(status)
    if location:
        text += f" → {location}"
    return text + (", done" if done else "")


@dataclass(frozen=True)
class SignIns:
    """How each person reaches the app: their API token and a browser session, by name.

    Made once for many tries, since signing in is what costs (a session row, the sign-in log);
    the token is the one POST /api/v1/auth/token/ hands out, the session the one the sign-in
    page starts. Anyone not named here (anonymous) comes with neither.
    """

    tokens: dict[str, str]
    sessions: dict[str, str]

    @classmethod
    def of(cls, users: dict) -> "SignIns":
        tokens, sessions = {}, {}
        for person, user in users.items():
            tokens[person] = Token.objects.get_or_create(user=user)[0].key
            browser = Client()
            browser.force_login(user)
            sessions[person] = browser.cookies[settings.SESSION_COOKIE_NAME].value
        return cls(tokens, sessions)

    def client(self, person: str, surface: str) -> Client:
        if surface == API:
            client = APIClient()
            if person in self.tokens:
                client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[person]}")
            return client
        client = Client()
        if person in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[person]
        return client
