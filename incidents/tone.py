"""Tone check for public crisis statements in English and Dutch (DESIGN.md: it advises, never blocks).

Readers forgive a problem sooner than a defensive, cold or evasive answer, so these rules point at wording.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ToneHint:
    rule: str  # one of RULES
    words: list[str]  # as found in the text (phrases lowercased); [] for the "missing" rules


RULES = ("defensive", "blaming", "no_acknowledgement", "no_empathy", "shouting", "jargon", "too_long")

MESSAGES = {
    "defensive": _("Defensive wording reads as denial and makes upset readers angrier."),
    "blaming": _("Pointing at customers or partners shifts blame; readers hold you responsible anyway."),
    "no_acknowledgement": _("People first want to see that you know what is going wrong, so say it plainly."),
    "no_empathy": _("Without an apology or a word of understanding the statement feels cold."),
    "shouting": _("Capitals and exclamation marks read as shouting or panic and undermine a calm message."),
    "jargon": _("Corporate and technical terms are hard to read and keep your customers at a distance."),
    "too_long": _("The text is longer than the channel allows, so it will be cut off or rejected."),
}

# Phrase notation: words match case-insensitively on word boundaries with any whitespace between them;
# "..." stands for up to five words; a leading "*" lets the word end a compound ("stroomstoring").
PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "defensive": (
            "we did nothing wrong",
            "we have done nothing wrong",
            "we've done nothing wrong",
            "not our fault",
            "no fault of ours",
            "we stand by ... decision",
            "we stand by ... position",
            "we stand by ... policy",
            "we stand by ... statement",
            "no comment",
            "we regret that you feel",
            "we're sorry you feel",
            "we are sorry you feel",
            "sorry if you feel",
            "if anyone was offended",
            "as we already said",
            "as we have already said",
            "as previously stated",
            "contrary to what is claimed",
            "contrary to what has been claimed",
            "it is not true that",
            "it's not true that",
            "there is no problem",
            "there is no issue",
            "we are not responsible",
            "we're not responsible",
            "we cannot be held responsible",
            "we can't be held responsible",
            "we categorically deny",
            "nothing to apologise for",
            "nothing to apologize for",
        ),
        "blaming": (
            "a third party",
            "third party",
            "third-party",
            "user error",
            "customer error",
            "some customers misunderstood",
            "some customers have misunderstood",
            "some customers did not read",
            "some customers didn't read",
            "due to a supplier",
            "due to our supplier",
            "caused by a supplier",
            "caused by our supplier",
            "external partner",
            "an external party",
            "you should have",
            "customers should have",
            "if you had read",
            "you failed to",
            "your own responsibility",
            "the customer's responsibility",
            "beyond our control",
            "outside our control",
            "blame lies with",
        ),
        "acknowledgement": (
            "we know",
            "we are aware",
            "we're aware",
            "we see that",
            "we have seen",
            "we understand",
            "we made a mistake",
            "we have made a mistake",
            "we've made a mistake",
            "our mistake",
            "our fault",
            "our error",
            "we got it wrong",
            "we messed up",
            "went wrong",
            "is not working",
            "isn't working",
            "are not working",
            "aren't working",
            "is down",
            "are down",
            "is unavailable",
            "are unavailable",
            "problem",
            "problems",
            "issue",
            "issues",
            "outage",
            "outages",
            "power cut",
            "power cuts",
            "disruption",
            "disruptions",
            "error",
            "errors",
            "failure",
            "failures",
            "delay",
            "delays",
        ),
        "empathy": (
            "sorry",
            "apologise",
            "apologize",
            "apologised",
            "apologized",
            "apologies",
            "apology",
            "we regret",
            "we understand how frustrating",
            "frustrating",
            "frustration",
            "inconvenience",
            "thank you for your patience",
            "thanks for your patience",
            "thank you for bearing with us",
            "we hear you",
        ),
        "jargon": (
            "leverage",
            "leveraging",
            "synergy",
            "synergies",
            "going forward",
            "root cause",
            "mitigate",
            "mitigating",
            "mitigation",
            "remediate",
            "remediation",
            "stakeholder",
            "stakeholders",
            "incident",
            "escalation",
            "escalated",
            "sla",
            "downtime window",
            "maintenance window",
            "deprecated",
            "backend",
            "back-end",
            "infrastructure",
            "latency",
            "as per",
            "impacted",
            "proactively",
            "touch base",
            "circle back",
            "action items",
        ),
    },
    "nl": {
        "defensive": (
            "wij hebben niets fout gedaan",
            "we hebben niets fout gedaan",
            "wij hebben niets verkeerd gedaan",
            "we hebben niets verkeerd gedaan",
            "niet onze schuld",
            "geen commentaar",
            "staan ... achter ons besluit",
            "staan ... achter onze beslissing",
            "staan ... achter onze keuze",
            "staan ... achter ons standpunt",
            "zoals wij al zeiden",
            "zoals we al zeiden",
            "zoals eerder gezegd",
            "zoals reeds gemeld",
            "het spijt ons dat u zich zo voelt",
            "het spijt ons dat je je zo voelt",
            "in tegenstelling tot wat beweerd wordt",
            "in tegenstelling tot wat wordt beweerd",
            "het is niet waar dat",
            "dat is niet waar",
            "er is geen probleem",
            "er is geen storing",
            "er is niets aan de hand",
            "wij zijn niet verantwoordelijk",
            "we zijn niet verantwoordelijk",
            "wij zijn niet aansprakelijk",
            "we zijn niet aansprakelijk",
        ),
        "blaming": (
            "door een leverancier",
            "door onze leverancier",
            "door een toeleverancier",
            "een externe partij",
            "externe partner",
            "een derde partij",
            "derde partij",
            "gebruikersfout",
            "fout van de gebruiker",
            "fout van de klant",
            "sommige klanten hebben ... verkeerd begrepen",
            "sommige klanten hebben ... niet goed gelezen",
            "u had moeten",
            "je had moeten",
            "jij had moeten",
            "de schuld van",
            "de schuld ligt bij",
            "uw eigen verantwoordelijkheid",
            "de verantwoordelijkheid van de klant",
            "buiten onze invloed",
            "buiten onze macht",
        ),
        "acknowledgement": (
            "we weten",
            "wij weten",
            "we zien",
            "wij zien",
            "we zijn op de hoogte",
            "wij zijn op de hoogte",
            "we begrijpen",
            "wij begrijpen",
            "onze fout",
            "onze schuld",
            "we hebben een fout gemaakt",
            "wij hebben een fout gemaakt",
            "het is misgegaan",
            "ging mis",
            "werkt niet",
            "werken niet",
            "*storing",
            "*storingen",
            "*probleem",
            "*problemen",
            "*fout",
            "*fouten",
            "*uitval",
            "niet bereikbaar",
            "vertraging",
        ),
        "empathy": (
            "sorry",
            "excuses",
            "excuus",
            "het spijt ons",
            "het spijt me",
            "het spijt mij",
            "spijt",
            "vervelend",
            "frustrerend",
            "we begrijpen dat",
            "wij begrijpen dat",
            "bedankt voor je geduld",
            "bedankt voor uw geduld",
            "dank voor je geduld",
            "dank voor uw geduld",
            "ongemak",
            "balen",
        ),
        "jargon": (
            "stakeholder",
            "stakeholders",
            "mitigeren",
            "mitigatie",
            "root cause",
            "escalatie",
            "geëscaleerd",
            "impact",
            "backend",
            "back-end",
            "infrastructuur",
            "conform",
            "middels",
            "ten behoeve van",
            "t.b.v.",
            "dienaangaande",
            "inzake",
            "sla",
            "onderhoudsvenster",
            "alsmede",
            "derhalve",
            "teneinde",
            "incident",
        ),
    },
}

# Acronyms in capitals are names, not shouting.
ACRONYMS = frozenset(
    {
        "FAQ",
        "CEO",
        "CFO",
        "CTO",
        "SMS",
        "URL",
        "API",
        "PDF",
        "NOS",
        "ANWB",
        "ACM",
        "EAN",
        "IBAN",
        "BTW",
        "SLA",
    }
)

_APOSTROPHE = "['‘’]"
_GAP = r"\s+(?:[\w'‘’-]+\s+){0,5}?"
_CAPITALS_WORD = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-Þ]{3,}(?!\w)")
_EXCLAMATIONS = re.compile(r"[!?]*![!?]*")

_Trie = dict[str, "_Trie"]


def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for all `phrases`, shaped as a trie: shared beginnings are tried once, the longest wins."""
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[""] = {}  # a phrase ends here
    return re.compile(rf"(?<!\w)(?:{_trie_pattern(trie)})(?!\w)", re.IGNORECASE)


def _atoms(phrase: str) -> list[str]:
    """The regex pieces of `phrase`, one per character, space or gap (see "Phrase notation")."""
    atoms = [r"\w*"] if phrase.startswith("*") else []
    for index, segment in enumerate(phrase.removeprefix("*").lower().split(" ... ")):
        atoms += [_GAP] if index else []
        for position, word in enumerate(segment.split()):
            atoms += [r"\s+"] if position else []
            atoms += [_APOSTROPHE if char in "'‘’" else re.escape(char) for char in word]
    return atoms


def _trie_pattern(node: _Trie) -> str:
    branches = [atom + _trie_pattern(child) for atom, child in node.items() if atom]
    if not branches:
        return ""
    pattern = "(?:" + "|".join(branches) + ")" if len(branches) > 1 or "" in node else branches[0]
    return pattern + "?" if "" in node else pattern  # greedy: a longer phrase is preferred


_PATTERNS = {
    language: {kind: _compile(phrases) for kind, phrases in kinds.items()}
    for language, kinds in PHRASES.items()
}


def check(text: str, language: str, max_length: int | None = None) -> list[ToneHint]:
    """Hints for `text` in the order of RULES, at most one per rule."""
    patterns = _PATTERNS[_language(language)]
    normalized = unicodedata.normalize("NFC", text)
    defensive = list(patterns["defensive"].finditer(normalized))
    blaming = list(patterns["blaming"].finditer(normalized))
    deflections = [match.span() for match in defensive + blaming]
    found: dict[str, list[str] | None] = {  # None: the rule has nothing to say
        "defensive": _words(defensive) or None,
        "blaming": _words(blaming) or None,
        "no_acknowledgement": _missing(patterns["acknowledgement"], normalized, deflections),
        "no_empathy": _missing(patterns["empathy"], normalized, deflections),
        "shouting": _shouting(normalized) or None,
        "jargon": _words(patterns["jargon"].finditer(normalized)) or None,
        "too_long": [] if max_length is not None and len(text) > max_length else None,
    }
    return [ToneHint(rule, words) for rule in RULES if (words := found[rule]) is not None]


def message(rule: str) -> str:
    """Why `rule` matters, in the active language."""
    return str(MESSAGES[rule])


def _language(language: str) -> str:
    primary = language.lower().replace("_", "-").split("-")[0]
    return primary if primary in _PATTERNS else "en"


def _words(matches: Iterable[re.Match[str]]) -> list[str]:
    return _unique(" ".join(match.group().lower().split()) for match in matches)


def _missing(pattern: re.Pattern[str], text: str, deflections: list[tuple[int, int]]) -> list[str] | None:
    """[] when nothing in `text` matches, not counting matches inside a defensive or blaming phrase."""
    for match in pattern.finditer(text):
        if not any(match.start() < end and start < match.end() for start, end in deflections):
            return None
    return []


def _shouting(text: str) -> list[str]:
    found = [
        (match.start(), word)
        for match in _CAPITALS_WORD.finditer(text)
        if (word := match.group()) not in ACRONYMS
    ]
    runs = [(match.start(), match.group()) for match in _EXCLAMATIONS.finditer(text)]
    if text.count("!") >= 2 or any(len(run) > 1 for _, run in runs):
        found += runs
    return _unique(word for _, word in sorted(found))


def _unique(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))
