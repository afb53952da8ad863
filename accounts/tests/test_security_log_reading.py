"""Reading the security log: the page, its CSV export and the API, for the organization's admins
only; filters, pagination, formula-proof CSV cells, and pruning by the beat task."""

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts import services
from accounts.models import SecurityEvent
from accounts.security_log import record
from accounts.security_log_views import csv_cell
from accounts.tasks import prune_security_log
from conftest import make_user
from crisisdesk.tests.test_settings import PRODUCTION, start_all
from incidents.tests.conftest import api_as

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


def page_url(org, query=""):
    return f"/accounts/organizations/{org.slug}/security-log/{query}"


def csv_url(org, query=""):
    return f"/accounts/organizations/{org.slug}/security-log.csv{query}"


def api_url(org, query=""):
    return f"/api/v1/organizations/{org.pk}/security-log/{query}"


def write(kind=Kind.SIGNED_IN, *, org, actor="", subject="", at=None, detail=None, address=None):
    return SecurityEvent.objects.create(
        organization=org,
        kind=kind,
        actor=actor,
        subject=subject,
        at=at or timezone.now(),
        detail=detail or {},
        address=address,
    )


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def logged(org, other_org, team, outsider):
    """A line in each organization, besides what joining wrote."""
    write(Kind.SIGN_IN_FAILED, org=org, actor="mallory", address="203.0.113.9")
    write(Kind.SIGN_IN_FAILED, org=other_org, actor="other-org-secret", address="198.51.100.1")


class TestWhoMayRead:
    def test_an_admin_reads_the_page(self, client, org, team, logged):
        client.force_login(team["lead"])
        response = client.get(page_url(org))
        assert response.status_code == 200
        assert b"mallory" in response.content and b"203.0.113.9" in response.content
        assert b"other-org-secret" not in response.content

    def test_a_member_who_is_no_admin_gets_403_everywhere(self, client, org, team, logged):
        client.force_login(team["approver"])
        assert client.get(page_url(org)).status_code == 403
        assert client.get(csv_url(org)).status_code == 403
        assert api_as(team["approver"]).get(api_url(org)).status_code == 403

    def test_another_organizations_admin_gets_404_and_sees_none_of_it(self, client, org, outsider, logged):
        client.force_login(outsider)
        for url in (page_url(org), csv_url(org)):
            response = client.get(url)
            assert response.status_code == 404
            assert b"mallory" not in response.content
        response = api_as(outsider).get(api_url(org))
        assert response.status_code == 404 and b"mallory" not in response.content

    def test_an_admin_sees_only_their_organizations_lines(
        self, client, org, other_org, team, outsider, logged
    ):
        body = api_as(outsider).get(api_url(other_org)).json()
        assert {row["organization"] for row in body["results"]} == {other_org.pk}
        assert "mallory" not in str(body)
        client.force_login(outsider)
        rows = read_csv(client.get(csv_url(other_org)))
        assert "mallory" not in str(rows) and "other-org-secret" in str(rows)

    def test_signed_out_the_page_sends_to_sign_in_and_the_api_answers_401(self, client, org):
        assert client.get(page_url(org))["Location"].startswith("/accounts/login/")
        assert client.get(api_url(org)).status_code == 401

    def test_the_members_and_profile_pages_link_to_it(self, client, org, team):
        client.force_login(team["lead"])
        link = page_url(org).encode()
        assert link in client.get(f"/accounts/organizations/{org.slug}/members/").content
        assert link in client.get("/accounts/profile/").content
        client.force_login(team["approver"])
        assert link not in client.get("/accounts/profile/").content


class TestFilters:
    @pytest.fixture
    def lines(self, org):
        now = timezone.now()
        return {
            "old": write(Kind.SIGNED_IN, org=org, actor="anna", at=now - timedelta(days=10)),
            "granted": write(
                Kind.ROLE_GRANTED, org=org, actor="lead", subject="bert", at=now - timedelta(days=2)
            ),
            "failed": write(Kind.SIGN_IN_FAILED, org=org, actor="annabel", at=now - timedelta(hours=1)),
        }

    def ids(self, response):
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    def test_the_api_filters_by_kind_person_and_time(self, org, team, lines):
        client = api_as(team["lead"])
        assert self.ids(client.get(api_url(org), {"kind": "role_granted"})) == {lines["granted"].pk}
        assert self.ids(client.get(api_url(org), {"person": "ANNA"})) == {lines["old"].pk, lines["failed"].pk}
        assert self.ids(client.get(api_url(org), {"person": "bert"})) == {lines["granted"].pk}  # the subject
        since = (timezone.now() - timedelta(days=3)).isoformat()
        until = (timezone.now() - timedelta(days=1)).isoformat()
        assert self.ids(client.get(api_url(org), {"since": since, "until": until})) == {lines["granted"].pk}

    def test_the_api_answers_the_fields(self, org, team, lines):
        [row] = api_as(team["lead"]).get(api_url(org), {"kind": "role_granted"}).json()["results"]
        assert set(row) == {"id", "kind", "at", "actor", "subject", "address", "organization", "detail"}
        assert (row["kind"], row["actor"], row["subject"], row["organization"]) == (
            "role_granted",
            "lead",
            "bert",
            org.pk,
        )

    @pytest.mark.parametrize(
        "query",
        [
            {"kind": "nonsense"},
            {"since": "yesterday"},
            {"until": "0001-01-01T00:00:00+05:00"},
            {"person": "x" * 151},
            {"person": "a\x00b"},
        ],
    )
    def test_a_bad_filter_is_a_400_naming_it(self, org, team, query):
        response = api_as(team["lead"]).get(api_url(org), query)
        assert response.status_code == 400
        assert set(response.json()) == set(query)

    def test_the_page_filters_by_days_in_the_readers_time_zone(self, client, org, team):
        lead = team["lead"]
        lead.time_zone = "Pacific/Auckland"
        lead.save(update_fields=["time_zone"])
        auckland = ZoneInfo("Pacific/Auckland")
        day = timezone.now().astimezone(auckland).date() - timedelta(days=5)
        early = timezone.datetime.combine(day, timezone.datetime.min.time(), tzinfo=auckland) + timedelta(
            minutes=5
        )
        write(Kind.SIGNED_IN, org=org, actor="early-bird", at=early)
        write(Kind.SIGNED_IN, org=org, actor="day-before", at=early - timedelta(minutes=10))
        client.force_login(lead)
        response = client.get(page_url(org), {"since": day.isoformat(), "until": day.isoformat()})
        assert response.status_code == 200
        assert b"early-bird" in response.content and b"day-before" not in response.content
        assert early.astimezone(auckland).strftime("%Y-%m-%d %H:%M").encode() in response.content

    def test_the_page_filters_by_kind_and_person(self, client, org, team, lines):
        client.force_login(team["lead"])
        response = client.get(page_url(org), {"kind": "sign_in_failed", "person": "anna"})
        assert b"annabel" in response.content and b"bert" not in response.content

    @pytest.mark.parametrize(
        "query",
        [
            {"kind": "nonsense"},
            {"since": "2026-02-31"},
            {"since": "2026-12-05", "until": "2026-12-01"},
            {"person": "a\x00b"},
        ],
    )
    def test_a_bad_filter_on_the_page_or_the_csv_is_a_400(self, client, org, team, lines, query):
        client.force_login(team["lead"])
        response = client.get(page_url(org), query)
        assert response.status_code == 400
        assert b"field-error" in response.content and b"annabel" not in response.content
        assert client.get(csv_url(org), query).status_code == 400

    def test_the_edges_of_the_calendar_bound_nothing(self, client, org, team, lines):
        client.force_login(team["lead"])
        response = client.get(page_url(org), {"since": "0001-01-01", "until": "9999-12-31"})
        assert response.status_code == 200 and b"annabel" in response.content
        response = api_as(team["lead"]).get(api_url(org), {"until": "9999-12-31T23:59:59Z"})
        assert response.status_code == 200


class TestPagination:
    def test_the_page_shows_50_at_a_time_newest_first(self, client, org, team, django_assert_max_num_queries):
        now = timezone.now()
        SecurityEvent.objects.bulk_create(
            SecurityEvent(
                organization=org, kind=Kind.SIGNED_IN, actor=f"person-{n:03}", at=now - timedelta(minutes=n)
            )
            for n in range(120)
        )
        client.force_login(team["lead"])
        first = client.get(page_url(org), {"person": "person-"})
        assert b"person-000" in first.content and b"person-049" in first.content
        assert b"person-050" not in first.content
        assert b"Page 1 of 3" in first.content and b"page=2" in first.content and b"person-" in first.content
        with django_assert_max_num_queries(12):
            last = client.get(page_url(org), {"person": "person-", "page": "3"})
        assert b"person-119" in last.content and b"person-099" not in last.content
        assert client.get(page_url(org), {"page": "nonsense"}).status_code == 200  # the first page

    def test_the_api_pages_with_a_constant_number_of_queries(self, org, team, django_assert_max_num_queries):
        client = api_as(team["lead"])
        record(Kind.SIGNED_IN, actor=team["lead"])

        def count_queries(n):
            SecurityEvent.objects.bulk_create(
                SecurityEvent(organization=org, kind=Kind.TOKEN_CREATED, actor="x") for _ in range(n)
            )
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert client.get(api_url(org), {"page_size": 500}).status_code == 200
            return len(queries)

        assert count_queries(3) == count_queries(300)
        with django_assert_max_num_queries(8):
            body = client.get(api_url(org)).json()
        assert body["count"] > 300 and len(body["results"]) == 50 and body["next"]


class TestCsv:
    def test_it_streams_the_filtered_rows_with_a_header(self, client, org, team):
        write(Kind.ROLE_GRANTED, org=org, actor="lead", subject="bert", detail={"role": "Approver"})
        write(Kind.SIGNED_IN, org=org, actor="anna", address="192.0.2.5")
        client.force_login(team["lead"])
        response = client.get(csv_url(org), {"person": "anna"})
        assert response.status_code == 200 and response.streaming
        assert 'attachment; filename="security-log-lumen-' in response["Content-Disposition"]
        header, *rows = read_csv(response)
        assert header == ["Time", "Event", "Event code", "By", "Concerning", "Address", "Detail", "Data"]
        assert [(row[1], row[2], row[3], row[5]) for row in rows] == [
            ("Signed in", "signed_in", "anna", "192.0.2.5")
        ]

    def test_no_cell_reads_as_a_formula(self, client, org, team):
        dangerous = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@x", "\t=1", "\r=1"]
        for text in dangerous:
            write(Kind.SIGN_IN_FAILED, org=org, actor=text, subject=text, detail={"role": text})
        write(Kind.SETTINGS_CHANGED, org=org, actor="lead", detail={"changed": {"-x": [1, 2]}})
        client.force_login(team["lead"])
        _header, *rows = read_csv(client.get(csv_url(org)))
        cells = [cell for row in rows for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
        actors = {row[3] for row in rows}
        assert {f"'{text}" for text in dangerous} <= actors  # kept whole, behind the quote
        assert "'-x: 1 → 2" in {row[6] for row in rows}  # an unknown setting by its own name

    def test_the_escape_leaves_ordinary_text_alone(self):
        assert [csv_cell(value) for value in ("anna", "", None, 12, "a=b", " =x")] == [
            "anna",
            "",
            "",
            "12",
            "a=b",
            " =x",
        ]
        assert [csv_cell(value) for value in ("=1", "+1", "-1", "@1", "\t1", "\r1")] == [
            "'=1",
            "'+1",
            "'-1",
            "'@1",
            "'\t1",
            "'\r1",
        ]

    def test_times_are_in_the_readers_time_zone_and_words_in_their_language(self, client, org):
        reader = make_user("lotte", organization=org, is_admin=True, language="nl")
        reader.time_zone = "America/New_York"
        reader.save(update_fields=["time_zone"])
        at = timezone.datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
        write(Kind.SIGNED_IN, org=org, actor="anna", at=at)
        client.force_login(reader)
        header, *rows = read_csv(client.get(csv_url(org), {"person": "anna"}))
        assert rows[0][0] == "2026-07-01T08:00:00-04:00"
        with translation.override("nl"):  # what the Dutch catalogue says, carried into the stream
            assert (header[0], rows[0][1]) == (gettext("Time"), str(Kind.SIGNED_IN.label))


class TestPruning:
    def test_the_task_deletes_what_is_older_than_the_retention_and_keeps_the_rest(self, org, settings):
        settings.SECURITY_LOG_RETENTION_DAYS = 30
        now = timezone.now()
        old = write(org=org, actor="old", at=now - timedelta(days=31))
        older = write(org=org, actor="older", at=now - timedelta(days=400))
        kept = write(org=org, actor="kept", at=now - timedelta(days=29))
        young = write(org=org, actor="young")
        assert prune_security_log() == 2
        remaining = set(SecurityEvent.objects.values_list("pk", flat=True))
        assert {old.pk, older.pk}.isdisjoint(remaining) and {kept.pk, young.pk} <= remaining
        assert prune_security_log() == 0

    def test_with_the_least_retention_it_lets_a_two_day_old_line_go_and_keeps_todays(self, org, settings):
        settings.SECURITY_LOG_RETENTION_DAYS = 1
        old = write(org=org, actor="old", at=timezone.now() - timedelta(days=1, hours=1))
        young = write(org=org, actor="young", at=timezone.now() - timedelta(hours=23))
        assert prune_security_log() == 1
        assert list(SecurityEvent.objects.filter(pk__in=[old.pk, young.pk])) == [young]

    def test_the_database_refuses_a_prune_that_would_take_young_lines(self, org, settings):
        from django.db import IntegrityError, transaction

        settings.SECURITY_LOG_RETENTION_DAYS = 1
        young = write(org=org, actor="young")
        with pytest.raises(IntegrityError), transaction.atomic():
            services.security_log_prune(now=timezone.now() + timedelta(days=5))
        assert SecurityEvent.objects.filter(pk=young.pk).exists()

    def test_beat_runs_it_daily(self, settings):
        [entry] = [
            e
            for e in settings.CELERY_BEAT_SCHEDULE.values()
            if e["task"] == "accounts.tasks.prune_security_log"
        ]
        assert entry["schedule"] == 24 * 60 * 60


def test_a_retention_under_a_day_or_not_a_number_refuses_to_start():
    results = start_all(
        {
            value: {**PRODUCTION, "SECURITY_LOG_RETENTION_DAYS": value}
            for value in ("0", "-5", "a year", "1.5")
        }
    )
    for value, result in results.items():
        assert result.returncode != 0, value
        assert "ImproperlyConfigured: SECURITY_LOG_RETENTION_DAYS=" in result.stderr, (
            value,
            result.stderr[-300:],
        )
    [good] = start_all({"1": {**PRODUCTION, "SECURITY_LOG_RETENTION_DAYS": "1"}}).values()
    assert good.returncode == 0, good.stderr
