import io

import pytest
from django.core.management import call_command

from playbooks.demo_content import SCENARIOS
from playbooks.models import Playbook
from playbooks.placeholders import unknown_placeholders

pytestmark = pytest.mark.django_db


def test_the_demo_has_five_scenarios_in_english_and_dutch():
    call_command("seed_demo", stdout=io.StringIO())
    playbooks = Playbook.objects.filter(organization__slug="lumen")
    assert playbooks.filter(language="en").count() >= 5
    assert playbooks.filter(language="nl").count() >= 5
    for playbook in playbooks:
        kinds = sorted(playbook.templates.values_list("kind", flat=True))
        assert kinds == ["holding", "update"], playbook.name
        assert playbook.steps.count() >= 5, playbook.name
        assert set(playbook.role_assignments.values_list("role__slug", flat=True)) >= {"lead", "approver"}
        assert playbook.revision == 1


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario["key"])
def test_every_demo_template_uses_known_placeholders_and_fits_a_post(scenario):
    for language in ("en", "nl"):
        for template in scenario[language]["templates"]:
            assert unknown_placeholders(template["body"]) == []
            assert len(template["body"]) < 480
            assert "{next_update}" in template["body"]
