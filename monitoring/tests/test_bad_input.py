"""Odd mentions: every bad row is an error naming its field (by index), never a 500, and the
good rows of the batch are kept, also when only the database refuses a row. A mention dated in
the future is refused, so it cannot hold an alert rule's cooldown for ever."""

import json
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.tests.conftest import api_as
from monitoring import tasks
from monitoring.models import Alert, AlertRule, Mention
from monitoring.services import mentions_ingest
from monitoring.tests.conftest import rows

pytestmark = pytest.mark.django_db


def post_raw(client, rows_json: str):
    """Post the JSON text as written: `\\ud800` reaches the server as a client escapes it."""
    return client.post("/api/v1/mentions/", rows_json, content_type="application/json")


def good(source, external_id="good", /, **fields):
    return {
        "source": source.pk,
        "external_id": external_id,
        "text": "App down again",
        "posted_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        **fields,
    }


class TestRowErrors:
    @pytest.mark.parametrize("value", ["²", "٣", " 1", "+1", "1_0", "9" * 19, "9" * 5000, -1, 10**30])
    def test_a_source_that_is_not_ascii_digits_is_unknown_and_the_good_row_is_kept(self, source, team, value):
        batch = [good(source), good(source, "odd", source=value)]
        response = api_as(team["monitor"]).post("/api/v1/mentions/", batch, format="json")
        assert response.status_code == 201
        assert response.json() == {
            "created": 1,
            "duplicates": 0,
            "errors": [{"index": 1, "errors": {"source": ["Unknown source."]}}],
        }

    @pytest.mark.parametrize("field", ["external_id", "author", "text", "url"])
    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("a\ud800b", "Surrogate characters are not allowed: U+D800."),
            ("a\udfffb", "Surrogate characters are not allowed: U+DFFF."),
            ("a\x00b", "Null characters are not allowed."),
            (["a"], "Not a valid string."),
            ({"a": 1}, "Not a valid string."),
        ],
    )
    def test_a_text_the_database_cannot_hold_is_an_error_naming_its_field(
        self, source, team, field, value, message
    ):
        batch = [good(source), good(source, "odd", **{field: value})]
        response = post_raw(api_as(team["monitor"]), json.dumps(batch))
        assert response.status_code == 201
        assert response.json()["errors"] == [{"index": 1, "errors": {field: [message]}}]
        assert list(source.mentions.values_list("external_id", flat=True)) == ["good"]

    @pytest.mark.parametrize(
        "posted_at",
        ["0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59-05:00"],
    )
    def test_a_time_outside_utcs_range_is_an_error_naming_posted_at(self, source, team, posted_at):
        batch = [good(source), good(source, "odd", posted_at=posted_at)]
        response = api_as(team["monitor"]).post("/api/v1/mentions/", batch, format="json")
        assert response.status_code == 201
        assert response.json()["errors"] == [
            {"index": 1, "errors": {"posted_at": ["Datetime value out of range."]}}
        ]

    def test_a_row_that_only_the_database_refuses_is_an_error_and_the_others_are_kept(self, source):
        refuse_at_the_database("refused-by-the-database")
        batch = rows(3)
        batch.insert(
            1, {"external_id": "refused-by-the-database", "text": "x", "posted_at": "2026-11-25T10:00Z"}
        )
        batch.append({"external_id": "", "text": "", "posted_at": "2026-11-25T10:00Z"})
        result = mentions_ingest(source=source, rows=batch)
        assert (result.created, result.duplicates) == (3, 0)
        assert result.errors == [
            {"index": 1, "errors": {"non_field_errors": ["The database refused this row."]}},
            {
                "index": 4,
                "errors": {"external_id": ["This field is required."], "text": ["This field is required."]},
            },
        ]
        assert sorted(source.mentions.values_list("external_id", flat=True)) == ["m0", "m1", "m2"]

    def test_through_the_api_the_refused_row_is_reported_by_its_index_in_the_request(self, source, team):
        refuse_at_the_database("refused-by-the-database")
        batch = [good(source, "a"), good(source, "refused-by-the-database"), good(source, "b")]
        response = api_as(team["monitor"]).post("/api/v1/mentions/", batch, format="json")
        assert response.status_code == 201
        assert response.json() == {
            "created": 2,
            "duplicates": 0,
            "errors": [{"index": 1, "errors": {"non_field_errors": ["The database refused this row."]}}],
        }


def refuse_at_the_database(external_id: str) -> None:
    """A rule only the database knows (as a constraint would be): it refuses this external id.

    Made inside the test's transaction, so it is gone when the test ends."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_mention() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.external_id = '{external_id}' THEN "
                "RAISE EXCEPTION 'refused' USING ERRCODE = '22000'; END IF; RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_mention BEFORE INSERT ON monitoring_mention "
                "FOR EACH ROW EXECUTE FUNCTION refuse_mention()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_mention BEFORE INSERT ON monitoring_mention "
                f"WHEN NEW.external_id = '{external_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


class TestMentionsFromTheFuture:
    def test_a_mention_more_than_five_minutes_ahead_is_refused_naming_posted_at(self, source, team):
        now = timezone.now()
        batch = [
            good(source, "soon", posted_at=(now + timedelta(minutes=4)).isoformat()),
            good(source, "later", posted_at=(now + timedelta(minutes=6)).isoformat()),
            good(source, "far", posted_at="9999-12-31T00:00:00Z"),
        ]
        response = api_as(team["monitor"]).post("/api/v1/mentions/", batch, format="json")
        assert response.status_code == 201
        body = response.json()
        assert body["created"] == 1
        assert [error["index"] for error in body["errors"]] == [1, 2]
        assert all(list(error["errors"]) == ["posted_at"] for error in body["errors"])

    def test_the_alert_rule_still_fires_after_a_mention_dated_9999_was_refused(self, source, org):
        rule = AlertRule.objects.create(
            organization=org, name="Gas", kind="keyword", keywords=["gas"], min_count=1, cooldown_minutes=60
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {source.ingest_token}")
        future = {"external_id": "f", "text": "gas gas gas", "posted_at": "9999-12-31T00:00:00Z"}
        refused = client.post("/api/v1/mentions/", [future], format="json")
        assert refused.status_code == 400
        assert list(refused.json()["errors"][0]["errors"]) == ["posted_at"]
        now = {
            "external_id": "n",
            "text": "I smell gas in the street",
            "posted_at": timezone.now().isoformat(),
        }
        assert client.post("/api/v1/mentions/", [now], format="json").status_code == 201
        [alert] = Alert.objects.filter(rule=rule)
        assert alert.created_at <= timezone.now()


class TestCsvUpload:
    @pytest.fixture
    def manual(self, org):
        from monitoring.models import Source

        return Source.objects.create(organization=org, kind="manual", name="CSV uploads")

    def upload(self, client, team, manual, content: bytes):
        client.force_login(team["lead"])
        return client.post(
            "/monitoring/upload/",
            {"source": manual.pk, "file": SimpleUploadedFile("m.csv", content, "text/csv")},
            follow=True,
        )

    def test_a_nul_byte_is_a_form_error_and_nothing_is_written(self, client, team, manual):
        content = (
            b"external_id,author,text,url,posted_at\n"
            b"c1,anna,Lumen app down again,,2026-11-25T10:00:00+01:00\n"
            b"c2,bob,Still\x00down,,2026-11-25T10:01:00+01:00\n"
        )
        response = self.upload(client, team, manual, content)
        assert response.status_code == 200
        assert "This file holds a NUL character" in response.content.decode()
        assert not Mention.objects.exists()

    def test_a_file_that_is_not_utf8_is_a_form_error(self, client, team, manual):
        response = self.upload(client, team, manual, "external_id,text\nc1,caf\xe9\n".encode("latin-1"))
        assert "This is not a CSV file in UTF-8." in response.content.decode()
        assert not Mention.objects.exists()

    def test_a_row_dated_in_the_future_is_a_row_error_and_the_rest_is_kept(self, client, team, manual):
        content = (
            b"external_id,author,text,url,posted_at\n"
            b"c1,anna,Lumen app down again,,2026-11-25T10:00:00+01:00\n"
            b"c2,bob,Still down,,9999-01-01T00:00:00+01:00\n"
        )
        html = self.upload(client, team, manual, content).content.decode()
        assert "1 new mentions, 0 already known, 1 rows with errors." in html
        assert "Row 3: posted_at" in html
        assert list(Mention.objects.values_list("external_id", flat=True)) == ["c1"]


# --- at the same time, on PostgreSQL -------------------------------------------------------------

ROUNDS = 20


def at_once(*calls):
    """Run the calls in threads released together; each thread has (and closes) its own connection."""
    barrier = threading.Barrier(len(calls))
    answers, failures = [None] * len(calls), []

    def run(number, call):
        try:
            barrier.wait(timeout=10)
            answers[number] = call()
        except Exception as error:  # reported by the test, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return answers


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_identical_batches_posted_at_once_count_each_mention_once(source, team):
    def post(batch):
        return lambda: api_as(team["monitor"]).post("/api/v1/mentions/", batch, format="json").json()

    for round_ in range(ROUNDS):
        batch = [{**row, "source": source.pk} for row in rows(25, prefix=f"r{round_}-")]
        first, second = at_once(post(batch), post(batch))
        assert first["errors"] == second["errors"] == []
        assert first["created"] + first["duplicates"] == second["created"] + second["duplicates"] == 25
        assert (first["created"] + second["created"], first["duplicates"] + second["duplicates"]) == (25, 25)
        assert source.mentions.filter(external_id__startswith=f"r{round_}-").count() == 25


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_one_storm_raises_one_alert_with_the_api_the_poller_and_the_beat_at_once(source, org, team):
    """The API's ingest, a poll's ingest (the same service, called from the poll task) and the beat's
    evaluation check the rule at the same moment: the rule's row lock lets one of them raise it."""
    rule = AlertRule.objects.create(
        organization=org, name="Outage", kind="keyword", keywords=["outage"], min_count=5, cooldown_minutes=60
    )
    for round_ in range(ROUNDS):
        now = timezone.now()
        storm = rows(6, start=now - timedelta(seconds=30), every=timedelta(seconds=1), text="outage again")
        storm = [{**row, "external_id": f"s{round_}-{row['external_id']}"} for row in storm]
        mentions_ingest(source=source, evaluate=False, rows=storm)
        api_row = {**good(source, f"api{round_}", text="outage, still"), "posted_at": now.isoformat()}
        poll_row = {**good(source, f"poll{round_}", text="outage here too"), "posted_at": now.isoformat()}
        at_once(
            lambda: api_as(team["monitor"]).post("/api/v1/mentions/", [api_row], format="json"),  # noqa: B023
            lambda: mentions_ingest(source=source, rows=[poll_row]),  # noqa: B023
            tasks.evaluate_alerts,
        )
        assert Alert.objects.filter(rule=rule).count() == 1, f"round {round_}"
        Alert.objects.filter(rule=rule).delete()  # the next round is a new storm
