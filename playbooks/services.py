"""Writes for playbooks: authoring, revisions and duplication.

Every change to a playbook ends in `playbook_revision_record`, so an incident can always
point at the exact plan it was opened from, and old plans stay readable.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, User
from playbooks.models import (
    DEFAULT_TARGETS,
    Playbook,
    PlaybookRevision,
    PlaybookRoleAssignment,
    PlaybookStep,
    PlaybookTarget,
    StatementTemplate,
)

PLAYBOOK_FIELDS = ("name", "description", "language", "trigger_keywords", "is_active")
TARGET_FIELDS = (
    "minutes_to_acknowledge",
    "minutes_to_first_response",
    "minutes_between_updates",
    "approvals_required",
)


def playbook_snapshot(playbook: Playbook) -> dict[str, Any]:
    """The playbook and everything in it as plain data, for a revision."""
    return {
        **{field: getattr(playbook, field) for field in PLAYBOOK_FIELDS},
        "steps": [
            {
                "order": step.order,
                "title": step.title,
                "description": step.description,
                "role": step.role.slug if step.role else None,
                "due_after_minutes": step.due_after_minutes,
            }
            for step in playbook.steps.select_related("role")
        ],
        "role_assignments": [
            {
                "role": assignment.role.slug,
                "user": assignment.user_id,
                "username": assignment.user.username,
                "kind": assignment.kind,
            }
            for assignment in playbook.role_assignments.select_related("role", "user")
        ],
        "templates": [
            {
                "name": template.name,
                "kind": template.kind,
                "language": template.language,
                "body": template.body,
            }
            for template in playbook.templates.all()
        ],
        "targets": [
            {"severity": target.severity, **{field: getattr(target, field) for field in TARGET_FIELDS}}
            for target in playbook.targets.all()
        ],
    }


def playbook_revision_record(
    *, playbook: Playbook, acting_user: User | None, change_note: str
) -> PlaybookRevision:
    """Freeze the playbook as revision N+1, unless nothing changed since revision N."""
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    snapshot = playbook_snapshot(playbook)
    latest = playbook.revisions.filter(is_proposal=False).order_by("-number").first()
    if latest is not None and latest.snapshot == snapshot:
        return latest
    revision = PlaybookRevision.objects.create(
        playbook=playbook,
        number=_next_number(playbook),
        change_note=change_note,
        snapshot=snapshot,
        created_by=acting_user,
    )
    playbook.revision = revision.number
    playbook.save(update_fields=["revision", "updated_at"])
    return revision


def _replace_steps(playbook: Playbook, steps: list[dict]) -> None:
    playbook.steps.all().delete()
    PlaybookStep.objects.bulk_create(
        PlaybookStep(playbook=playbook, **{"order": index, **step})
        for index, step in enumerate(steps, start=1)
    )


def _replace_role_assignments(playbook: Playbook, assignments: list[dict]) -> None:
    playbook.role_assignments.all().delete()
    PlaybookRoleAssignment.objects.bulk_create(
        PlaybookRoleAssignment(playbook=playbook, **assignment) for assignment in assignments
    )


def _replace_templates(playbook: Playbook, templates: list[dict]) -> None:
    playbook.templates.all().delete()
    StatementTemplate.objects.bulk_create(
        StatementTemplate(playbook=playbook, **{"language": playbook.language, **template})
        for template in templates
    )


def _merge_targets(playbook: Playbook, targets: list[dict]) -> None:
    """Targets are one per severity: given ones change, the others keep their values."""
    for target in targets:
        values = {field: target[field] for field in TARGET_FIELDS if field in target}
        PlaybookTarget.objects.update_or_create(
            playbook=playbook, severity=target["severity"], defaults=values
        )


def _apply_nested(playbook: Playbook, nested: dict[str, list[dict] | None]) -> None:
    if nested.get("steps") is not None:
        _replace_steps(playbook, nested["steps"])
    if nested.get("role_assignments") is not None:
        _replace_role_assignments(playbook, nested["role_assignments"])
    if nested.get("templates") is not None:
        _replace_templates(playbook, nested["templates"])
    if nested.get("targets") is not None:
        _merge_targets(playbook, nested["targets"])


@transaction.atomic
def playbook_create(
    *,
    organization: Organization,
    acting_user: User | None,
    name: str,
    description: str = "",
    language: str = "en",
    trigger_keywords: list[str] | None = None,
    is_active: bool = True,
    steps: list[dict] | None = None,
    role_assignments: list[dict] | None = None,
    templates: list[dict] | None = None,
    targets: list[dict] | None = None,
    change_note: str = "",
) -> Playbook:
    playbook = Playbook.objects.create(
        organization=organization,
        name=name,
        description=description,
        language=language,
        trigger_keywords=trigger_keywords or [],
        is_active=is_active,
    )
    playbook_targets_fill_defaults(playbook=playbook)
    _apply_nested(
        playbook,
        {"steps": steps, "role_assignments": role_assignments, "templates": templates, "targets": targets},
    )
    playbook_revision_record(
        playbook=playbook, acting_user=acting_user, change_note=change_note or _("Created")
    )
    return playbook


def playbook_targets_fill_defaults(*, playbook: Playbook) -> None:
    """Give a playbook the default target for every severity it has none for."""
    existing = set(playbook.targets.values_list("severity", flat=True))
    PlaybookTarget.objects.bulk_create(
        PlaybookTarget(playbook=playbook, severity=severity, **values)
        for severity, values in DEFAULT_TARGETS.items()
        if severity not in existing
    )


@transaction.atomic
def playbook_update(
    *,
    playbook: Playbook,
    acting_user: User | None,
    change_note: str = "",
    steps: list[dict] | None = None,
    role_assignments: list[dict] | None = None,
    templates: list[dict] | None = None,
    targets: list[dict] | None = None,
    **fields: Any,
) -> Playbook:
    """Change a playbook; nested lists that are given replace the old ones (targets merge)."""
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    unknown = set(fields) - set(PLAYBOOK_FIELDS)
    if unknown:
        raise TypeError(f"playbook_update() got unknown fields: {sorted(unknown)}")
    for field, value in fields.items():
        setattr(playbook, field, value)
    if fields:
        playbook.save(update_fields=[*fields, "updated_at"])
    _apply_nested(
        playbook,
        {"steps": steps, "role_assignments": role_assignments, "templates": templates, "targets": targets},
    )
    playbook_revision_record(playbook=playbook, acting_user=acting_user, change_note=change_note)
    return playbook


@transaction.atomic
def playbook_duplicate(*, playbook: Playbook, name: str, acting_user: User | None) -> Playbook:
    """Copy a playbook, with all it holds, as the start of a new scenario."""
    snapshot = playbook_snapshot(playbook)
    roles = {role.slug: role for role in Role.objects.all()}
    return playbook_create(
        organization=playbook.organization,
        acting_user=acting_user,
        name=name,
        description=snapshot["description"],
        language=snapshot["language"],
        trigger_keywords=snapshot["trigger_keywords"],
        is_active=False,
        steps=[{**step, "role": roles.get(step["role"])} for step in snapshot["steps"]],
        role_assignments=[
            {"role": roles[a["role"]], "user_id": a["user"], "kind": a["kind"]}
            for a in snapshot["role_assignments"]
        ],
        templates=snapshot["templates"],
        targets=snapshot["targets"],
        change_note=_("Duplicated from “%(name)s”, revision %(number)d")
        % {"name": playbook.name, "number": playbook.revision},
    )


def _next_number(playbook: Playbook) -> int:
    return (playbook.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1


@transaction.atomic
def playbook_revision_propose(
    *, playbook: Playbook, acting_user: User | None, change_note: str
) -> PlaybookRevision:
    """A revision that proposes changes (from a post-mortem) for an organization admin to review.

    It copies the current plan and carries the change note; the playbook stays on its current
    revision until an admin edits it.
    """
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    return PlaybookRevision.objects.create(
        playbook=playbook,
        number=_next_number(playbook),
        change_note=change_note,
        is_proposal=True,
        snapshot=playbook_snapshot(playbook),
        created_by=acting_user,
    )
