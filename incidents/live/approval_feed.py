"""The live feed `approvals`: the statements waiting for each person's decision, pushed to every page.

Same rule as `incidents.selectors.statements_waiting_for` and the checks of a decision
(`Statement.check_decision_by`): a statement waiting for approval, on an incident not closed
where the person has `approve_statement` (counted only while they are an active member of its
organization), that they did not write (its author, or whoever made the current revision) and
did not decide on in its current revision.

The hub asks it about everyone with a stream open, every second: a constant number of queries
for all of them, and none that grows with them: the statements waiting for approval (few at any
time; one query when there are none), their revisions and approvals, and who may approve on
their incidents (the few people with that grant there, not the rights of everyone asked).
"""

from django.db.models import Prefetch

from incidents import selectors
from incidents.live.feeds import Feed
from incidents.models import Approval, Incident, Statement, StatementRevision


def waiting_many(user_ids) -> dict[int, list[Statement]]:
    """Per person, the statements waiting for their decision, oldest first (as
    `statements_waiting_for`); people with none are left out."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    pending = list(
        Statement.objects.filter(status=Statement.Status.PENDING_APPROVAL)
        .exclude(incident__status=Incident.Status.CLOSED)  # no decision there any more: not waiting
        .only("pk", "incident", "revision", "author", "submitted_at")
        .prefetch_related(
            Prefetch("revisions", queryset=StatementRevision.objects.only("statement", "number", "author")),
            Prefetch("approvals", queryset=Approval.objects.only("statement", "revision", "approver")),
        )
        .order_by("submitted_at", "pk")
    )
    if not pending:
        return {}
    # Who may approve there (a few people an incident), not the rights of everyone asked.
    rights = selectors.incident_permissions_many(
        None, {statement.incident_id for statement in pending}, codenames=["approve_statement"]
    )
    approvers: dict[int, set[int]] = {}
    for (user_id, incident_id), perms in rights.items():
        if user_id in user_ids and "approve_statement" in perms:
            approvers.setdefault(incident_id, set()).add(user_id)
    waiting: dict[int, list[Statement]] = {}
    for statement in pending:
        for user_id in approvers.get(statement.incident_id, set()) - statement.not_deciding():
            waiting.setdefault(user_id, []).append(statement)
    return waiting


def _tokens(user_ids: set[int]) -> dict[int, object]:
    """(statement id, revision, submitted at in ms) of each: a statement edited and submitted
    again waits anew."""
    return {
        user_id: tuple((s.pk, s.revision, int(s.submitted_at.timestamp() * 1000)) for s in statements)
        for user_id, statements in waiting_many(user_ids).items()
    }


def _data(user_id: int, token) -> dict:
    """How many wait for them, and when the latest of them was submitted (ms since the epoch):
    it grows only when something new waits, so the page announces that and not a decision."""
    return {"count": len(token or ()), "newest": max((submitted for *_, submitted in token or ()), default=0)}


feed = Feed("approvals", _tokens, _data, on_room_change=True)
