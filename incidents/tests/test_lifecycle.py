import itertools

import pytest

from crisisdesk.errors import DomainError
from incidents.models import Incident, PostMortem, TimelineEntry
from incidents.tests.conftest import api_as

pytestmark = pytest.mark.django_db

S = Incident.Status
ALLOWED = {
    (S.DETECTED, S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, S.RESPONDING),
    (S.RESPONDING, S.MONITORING),
    (S.MONITORING, S.RESOLVED),
    (S.MONITORING, S.RESPONDING),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.RESPONDING),
}
PAIRS = list(itertools.product(S.values, S.values))


@pytest.mark.parametrize(("current", "to"), PAIRS, ids=[f"{a}-to-{b}" for a, b in PAIRS])
def test_every_transition_through_the_api(current, to, incident, team):
    Incident.objects.filter(pk=incident.pk).update(status=current)
    PostMortem.objects.filter(incident=incident).update(status=PostMortem.Status.COMPLETED)
    response = api_as(team["lead"]).post(
        f"/api/v1/incidents/{incident.pk}/transition/", {"to": to}, format="json"
    )
    if (current, to) in ALLOWED:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == to
    else:
        assert response.status_code == 409, response.json()
        assert "detail" in response.json()
        incident.refresh_from_db()
        assert incident.status == current


def test_the_whole_way_stamps_each_time_and_writes_the_timeline(incident, team):
    client = api_as(team["lead"])
    for to in ("acknowledged", "responding", "monitoring", "responding", "monitoring", "resolved"):
        assert (
            client.post(f"/api/v1/incidents/{incident.pk}/transition/", {"to": to}, format="json").status_code
            == 200
        )
    body = client.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert body["acknowledged_at"] is not None and body["resolved_at"] is not None
    assert body["closed_at"] is None
    changes = list(
        incident.timeline.filter(kind=TimelineEntry.Kind.STATUS_CHANGE).values_list("body", flat=True)
    )
    assert changes[0] == "Status: Detected → Acknowledged."
    assert len(changes) == 6


def test_closing_needs_a_completed_postmortem(incident, team):
    Incident.objects.filter(pk=incident.pk).update(status=S.RESOLVED)
    client = api_as(team["lead"])
    response = client.post(f"/api/v1/incidents/{incident.pk}/transition/", {"to": "closed"}, format="json")
    assert response.status_code == 409
    assert "post-mortem" in response.json()["detail"]
    PostMortem.objects.filter(incident=incident).update(status=PostMortem.Status.COMPLETED)
    response = client.post(f"/api/v1/incidents/{incident.pk}/transition/", {"to": "closed"}, format="json")
    assert response.status_code == 200
    assert response.json()["closed_at"] is not None


def test_reopening_clears_resolved_at(incident, team):
    incident.status = S.MONITORING
    incident.transition_to(S.RESOLVED)
    assert incident.resolved_at is not None
    incident.transition_to(S.RESPONDING)
    assert incident.resolved_at is None


def test_an_unknown_status_is_a_400_naming_the_field(incident, team):
    response = api_as(team["lead"]).post(
        f"/api/v1/incidents/{incident.pk}/transition/", {"to": "panic"}, format="json"
    )
    assert response.status_code == 400
    assert "to" in response.json()


def test_the_model_method_raises_a_domain_error(incident):
    with pytest.raises(DomainError):
        incident.transition_to(S.RESOLVED)


def test_allowed_transitions_are_in_the_api(incident, team):
    body = api_as(team["observer"]).get(f"/api/v1/incidents/{incident.pk}/").json()
    assert body["allowed_transitions"] == ["acknowledged"]
