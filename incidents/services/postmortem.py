"""Writes for the post-mortem: its text, its action items, and proposing them to a playbook."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from incidents.models import ActionItem, Incident, PostMortem, TimelineEntry
from incidents.services.incident import entry_write, incident_locked, require
from incidents.timeline_messages import say
from playbooks import services as playbook_services
from playbooks.models import Playbook, PlaybookRevision

TEXT_FIELDS = ("summary", "went_well", "to_improve", "root_cause")


@transaction.atomic
def postmortem_update(
    *, incident: Incident, acting_user: User, status: str | None = None, **texts
) -> PostMortem:
    """Change the texts; completing it records who and when (closing the incident needs that)."""
    require(acting_user, "edit_postmortem", incident)
    incident_locked(incident.pk)  # the lock order: the incident before the rest
    postmortem = PostMortem.objects.select_for_update().get(incident=incident)
    for name, value in texts.items():
        if name not in TEXT_FIELDS:
            raise TypeError(f"postmortem_update() cannot change {name}")
        setattr(postmortem, name, value)
    changed = list(texts)
    if status is not None and status != postmortem.status:
        if status == PostMortem.Status.COMPLETED and not postmortem.summary.strip():
            raise ValidationError({"summary": _("Write a summary before completing the post-mortem.")})
        postmortem.status = status
        completed = status == PostMortem.Status.COMPLETED
        postmortem.completed_by, postmortem.completed_at = (
            (acting_user, timezone.now()) if completed else (None, None)
        )
        changed += ["status", "completed_by", "completed_at"]
        if completed:
            entry_write(
                incident=incident,
                kind=TimelineEntry.Kind.SYSTEM,
                author=acting_user,
                message=say(
                    gettext_noop("%(name)s completed the post-mortem."), name=acting_user.get_full_name()
                ),
            )
    if changed:
        postmortem.save(update_fields=changed)
    return postmortem


@transaction.atomic
def action_item_create(
    *,
    incident: Incident,
    acting_user: User,
    title: str,
    owner: User | None = None,
    due_date: date | None = None,
    playbook: Playbook | None = None,
) -> ActionItem:
    require(acting_user, "edit_postmortem", incident)
    if playbook is not None and playbook.organization_id != incident.organization_id:
        raise ValidationError({"playbook": _("This playbook belongs to another organization.")})
    return ActionItem.objects.create(
        postmortem=incident.postmortem,
        title=title,
        owner=owner,
        due_date=due_date,
        playbook=playbook or incident.playbook,
    )


@transaction.atomic
def action_items_apply(
    *, incident: Incident, acting_user: User, items: list[ActionItem]
) -> list[PlaybookRevision]:
    """Turn action items into a proposed revision of their playbook, with a change note listing them."""
    require(acting_user, "edit_postmortem", incident)
    by_playbook: dict[Playbook, list[ActionItem]] = {}
    for item in items:
        if item.postmortem.incident_id != incident.pk:
            raise ValidationError({"items": _("These action items belong to another incident.")})
        if item.playbook is None:
            raise ValidationError(
                {"items": _("“%(title)s” names no playbook to change.") % {"title": item.title}}
            )
        by_playbook.setdefault(item.playbook, []).append(item)
    revisions = []
    for playbook, playbook_items in by_playbook.items():
        if incident.restricted:  # every member reads the playbook; not every member sees the incident
            note = _("Proposed by the post-mortem of a restricted incident:")
        else:
            note = _("Proposed by the post-mortem of “%(incident)s”:") % {"incident": incident.title}
        note += "".join(f"\n- {item.title}" for item in playbook_items)
        revision = playbook_services.playbook_revision_propose(
            playbook=playbook, acting_user=acting_user, change_note=note
        )
        ActionItem.objects.filter(pk__in=[item.pk for item in playbook_items]).update(
            playbook_revision=revision
        )
        revisions.append(revision)
    return revisions
