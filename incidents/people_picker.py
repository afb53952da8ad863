"""The person picker of the incident pages: a plain select for a small organization, a search box
for a large one, so a page never lists thousands of people.

The field stays a ModelChoiceField over the organization's people: the widget only chooses what it
shows, the field still refuses anyone outside them. The search box asks
`incidents:people` (people_views) for the options that match what is typed (htmx).
"""

from functools import cached_property

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from crisisdesk.converters import id_or_none

PEOPLE_PICKER_LIMIT = 50  # up to this many people, the plain select (one click); beyond, the search box
PEOPLE_SEARCH_LIMIT = 20  # options one search answers
SEARCH_TEXT_MAX = 100


def person_label(user: User) -> str:
    """How the search box names a person: two people of a large organization may share a name."""
    return f"{user.full_name} ({user.username})" if user.full_name else user.username


def people_matching(people: QuerySet[User], *, text: str, limit: int = PEOPLE_SEARCH_LIMIT) -> list[User]:
    """The first `limit` of `people` whose full name, user name or e-mail holds every word of `text`."""
    for word in text.split():
        people = people.filter(
            Q(full_name__icontains=word) | Q(username__icontains=word) | Q(email__icontains=word)
        )
    return list(people.only("pk", "username", "full_name")[:limit])


class PeoplePicker(forms.Select):
    """A select of the field's people while there are at most PEOPLE_PICKER_LIMIT, a search box beyond.

    Decided when the field is first rendered, by reading at most LIMIT + 1 people in one query
    (the same query then fills the plain select): a room that is built for everyone but shows the
    pickers only to who may use them costs the others nothing. The search box never reads the
    people; it shows only the one already chosen.
    """

    search_template_name = "incidents/partials/people_search.html"

    def __init__(self, *, search_url: str, label: str, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url
        self.label = label

    @cached_property
    def _first_people(self) -> list[User]:
        return list(self.choices.queryset[: PEOPLE_PICKER_LIMIT + 1])

    @property
    def searches(self) -> bool:
        return len(self._first_people) > PEOPLE_PICKER_LIMIT

    def use_required_attribute(self, initial) -> bool:
        """As Select's (only with an empty first option), without reading the people to find out."""
        has_empty_option = self.choices.field.empty_label is not None
        return forms.Widget.use_required_attribute(self, initial) and has_empty_option

    def id_for_label(self, id_, index="0"):
        """The field's label names the search box (the first thing to fill), or the plain select."""
        if self.searches:
            return f"{id_}_search" if id_ else id_
        return id_

    def _chosen(self, values: list[str]) -> list[User]:
        ids = [pk for pk in map(id_or_none, values) if pk is not None]
        return list(self.choices.queryset.filter(pk__in=ids)) if ids else []

    def _choices_to_show(self, value: list[str]) -> list[tuple]:
        iterator = self.choices  # the field's ModelChoiceIterator
        empty = [("", iterator.field.empty_label)] if iterator.field.empty_label is not None else []
        if self.searches:
            return empty + [(person.pk, person_label(person)) for person in self._chosen(value)]
        return empty + [iterator.choice(person) for person in self._first_people]

    def optgroups(self, name, value, attrs=None):
        options, has_selected = [], False
        for index, (option_value, label) in enumerate(self._choices_to_show(value)):
            selected = not has_selected and str(option_value) in value
            has_selected |= selected
            options.append(self.create_option(name, option_value, label, selected, index, attrs=attrs))
        return [(None, options, 0)]

    def render(self, name, value, attrs=None, renderer=None):
        if not self.searches:
            return super().render(name, value, attrs, renderer)
        context = self.get_context(name, value, attrs)["widget"]
        select_id = context["attrs"].get("id") or f"id_{name}"
        box_attrs = {key: v for key, v in context["attrs"].items() if key not in ("id", "required")}
        described_by = (box_attrs.get("aria-describedby", "") + " " + status_id(name)).strip()
        box_attrs["aria-describedby"] = described_by
        select_attrs = {"id": select_id, "required": context["attrs"].get("required", False)}
        return render_to_string(
            self.search_template_name,
            {
                "name": name,
                "label": self.label,
                "select_id": select_id,
                "search_id": f"{select_id}_search",
                "status_id": status_id(name),
                "url": f"{self.search_url}?{urlencode({'name': name})}",
                "max_length": SEARCH_TEXT_MAX,
                "box_attrs": flatatt(box_attrs),
                "select_attrs": flatatt(select_attrs),
                "options": context["optgroups"][0][1],
            },
        )


def status_id(name: str) -> str:
    """The id of the line that tells how many people match, for the picker of field `name`."""
    return f"{name}-matches"


def people_field(field: forms.ModelChoiceField, *, people: QuerySet[User], incident=None) -> None:
    """Let `field` choose among `people`, through the picker when it knows the incident to search in."""
    if incident is not None:
        field.widget = PeoplePicker(
            search_url=reverse("incidents:people", args=[incident.pk]), label=str(field.label)
        )
        field.widget.is_required = field.required
    field.queryset = people  # also hands the widget its choices
