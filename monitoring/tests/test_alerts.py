from datetime import timedelta

import pytest

from monitoring.models import Alert, AlertRule
from monitoring.services import alerts_evaluate, mentions_ingest
from monitoring.tests.conftest import NOW, rows

pytestmark = pytest.mark.django_db


def quiet_baseline(source, per_window=2, windows=4):
    """`per_window` mentions in each of the windows before the last 15 minutes."""
    for window in range(1, windows + 1):
        end = NOW - timedelta(minutes=15 * window)
        mentions_ingest(
            source=source,
            evaluate=False,
            rows=rows(per_window, start=end - timedelta(minutes=1), prefix=f"b{window}-"),
        )


class TestVolumeSpike:
    def test_it_fires_at_the_threshold(self, source, volume_rule):
        quiet_baseline(source, per_window=4)  # baseline 4 a window: 3 × 4 = 12 needed
        mentions_ingest(source=source, evaluate=False, rows=rows(12, every=timedelta(seconds=30)))
        [alert] = alerts_evaluate(organization=source.organization, now=NOW)
        assert alert.figures == {"count": 12, "baseline": 4.0}
        assert alert.mentions.count() == 12

    def test_it_does_not_fire_just_below_the_factor(self, source, volume_rule):
        quiet_baseline(source, per_window=4)
        mentions_ingest(source=source, evaluate=False, rows=rows(11, every=timedelta(seconds=30)))
        assert alerts_evaluate(organization=source.organization, now=NOW) == []

    def test_it_does_not_fire_below_the_minimum_count(self, source, volume_rule):
        mentions_ingest(source=source, evaluate=False, rows=rows(9, every=timedelta(seconds=30)))
        assert alerts_evaluate(organization=source.organization, now=NOW) == []

    def test_one_storm_raises_one_alert(self, source, volume_rule):
        mentions_ingest(source=source, evaluate=False, rows=rows(30, every=timedelta(seconds=20)))
        assert len(alerts_evaluate(organization=source.organization, now=NOW)) == 1
        for minutes in (1, 5, 30, 59):
            more = rows(
                30, start=NOW + timedelta(minutes=minutes), every=timedelta(seconds=5), prefix=f"s{minutes}-"
            )
            mentions_ingest(source=source, rows=more)
        assert Alert.objects.count() == 1
        later = NOW + timedelta(hours=3)  # a new storm after a quiet spell raises a new alert
        mentions_ingest(
            source=source,
            evaluate=False,
            rows=rows(20, start=later, every=timedelta(seconds=20), prefix="later"),
        )
        assert len(alerts_evaluate(organization=source.organization, now=later)) == 1

    def test_ingesting_a_batch_checks_the_rules(self, source, volume_rule):
        result = mentions_ingest(source=source, rows=rows(15, every=timedelta(seconds=30)))
        assert len(result.alerts) == 1


class TestNegativeShare:
    @pytest.fixture
    def rule(self, org):
        return AlertRule.objects.create(
            organization=org,
            name="Negative",
            kind="negative_share",
            threshold=0.6,
            min_count=10,
            window_minutes=15,
        )

    def batch(self, source, negative, positive):
        mentions_ingest(
            source=source, evaluate=False, rows=rows(negative, text="Useless company, a total rip-off 😡")
        )
        mentions_ingest(
            source=source,
            evaluate=False,
            rows=rows(positive, text="Thanks, great help, sorted quickly 👍", prefix="p"),
        )

    def test_it_fires_at_the_threshold(self, source, rule):
        self.batch(source, negative=6, positive=4)
        [alert] = alerts_evaluate(organization=source.organization, now=NOW)
        assert alert.figures == {"count": 10, "negative": 6, "share": 0.6}

    def test_it_does_not_fire_below_the_threshold(self, source, rule):
        self.batch(source, negative=5, positive=5)
        assert alerts_evaluate(organization=source.organization, now=NOW) == []

    def test_it_needs_the_minimum_count(self, source, rule):
        self.batch(source, negative=9, positive=0)
        assert alerts_evaluate(organization=source.organization, now=NOW) == []


class TestKeyword:
    @pytest.fixture
    def rule(self, org):
        return AlertRule.objects.create(
            organization=org,
            name="Safety words",
            kind="keyword",
            keywords=["gas smell", "gaslucht"],
            min_count=2,
            window_minutes=15,
        )

    def test_it_fires_on_enough_matching_mentions(self, source, rule):
        mentions_ingest(
            source=source,
            evaluate=False,
            rows=[
                *rows(1, text="There is a GAS SMELL in our street"),
                *rows(1, text="Gaslucht bij ons!", prefix="n"),
                *rows(5, text="Just a bill question", prefix="q"),
            ],
        )
        [alert] = alerts_evaluate(organization=source.organization, now=NOW)
        assert alert.figures["count"] == 2 and alert.mentions.count() == 2

    def test_it_does_not_fire_on_one(self, source, rule):
        mentions_ingest(source=source, evaluate=False, rows=rows(1, text="gas smell here"))
        assert alerts_evaluate(organization=source.organization, now=NOW) == []


def test_rules_of_another_organization_never_see_our_mentions(source, other_org):
    AlertRule.objects.create(
        organization=other_org, name="Theirs", kind="volume_spike", min_count=1, factor=1
    )
    mentions_ingest(source=source, evaluate=False, rows=rows(50, every=timedelta(seconds=10)))
    assert alerts_evaluate(organization=other_org, now=NOW) == []


def test_the_evaluation_cost_does_not_grow_with_history(source, volume_rule, django_assert_max_num_queries):
    old = NOW - timedelta(days=30)
    mentions_ingest(
        source=source, evaluate=False, rows=rows(500, start=old, every=timedelta(minutes=5), prefix="h")
    )
    # The rules; then for the rule, in its own transaction (a savepoint here): its row lock, the
    # cooldown check, the one aggregate over its windows, and the release.
    with django_assert_max_num_queries(6):
        alerts_evaluate(organization=source.organization, now=NOW)


def test_an_inactive_rule_is_not_checked(source, volume_rule):
    AlertRule.objects.filter(pk=volume_rule.pk).update(is_active=False)
    mentions_ingest(source=source, evaluate=False, rows=rows(40, every=timedelta(seconds=10)))
    assert alerts_evaluate(organization=source.organization, now=NOW) == []
