import pytest

from playbooks import services
from playbooks.models import Playbook

pytestmark = pytest.mark.django_db


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def change_form(playbook: Playbook, **fields) -> dict:
    """The admin change form as a browser would post it, with the inlines as they are."""
    steps = [
        {
            "id": s.pk,
            "playbook": playbook.pk,
            "order": s.order,
            "title": s.title,
            "description": s.description,
            "role": s.role_id or "",
            "due_after_minutes": s.due_after_minutes,
        }
        for s in playbook.steps.all()
    ]
    assignments = [
        {"id": a.pk, "playbook": playbook.pk, "role": a.role_id, "user": a.user_id, "kind": a.kind}
        for a in playbook.role_assignments.all()
    ]
    templates = [
        {
            "id": t.pk,
            "playbook": playbook.pk,
            "name": t.name,
            "kind": t.kind,
            "language": t.language,
            "body": t.body,
        }
        for t in playbook.templates.all()
    ]
    targets = [
        {
            "id": t.pk,
            "playbook": playbook.pk,
            "severity": t.severity,
            "minutes_to_acknowledge": t.minutes_to_acknowledge,
            "minutes_to_first_response": t.minutes_to_first_response,
            "minutes_between_updates": t.minutes_between_updates,
            "approvals_required": t.approvals_required,
        }
        for t in playbook.targets.all()
    ]
    data = {
        "name": playbook.name,
        "language": playbook.language,
        "description": playbook.description,
        "trigger_keywords": "\n".join(playbook.trigger_keywords),
        "is_active": "on",
        "change_note": "",
    }
    data.update(inline("steps", steps, len(steps)))
    data.update(inline("role_assignments", assignments, len(assignments)))
    data.update(inline("templates", templates, len(templates)))
    data.update(inline("targets", targets, len(targets)))
    data.update(fields)
    return data


class TestAuthoringInTheAdmin:
    def test_an_organization_admin_sees_the_playbook_list(self, client, playbook, team):
        client.force_login(team["lead"])
        response = client.get("/admin/playbooks/playbook/")
        assert response.status_code == 200
        assert b"Service outage" in response.content

    def test_the_change_page_previews_templates_with_sample_values(self, client, playbook, team):
        client.force_login(team["lead"])
        response = client.get(f"/admin/playbooks/playbook/{playbook.pk}/change/")
        assert response.status_code == 200
        assert b"Lumen Energy knows about Outage of the customer app" in response.content

    def test_editing_in_the_admin_makes_a_new_revision(self, client, playbook, team):
        client.force_login(team["lead"])
        data = change_form(playbook, description="Check the status page first.", change_note="Status page")
        response = client.post(f"/admin/playbooks/playbook/{playbook.pk}/change/", data)
        assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
        playbook.refresh_from_db()
        assert playbook.revision == 2
        latest = playbook.revisions.get(number=2)
        assert (latest.change_note, latest.created_by) == ("Status page", team["lead"])
        assert (
            playbook.revisions.get(number=1).snapshot["description"]
            == "The app is down and customers complain."
        )

    def test_an_unknown_placeholder_is_a_form_error_and_nothing_is_saved(self, client, playbook, team):
        client.force_login(team["lead"])
        data = change_form(playbook)
        data["templates-0-body"] = "Dear {customer}"
        response = client.post(f"/admin/playbooks/playbook/{playbook.pk}/change/", data)
        assert response.status_code == 200
        assert b"Unknown placeholder" in response.content
        playbook.refresh_from_db()
        assert playbook.revision == 1
        assert playbook.templates.get().body.startswith("{organization}")

    def test_adding_a_playbook_in_the_admin_fills_default_targets_and_revision_1(self, client, org, team):
        client.force_login(team["lead"])
        data = {
            "organization": org.pk,
            "name": "Influencer controversy",
            "language": "nl",
            "description": "",
            "trigger_keywords": "boycot\nschandalig",
            "is_active": "on",
            "change_note": "",
        }
        for prefix in ("steps", "role_assignments", "templates", "targets"):
            data.update(inline(prefix, []))
        response = client.post("/admin/playbooks/playbook/add/", data)
        assert response.status_code == 302
        playbook = Playbook.objects.get(name="Influencer controversy")
        assert playbook.trigger_keywords == ["boycot", "schandalig"]
        assert playbook.targets.count() == 4
        assert playbook.revision == 1

    def test_duplicate_as_new_scenario(self, client, playbook, team):
        client.force_login(team["lead"])
        response = client.post(
            "/admin/playbooks/playbook/",
            {"action": "duplicate_as_new_scenario", "_selected_action": [playbook.pk]},
        )
        assert response.status_code == 302
        copy = Playbook.objects.get(name="Service outage (copy)")
        assert not copy.is_active
        assert copy.steps.count() == 2 and copy.role_assignments.count() == 3 and copy.templates.count() == 1
        assert copy.revision == 1


class TestWhoMayAuthor:
    def test_a_member_who_is_not_an_admin_cannot_enter_the_admin(self, client, playbook, team):
        client.force_login(team["responder"])
        response = client.get(f"/admin/playbooks/playbook/{playbook.pk}/change/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_an_admin_of_another_organization_sees_none_of_ours(self, client, playbook, outsider, other_org):
        services.playbook_create(organization=other_org, acting_user=outsider, name="Parcel lost")
        client.force_login(outsider)
        listing = client.get("/admin/playbooks/playbook/")
        assert b"Parcel lost" in listing.content and b"Service outage" not in listing.content
        response = client.get(f"/admin/playbooks/playbook/{playbook.pk}/change/")
        assert response.status_code == 302  # the admin redirects an object you may not see to its index
        assert client.post(
            f"/admin/playbooks/playbook/{playbook.pk}/change/", change_form(playbook, name="x")
        ).status_code in (302, 403)
        playbook.refresh_from_db()
        assert playbook.name == "Service outage"

    def test_an_admin_cannot_create_a_playbook_in_another_organization(self, client, team, other_org):
        client.force_login(team["lead"])
        data = {"organization": other_org.pk, "name": "Sneaky", "language": "en", "is_active": "on"}
        for prefix in ("steps", "role_assignments", "templates", "targets"):
            data.update(inline(prefix, []))
        response = client.post("/admin/playbooks/playbook/add/", data)
        assert response.status_code == 200
        assert not Playbook.objects.filter(name="Sneaky").exists()

    def test_revisions_are_read_only_in_the_admin(self, client, playbook, team):
        client.force_login(team["lead"])
        revision = playbook.revisions.get()
        assert client.get(f"/admin/playbooks/playbookrevision/{revision.pk}/change/").status_code == 200
        assert (
            client.post(
                f"/admin/playbooks/playbookrevision/{revision.pk}/delete/", {"post": "yes"}
            ).status_code
            == 403
        )
