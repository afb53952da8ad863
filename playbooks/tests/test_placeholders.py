import pytest
from django.core.exceptions import ValidationError

from playbooks import placeholders
from playbooks.models import StatementTemplate

EVERY_PLACEHOLDER = "{organization} · {incident_title} · {date} · {time} · {next_update} · {channel}"
VALUES = {
    "organization": "Lumen",
    "incident_title": "App down",
    "date": "25-11-2026",
    "time": "10:00",
    "next_update": "11:00",
    "channel": "Mastodon",
}


class TestFill:
    def test_it_fills_every_placeholder(self):
        assert (
            placeholders.fill(EVERY_PLACEHOLDER, VALUES)
            == "Lumen · App down · 25-11-2026 · 10:00 · 11:00 · Mastodon"
        )

    def test_it_tolerates_spaces_inside_the_braces(self):
        assert placeholders.fill("{ organization }", VALUES) == "Lumen"

    def test_a_missing_value_stays_visible(self):
        assert placeholders.fill("Next update at {next_update}.", {}) == "Next update at [next_update]."

    def test_it_allows_no_attribute_access(self):
        assert placeholders.unknown_placeholders("{organization.__class__}") == []
        assert placeholders.fill("{organization.__class__}", VALUES) == "{organization.__class__}"


class TestUnknownPlaceholders:
    def test_it_finds_unknown_names(self):
        assert placeholders.unknown_placeholders("Hi {customer_name} from {organization} {ceo}") == [
            "ceo",
            "customer_name",
        ]

    def test_the_template_model_refuses_an_unknown_placeholder(self):
        with pytest.raises(ValidationError) as error:
            StatementTemplate(name="x", body="Dear {customer_name}").clean()
        assert "{customer_name}" in str(error.value.message_dict["body"])

    def test_the_template_model_accepts_known_placeholders(self):
        StatementTemplate(name="x", body=EVERY_PLACEHOLDER).clean()
