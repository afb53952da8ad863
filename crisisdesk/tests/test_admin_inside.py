"""The admin site stays inside: an organization admin sees and chooses only their organization's
objects and only the incidents they may see; superusers see everything; nothing answers 500."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from conftest import make_user
from incidents import services as incident_services
from incidents.models import Channel, Incident, Statement
from incidents.tests.conftest import draft, open_incident
from monitoring.models import Alert, AlertRule, Mention, Source
from monitoring.services import mention_link, mentions_ingest
from playbooks import services as playbook_services

pytestmark = pytest.mark.django_db

TITLE = "Leaked memo"
NOTE = "Legal says: shred nothing"
STATEMENT = "We are looking into the memo and will say more by noon."


@pytest.fixture
def chief(org):
    """An organization admin with no role on any incident."""
    return make_user("chief", organization=org, is_admin=True)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="x")


@pytest.fixture
def world(org, other_org, team, roles, outsider):
    """Something of every kind in both organizations, and a restricted incident in ours."""
    ours = playbook_services.playbook_create(organization=org, acting_user=team["lead"], name="Our playbook")
    theirs = playbook_services.playbook_create(
        organization=other_org, acting_user=outsider, name="Their playbook"
    )
    hidden = open_incident(org, team, roles, title=TITLE, restricted=True)
    incident_services.timeline_add(incident=hidden, acting_user=team["lead"], body=NOTE)
    draft(hidden, team, body=STATEMENT)
    source = Source.objects.create(organization=org, kind="webhook", name="Our feed")
    Source.objects.create(organization=other_org, kind="webhook", name="Their feed")
    mentions_ingest(
        source=source,
        evaluate=False,
        rows=[{"external_id": "1", "text": "What is in that memo?", "posted_at": timezone.now().isoformat()}],
    )
    mention = Mention.objects.get()
    mention_link(incident=hidden, mention=mention, acting_user=team["monitor"])
    rule = AlertRule.objects.create(organization=org, name="Spike", kind="volume_spike", playbook=ours)
    AlertRule.objects.create(organization=other_org, name="Their spike", kind="keyword", playbook=theirs)
    now = timezone.now()
    alert = Alert.objects.create(
        rule=rule,
        window_start=now - timedelta(minutes=15),
        window_end=now,
        status="escalated",
        incident=hidden,
    )
    Channel.objects.create(organization=org, kind="manual", name="Our website", is_default=True)
    Channel.objects.create(organization=other_org, kind="manual", name="Their website", is_default=True)
    Token.objects.create(user=team["lead"])
    return {"ours": ours, "theirs": theirs, "hidden": hidden, "mention": mention, "alert": alert}


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


class TestRestrictedIncidentsInTheAdmin:
    def test_an_organization_admin_without_a_role_does_not_see_it(self, client, world, chief):
        client.force_login(chief)
        hidden = world["hidden"]
        for url in (
            "/admin/incidents/incident/",
            "/admin/incidents/incident/?q=memo",
            "/admin/incidents/timelineentry/",
            "/admin/incidents/statement/",
            change_url(world["mention"]),
            change_url(world["alert"]),
        ):
            html = page(client, url)
            assert TITLE not in html and NOTE not in html and STATEMENT[:40] not in html, url
        statement = Statement.objects.get(incident=hidden)
        entry = hidden.timeline.get(body=NOTE)
        for obj in (hidden, entry, statement):
            response = client.get(change_url(obj))
            assert response.status_code == 302 and response["Location"] == "/admin/", obj

    def test_an_organization_admin_with_a_role_sees_it(self, client, world, team):
        client.force_login(team["lead"])
        assert TITLE in page(client, "/admin/incidents/incident/")
        assert NOTE in page(client, change_url(world["hidden"]))  # the timeline inline, read-only
        assert NOTE in page(client, "/admin/incidents/timelineentry/")
        assert TITLE in page(client, change_url(world["mention"]))
        assert TITLE in page(client, change_url(world["alert"]))
        assert STATEMENT in page(client, change_url(Statement.objects.get(incident=world["hidden"])))

    def test_a_superuser_sees_everything(self, client, world, root):
        client.force_login(root)
        assert TITLE in page(client, "/admin/incidents/incident/")
        assert NOTE in page(client, "/admin/incidents/timelineentry/")
        assert TITLE in page(client, change_url(world["hidden"]))
        assert TITLE in page(client, change_url(world["alert"]))


class TestChoices:
    def choices(self, client, url, field):
        response = client.get(url)
        assert response.status_code == 200, url
        return {str(obj) for obj in response.context["adminform"].form.fields[field].queryset}

    @pytest.mark.parametrize(
        ("url", "field", "ours", "theirs"),
        [
            ("/admin/monitoring/alertrule/add/", "playbook", "Our playbook", "Their playbook"),
            ("/admin/monitoring/alertrule/add/", "organization", "Lumen Energy", "Parcel & Co"),
            ("/admin/monitoring/source/add/", "organization", "Lumen Energy", "Parcel & Co"),
            ("/admin/incidents/incident/add/", "playbook", "Our playbook", "Their playbook"),
            ("/admin/incidents/incident/add/", "organization", "Lumen Energy", "Parcel & Co"),
            ("/admin/incidents/channel/add/", "organization", "Lumen Energy", "Parcel & Co"),
            ("/admin/playbooks/playbook/add/", "organization", "Lumen Energy", "Parcel & Co"),
        ],
    )
    def test_an_organization_admin_chooses_among_their_own(
        self, client, world, chief, root, team, url, field, ours, theirs
    ):
        client.force_login(chief)
        assert self.choices(client, url, field) >= {ours}
        assert theirs not in self.choices(client, url, field)

    def test_a_superuser_chooses_among_all_playbooks(self, client, world, root):
        client.force_login(root)
        assert {"Our playbook", "Their playbook"} <= self.choices(
            client, "/admin/monitoring/alertrule/add/", "playbook"
        )

    def test_the_inline_people_are_the_organizations(self, client, world, chief, outsider):
        client.force_login(chief)
        response = client.get(change_url(world["ours"]))
        formsets = {
            formset.formset.prefix: formset.formset for formset in response.context["inline_admin_formsets"]
        }
        people = {user.username for user in formsets["role_assignments"].empty_form.fields["user"].queryset}
        assert "chief" in people and "outsider" not in people

    @pytest.mark.parametrize(
        "url",
        [
            "/admin/incidents/incident/",
            "/admin/incidents/channel/",
            "/admin/monitoring/source/",
            "/admin/monitoring/alertrule/",
            "/admin/monitoring/mention/",
            "/admin/playbooks/playbook/",
            "/admin/playbooks/playbookrevision/",
        ],
    )
    def test_the_list_filters_name_no_other_organization(self, client, world, chief, url):
        client.force_login(chief)
        html = page(client, url)
        assert "Parcel &amp; Co" not in html and "Their feed" not in html


class TestAnAlertRuleKeepsToItsOrganization:
    def test_the_model_refuses_another_organizations_playbook(self, world, org):
        from django.core.exceptions import ValidationError

        rule = AlertRule(organization=org, name="x", kind="keyword", playbook=world["theirs"])
        with pytest.raises(ValidationError) as error:
            rule.full_clean()
        assert "playbook" in error.value.message_dict

    def test_the_admin_answers_with_a_form_error(self, client, world, root, org):
        client.force_login(root)
        data = {
            "organization": org.pk,
            "name": "Crossed",
            "kind": "keyword",
            "window_minutes": 15,
            "baseline_windows": 8,
            "factor": 3,
            "threshold": 0.6,
            "keywords": "[]",
            "min_count": 10,
            "cooldown_minutes": 60,
            "playbook": world["theirs"].pk,
            "severity": "medium",
            "is_active": "on",
        }
        response = client.post("/admin/monitoring/alertrule/add/", data)
        assert response.status_code == 200
        assert "playbook" in response.context["adminform"].form.errors
        assert not AlertRule.objects.filter(name="Crossed").exists()
        data["playbook"] = world["ours"].pk
        assert client.post("/admin/monitoring/alertrule/add/", data).status_code == 302
        assert AlertRule.objects.filter(name="Crossed").exists()

    def test_an_admin_of_both_organizations_cannot_cross_them_either(
        self, client, world, chief, other_org, org
    ):
        from accounts.services import membership_add

        membership_add(organization=other_org, user=chief, is_admin=True)
        client.force_login(chief)
        rule = AlertRule.objects.get(name="Spike")
        response = client.post(
            change_url(rule),
            {
                "organization": org.pk,
                "name": "Spike",
                "kind": "volume_spike",
                "window_minutes": 15,
                "baseline_windows": 8,
                "factor": 3,
                "threshold": 0.6,
                "keywords": "[]",
                "min_count": 10,
                "cooldown_minutes": 60,
                "playbook": world["theirs"].pk,
                "severity": "medium",
            },
        )
        assert response.status_code == 200 and "playbook" in response.context["adminform"].form.errors
        assert AlertRule.objects.get(pk=rule.pk).playbook == world["ours"]


class TestOpeningAnIncidentInTheAdmin:
    def test_another_organizations_playbook_is_a_form_error(self, client, world, chief, other_org, org):
        from accounts.services import membership_add

        membership_add(organization=other_org, user=chief, is_admin=True)
        client.force_login(chief)
        data = {"organization": org.pk, "title": "Crossed", "severity": "medium", "summary": ""}
        response = client.post("/admin/incidents/incident/add/", {**data, "playbook": world["theirs"].pk})
        assert response.status_code == 200 and "playbook" in response.context["adminform"].form.errors
        assert not Incident.objects.filter(title="Crossed").exists()
        response = client.post("/admin/incidents/incident/add/", {**data, "playbook": world["ours"].pk})
        assert response.status_code == 302 and Incident.objects.get(title="Crossed").playbook == world["ours"]

    def test_a_superuser_opens_only_where_they_are_a_member(self, client, world, root, org):
        client.force_login(root)
        response = client.post(
            "/admin/incidents/incident/add/", {"organization": org.pk, "title": "By root", "severity": "low"}
        )
        assert response.status_code == 200 and "organization" in response.context["adminform"].form.errors
        assert not Incident.objects.filter(title="By root").exists()

    def test_its_lead_renames_it_through_the_service(self, client, world, team, org, roles):
        incident = open_incident(org, team, roles)
        client.force_login(team["lead"])
        form = scraped(client.get(change_url(incident)).content.decode())
        response = client.post(change_url(incident), {**form, "title": "App down everywhere"})
        assert response.status_code == 302
        assert Incident.objects.get(pk=incident.pk).title == "App down everywhere"
        assert incident.timeline.filter(body__contains="changed the title").exists()

    def test_changing_a_closed_incident_is_refused_without_a_500(self, client, world, team, org, roles):
        incident = open_incident(org, team, roles)
        Incident.objects.filter(pk=incident.pk).update(status="closed")
        client.force_login(team["lead"])
        response = client.post(
            change_url(incident), {"title": "Renamed", "severity": "high", "summary": "", "restricted": ""}
        )
        assert response.status_code in (200, 302, 403)
        assert Incident.objects.get(pk=incident.pk).title == "App down"


# --- walking every page -------------------------------------------------------------------------


class FormScraper(HTMLParser):
    """The values a browser would post back from the page's main form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and "_form" in (attrs.get("id") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(
                attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += (
                data.removeprefix("\n") if not self.data[self._textarea][0] else data
            )


def scraped(html: str) -> dict[str, list[str]]:
    parser = FormScraper()
    parser.feed(html)
    return {name: values for name, values in parser.data.items() if values}


def admin_urls():
    """Every registered admin, with its changelist and add page."""
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield model_admin, reverse(f"{name}_changelist"), reverse(f"{name}_add")


@pytest.mark.parametrize("who", ["chief", "lead", "root"])
def test_every_admin_page_answers_without_a_500(client, world, chief, root, team, who):
    user = {"chief": chief, "lead": team["lead"], "root": root}[who]
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    for model_admin, changelist, add in admin_urls():
        listed = client.get(changelist)
        assert listed.status_code in (200, 302, 403), changelist
        if who == "root":
            assert listed.status_code == 200, changelist
        added = client.get(add)
        assert added.status_code in (200, 302, 403), add
        if added.status_code == 200:
            empty = client.post(add, {})
            assert empty.status_code in (200, 302), add
            form = scraped(added.content.decode())
            posted = client.post(add, form)
            assert posted.status_code in (200, 302, 403), add
        for obj in model_admin.get_queryset(listed.wsgi_request)[:3] if listed.status_code == 200 else []:
            url = change_url(obj)
            shown = client.get(url)
            assert shown.status_code in (200, 302), url
            if shown.status_code == 200 and model_admin.has_change_permission(shown.wsgi_request, obj):
                again = client.post(url, scraped(shown.content.decode()))
                assert again.status_code in (200, 302, 403), url


RULE = {
    "name": "x",
    "kind": "keyword",
    "window_minutes": 15,
    "baseline_windows": 8,
    "factor": 3,
    "threshold": 0.6,
    "keywords": "[]",
    "min_count": 10,
    "cooldown_minutes": 60,
    "severity": "medium",
}
INCIDENT = {"title": "x", "severity": "low", "summary": ""}


def foreign_or_bad_forms(org, other_org, world) -> dict[str, list[tuple[str, dict, str]]]:
    """(add page, what is posted, the field its error names), complete but for that field."""
    theirs, ours = world["theirs"], world["ours"]
    crossed = [
        (
            "/admin/monitoring/alertrule/add/",
            {**RULE, "organization": org.pk, "playbook": theirs.pk},
            "playbook",
        ),
        (
            "/admin/incidents/incident/add/",
            {**INCIDENT, "organization": org.pk, "playbook": theirs.pk},
            "playbook",
        ),
    ]
    bad = [
        ("/admin/incidents/incident/add/", {**INCIDENT, "organization": "abc"}, "organization"),
        (
            "/admin/incidents/incident/add/",
            {**INCIDENT, "organization": org.pk, "playbook": "1.5"},
            "playbook",
        ),
        ("/admin/monitoring/alertrule/add/", {**RULE, "organization": org.pk, "playbook": "-1"}, "playbook"),
        ("/admin/monitoring/alertrule/add/", {**RULE, "organization": org.pk, "factor": "nan"}, "factor"),
        ("/admin/monitoring/alertrule/add/", {**RULE, "organization": org.pk, "keywords": "{"}, "keywords"),
        (
            "/admin/monitoring/source/add/",
            {"organization": 10**20, "kind": "webhook", "name": "x", "poll_every_minutes": 5},
            "organization",
        ),
        (
            "/admin/playbooks/playbook/add/",
            {"organization": ours.pk, "name": "x", "language": "xx"},
            "language",
        ),
    ]
    foreign = [
        (
            "/admin/monitoring/source/add/",
            {"organization": other_org.pk, "kind": "webhook", "name": "x", "poll_every_minutes": 5},
            "organization",
        ),
        ("/admin/monitoring/alertrule/add/", {**RULE, "organization": other_org.pk}, "organization"),
        (
            "/admin/monitoring/alertrule/add/",
            {**RULE, "organization": org.pk, "playbook": theirs.pk},
            "playbook",
        ),
        ("/admin/incidents/incident/add/", {**INCIDENT, "organization": other_org.pk}, "organization"),
        (
            "/admin/incidents/channel/add/",
            {"organization": other_org.pk, "kind": "manual", "name": "x", "max_length": 500},
            "organization",
        ),
        (
            "/admin/playbooks/playbook/add/",
            {"organization": other_org.pk, "name": "x", "language": "en"},
            "organization",
        ),
    ]
    return {"chief": crossed + bad + foreign, "root": crossed + bad}


@pytest.mark.parametrize("who", ["chief", "root"])
def test_add_forms_with_another_organizations_ids_or_bad_values_are_form_errors(
    client, world, chief, root, org, other_org, who
):
    from accounts.services import membership_add

    membership_add(organization=org, user=root)  # a superuser opens incidents only where a member
    client.force_login({"chief": chief, "root": root}[who])
    for url, data, field in foreign_or_bad_forms(org, other_org, world)[who]:
        response = client.post(url, data)
        assert response.status_code == 200, (url, data)
        assert field in response.context["adminform"].form.errors, (url, data)
