"""The person pickers: a plain select for a small organization, a search box beyond
PEOPLE_PICKER_LIMIT people, and the search it asks (incidents:people)."""

import re

import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import Membership, User
from incidents import selectors
from incidents.forms import ActionItemForm, RoleForm, TaskForm
from incidents.models import IncidentRoleAssignment
from incidents.people_picker import PEOPLE_PICKER_LIMIT, PEOPLE_SEARCH_LIMIT, PeoplePicker, person_label

pytestmark = pytest.mark.django_db


def add_members(org, count: int) -> list[User]:
    """`count` more members of `org`, made in a few queries: "Person 000" (person000@lumen.test)…"""
    password = make_password("demo")
    start = User.objects.filter(username__startswith="person").count()
    people = User.objects.bulk_create(
        User(
            username=f"person{n:03}",
            full_name=f"Person {n:03}",
            email=f"person{n:03}@lumen.test",
            password=password,
        )
        for n in range(start, start + count)
    )
    Membership.objects.bulk_create(Membership(organization=org, user=person) for person in people)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=person.pk, group_id=org.group_id) for person in people
    )
    return people


def members_in_all(org, total: int) -> None:
    add_members(org, total - Membership.objects.filter(organization=org).count())


def role_form(incident, **kwargs) -> RoleForm:
    return RoleForm(people=selectors.people_of(incident), incident=incident, prefix="role", **kwargs)


def search(client, incident, name="role-user", **params):
    return client.get(f"/incidents/{incident.pk}/people/", {"name": name, **params})


def options(response) -> list[str]:
    """The people an answer offers, by label, without the empty first option."""
    html = response.content.decode()
    parts = [part for part in html.split("<option")[1:] if 'value=""' not in part]
    return [part.split(">", 1)[1].split("<", 1)[0] for part in parts]


class TestTheWidgetChoice:
    def test_it_is_the_plain_select_up_to_the_limit(self, incident, org):
        members_in_all(org, PEOPLE_PICKER_LIMIT)
        html = str(role_form(incident)["user"])
        assert html.count("<option") == PEOPLE_PICKER_LIMIT + 1  # and "---------"
        assert 'type="search"' not in html

    def test_it_is_a_search_box_beyond_the_limit(self, incident, org):
        members_in_all(org, PEOPLE_PICKER_LIMIT + 1)
        field = role_form(incident)["user"]
        html = str(field)
        assert html.count("<option") == 1  # only "---------"
        assert f'hx-get="/incidents/{incident.pk}/people/?name=role-user"' in html
        assert 'hx-trigger="input changed delay:250ms, search"' in html
        assert 'hx-target="#id_role-user"' in html
        assert 'placeholder="Type a name"' in html
        assert '<select name="role-user" id="id_role-user" required>' in html
        # The field's label names the search box; the select has a label of its own.
        assert field.id_for_label == "id_role-user_search"
        assert 'id="id_role-user_search"' in html
        assert '<label class="visually-hidden" for="id_role-user">Person: choose from the matches' in html

    def test_the_tasks_search_box_keeps_nobody_yet(self, incident, org):
        members_in_all(org, PEOPLE_PICKER_LIMIT + 1)
        form = TaskForm(people=selectors.people_of(incident), incident=incident, prefix="task")
        html = str(form["assignee"])
        assert '<option value="" selected>Nobody yet</option>' in html
        assert html.count("<option") == 1
        assert " required" not in html

    def test_the_search_box_shows_the_person_already_chosen(self, incident, org, team):
        members_in_all(org, 60)
        chosen = User.objects.get(username="person030")
        html = str(role_form(incident, data={"role-user": str(chosen.pk)})["user"])
        assert html.count("<option") == 2
        assert f'<option value="{chosen.pk}" selected>Person 030 (person030)</option>' in html
        html = str(role_form(incident, initial={"user": team["monitor"]})["user"])
        assert f'<option value="{team["monitor"].pk}" selected>Monitor (monitor)</option>' in html

    @pytest.mark.parametrize("sent", ["²", "9" * 30, "abc", ""])
    def test_an_id_that_is_no_id_shows_nobody_chosen(self, incident, org, sent):
        members_in_all(org, 60)
        html = str(role_form(incident, data={"role-user": sent})["user"])
        assert html.count("<option") == 1

    def test_a_tampered_id_of_a_non_member_is_refused(self, incident, org, outsider):
        members_in_all(org, 60)
        form = role_form(incident, data={"role-user": str(outsider.pk), "role-role": "observer"})
        assert not form.is_valid()
        assert "user" in form.errors
        assert "Outsider" not in str(form["user"])  # nor shown as chosen

    def test_the_room_refuses_a_tampered_id_with_a_form_error(self, client, incident, org, team, outsider):
        members_in_all(org, 60)
        client.force_login(team["lead"])
        response = client.post(
            f"/incidents/{incident.pk}/roles/", {"role-user": outsider.pk, "role-role": "observer"}
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert not IncidentRoleAssignment.objects.filter(incident=incident, user=outsider).exists()

    def test_a_member_found_by_the_search_is_assigned(self, client, incident, org, team, roles):
        add_members(org, 60)
        chosen = User.objects.get(username="person042")
        client.force_login(team["lead"])
        response = client.post(
            f"/incidents/{incident.pk}/roles/", {"role-user": chosen.pk, "role-role": "observer"}
        )
        assert response.status_code == 302
        assert IncidentRoleAssignment.objects.filter(incident=incident, user=chosen, role=roles["observer"])

    def test_choosing_costs_one_query_whatever_the_size(self, incident, org, django_assert_num_queries):
        for total in (PEOPLE_PICKER_LIMIT, 300):
            members_in_all(org, total)
            form = role_form(incident)
            with django_assert_num_queries(1):  # the first LIMIT + 1 people: decides and fills the select
                assert str(form["user"]) and form["user"].id_for_label

    def test_a_form_never_rendered_costs_no_query(self, incident, org, django_assert_num_queries):
        members_in_all(org, 60)
        with django_assert_num_queries(0):
            role_form(incident)

    def test_without_the_incident_it_stays_the_plain_select(self, incident, org):
        members_in_all(org, 60)
        form = RoleForm(people=selectors.people_of(incident), prefix="role")
        assert not isinstance(form.fields["user"].widget, PeoplePicker)
        assert str(form["user"]).count("<option") == 61


class TestTheActionItemOwner:
    def test_the_postmortem_page_has_a_search_box_for_a_large_organization(self, client, incident, org, team):
        members_in_all(org, 60)
        client.force_login(team["lead"])
        html = client.get(f"/incidents/{incident.pk}/postmortem/").content.decode()
        assert f'hx-get="/incidents/{incident.pk}/people/?name=item-owner"' in html
        assert "Person 001" not in html
        assert html.count("<option") < 20

    def test_the_owner_picker_is_the_plain_select_for_a_small_one(self, incident, team):
        form = ActionItemForm(incident=incident)
        assert str(form["owner"]).count("<option") == len(team) + 1

    def test_an_owner_found_by_the_search_is_kept(self, client, incident, org, team):
        add_members(org, 60)
        chosen = User.objects.get(username="person007")
        client.force_login(team["lead"])
        response = client.post(
            f"/incidents/{incident.pk}/postmortem/items/",
            {"item-title": "Night rota", "item-owner": chosen.pk},
        )
        assert response.status_code == 302
        assert incident.postmortem.action_items.get().owner == chosen


class TestTheSearch:
    @pytest.fixture(autouse=True)
    def sixty(self, org):
        members_in_all(org, 60)

    def test_it_finds_by_full_name_user_name_or_email_ignoring_case(self, client, incident, team):
        client.force_login(team["lead"])
        assert options(search(client, incident, q="PERSON 042")) == ["Person 042 (person042)"]
        forties = [f"Person 04{n} (person04{n})" for n in range(10)]
        assert options(search(client, incident, q="person04")) == forties
        assert options(search(client, incident, q="person017@LUMEN")) == ["Person 017 (person017)"]
        assert options(search(client, incident, q="spokes")) == ["Spokesperson (spokesperson)"]

    def test_every_word_must_match(self, client, incident, team):
        client.force_login(team["lead"])
        assert options(search(client, incident, q="  042  person ")) == ["Person 042 (person042)"]

    def test_it_answers_at_most_20_and_says_there_are_more(self, client, incident, team):
        client.force_login(team["lead"])
        response = search(client, incident, q="person")
        assert len(options(response)) == PEOPLE_SEARCH_LIMIT == 20
        assert "The first 20 matches: type more of the name to narrow them." in response.content.decode()

    def test_an_empty_search_gives_the_first_20(self, client, incident, team):
        client.force_login(team["lead"])
        expected = [person_label(person) for person in selectors.people_of(incident)[:20]]
        assert expected[:2] == ["Approver (approver)", "Approver2 (approver2)"]  # by name
        assert options(search(client, incident, q="")) == expected
        assert options(search(client, incident)) == expected

    def test_it_keeps_the_fields_empty_option_and_says_how_many_match(self, client, incident, team):
        client.force_login(team["lead"])
        html = search(client, incident, name="task-assignee", q="person03").content.decode()
        assert html.strip().startswith('<option value="">Nobody yet</option>')
        assert '<p id="task-assignee-matches" hx-swap-oob="innerHTML">10 people match.</p>' in html
        html = search(client, incident, q="nobody-like-this").content.decode()
        assert options_count(html) == 1  # "---------" only
        assert "Nobody matches “nobody-like-this”." in html

    def test_it_answers_only_active_members_of_the_incidents_organization(
        self, client, incident, team, outsider
    ):
        User.objects.filter(username="person005").update(is_active=False)
        client.force_login(team["lead"])
        assert options(search(client, incident, q="person005")) == []
        assert options(search(client, incident, q="outsider")) == []

    def test_it_escapes_what_it_shows(self, client, incident, org, team):
        User.objects.filter(username="person001").update(full_name="<b>Bold</b>")
        client.force_login(team["lead"])
        html = search(client, incident, q="bold").content.decode()
        assert "&lt;b&gt;Bold&lt;/b&gt; (person001)" in html and "<b>" not in html

    @pytest.mark.parametrize(
        "params",
        [
            {"q": "x" * 101},
            {"q": "a\x00b"},
            {"name": ""},
            {"name": "user"},
            {"name": "role-role"},
            {"name": "entry-body"},
        ],
    )
    def test_bad_input_is_a_400(self, client, incident, team, params):
        client.force_login(team["lead"])
        assert search(client, incident, **params).status_code == 400

    def test_100_characters_are_a_search(self, client, incident, team):
        client.force_login(team["lead"])
        assert search(client, incident, q="x" * 100).status_code == 200

    def test_it_needs_the_right_of_the_form_the_picker_is_in(self, client, incident, team):
        client.force_login(team["observer"])  # sees the room, may do nothing
        for name in ("role-user", "task-assignee", "item-owner"):
            assert search(client, incident, name=name).status_code == 403
            assert search(client, incident, name=name, q="x" * 101).status_code == 403  # 403 before 400
        client.force_login(team["responder"])  # manages tasks, assigns no roles
        assert search(client, incident, name="task-assignee").status_code == 200
        assert search(client, incident, name="role-user").status_code == 403
        client.force_login(team["lead"])
        for name in ("role-user", "task-assignee", "item-owner"):
            assert search(client, incident, name=name).status_code == 200

    def test_another_organizations_incident_is_a_404(self, client, incident, outsider):
        client.force_login(outsider)
        assert search(client, incident).status_code == 404
        assert client.get("/incidents/999999/people/", {"name": "role-user"}).status_code == 404

    def test_it_needs_a_sign_in_and_a_get(self, client, incident, team):
        assert search(client, incident).status_code == 302
        client.force_login(team["lead"])
        assert client.post(f"/incidents/{incident.pk}/people/", {"name": "role-user"}).status_code == 405

    def test_its_query_count_does_not_grow_with_the_organization(
        self, client, incident, org, team, django_assert_max_num_queries
    ):
        client.force_login(team["lead"])
        search(client, incident, q="person")  # sessions, content types: warm
        with django_assert_max_num_queries(10) as few:
            search(client, incident, q="person")
        baseline = len(few.captured_queries)
        add_members(org, 500)
        with django_assert_max_num_queries(baseline):
            response = search(client, incident, q="person")
        assert len(options(response)) == 20


def options_count(html: str) -> int:
    return html.count("<option")


def picker_options(html: str, name: str) -> int:
    """How many options the page's select named `name` holds."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, flags=re.S)
    return select.group(1).count("<option")


class TestTheRoom:
    def test_a_room_of_60_people_lists_none_of_them(self, client, incident, org, team):
        members_in_all(org, 60)
        client.force_login(team["lead"])
        response = client.get(f"/incidents/{incident.pk}/")
        html = response.content.decode()
        assert f'hx-get="/incidents/{incident.pk}/people/?name=role-user"' in html
        assert f'hx-get="/incidents/{incident.pk}/people/?name=task-assignee"' in html
        assert picker_options(html, "role-user") == 1  # "---------"
        assert picker_options(html, "task-assignee") == 1  # "Nobody yet"
        assert "Person 001" not in html

    def test_a_room_of_50_people_keeps_the_plain_selects(self, client, incident, org, team):
        members_in_all(org, PEOPLE_PICKER_LIMIT)
        client.force_login(team["lead"])
        response = client.get(f"/incidents/{incident.pk}/")
        html = response.content.decode()
        assert picker_options(html, "role-user") == PEOPLE_PICKER_LIMIT + 1
        assert picker_options(html, "task-assignee") == PEOPLE_PICKER_LIMIT + 1
        assert 'type="search"' not in html

    def test_a_refused_role_form_keeps_the_chosen_person_in_the_search_box(self, client, incident, org, team):
        members_in_all(org, 60)
        chosen = User.objects.get(username="person012")
        client.force_login(team["lead"])
        response = client.post(f"/incidents/{incident.pk}/roles/", {"role-user": chosen.pk, "role-role": "x"})
        assert response.status_code == 400
        html = str(response.context["role_form"]["user"])
        assert f'<option value="{chosen.pk}" selected>Person 012 (person012)</option>' in html
        assert html.count("<option") == 2

    def test_the_rooms_query_count_does_not_grow_with_the_organization(
        self, client, incident, org, team, django_assert_max_num_queries
    ):
        client.force_login(team["lead"])
        client.get(f"/incidents/{incident.pk}/")
        with django_assert_max_num_queries(40) as few:
            client.get(f"/incidents/{incident.pk}/")
        baseline = len(few.captured_queries)
        add_members(org, 300)
        with django_assert_max_num_queries(baseline):
            client.get(f"/incidents/{incident.pk}/")

    def test_someone_who_may_not_use_the_pickers_pays_no_query_for_them(
        self, client, incident, org, team, django_assert_max_num_queries
    ):
        people = 'FROM "accounts_user" INNER JOIN "accounts_membership"'
        for who, reads in (("lead", 2), ("observer", 0)):
            client.force_login(team[who])
            client.get(f"/incidents/{incident.pk}/")
            with django_assert_max_num_queries(40) as few:
                client.get(f"/incidents/{incident.pk}/")
            assert len([query for query in few.captured_queries if people in query["sql"]]) == reads, who
