"""The live feed `alerts`: a new alert in my organizations reaches every page I have open.

Registered on incidents' live feeds in MonitoringConfig.ready() (monitoring sits above incidents).
A person's token is the newest alert of the organizations they are an active member of, with
the number of those alerts still new: a new alert moves it, and so does one escalated or
dismissed by someone else (the dashboard lists the new ones). The hub asks it about everyone
with a stream open, every second, in three queries whoever and however many they are: their
memberships, one aggregate per organization, and the rule names of the newest alerts.
"""

from django.db.models import Count, Max, Q

from accounts.models import Membership
from incidents.live.feeds import Feed
from monitoring.models import Alert


def _tokens(user_ids: set[int]) -> dict[int, object]:
    memberships = list(
        Membership.objects.filter(user_id__in=user_ids, user__is_active=True).values_list(
            "user_id", "organization_id"
        )
    )
    figures = {
        row["rule__organization_id"]: (row["newest"], row["new"])
        for row in Alert.objects.filter(rule__organization_id__in={org for _, org in memberships})
        .values("rule__organization_id")
        .annotate(newest=Max("id"), new=Count("id", filter=Q(status=Alert.Status.NEW)))
    }
    if not figures:
        return {}
    names = dict(
        Alert.objects.filter(pk__in=[newest for newest, _ in figures.values()]).values_list(
            "pk", "rule__name"
        )
    )
    seen: dict[int, tuple[int, int]] = {}
    for user_id, organization_id in memberships:
        if organization_id in figures:
            newest, new = figures[organization_id]
            before = seen.get(user_id, (0, 0))
            seen[user_id] = (max(before[0], newest), before[1] + new)
    return {user_id: (newest, new, names.get(newest, "")) for user_id, (newest, new) in seen.items()}


def _data(user_id: int, token) -> dict:
    """What their pages are told: how many alerts are new, and the newest one's id and rule (its
    name as the organization wrote it)."""
    newest, new, rule = token or (0, 0, "")
    return {"count": new, "newest": newest, "rule": rule}


feed = Feed("alerts", _tokens, _data)
