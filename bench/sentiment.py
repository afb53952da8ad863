"""Accuracy and speed of monitoring/sentiment.py next to the plain libraries it builds on.

No Django, no database, no network:

    .venv/bin/python -m bench.sentiment

Prints the share of right signs on the labelled mentions (LABELLED was tuned on, HELD_OUT was not),
language detection accuracy, and texts per second on 10,000 generated, realistic mixed en/nl posts
in one process (best of three runs).
"""

import random
import time
from collections.abc import Callable, Iterable

import langdetect
from textblob import TextBlob
from textblob_nl import PatternAnalyzer
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitoring import sentiment
from monitoring.tests.labelled_mentions import HELD_OUT, LABELLED, LANGUAGE_SAMPLES

TEXTS = 10_000
RUNS = 3
SLOW_TEXTS = 1_000

VADER = SentimentIntensityAnalyzer()
TEXTBLOB_NL = PatternAnalyzer()

# Pieces of posts, put together at random (see mixed_posts).
POSTS = {
    "en": {
        "openers": ["", "@LumenEnergy ", "Lumen Energy ", "hey @LumenEnergy ", "Day {d}: ", "So "],
        "bodies": [
            "power's been out since {h}am",
            "on hold for {n} minutes now",
            "the app is down again",
            "my bill went up {p}% this month",
            "no heating in {city} since last night",
            "the engineer fixed our meter in {n} mins",
            "thanks for the quick reply on chat",
            "why is my direct debit €{m} now",
            "still no update on the outage in {city}",
            "great service from {name} today",
            "can't log in to submit a meter reading",
            "who approved that tweet about wearing a jumper",
            "refund arrived within {d} days",
            "another estimated bill, {m} quid more than last year",
            "lights back on in {city}",
            "is there a power cut in {city}",
        ],
        "tails": [
            "",
            ".",
            "!!",
            "??",
            " 😡",
            " 👍",
            " 🙄",
            " ffs",
            ", cheers",
            ". useless.",
            " thank you!",
            " #outage",
        ],
        "contexts": [" ({city})", " Postcode {pc}.", " Account {ref}.", " {name} from {city}", " #{city}"],
    },
    "nl": {
        "openers": ["", "@LumenEnergie ", "Lumen ", "Hallo @LumenEnergie, ", "Dag {d}: ", "Pff, "],
        "bodies": [
            "al {d} dagen geen stroom in {city}",
            "{n} minuten in de wacht bij de klantenservice",
            "de app ligt er weer eens uit",
            "mijn voorschot is met {p}% omhoog gegaan",
            "geen verwarming in {city} sinds vannacht",
            "de monteur had het binnen {n} minuten opgelost",
            "bedankt voor de snelle reactie via de chat",
            "waarom is mijn termijnbedrag ineens €{m}",
            "nog steeds geen nieuws over de storing in {city}",
            "netjes geholpen door {name} vandaag",
            "ik kan mijn meterstand niet doorgeven",
            "wie heeft die tweet over een trui aantrekken goedgekeurd",
            "geld is binnen {d} dagen teruggestort",
            "weer een verkeerde jaarafrekening, {m} euro te veel",
            "het licht is weer aan in {city}",
            "is er een storing in {city}",
        ],
        "tails": [
            "",
            ".",
            "!!",
            "??",
            " 😡",
            " 👍",
            " 🙄",
            ", bagger",
            ", toppie",
            ". Belachelijk.",
            " dank je!",
            " #storing",
        ],
        "contexts": [" ({city})", " Postcode {pc}.", " Klantnummer {ref}.", " Groet, {name}", " #{city}"],
    },
}
CITIES = ["Utrecht", "Zwolle", "Almere", "Leiden", "Haarlem", "Breda", "Delft", "Amersfoort", "Tilburg"]
NAMES = ["Sanne", "Tom", "Fatima", "Joris", "Emma", "Daan", "Priya", "Mark"]


def mixed_posts(count: int, seed: int = 7) -> list[str]:
    """`count` realistic posts: half English, half Dutch, a third with two sentences, half with a place
    or a reference, a fifth in lower case."""
    rng = random.Random(seed)
    posts = []
    for index in range(count):
        parts = POSTS["en" if index % 2 else "nl"]
        bodies = rng.sample(parts["bodies"], 2 if rng.random() < 0.33 else 1)
        text = rng.choice(parts["openers"]) + ". ".join(bodies) + rng.choice(parts["tails"])
        text += rng.choice(parts["contexts"]) if rng.random() < 0.5 else ""
        text = text.format(
            d=rng.randint(1, 9),
            h=rng.randint(5, 11),
            n=rng.randint(5, 95),
            p=rng.randint(5, 60),
            m=rng.randint(40, 400),
            city=rng.choice(CITIES),
            name=rng.choice(NAMES),
            pc=f"{rng.randint(1000, 9999)} {rng.choice('BCDEHJKLMNPRST')}{rng.choice('BCDEHJKLMNPRST')}",
            ref=rng.randint(100_000, 999_999),
        )
        posts.append(text.lower() if rng.random() < 0.2 else text)
    return posts


def plain_vader(text: str) -> float:
    return VADER.polarity_scores(text)["compound"]


def plain_textblob_nl(text: str) -> float:
    return TextBlob(text, analyzer=TEXTBLOB_NL).sentiment[0]


def sign_accuracy(rows: list[tuple[str, str, int]], language: str, scorer: Callable[[str], float]) -> float:
    ours = [(text, expected) for text, lang, expected in rows if lang == language]
    right = sum(
        scorer(text) < sentiment.NEGATIVE_BELOW if expected < 0 else scorer(text) > 0
        for text, expected in ours
    )
    return right / len(ours)


def detection_accuracy(rows: Iterable[tuple[str, str]], language: str, detect: Callable[[str], str]) -> float:
    texts = [text for text, lang in rows if lang == language]
    return sum(detect(text) == language for text in texts) / len(texts)


def all_languages_langdetect(text: str) -> str:
    """Plain langdetect with all its 55 profiles: what you get without restricting it."""
    try:
        return langdetect.detect(text)
    except langdetect.LangDetectException:
        return "en"


def en_nl_langdetect(text: str) -> str:
    """langdetect restricted to the en and nl profiles (the factory monitoring/sentiment.py uses)."""
    detector = sentiment.LANGDETECT.create()
    detector.append(text)
    try:
        return detector.detect()
    except langdetect.LangDetectException:
        return "en"


def throughput(work: Callable[[list[str]], object], texts: list[str]) -> float:
    work(texts[:200])  # warm up: lexicons load on first use
    best = min(_seconds(work, texts) for _ in range(RUNS))
    return len(texts) / best


def _seconds(work: Callable[[list[str]], object], texts: list[str]) -> float:
    start = time.perf_counter()
    work(texts)
    return time.perf_counter() - start


def table(title: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> None:
    print(f"\n{title}")
    print(f"  {'':44}" + "".join(f"{column:>13}" for column in columns))
    for name, cells in rows:
        print(f"  {name:44}" + "".join(f"{cell:>13}" for cell in cells))


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def main() -> None:
    langdetect.DetectorFactory.seed = 0
    ours_en, ours_nl = (lambda t: sentiment.score(t, "en")), (lambda t: sentiment.score(t, "nl"))
    sets = [("LABELLED", LABELLED), ("HELD_OUT", HELD_OUT)]
    scorers = [
        ("ours: domain layer on the libraries", ours_en, ours_nl),
        ("plain VADER (English)", plain_vader, None),
        ("plain textblob-nl (Dutch)", None, plain_textblob_nl),
    ]
    table(
        "Sign accuracy on clearly positive/negative posts (negative = below -0.05)",
        [f"{name} {lang}" for name, _ in sets for lang in ("en", "nl")],
        [
            (
                label,
                [
                    percent(sign_accuracy(rows, lang, scorer) if scorer else None)
                    for _, rows in sets
                    for lang, scorer in (("en", en), ("nl", nl))
                ],
            )
            for label, en, nl in scorers
        ],
    )

    labelled = [(text, lang) for text, lang, _ in LABELLED + HELD_OUT]
    detectors = [
        ("ours: marker words + langdetect en/nl", sentiment.detect_language),
        ("langdetect, en/nl profiles only", en_nl_langdetect),
        ("plain langdetect, all profiles", all_languages_langdetect),
    ]
    table(
        "Language detection accuracy",
        ["samples en", "samples nl", "labelled en", "labelled nl"],
        [
            (
                label,
                [
                    percent(detection_accuracy(rows, lang, detect))
                    for rows in (LANGUAGE_SAMPLES, labelled)
                    for lang in ("en", "nl")
                ],
            )
            for label, detect in detectors
        ],
    )

    texts = mixed_posts(TEXTS)
    speeds = [
        ("ours: read() per text, detect + score", lambda batch: [sentiment.read(text) for text in batch]),
        ("ours: read_many(batch)", sentiment.read_many),
        ("ours: detect_language only", lambda batch: [sentiment.detect_language(text) for text in batch]),
        ("langdetect en/nl only (posts without markers)", lambda batch: [en_nl_langdetect(t) for t in batch]),
        ("plain VADER only (analyzer built once)", lambda batch: [plain_vader(text) for text in batch]),
        ("plain textblob-nl only", lambda batch: [plain_textblob_nl(text) for text in batch]),
    ]
    rows = [(label, [f"{throughput(work, texts):,.0f}"]) for label, work in speeds]
    slow = texts[:SLOW_TEXTS]  # all 55 profiles: too slow for 10,000 texts three times
    rows.append(
        (
            f"plain langdetect, all profiles ({len(slow):,} texts)",
            [f"{throughput(lambda batch: [all_languages_langdetect(text) for text in batch], slow):,.0f}"],
        )
    )
    table(
        f"Throughput on {len(texts):,} mixed en/nl posts ({len(set(texts)):,} distinct), one process",
        ["texts/s"],
        rows,
    )


if __name__ == "__main__":
    main()
