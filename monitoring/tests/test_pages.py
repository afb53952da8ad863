from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from monitoring.models import Alert, AlertRule, Mention, Source
from monitoring.services import alerts_evaluate, mentions_ingest
from monitoring.tests.conftest import rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def recent(source):
    now = timezone.now()
    mentions_ingest(source=source, evaluate=False, rows=rows(30, start=now, every=timedelta(minutes=20)))
    return now


class TestMonitoringPage:
    def test_a_member_sees_charts_mentions_and_alerts(self, client, team, source, recent):
        AlertRule.objects.create(
            organization=source.organization, name="Spike", kind="volume_spike", min_count=1, factor=0
        )
        alerts_evaluate(organization=source.organization, now=recent)
        client.force_login(team["member"])
        html = client.get("/monitoring/").content.decode()
        assert "<svg" in html and "Listening feed" in html
        assert "The app is down again, useless" in html
        assert "Spike" in html and "Open incident" in html

    def test_an_outsider_sees_none_of_it(self, client, outsider, source, recent):
        client.force_login(outsider)
        html = client.get("/monitoring/").content.decode()
        assert "Listening feed" not in html and "useless" not in html

    def test_the_page_uses_a_constant_number_of_queries(
        self, client, team, source, recent, org, django_assert_max_num_queries
    ):
        client.force_login(team["member"])
        with django_assert_max_num_queries(14) as few:
            client.get("/monitoring/")
        baseline = len(few.captured_queries)
        for n in range(5):
            other = Source.objects.create(organization=org, kind="webhook", name=f"Feed {n}")
            mentions_ingest(source=other, evaluate=False, rows=rows(20, start=recent, prefix=f"f{n}-"))
        with django_assert_max_num_queries(baseline):
            client.get("/monitoring/")

    def test_escalate_and_dismiss_from_the_page(self, client, team, source, recent):
        rule = AlertRule.objects.create(
            organization=source.organization,
            name="Spike",
            kind="volume_spike",
            min_count=1,
            factor=0,
            cooldown_minutes=0,
        )
        (first,) = alerts_evaluate(organization=source.organization, now=recent)
        (second,) = alerts_evaluate(organization=source.organization, now=recent + timedelta(seconds=1))
        client.force_login(team["monitor"])
        response = client.post(f"/monitoring/alerts/{first.pk}/escalate/")
        first.refresh_from_db()
        assert response["Location"] == f"/incidents/{first.incident_id}/"
        client.post(f"/monitoring/alerts/{second.pk}/dismiss/")
        assert Alert.objects.get(pk=second.pk).status == "dismissed"
        assert rule.alerts.count() == 2


class TestCsvUpload:
    def test_an_admin_uploads_a_csv_and_bad_rows_are_reported(self, client, team, org):
        manual = Source.objects.create(organization=org, kind="manual", name="CSV uploads")
        content = (
            "external_id,author,text,url,posted_at\n"
            "c1,anna,Lumen app down again 😡,https://x.example/1,2026-11-25T10:00:00+01:00\n"
            "c2,bob,,https://x.example/2,2026-11-25T10:01:00+01:00\n"
            "c3,carla,Top geholpen door Lumen,,2026-11-25T10:02:00+01:00\n"
        )
        client.force_login(team["lead"])
        response = client.post(
            "/monitoring/upload/",
            {"source": manual.pk, "file": SimpleUploadedFile("mentions.csv", content.encode(), "text/csv")},
            follow=True,
        )
        html = response.content.decode()
        assert "2 new mentions, 0 already known, 1 rows with errors." in html
        assert "Row 3" in html
        assert sorted(Mention.objects.values_list("external_id", flat=True)) == ["c1", "c3"]

    def test_a_member_who_is_not_an_admin_cannot_upload(self, client, team, org):
        manual = Source.objects.create(organization=org, kind="manual", name="CSV uploads")
        client.force_login(team["monitor"])
        response = client.post(
            "/monitoring/upload/",
            {"source": manual.pk, "file": SimpleUploadedFile("m.csv", b"external_id\n", "text/csv")},
        )
        assert response.status_code == 403
