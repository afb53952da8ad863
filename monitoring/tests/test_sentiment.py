"""Language and sentiment of mentions (monitoring/sentiment.py): no database, no network."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring import sentiment
from monitoring.sentiment import NEGATIVE_BELOW, Reading, detect_language, read, read_many, score
from monitoring.tests.labelled_mentions import HELD_OUT, LABELLED, LANGUAGE_SAMPLES

MINIMUM_SIGN_ACCURACY = 0.75
MINIMUM_DETECTION_ACCURACY = 0.95
PROJECT = Path(__file__).resolve().parents[2]


def right_sign(value: float, expected: int) -> bool:
    return value < NEGATIVE_BELOW if expected < 0 else value > 0


def sign_accuracy(rows: list[tuple[str, str, int]], language: str) -> tuple[float, list[str]]:
    """(share of right signs, the texts it got wrong) for the rows in `language`."""
    ours = [(text, expected) for text, lang, expected in rows if lang == language]
    wrong = [text for text, expected in ours if not right_sign(score(text, language), expected)]
    return 1 - len(wrong) / len(ours), wrong


def all_texts() -> list[str]:
    return [text for text, _, _ in LABELLED + HELD_OUT] + [text for text, _ in LANGUAGE_SAMPLES]


class TestLabelledData:
    @pytest.mark.parametrize("language", ["en", "nl"])
    def test_it_has_enough_posts_of_each_sign_in_each_language(self, language):
        labelled = [expected for _, lang, expected in LABELLED if lang == language]
        held_out = [expected for _, lang, expected in HELD_OUT if lang == language]
        samples = [text for text, lang in LANGUAGE_SAMPLES if lang == language]
        assert len(labelled) >= 45 and len(held_out) >= 15 and len(samples) >= 30
        assert {-1, 1} == set(labelled) == set(held_out)

    def test_its_held_out_posts_are_not_in_the_labelled_set(self):
        assert not {text for text, _, _ in LABELLED} & {text for text, _, _ in HELD_OUT}


class TestAccuracy:
    @pytest.mark.parametrize("language", ["en", "nl"])
    def test_it_gets_the_sign_of_labelled_mentions_right(self, language):
        accuracy, wrong = sign_accuracy(LABELLED, language)
        print(f"\nLABELLED {language}: {accuracy:.0%} right; wrong: {wrong}")
        assert accuracy >= MINIMUM_SIGN_ACCURACY, wrong

    @pytest.mark.parametrize("language", ["en", "nl"])
    def test_it_gets_the_sign_of_held_out_mentions_right(self, language):
        accuracy, wrong = sign_accuracy(HELD_OUT, language)
        print(f"\nHELD_OUT {language}: {accuracy:.0%} right; wrong: {wrong}")
        assert accuracy >= MINIMUM_SIGN_ACCURACY, wrong

    @pytest.mark.parametrize("language", ["en", "nl"])
    def test_it_detects_the_language(self, language):
        texts = [text for text, lang in LANGUAGE_SAMPLES if lang == language]
        wrong = [text for text in texts if detect_language(text) != language]
        accuracy = 1 - len(wrong) / len(texts)
        print(f"\nlanguage {language}: {accuracy:.0%} right; wrong: {wrong}")
        assert accuracy >= MINIMUM_DETECTION_ACCURACY, wrong

    @pytest.mark.parametrize("text", ["Bedankt, geweldige hulp!", "Storing?", "Top service 👍"])
    def test_it_calls_short_dutch_posts_dutch_not_afrikaans_or_english(self, text):
        assert detect_language(text) == "nl"


class TestScores:
    def test_it_keeps_every_score_within_minus_one_and_one(self):
        rants = [" ".join(all_texts()), "😡" * 50, "👍❤️" * 50, "useless scam " * 40, "toppie " * 40]
        for text in all_texts() + rants:
            reading = read(text)
            assert -1.0 <= reading.sentiment <= 1.0
            assert reading.sentiment == round(reading.sentiment, 3)

    @pytest.mark.parametrize("text", ["", "   ", "\n"])
    def test_it_reads_empty_text_as_neutral_english(self, text):
        assert read(text) == Reading(language="en", sentiment=0.0)
        assert detect_language(text) == "en"
        assert score(text, "nl") == 0.0

    @pytest.mark.parametrize("text", ["😡", "🤬🤬", "🙄", "👎", "💩"])
    def test_it_reads_angry_emoji_alone_as_negative(self, text):
        assert read(text).sentiment < NEGATIVE_BELOW
        assert score(text, "nl") < NEGATIVE_BELOW

    @pytest.mark.parametrize("text", ["👍", "❤️", "❤", "🙏", "👍🏽", "👏🎉"])
    def test_it_reads_happy_emoji_alone_as_positive_with_or_without_selectors_and_skin_tones(self, text):
        assert read(text).sentiment > 0
        assert score(text, "nl") > 0

    @pytest.mark.parametrize(
        ("text", "language"),
        [
            ("On hold for 52 minutes now", "en"),
            ("Still no answer from Lumen", "en"),
            ("the app is down again", "en"),
            ("Thanks for nothing @LumenEnergy", "en"),
            ("al 3 dagen geen stroom", "nl"),
            ("nog steeds geen reactie", "nl"),
            ("app ligt er alweer uit", "nl"),
            ("Bedankt voor niks @LumenEnergie", "nl"),
        ],
    )
    def test_it_reads_complaints_without_sentiment_words_and_sarcastic_thanks_as_negative(
        self, text, language
    ):
        assert score(text, language) < NEGATIVE_BELOW

    def test_it_turns_praise_with_an_eye_roll_negative(self):
        assert score("Great job guys", "en") > 0 > score("Great job guys 🙄", "en")

    def test_it_rejects_a_language_it_does_not_know(self):
        with pytest.raises(ValueError, match="language"):
            score("Schlechter Service", "de")


class TestDutchNegation:
    @pytest.mark.parametrize(
        ("negated", "plain"),
        [("geen topper", "topper"), ("niet top", "top"), ("niet goed", "goed"), ("nooit fijn", "fijn")],
    )
    def test_it_turns_negated_praise_negative(self, negated, plain):
        assert score(negated, "nl") < NEGATIVE_BELOW < 0 < score(plain, "nl")

    @pytest.mark.parametrize(
        ("negated", "plain"), [("niet waardeloos", "waardeloos"), ("niet slecht", "slecht")]
    )
    def test_it_turns_negated_blame_mildly_positive(self, negated, plain):
        assert score(plain, "nl") < 0 < score(negated, "nl")

    def test_a_negation_in_an_earlier_clause_does_not_count(self):
        assert score("Niet verwacht, maar echt een topper", "nl") > 0
        assert score("Geen wachttijd. Topper!", "nl") > 0


class TestBehaviour:
    def test_it_gives_the_same_reading_twice(self):
        ambiguous = "Lumen service update later vandaag"  # no clear marker words: langdetect decides
        for text in [*all_texts(), ambiguous]:
            assert read(text) == read(text)
        assert len({detect_language(ambiguous) for _ in range(20)}) == 1

    def test_read_many_gives_what_read_gives_for_each_text_in_order(self):
        texts = [*all_texts(), "", "😡", all_texts()[0]]
        assert read_many(texts) == [read(text) for text in texts]
        assert read_many([]) == []

    def test_it_uses_a_given_language_instead_of_detecting_one(self):
        assert read("Storing?", language="en").language == "en"

    def test_it_builds_its_analyzers_once(self, monkeypatch):
        vader, langdetect, dutch = sentiment.VADER, sentiment.LANGDETECT, sentiment.dutch_analyzer()

        def refuse(*args, **kwargs):
            raise AssertionError("built an analyzer per call")

        monkeypatch.setattr(sentiment, "SentimentIntensityAnalyzer", refuse)
        monkeypatch.setattr(sentiment.DetectorFactory, "load_json_profile", refuse)
        read_many(all_texts())
        assert (sentiment.VADER, sentiment.LANGDETECT, sentiment.dutch_analyzer()) == (
            vader,
            langdetect,
            dutch,
        )

    def test_it_works_offline_without_downloading_anything(self, tmp_path):
        """A fresh interpreter with the network and NLTK data switched off reads both languages."""
        program = (
            "import socket\n"
            "def refuse(*args, **kwargs):\n"
            "    raise OSError('network used')\n"
            "socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse\n"
            "from monitoring.sentiment import read\n"
            "print(read('Bedankt, geweldige hulp!'), read('Useless, on hold for an hour'))\n"
        )
        environment = {**os.environ, "NLTK_DATA": str(tmp_path), "PYTHONPATH": str(PROJECT)}
        result = subprocess.run(
            [sys.executable, "-c", program], cwd=PROJECT, env=environment, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert "language='nl', sentiment=1.0" in result.stdout
        assert "language='en', sentiment=-1.0" in result.stdout
