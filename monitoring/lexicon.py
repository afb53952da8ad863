"""Our domain layer for monitoring/sentiment.py: what a crisis at an energy supplier sounds like.

Valences are in [-1, 1] per hit (about 0.3 mild, 0.5 clear, 0.8 strong). Word and phrase keys match
whole words, case-insensitively; a space or hyphen in a key also matches a space, a hyphen or nothing
("rip-off" matches "rip off" and "ripoff"). Complaint patterns are regular expressions for posts
that say something bad without a sentiment word ("on hold for 52 minutes", "al 3 dagen geen stroom").
Keep entries general: a word belongs here because posts about energy suppliers use it, never
because one test sentence does (monitoring/tests/labelled_mentions.py keeps a held-out set for that).
"""

# fmt: off
# --- English -----------------------------------------------------------------------------------

EN_WORDS: dict[str, float] = {
    # anger, contempt, slang
    "scam": -0.7, "scams": -0.7, "scammer": -0.8, "scammers": -0.8, "scamming": -0.8,
    "rip-off": -0.7, "ripping off": -0.7, "ripped off": -0.7, "con artists": -0.8,
    "fraud": -0.7, "fraudulent": -0.8, "daylight robbery": -0.8, "robbery": -0.6, "robbing": -0.6,
    "cowboys": -0.6, "clowns": -0.6, "joke": -0.6, "shambles": -0.7, "shambolic": -0.7,
    "disgrace": -0.8, "disgraceful": -0.8, "useless": -0.7, "rubbish": -0.6, "appalling": -0.7,
    "shocking": -0.6, "pathetic": -0.7, "unacceptable": -0.7, "incompetent": -0.7,
    "horrendous": -0.8, "diabolical": -0.8, "dire": -0.5, "mess": -0.4, "ashamed": -0.6,
    "greedy": -0.6, "fat cats": -0.6, "profiteering": -0.7, "extortionate": -0.7,
    "tone deaf": -0.7, "insensitive": -0.6, "out of touch": -0.6,
    "fuming": -0.8, "livid": -0.8, "furious": -0.8, "seething": -0.7, "gutted": -0.5,
    "fed up": -0.6, "sick of": -0.6, "sick and tired": -0.7, "had enough": -0.6, "ffs": -0.6,
    "never again": -0.6, "avoid": -0.5, "switching": -0.4,
    # what goes wrong
    "outage": -0.4, "outages": -0.4, "power cut": -0.4, "power cuts": -0.4, "blackout": -0.4,
    "down": -0.3, "on hold": -0.4, "cut off": -0.5, "in the dark": -0.4, "no-show": -0.5,
    "overcharged": -0.6, "overcharging": -0.6, "wrong": -0.4, "broken": -0.4,
    "crash": -0.4, "crashes": -0.4, "crashed": -0.4, "crashing": -0.4,
    "freezing": -0.4, "freeze": -0.3, "cold": -0.3,
    # praise
    "brilliant": 0.7, "lifesaver": 0.8, "kudos": 0.7, "legend": 0.8, "legends": 0.8,
    "hero": 0.7, "heroes": 0.7, "fair play": 0.6, "nice one": 0.6, "well done": 0.6,
    "shout out": 0.5, "top notch": 0.7, "spot on": 0.6, "above and beyond": 0.8,
    "impressed": 0.6, "helpful": 0.5, "responsive": 0.5, "appreciated": 0.5, "lovely": 0.6,
    "sorted": 0.5, "fixed": 0.4, "refunded": 0.4, "back on": 0.5,
    "works again": 0.5, "working again": 0.5, "keeping us updated": 0.5, "kept us updated": 0.5,
}

_EN_COUNT = r"(?:\d+(?:[.,]\d+)?\+?|an?|one|two|three|four|five|six|several|a few|many)"
_EN_SPAN = r"(?:min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|nights?|weeks?)"
_EN_SUPPLY = r"(?:power|electricity|heating|heat|gas|hot water|lights?)"

EN_COMPLAINTS: list[tuple[str, float]] = [
    (r"\bthanks? (?:you )?for nothing\b", -0.9),
    (r"\bfor nothing\b", -0.4),
    (rf"\b(?:on hold|queue|queuing|queueing|waiting|waited|hold)\b\D{{0,25}}?\b{_EN_COUNT}\s*{_EN_SPAN}\b",
     -0.6),
    (rf"\b{_EN_COUNT}\s*{_EN_SPAN}\s+(?:on hold|in the queue|waiting|of waiting)\b", -0.6),
    (rf"\b{_EN_COUNT}\s+{_EN_SPAN}\s+(?:without|with no|and no)\s+{_EN_SUPPLY}\b", -0.7),
    (rf"\b(?:no|without|zero)\s+{_EN_SUPPLY}\b", -0.5),
    (r"\bstill\s+(?:no|not|nothing|waiting|down|off|out|broken|wrong|dark|cold|closed)\b", -0.5),
    (r"\b(?:down|out|off|wrong|broken|crash(?:ed|ing)?|failed|gone)\s+again\b", -0.5),
    (r"\bagain\s*[?!]*\?", -0.3),
    (r"\b(?:second|2nd|third|3rd|fourth|4th|fifth|5th|\d+th)\s+(?:time|outage|bill|call|email)\b", -0.4),
    (
        r"\b(?:no|not a single|not one|zero|without any?)\s+(?:updates?|info|information|answers?|"
        r"repl(?:y|ies)|response|call ?back|communication|news|warning|explanation|apology)\b",
        -0.5,
    ),
    (r"\b(?:nobody|no one|no-one|noone)\b", -0.3),
    (r"\bwhat (?:exactly )?am i (?:even )?paying (?:you )?for\b", -0.6),
    (r"\bhow (?:is|can) (?:this|that|it) (?:be )?(?:legal|acceptable|allowed|ok|okay|right)\b", -0.6),
    (r"\bprice (?:rises?|hikes?|increases?)\b", -0.3),
    (r"\b(?:up|rise|increase|hike)\s+(?:of\s+|by\s+)?\d+\s?%", -0.4),
    (r"\b\d+\s?%\s+(?:rise|increase|hike|more|higher)\b", -0.4),
    (r"\b(?:can'?t|cannot|can not|unable to)\s+(?:even\s+)?(?:log ?in|pay|get through|reach|submit|contact)",
     -0.4),
    (r"\b(?:doesn'?t|does not|won'?t|not|isn'?t)\s+(?:work|working|load|loading)\b", -0.5),
    (r"\b(?:charged (?:me )?twice|double charged|taken twice|charged double)\b", -0.5),
    (r"\band counting\b", -0.3),
    (r"\b(?:out|down|off|waiting|dark|cold|nothing)\s+since\b", -0.4),
]

EN_NEGATORS: frozenset[str] = frozenset((
    "not", "no", "never", "isn't", "wasn't", "aren't", "weren't", "don't", "doesn't", "didn't", "won't",
    "hardly", "isnt", "wasnt", "arent", "dont", "doesnt", "didnt", "wont",
))

# --- Dutch -------------------------------------------------------------------------------------

NL_WORDS: dict[str, float] = {
    # boosheid, minachting, straattaal (and the English loanwords Dutch posts use)
    "bagger": -0.8, "waardeloos": -0.8, "waardeloze": -0.8, "kansloos": -0.7,
    "oplichters": -0.8, "oplichter": -0.8, "oplichterij": -0.8, "oplichting": -0.8, "nep": -0.5,
    "amateurs": -0.7, "amateuristisch": -0.7, "amateuristische": -0.7, "prutsers": -0.7,
    "prutswerk": -0.7, "beunhazen": -0.7, "cowboys": -0.6, "idioten": -0.6, "debiel": -0.7,
    "misleidend": -0.7, "misleidende": -0.7, "misleiding": -0.7,
    "schandalig": -0.8, "schandalige": -0.8, "schande": -0.8, "schandaal": -0.7,
    "belachelijk": -0.7, "belachelijke": -0.7, "lachertje": -0.7, "onacceptabel": -0.7,
    "onaanvaardbaar": -0.7, "respectloos": -0.7, "respectloze": -0.7, "schaamteloos": -0.8,
    "schaam je": -0.8, "schaam jullie": -0.8, "klantonvriendelijk": -0.6, "wanprestatie": -0.7,
    "graaiers": -0.7, "zakkenvullers": -0.8, "puinhoop": -0.7, "zooitje": -0.7, "chaos": -0.5,
    "drama": -0.5, "dramatisch": -0.6, "ramp": -0.6, "rampzalig": -0.8, "triest": -0.5,
    "teleurgesteld": -0.6, "teleurstellend": -0.6, "boos": -0.6, "boze": -0.6, "kwaad": -0.6,
    "woedend": -0.8, "pissig": -0.7, "balen": -0.5, "baal": -0.5, "zucht": -0.4,
    "kut": -0.7, "klote": -0.7, "gek geworden": -0.6, "lekker bezig": -0.5,
    "klaar mee": -0.5, "klaar met": -0.5, "nooit meer": -0.6, "overstappen": -0.4,
    "stap over": -0.4, "scam": -0.7, "fail": -0.6, "wtf": -0.6,
    # wat er misgaat
    "storing": -0.4, "storingen": -0.4, "afgezet": -0.6, "afgesloten": -0.5,
    "onbereikbaar": -0.5, "opgehangen": -0.4, "crasht": -0.4, "crash": -0.4, "kapot": -0.4,
    "fout": -0.4, "foute": -0.4, "verkeerd": -0.4, "verkeerde": -0.4, "te veel": -0.3,
    "teveel": -0.3, "aanmaning": -0.4, "incasso": -0.3, "deurwaarder": -0.5,
    "in de kou": -0.4, "in het donker": -0.4, "down": -0.3,
    # lof
    "topper": 0.8, "toppers": 0.8, "toppie": 0.8, "chapeau": 0.8, "petje af": 0.8, "top": 0.6,
    "super": 0.6, "fijn": 0.5, "fijne": 0.5, "prima": 0.4, "netjes": 0.4, "tevreden": 0.6,
    "blij": 0.6, "aanrader": 0.6, "held": 0.7, "helden": 0.7, "lief": 0.4, "lieve": 0.4,
    "vriendelijk": 0.5, "vriendelijke": 0.5, "behulpzaam": 0.6, "behulpzame": 0.6,
    "complimenten": 0.7, "compliment": 0.7, "kudos": 0.6, "thanks": 0.5, "thnx": 0.5, "nice": 0.5,
    "bedankt": 0.5, "dank": 0.4, "dankjewel": 0.6, "dankuwel": 0.6, "dank je wel": 0.6,
    "dank u wel": 0.6, "dank jullie wel": 0.6, "dank je": 0.5,
    "netjes geholpen": 0.7, "goed geholpen": 0.7, "snel geholpen": 0.7, "meteen geholpen": 0.6,
    "geholpen": 0.3, "snel opgelost": 0.7, "opgelost": 0.5, "prima geregeld": 0.7,
    "goed geregeld": 0.7, "goed gedaan": 0.6, "snelle reactie": 0.5, "snel gereageerd": 0.6,
    "meedenkt": 0.5, "meedenken": 0.4, "op de hoogte gehouden": 0.5,
    "werkt weer": 0.5, "doet het weer": 0.5, "weer terug": 0.4, "weer aan": 0.4,
    "teruggestort": 0.5, "terugbetaald": 0.4, "vergoeding": 0.3,
}

_NL_COUNT = r"(?:\d+(?:[.,]\d+)?\+?|een|één|twee|drie|vier|vijf|zes|tien|anderhalf|half|ruim|bijna)"
_NL_SPAN = r"(?:min(?:uten|uut)?|kwartier|uur|uren|dagen|dag|nachten|nacht|weken|week)"
_NL_SUPPLY = r"(?:stroom|gas|verwarming|licht|warm water|elektriciteit|energie)"

NL_COMPLAINTS: list[tuple[str, float]] = [
    (r"\b(?:bedankt|dank je|dankjewel|dank)\s+(?:wel\s+)?voor\s+(?:niks|niets|nop)\b", -0.9),
    (rf"\b(?:in de wacht|wachten|wacht|gewacht|wachttijd)\b\D{{0,25}}?\b{_NL_COUNT}\s*{_NL_SPAN}\b", -0.6),
    (rf"\b{_NL_COUNT}\s*{_NL_SPAN}\s+(?:in de wacht|wachten|gewacht|aan de lijn|in de rij)\b", -0.6),
    (rf"\b{_NL_COUNT}\s+{_NL_SPAN}\s+(?:geen|zonder)\s+{_NL_SUPPLY}\b", -0.7),
    (rf"\b(?:geen|zonder)\s+{_NL_SUPPLY}\b", -0.5),
    (r"\bnog\s+(?:steeds|altijd)\s+(?:geen|niet|niks|niets)\b", -0.6),
    (r"\bnog\s+(?:niks|niets|geen)\s+(?:gehoord|reactie|antwoord|bericht)\b", -0.5),
    (r"\b(?:alweer|weer eens|wéér|weer\s+(?:niet|mis|stuk|plat|kapot))\b", -0.4),
    (r"\bligt\s+(?:er\s+)?(?:\w+\s+){0,2}?(?:uit|eruit|plat)\b", -0.5),
    (r"\b(?:tweede|derde|vierde|vijfde|\d+e|\d+de)\s+(?:keer|storing|maal)\b", -0.4),
    (r"\b\d+\s*(?:x|keer)\s+(?:gebeld|gemaild|geprobeerd|een ander)\b", -0.3),
    (
        r"\b(?:geen|nog geen|zonder)\s+(?:reactie|antwoord|info|informatie|updates?|bericht|nieuws|"
        r"excuses|uitleg|waarschuwing|communicatie)\b",
        -0.5,
    ),
    (r"\b(?:niemand|niks|niets|nergens)\b", -0.25),
    (r"\b(?:werkt|lukt|doet het|neemt|reageert|klopt)\b(?:\s+\w+){0,3}?\s+niet\b", -0.5),
    (r"\bniet\s+(?:bereikbaar|te bereiken|opgenomen)\b", -0.5),
    (r"\bklopt\s+(?:geen|niks|niets)\b", -0.5),
    (r"\b(?:prijs|tarief|tariefs)verhoging(?:en)?\b", -0.4),
    (r"\b\d+\s?%\s+(?:omhoog|duurder|hoger|meer|erbij)\b", -0.4),
    (r"\b(?:verdubbeld|verdriedubbeld|duurder)\b", -0.4),
    (r"\b(?:twee|2|dubbel)\s*(?:keer|x)?\s+(?:afgeschreven|gefactureerd|geïncasseerd)\b", -0.5),
    (r"\bhoe lang nog\b", -0.3),
]

NL_NEGATORS: frozenset[str] = frozenset(("niet", "geen", "nooit", "allesbehalve", "nauwelijks"))

# --- Both languages ----------------------------------------------------------------------------

SHARED_COMPLAINTS: list[tuple[str, float]] = [
    (r"[?!]*\?[?!]*[?!]|[?!]*![?!]*\?", -0.3),  # "??", "?!", "!?": exasperation
]

# Variation selectors and skin tones are stripped before matching (see sentiment._normalise).
EMOJI: dict[str, float] = {
    "😡": -0.7, "🤬": -0.8, "😠": -0.6, "🙄": -0.6, "👎": -0.6, "💩": -0.6, "😤": -0.5,
    "😢": -0.4, "😭": -0.4, "😒": -0.5, "😩": -0.4, "😫": -0.4, "🤦": -0.5, "😞": -0.4,
    "😔": -0.3, "🥶": -0.3, "🤡": -0.6, "🙃": -0.3, "😖": -0.4, "😣": -0.4,
    "👍": 0.6, "❤": 0.6, "🙏": 0.5, "😊": 0.6, "😀": 0.5, "😃": 0.5, "😄": 0.5, "😁": 0.5,
    "👏": 0.5, "🎉": 0.5, "💚": 0.6, "💙": 0.5, "🥰": 0.6, "😍": 0.6, "💪": 0.5, "🙌": 0.6,
    "👌": 0.5, "🤗": 0.5, "✅": 0.3, "⭐": 0.3, "☺": 0.5,
}

# Irony: with one of these in a post, its positive parts count as negative ("great job 👏🙄").
IRONY_EMOJI = "🙄🙃"
IRONY_PHRASES = (r"(?:^|\s)/s\b", r"\byeah,? right\b", r"\bja hoor\b")

# --- Language markers --------------------------------------------------------------------------
# Frequent words that belong to one of the two languages only (not "is", "in", "we", "of", "die").

EN_MARKERS: dict[str, float] = dict.fromkeys((
    "the", "and", "a", "an", "it", "it's", "to", "you", "your", "you're", "my", "i", "i'm", "im", "i've",
    "for", "with", "this", "that", "not", "no", "what", "why", "how", "when", "who", "again", "still",
    "just", "have", "has", "been", "are", "be", "will", "would", "could", "should", "can't", "cant",
    "don't", "dont", "won't", "isn't", "doesn't", "didn't", "wasn't", "they", "our", "there", "here",
    "thanks", "thank", "please", "nothing", "anyone", "anything", "from", "at", "on", "off", "out", "up",
    "after", "about", "all", "only", "so", "very", "really", "get", "got", "since", "without", "power",
    "bill", "waiting", "hours", "minutes", "days", "outage", "any", "back", "sort", "sorted", "cheers",
    "great", "good", "bad", "fix", "fixed", "heating", "lights", "reading", "refund", "supplier",
    "customer", "engineer", "complaint", "twice", "love", "new", "ever", "company", "price", "rise",
    "hello",
), 1.0)
NL_MARKERS: dict[str, float] = dict.fromkeys((
    "de", "het", "een", "en", "niet", "geen", "nooit", "ik", "je", "jij", "jullie", "mijn", "m'n", "mn",
    "van", "voor", "met", "dit", "dat", "deze", "wat", "waarom", "hoe", "wanneer", "wie", "weer", "alweer",
    "nog", "al", "ook", "maar", "wel", "zo", "echt", "gewoon", "heel", "erg", "nu", "bij", "naar", "op",
    "te", "er", "heb", "hebt", "heeft", "hebben", "ben", "zijn", "wordt", "zal", "kan", "kun", "moet", "ze",
    "ons", "onze", "hier", "daar", "niks", "niets", "iemand", "niemand", "alles", "graag", "dank",
    "bedankt", "dankjewel", "stroom", "storing", "storingen", "rekening", "factuur", "klantenservice",
    "wachten", "uur", "dagen", "minuten", "monteur", "meterstand", "opgelost", "goed", "slecht",
    "slechtste", "lukt", "doet", "hallo", "nieuws", "terug", "weg",
), 1.0) | {"top": 0.5, "toppie": 1.0, "topper": 1.0, "bagger": 1.0}
# fmt: on
