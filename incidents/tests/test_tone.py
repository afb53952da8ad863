import pytest

from incidents.tone import MESSAGES, RULES, ToneHint, check, message

# Posts a Dutch energy supplier might publish during an outage or a billing mistake.
GOOD = [
    pytest.param(
        "en",
        "We know many of you can't log in to the Lumen app since this morning. We're sorry, and we are "
        "working on a fix. Next update at 14:00.",
        id="en-app-login",
    ),
    pytest.param(
        "en",
        "Some customers received an annual bill that is far too high. That is our mistake and we apologise. "
        "You don't need to do anything: we will send a corrected bill this week.",
        id="en-billing-mistake",
    ),
    pytest.param(
        "en",
        "There is a power outage in parts of Utrecht. We understand how frustrating this is in the cold. "
        "Engineers are on site and we expect power back by 18:00.",
        id="en-power-outage",
    ),
    pytest.param(
        "en",
        "Our customer service phone line is down. Thank you for your patience: you can reach us by chat or "
        "SMS in the meantime.",
        id="en-phone-line",
    ),
    pytest.param(
        "en",
        "We are aware of the outage and we're sorry! Next update at 15:00.",
        id="en-one-exclamation-mark",
    ),
    pytest.param(
        "nl",
        "We weten dat veel klanten sinds vanochtend niet kunnen inloggen in de app. Het spijt ons; we werken "
        "aan een oplossing. Om 14.00 uur volgt een update.",
        id="nl-app-login",
    ),
    pytest.param(
        "nl",
        "Door een stroomstoring hebben klanten in Utrecht geen stroom. Dat is heel vervelend, zeker met deze "
        "kou. Monteurs zijn ter plaatse.",
        id="nl-power-outage",
    ),
    pytest.param(
        "nl",
        "Een deel van de jaarafrekeningen was te hoog. Dat is onze fout en we bieden onze excuses aan. U "
        "hoeft niets te doen: u krijgt deze week een nieuwe afrekening.",
        id="nl-billing-mistake",
    ),
    pytest.param(
        "nl",
        "Onze klantenservice is telefonisch slecht bereikbaar door een probleem met de telefooncentrale. "
        "Bedankt voor je geduld; via de chat of sms helpen we je verder.",
        id="nl-phone-line",
    ),
    pytest.param(
        "nl",
        "Onze excuses: door een storing is de app incidenteel traag.",
        id="nl-incidenteel-is-not-incident",
    ),
]


def hints(text: str, language: str, max_length: int | None = None) -> list[tuple[str, list[str]]]:
    return [(hint.rule, hint.words) for hint in check(text, language, max_length)]


@pytest.mark.parametrize(("language", "text"), GOOD)
def test_a_good_statement_gets_no_hint(language, text):
    assert check(text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        pytest.param(
            "en",
            "We did nothing wrong: the new rates were announced in March. We know this is a shock and we're "
            "sorry.",
            ["we did nothing wrong"],
            id="en-nothing-wrong",
        ),
        pytest.param(
            "en",
            "As we already said, the outage is not our fault. We're sorry for the trouble.",
            ["as we already said", "not our fault"],
            id="en-already-said",
        ),
        pytest.param(
            "en",
            "We stand by our decision to raise the deposit. We know it hurts and we are sorry.",
            ["we stand by our decision"],
            id="en-stand-by",
        ),
        pytest.param(
            "nl",
            "Wij hebben niets verkeerd gedaan: de nieuwe tarieven stonden in de brief. We begrijpen dat dit "
            "vervelend is.",
            ["wij hebben niets verkeerd gedaan"],
            id="nl-niets-verkeerd",
        ),
        pytest.param(
            "nl",
            "Zoals wij al zeiden is de storing niet onze schuld. Excuses voor het ongemak.",
            ["zoals wij al zeiden", "niet onze schuld"],
            id="nl-al-zeiden",
        ),
        pytest.param(
            "nl",
            "In tegenstelling tot wat beweerd wordt, sluiten wij niemand af. We zien dat dit onrust geeft en "
            "dat spijt ons.",
            ["in tegenstelling tot wat beweerd wordt"],
            id="nl-in-tegenstelling",
        ),
    ],
)
def test_it_flags_defensive_wording(language, text, words):
    assert hints(text, language) == [("defensive", words)]


@pytest.mark.parametrize("apostrophe", ["'", "’"], ids=["straight", "curly"])
def test_it_matches_both_apostrophes(apostrophe):
    text = f"It{apostrophe}s not true that we cut off customers in arrears. We know, and we are sorry."
    assert hints(text, "en") == [("defensive", [f"it{apostrophe}s not true that"])]


def test_it_matches_a_phrase_across_any_whitespace_and_case_and_reports_it_once():
    text = "We know, and we are sorry. But it is Not   our\nfault, really not our fault."
    assert hints(text, "en") == [("defensive", ["not our fault"])]


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        pytest.param(
            "en",
            "The outage was caused by a third party, and some customers misunderstood our letter. Sorry for "
            "the trouble.",
            ["a third party", "some customers misunderstood"],
            id="en-third-party",
        ),
        pytest.param(
            "en",
            "The delay in refunds is due to our supplier. We know you are waiting and we apologise.",
            ["due to our supplier"],
            id="en-supplier",
        ),
        pytest.param(
            "nl",
            "De storing kwam door een leverancier en sommige klanten hebben de brief verkeerd begrepen. "
            "Excuses voor het ongemak.",
            ["door een leverancier", "sommige klanten hebben de brief verkeerd begrepen"],
            id="nl-leverancier",
        ),
        pytest.param(
            "nl",
            "De fout in de jaarafrekening ligt bij een externe partij. Het spijt ons.",
            ["een externe partij"],
            id="nl-externe-partij",
        ),
    ],
)
def test_it_flags_blaming(language, text, words):
    assert hints(text, language) == [("blaming", words)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        pytest.param(
            "en",
            "The failed payments were due to user error. You should have updated your bank details. Sorry "
            "for the trouble.",
            [("blaming", ["user error", "you should have"]), ("no_acknowledgement", [])],
            id="en-user-error",
        ),
        pytest.param(
            "en",
            "We regret that you feel this way. No comment.",
            [
                ("defensive", ["we regret that you feel", "no comment"]),
                ("no_acknowledgement", []),
                ("no_empathy", []),
            ],
            id="en-regret-that-you-feel",
        ),
        pytest.param(
            "nl",
            "Dit is een gebruikersfout: u had moeten controleren of uw IBAN klopte. Sorry.",
            [("blaming", ["gebruikersfout", "u had moeten"]), ("no_acknowledgement", [])],
            id="nl-gebruikersfout",
        ),
        pytest.param(
            "nl",
            "Het spijt ons dat u zich zo voelt. Zoals wij al zeiden, staan wij achter ons besluit.",
            [
                (
                    "defensive",
                    [
                        "het spijt ons dat u zich zo voelt",
                        "zoals wij al zeiden",
                        "staan wij achter ons besluit",
                    ],
                ),
                ("no_acknowledgement", []),
                ("no_empathy", []),
            ],
            id="nl-spijt-ons-dat-u-zich-zo-voelt",
        ),
        pytest.param(
            "nl",
            "Wij hebben niets fout gedaan. Er is geen storing.",
            [
                ("defensive", ["wij hebben niets fout gedaan", "er is geen storing"]),
                ("no_acknowledgement", []),
                ("no_empathy", []),
            ],
            id="nl-niets-fout",
        ),
    ],
)
def test_it_does_not_count_words_inside_a_deflection_as_acknowledgement_or_empathy(language, text, expected):
    assert hints(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param(
            "en", "Thank you for your patience. We will share more information this afternoon.", id="en"
        ),
        pytest.param("nl", "Bedankt voor uw geduld. Vanmiddag volgt meer informatie.", id="nl"),
    ],
)
def test_it_flags_a_statement_that_does_not_acknowledge_the_problem(language, text):
    assert hints(text, language) == [("no_acknowledgement", [])]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param(
            "en",
            "We know the Lumen app is not working. Our engineers are on it; next update at 16:00.",
            id="en",
        ),
        pytest.param(
            "nl",
            "Er is een storing in de app. We werken aan een oplossing; om 16.00 uur volgt een update.",
            id="nl",
        ),
    ],
)
def test_it_flags_a_statement_without_empathy(language, text):
    assert hints(text, language) == [("no_empathy", [])]


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        pytest.param("en", "Our app is DOWN again and we are SO sorry!!", ["DOWN", "!!"], id="en-capitals"),
        pytest.param(
            "en", "We are aware of the outage! Sorry! Update at 15:00.", ["!"], id="en-two-exclamations"
        ),
        pytest.param(
            "en", "Is the app down?! Yes: the app is down and we are sorry.", ["?!"], id="en-interrobang"
        ),
        pytest.param("nl", "Sorry, de app werkt NIET!! We zoeken het uit.", ["NIET", "!!"], id="nl-capitals"),
        pytest.param(
            "nl",
            "Excuses voor de STORING in de app, we lossen dit ZO SNEL MOGELIJK op.",
            ["STORING", "SNEL", "MOGELIJK"],
            id="nl-capitals-only",
        ),
    ],
)
def test_it_flags_shouting(language, text, words):
    assert hints(text, language) == [("shouting", words)]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param(
            "en",
            "We are aware of the problem with the FAQ page. Sorry; our CEO will post an update.",
            id="en-acronyms",
        ),
        pytest.param(
            "en",
            "Sorry: error code E1234 on the P1 port of your smart meter is a known issue.",
            id="en-digits",
        ),
        pytest.param(
            "nl",
            "Sorry voor de storing bij betalen via iDEAL. We hebben de ACM geïnformeerd; uw IBAN en "
            "EAN-code blijven geldig.",
            id="nl-acronyms",
        ),
    ],
)
def test_it_does_not_count_acronyms_or_codes_as_shouting(language, text):
    assert check(text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        pytest.param(
            "en",
            "Going forward we will leverage our infrastructure to mitigate the outage. We apologise.",
            ["going forward", "leverage", "infrastructure", "mitigate"],
            id="en-corporate",
        ),
        pytest.param(
            "en",
            "The root cause of the incident was a backend issue. Sorry for the trouble.",
            ["root cause", "incident", "backend"],
            id="en-technical",
        ),
        pytest.param(
            "nl",
            "Middels dit bericht informeren wij u inzake de storing. Conform onze SLA mitigeren wij de "
            "impact. Excuses.",
            ["middels", "inzake", "conform", "sla", "mitigeren", "impact"],
            id="nl-ambtelijk",
        ),
        pytest.param(
            "nl",
            "Ten behoeve van de stakeholders is het incident geëscaleerd. Sorry voor de storing.",
            ["ten behoeve van", "stakeholders", "incident", "geëscaleerd"],
            id="nl-technical",
        ),
    ],
)
def test_it_flags_jargon(language, text, words):
    assert hints(text, language) == [("jargon", words)]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param("en", "Sorry, we ran out of tissues at the open day.", id="en-tissues-is-not-issues"),
        pytest.param(
            "en", "Sorry, the incidental costs on your bill are correct.", id="en-incidental-is-not-incident"
        ),
        pytest.param(
            "nl", "Sorry, de overstap verloopt normaal probleemloos.", id="nl-probleemloos-is-not-probleem"
        ),
    ],
)
def test_it_matches_whole_words_only(language, text):
    assert hints(text, language) == [("no_acknowledgement", [])]


@pytest.mark.parametrize(
    "text", ["Excuses voor de stroomstoring in Utrecht.", "Sorry voor de rekenfout in uw jaarafrekening."]
)
def test_it_recognises_a_dutch_compound_as_acknowledgement(text):
    assert check(text, "nl") == []


def test_it_flags_a_statement_longer_than_the_channel_allows():
    text = "We know the app is down and we are sorry. Next update at 15:00."
    assert hints(text, "en", max_length=len(text) - 1) == [("too_long", [])]
    assert hints(text, "en", max_length=len(text)) == []
    assert hints(text, "en") == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param(
            "en",
            "As we already said, this was caused by a third party. Going forward we will leverage our "
            "partners. PERIOD!!",
            id="en",
        ),
        pytest.param(
            "nl",
            "ZOALS WIJ AL ZEIDEN ligt dit bij een externe partij. Middels deze update sluiten we dit af!!",
            id="nl",
        ),
    ],
)
def test_it_returns_hints_in_the_order_of_the_rules(language, text):
    assert [hint.rule for hint in check(text, language, max_length=40)] == list(RULES)


def test_it_reports_the_words_of_every_rule_in_a_bad_statement():
    text = "ZOALS WIJ AL ZEIDEN ligt dit bij een externe partij. Middels deze update sluiten we dit af!!"
    assert check(text, "nl", max_length=40) == [
        ToneHint("defensive", ["zoals wij al zeiden"]),
        ToneHint("blaming", ["een externe partij"]),
        ToneHint("no_acknowledgement", []),
        ToneHint("no_empathy", []),
        ToneHint("shouting", ["ZOALS", "WIJ", "ZEIDEN", "!!"]),
        ToneHint("jargon", ["middels"]),
        ToneHint("too_long", []),
    ]


@pytest.mark.parametrize("language", ["fr", "", "english"])
def test_it_falls_back_to_english_for_an_unknown_language(language):
    assert check("We did nothing wrong.", language) == check("We did nothing wrong.", "en")
    assert hints("Geen commentaar.", language) == [("no_acknowledgement", []), ("no_empathy", [])]


@pytest.mark.parametrize("language", ["NL", "nl-BE", "nl_NL"])
def test_it_reads_a_dutch_language_tag_as_dutch(language):
    assert hints("Geen commentaar.", language) == [
        ("defensive", ["geen commentaar"]),
        ("no_acknowledgement", []),
        ("no_empathy", []),
    ]


@pytest.mark.parametrize("rule", RULES)
def test_it_explains_every_rule(rule):
    assert isinstance(message(rule), str)
    assert message(rule).strip()


def test_it_has_a_message_for_exactly_the_rules():
    assert set(MESSAGES) == set(RULES)
