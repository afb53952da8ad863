import pytest

from monitoring.models import Mention
from monitoring.services import mentions_ingest
from monitoring.tests.conftest import rows

pytestmark = pytest.mark.django_db


class TestIngest:
    def test_it_stores_mentions_with_language_and_sentiment(self, source):
        result = mentions_ingest(
            source=source,
            rows=[
                {
                    "external_id": "1",
                    "text": "This is a rip-off, I want my money back 😡",
                    "posted_at": "2026-11-25T10:00Z",
                },
                {
                    "external_id": "2",
                    "text": "Bedankt, geweldige hulp! Snel opgelost 👍",
                    "posted_at": "2026-11-25T10:01Z",
                },
            ],
        )
        assert (result.created, result.duplicates, result.errors) == (2, 0, [])
        first, second = Mention.objects.get(external_id="1"), Mention.objects.get(external_id="2")
        assert (first.language, second.language) == ("en", "nl")
        assert first.sentiment < 0 < second.sentiment

    def test_the_same_batch_twice_keeps_one_copy(self, source):
        batch = rows(20)
        assert mentions_ingest(source=source, rows=batch).created == 20
        again = mentions_ingest(source=source, rows=batch)
        assert (again.created, again.duplicates) == (0, 20)
        assert Mention.objects.count() == 20

    def test_a_repeat_inside_one_batch_counts_as_a_duplicate(self, source):
        batch = rows(3)
        result = mentions_ingest(source=source, rows=[*batch, batch[0]])
        assert (result.created, result.duplicates) == (3, 1)

    def test_a_bad_row_is_reported_by_index_and_the_good_ones_are_kept(self, source):
        batch = rows(3)
        batch.insert(1, {"external_id": "bad", "text": "", "posted_at": "yesterday"})
        batch.append("not even an object")
        result = mentions_ingest(source=source, rows=batch)
        assert result.created == 3
        assert [error["index"] for error in result.errors] == [1, 4]
        assert set(result.errors[0]["errors"]) == {"text", "posted_at"}

    def test_the_same_external_id_in_two_sources_is_two_mentions(self, source, org):
        from monitoring.models import Source

        other = Source.objects.create(organization=org, kind="manual", name="CSV")
        mentions_ingest(source=source, rows=rows(1))
        assert mentions_ingest(source=other, rows=rows(1)).created == 1
