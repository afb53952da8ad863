"""Demo crisis playbooks for Lumen Energy, in English and Dutch, loaded by `manage.py seed_demo`."""

SCENARIOS: list[dict] = [
    {
        "key": "review-wave",
        "en": {
            "name": "Wave of negative reviews",
            "description": (
                "Use this when negative reviews and angry posts pile up in a short time, for example after a "
                "price increase or a mistake in the annual statements, on review sites, in the app stores or "
                "on our own accounts. Success: within the hour we publicly acknowledge what is going on, "
                "every affected customer knows where to get help, and new complaints are back to a normal "
                "level within a few days."
            ),
            "trigger_keywords": [
                "price increase",
                "wrong bill",
                "overcharged",
                "annual statement",
                "monthly payment",
                "direct debit",
                "switching supplier",
                "1 star",
                "rip-off",
            ],
            "steps": [
                {
                    "title": "Map where the reviews are and what they say",
                    "description": (
                        "Check review sites, app store ratings and our social accounts. Group the complaints "
                        "by cause (prices, annual statement, monthly payment, direct debit) and count new "
                        "ones per hour."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Confirm the cause with Billing and Pricing",
                    "description": (
                        "Ask Billing what went wrong or what changed, how many customers are affected and "
                        "when it will be fixed. Write down only what is confirmed."
                    ),
                    "role": "lead",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Draft the holding statement",
                    "description": (
                        "Start from the template: say what we see, that we understand the frustration and "
                        "where customers can get help. Leave out amounts or numbers that are not confirmed "
                        "yet."
                    ),
                    "role": "responder",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Approve the holding statement",
                    "description": (
                        "Check the facts and the tone. Ask for a change rather than rewriting the text "
                        "yourself."
                    ),
                    "role": "approver",
                    "due_after_minutes": 45,
                },
                {
                    "title": "Publish and pin the statement",
                    "description": (
                        "Post it on all our accounts, pin it on X and Facebook, and brief customer service "
                        "so phone and chat give the same answer."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Reply to reviews personally",
                    "description": (
                        "Give each review a short, personal reply and offer to sort it out by DM. Don't "
                        "paste the same line everywhere, and never ask for account details in a public "
                        "reply."
                    ),
                    "role": "responder",
                    "due_after_minutes": 90,
                },
                {
                    "title": "Post an update and agree on the follow-up",
                    "description": (
                        "Share what has been fixed and what customers need to do, if anything. Agree with "
                        "Billing how we handle corrections or compensation, and when we close the incident."
                    ),
                    "role": "lead",
                    "due_after_minutes": 240,
                },
            ],
            "templates": [
                {
                    "name": "Holding statement: negative reviews",
                    "kind": "holding",
                    "body": (
                        "We're reading every review and message about your bill and our rates, and we "
                        "understand the frustration. Energy costs weigh on a lot of households. At "
                        "{organization} we're going through the complaints with our billing team to see "
                        "what's behind them and who is affected. If there's a mistake on your bill, we'll "
                        "correct it without you having to chase us. Next update here by {next_update}."
                    ),
                },
                {
                    "name": "Update: billing error found",
                    "kind": "update",
                    "body": (
                        "Update ({time}): we know what went wrong. Some of this week's annual statements "
                        "showed an amount that was too high. We're correcting them: you'll get a new "
                        "statement by email, and we've stopped the direct debit for the wrong amount. "
                        "Already paid? We'll refund the difference. Questions about your own bill? Send us a "
                        "DM. We're sorry for the worry this caused. Next update by {next_update}."
                    ),
                },
            ],
        },
        "nl": {
            "name": "Golf van negatieve reviews",
            "description": (
                "Gebruik dit draaiboek als er in korte tijd veel negatieve reviews en boze berichten "
                "binnenkomen, bijvoorbeeld na een prijsverhoging of een fout in de jaarafrekening. Denk aan "
                "reviewsites, de app stores en onze eigen accounts. Geslaagd als we binnen een uur publiek "
                "erkennen wat er speelt, alle getroffen klanten weten waar ze terechtkunnen en het aantal "
                "nieuwe klachten binnen een paar dagen weer normaal is."
            ),
            "trigger_keywords": [
                "prijsverhoging",
                "jaarafrekening",
                "termijnbedrag",
                "te hoog",
                "verkeerde rekening",
                "afschrijving",
                "overstappen",
                "1 ster",
                "oplichters",
            ],
            "steps": [
                {
                    "title": "In kaart brengen waar de reviews staan",
                    "description": (
                        "Check reviewsites, de beoordelingen in de app stores en onze social kanalen. Deel "
                        "de klachten in per oorzaak (tarieven, jaarafrekening, termijnbedrag, incasso) en "
                        "houd bij hoeveel er per uur bijkomen."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Oorzaak navragen bij Facturatie en Pricing",
                    "description": (
                        "Vraag Facturatie wat er mis is gegaan of wat er is veranderd, hoeveel klanten het "
                        "raakt en wanneer het is opgelost. Noteer alleen wat bevestigd is."
                    ),
                    "role": "lead",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Eerste reactie opstellen",
                    "description": (
                        "Begin met het sjabloon: benoem wat we zien, dat we de frustratie snappen en waar "
                        "klanten terechtkunnen. Noem geen bedragen of aantallen die nog niet bevestigd zijn."
                    ),
                    "role": "responder",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Eerste reactie goedkeuren",
                    "description": (
                        "Controleer de feiten en de toon. Vraag om een aanpassing in plaats van de tekst "
                        "zelf te herschrijven."
                    ),
                    "role": "approver",
                    "due_after_minutes": 45,
                },
                {
                    "title": "Reactie plaatsen en vastzetten",
                    "description": (
                        "Plaats de reactie op al onze accounts, zet hem vast op X en Facebook en praat de "
                        "klantenservice bij, zodat telefoon en chat hetzelfde antwoord geven."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Reviews persoonlijk beantwoorden",
                    "description": (
                        "Geef op elke review een korte, persoonlijke reactie en bied aan het via een DM op "
                        "te lossen. Plak niet overal dezelfde zin en vraag nooit om klantgegevens in een "
                        "openbare reactie."
                    ),
                    "role": "responder",
                    "due_after_minutes": 90,
                },
                {
                    "title": "Update plaatsen en vervolg afspreken",
                    "description": (
                        "Deel wat er is opgelost en wat klanten eventueel zelf moeten doen. Spreek met "
                        "Facturatie af hoe we correcties of compensatie regelen en wanneer we het incident "
                        "afsluiten."
                    ),
                    "role": "lead",
                    "due_after_minutes": 240,
                },
            ],
            "templates": [
                {
                    "name": "Eerste reactie: negatieve reviews",
                    "kind": "holding",
                    "body": (
                        "We lezen alle reviews en berichten over je rekening en onze tarieven, en we snappen "
                        "je frustratie. Energiekosten drukken op veel huishoudens. Bij {organization} zoeken "
                        "we met ons team Facturatie uit wat er achter de klachten zit en wie het raakt. "
                        "Staat er een fout op je rekening, dan corrigeren wij die. Daar hoef je zelf niets "
                        "voor te doen. Uiterlijk {next_update} lees je hier meer."
                    ),
                },
                {
                    "name": "Update: fout in jaarafrekening gevonden",
                    "kind": "update",
                    "body": (
                        "Update ({time}): we weten wat er mis is gegaan. Een deel van de jaarafrekeningen "
                        "van deze week had een te hoog bedrag. Die corrigeren we: je krijgt een nieuwe "
                        "afrekening per mail en de incasso van het verkeerde bedrag is stopgezet. Al "
                        "betaald? Dan storten we het verschil terug. Vragen over jouw rekening? Stuur ons "
                        "een DM. Sorry voor de schrik. Volgende update uiterlijk {next_update}."
                    ),
                },
            ],
        },
    },
    {
        "key": "pr-blunder",
        "en": {
            "name": "Our own post gone wrong",
            "description": (
                "Use this when a post from one of our own accounts lands badly: tone-deaf, insensitive or "
                "offensive. Think of a joke about energy bills while many people struggle to pay them, or a "
                "scheduled post that goes out during a tragedy. Success: the post is down within the hour, "
                "we apologize clearly and without excuses, and we show what we are changing so it doesn't "
                "happen again."
            ),
            "trigger_keywords": [
                "tone-deaf",
                "offensive",
                "insensitive",
                "not funny",
                "delete this",
                "who approved this",
                "disgusting",
                "screenshot",
                "boycott",
            ],
            "steps": [
                {
                    "title": "Capture the post and the first reactions",
                    "description": (
                        "Take screenshots of the post, its reach and the most shared reactions before "
                        "anything disappears. Note when it went out and on which accounts."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 5,
                },
                {
                    "title": "Pause all scheduled posts",
                    "description": (
                        "Stop every scheduled post and campaign on all accounts so nothing cheerful goes out "
                        "in the middle of this. Tell the social media team and the agency it holds until "
                        "further notice."
                    ),
                    "role": "lead",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Take the post down",
                    "description": (
                        "Delete or hide the post, together with the spokesperson. Deleting it without a word "
                        "looks like covering it up, so always pair it with a public apology."
                    ),
                    "role": "lead",
                    "due_after_minutes": 15,
                },
                {
                    "title": "Draft the apology",
                    "description": (
                        "Say what we posted, that it was wrong and who it hurt. No 'sorry if anyone was "
                        "offended' and no explaining the joke."
                    ),
                    "role": "responder",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Approve the apology",
                    "description": (
                        "Check that it apologizes without conditions and blames no one, not even the "
                        "colleague who published the post."
                    ),
                    "role": "approver",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Publish the apology where the post appeared",
                    "description": (
                        "Post it on the same account and channel as the original, and reply with it under "
                        "the most shared reactions."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 40,
                },
                {
                    "title": "Find out how it happened",
                    "description": (
                        "Talk to the team without looking for someone to blame: who made the post, who "
                        "checked it, why was it scheduled? Agree on one concrete change to how posts are "
                        "approved."
                    ),
                    "role": "lead",
                    "due_after_minutes": 120,
                },
                {
                    "title": "Share what we are changing",
                    "description": (
                        "Post a short update with that concrete change. Resume normal posting only when the "
                        "incident lead agrees."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 240,
                },
            ],
            "templates": [
                {
                    "name": "Holding statement: apology for our post",
                    "kind": "holding",
                    "body": (
                        "Earlier today we posted a message on {channel} that was hurtful. It should never "
                        "have gone out, and we've taken it down. We're sorry to everyone who saw it, and "
                        "especially to those it hurt. We're now finding out how this got past the checks at "
                        "{organization}. By {next_update} we'll tell you what we're changing."
                    ),
                },
                {
                    "name": "Update: what we are changing",
                    "kind": "update",
                    "body": (
                        "Update ({time}): we've looked at how our post was published. It was written and "
                        "scheduled without a second person reading it first. That's our responsibility as a "
                        "team, not one colleague's. From today, two people check every post before it goes "
                        "live, and we're reviewing all scheduled posts before we resume. Again, we're sorry. "
                        "We'll share the outcome of the review by {next_update}."
                    ),
                },
            ],
        },
        "nl": {
            "name": "Misser op ons eigen account",
            "description": (
                "Gebruik dit draaiboek als een post van een van onze eigen accounts verkeerd valt: "
                "ongevoelig, smakeloos of kwetsend. Denk aan een grap over energierekeningen terwijl veel "
                "mensen moeite hebben die te betalen, of een ingeplande post die online komt tijdens een "
                "tragedie. Geslaagd als de post binnen een uur offline is, we duidelijk en zonder "
                "uitvluchten sorry zeggen en laten zien wat we veranderen zodat het niet nog eens gebeurt."
            ),
            "trigger_keywords": [
                "smakeloos",
                "ongepast",
                "kwetsend",
                "niet grappig",
                "verwijder dit",
                "wie keurt dit goed",
                "schandalig",
                "screenshot",
                "boycot",
            ],
            "steps": [
                {
                    "title": "Post en eerste reacties vastleggen",
                    "description": (
                        "Maak screenshots van de post, het bereik en de meest gedeelde reacties voordat er "
                        "iets verdwijnt. Noteer wanneer de post online kwam en op welke accounts."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 5,
                },
                {
                    "title": "Alle ingeplande posts stilzetten",
                    "description": (
                        "Zet alle ingeplande posts en campagnes op elk account stil, zodat er midden in deze "
                        "situatie niets vrolijks online komt. Laat het socialmediateam en het bureau weten "
                        "dat dit geldt tot nader order."
                    ),
                    "role": "lead",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Post offline halen",
                    "description": (
                        "Verwijder of verberg de post, in overleg met de woordvoerder. Weghalen zonder iets "
                        "te zeggen voelt als verstoppen, dus doe het altijd samen met een publiek excuus."
                    ),
                    "role": "lead",
                    "due_after_minutes": 15,
                },
                {
                    "title": "Excuses opstellen",
                    "description": (
                        "Benoem wat we hebben geplaatst, dat het fout was en wie we ermee hebben gekwetst. "
                        "Geen 'sorry als iemand zich gekwetst voelt' en geen uitleg van de grap."
                    ),
                    "role": "responder",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Excuses goedkeuren",
                    "description": (
                        "Controleer of de tekst zonder voorbehoud sorry zegt en niemand de schuld geeft, ook "
                        "niet de collega die de post plaatste."
                    ),
                    "role": "approver",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Excuses plaatsen waar de post stond",
                    "description": (
                        "Plaats de excuses op hetzelfde account en kanaal als de oorspronkelijke post, en "
                        "reageer ermee onder de meest gedeelde reacties."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 40,
                },
                {
                    "title": "Uitzoeken hoe het kon gebeuren",
                    "description": (
                        "Praat met het team zonder een schuldige te zoeken: wie maakte de post, wie keek "
                        "ernaar, waarom stond hij ingepland? Spreek één concrete verbetering in de "
                        "goedkeuring af."
                    ),
                    "role": "lead",
                    "due_after_minutes": 120,
                },
                {
                    "title": "Delen wat we veranderen",
                    "description": (
                        "Plaats een korte update met die concrete verbetering. Begin pas weer met gewone "
                        "posts als de incidentleider akkoord geeft."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 240,
                },
            ],
            "templates": [
                {
                    "name": "Eerste reactie: excuses voor onze post",
                    "kind": "holding",
                    "body": (
                        "Eerder vandaag plaatsten we op {channel} een bericht dat kwetsend was. Dat had "
                        "nooit online mogen komen, en we hebben het verwijderd. Onze excuses aan iedereen "
                        "die het heeft gezien, en vooral aan wie erdoor is geraakt. We zoeken nu uit hoe dit "
                        "door de controle bij {organization} heen kon glippen. Uiterlijk {next_update} laten "
                        "we weten wat we veranderen."
                    ),
                },
                {
                    "name": "Update: wat we veranderen",
                    "kind": "update",
                    "body": (
                        "Update ({time}): we hebben uitgezocht hoe onze post online kwam. Hij is geschreven "
                        "en ingepland zonder dat iemand anders hem eerst las. Daar zijn we als team "
                        "verantwoordelijk voor, niet één collega. Vanaf vandaag lezen er altijd twee mensen "
                        "mee voordat een post online gaat, en we lopen alle ingeplande posts na. Nogmaals "
                        "sorry. Uiterlijk {next_update} delen we wat die controle oplevert."
                    ),
                },
            ],
        },
    },
    {
        "key": "wrong-information",
        "en": {
            "name": "We published wrong information",
            "description": (
                "Use this when we find out we published something incorrect, such as a wrong rate on our "
                "website or in a post, or wrong advice during an outage. Success: within two hours the "
                "correct information is everywhere the wrong one was, customers who acted on it know what to "
                "do, and nobody is worse off because of our mistake."
            ),
            "trigger_keywords": [
                "wrong rate",
                "wrong price",
                "not correct",
                "misleading",
                "you said",
                "which is it",
                "says something else",
                "advertised price",
                "wrong advice",
            ],
            "steps": [
                {
                    "title": "Find every place the wrong information appears",
                    "description": (
                        "Search the website, the app, our posts, emails and help articles, and check where "
                        "it was shared further. Estimate how many people saw it."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Get the correct information confirmed",
                    "description": (
                        "Ask Pricing or Operations for the correct figures or advice, in writing. If safety "
                        "is involved, check with the grid operator first."
                    ),
                    "role": "lead",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Fix the source and draft the correction",
                    "description": (
                        "Correct or remove the wrong text where it was published. Draft a correction that "
                        "says plainly what was wrong and what is right."
                    ),
                    "role": "responder",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Approve the correction",
                    "description": (
                        "Check that the new information really is right and that customers can see what to "
                        "do now."
                    ),
                    "role": "approver",
                    "due_after_minutes": 45,
                },
                {
                    "title": "Publish the correction where the error appeared",
                    "description": (
                        "Post it on the same channels and reply with it under the original posts, so people "
                        "who shared them see it too. Never quietly edit an old post."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Decide what we owe customers who acted on it",
                    "description": (
                        "Agree with Pricing and Customer Service how we handle contracts signed at the wrong "
                        "rate. When in doubt, choose what is best for the customer."
                    ),
                    "role": "lead",
                    "due_after_minutes": 90,
                },
                {
                    "title": "Inform affected customers personally",
                    "description": (
                        "Email customers who acted on the wrong information about what it means for them, "
                        "and give customer service a short Q&A."
                    ),
                    "role": "responder",
                    "due_after_minutes": 120,
                },
            ],
            "templates": [
                {
                    "name": "Holding statement: correction",
                    "kind": "holding",
                    "body": (
                        "Correction: information we shared earlier on {channel} was not correct, and we're "
                        "sorry for the confusion. We've taken it down and are checking the right details "
                        "now. If you've already acted on it, you won't be worse off because of our mistake. "
                        "{organization} will post the correct information here by {next_update}."
                    ),
                },
                {
                    "name": "Update: correct rate",
                    "kind": "update",
                    "body": (
                        "Update ({time}): here is the correct information. The rate in our earlier post was "
                        "too low. Our current variable electricity rate is the one on the rates page of our "
                        "website and in the app, which we've checked again. Did you sign up at the rate from "
                        "our post? Then that rate applies to you for the whole first year, and we'll email "
                        "you this week. Questions? Send us a DM. Next update by {next_update}."
                    ),
                },
            ],
        },
        "nl": {
            "name": "Onjuiste informatie gedeeld",
            "description": (
                "Gebruik dit draaiboek als blijkt dat we iets onjuists hebben gepubliceerd, zoals een "
                "verkeerd tarief op de website of in een post, of verkeerd advies tijdens een storing. "
                "Geslaagd als binnen twee uur overal waar de fout stond de juiste informatie staat, klanten "
                "die erop hebben gehandeld weten wat ze moeten doen en niemand de dupe wordt van onze fout."
            ),
            "trigger_keywords": [
                "verkeerd tarief",
                "klopt niet",
                "misleidend",
                "onjuiste informatie",
                "jullie zeiden",
                "wat klopt nu",
                "staat iets anders",
                "andere prijs",
                "verkeerd advies",
            ],
            "steps": [
                {
                    "title": "Alle plekken met de fout opsporen",
                    "description": (
                        "Zoek op de website, in de app, in onze posts, mailings en helpartikelen, en kijk "
                        "waar het verder is gedeeld. Schat in hoeveel mensen het hebben gezien."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Juiste informatie laten bevestigen",
                    "description": (
                        "Vraag Pricing of Operations om de juiste cijfers of het juiste advies, op papier. "
                        "Gaat het om veiligheid, stem dan eerst af met de netbeheerder."
                    ),
                    "role": "lead",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Fout bij de bron herstellen en rectificatie schrijven",
                    "description": (
                        "Pas de verkeerde tekst aan of haal hem weg waar hij stond. Schrijf een rectificatie "
                        "die eerlijk zegt wat er niet klopte en wat wel klopt."
                    ),
                    "role": "responder",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Rectificatie goedkeuren",
                    "description": (
                        "Controleer of de nieuwe informatie echt klopt en of klanten zien wat ze nu moeten "
                        "doen."
                    ),
                    "role": "approver",
                    "due_after_minutes": 45,
                },
                {
                    "title": "Rectificatie plaatsen waar de fout stond",
                    "description": (
                        "Plaats de rectificatie op dezelfde kanalen en reageer ermee onder de "
                        "oorspronkelijke posts, zodat ook wie ze deelde het ziet. Pas een oude post nooit "
                        "stilletjes aan."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Bepalen wat we klanten verschuldigd zijn",
                    "description": (
                        "Spreek met Pricing en Klantenservice af wat we doen met contracten die tegen het "
                        "verkeerde tarief zijn afgesloten. Twijfel je, kies dan wat het beste is voor de "
                        "klant."
                    ),
                    "role": "lead",
                    "due_after_minutes": 90,
                },
                {
                    "title": "Getroffen klanten persoonlijk informeren",
                    "description": (
                        "Mail klanten die op de verkeerde informatie hebben gehandeld wat het voor hen "
                        "betekent, en geef de klantenservice een korte Q&A."
                    ),
                    "role": "responder",
                    "due_after_minutes": 120,
                },
            ],
            "templates": [
                {
                    "name": "Eerste reactie: correctie",
                    "kind": "holding",
                    "body": (
                        "Correctie: informatie die we eerder op {channel} deelden, klopte niet. Sorry voor "
                        "de verwarring. We hebben het bericht weggehaald en zoeken de juiste gegevens nu "
                        "voor je na. Heb je er al iets mee gedaan? Dan zorgen we dat je niet de dupe wordt "
                        "van onze fout. Uiterlijk {next_update} staat hier de juiste informatie van "
                        "{organization}."
                    ),
                },
                {
                    "name": "Update: juist tarief",
                    "kind": "update",
                    "body": (
                        "Update ({time}): dit is de juiste informatie. Het tarief in onze eerdere post was "
                        "te laag. Ons huidige variabele stroomtarief is het tarief op de tarievenpagina van "
                        "onze website en in de app; dat hebben we opnieuw gecontroleerd. Heb je een contract "
                        "afgesloten tegen het tarief uit onze post? Dan geldt dat tarief het hele eerste "
                        "jaar voor jou en krijg je deze week een mail. Vragen? Stuur ons een DM. Volgende "
                        "update uiterlijk {next_update}."
                    ),
                },
            ],
        },
    },
    {
        "key": "service-outage",
        "en": {
            "name": "App and customer service down",
            "description": (
                "Use this when the app or website is down, or customer service can't keep up, and customers "
                "complain publicly that they can't reach us. Success: within 30 minutes customers know we're "
                "on it and what they can still do (such as whom to call for a power cut or a gas smell), "
                "every update comes at the time we promised, and no urgent question is left waiting."
            ),
            "trigger_keywords": [
                "app down",
                "can't log in",
                "on hold",
                "waiting time",
                "nobody answers",
                "chat not working",
                "website down",
                "error message",
                "unreachable",
            ],
            "steps": [
                {
                    "title": "Confirm what's down and flag urgent cases",
                    "description": (
                        "Check with IT which services are down (app, website, phone, chat) and since when. "
                        "Pass urgent mentions, such as customers without power or smelling gas, to a "
                        "responder at once."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 5,
                },
                {
                    "title": "Get the cause and an estimate from IT",
                    "description": (
                        "Ask IT for the cause, if known, and a realistic estimate. If they can't give one "
                        "yet, agree on when they will update you."
                    ),
                    "role": "lead",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Draft the holding statement",
                    "description": (
                        "Start from the template and always include the national outage number 0800-9009 for "
                        "power cuts and gas smells."
                    ),
                    "role": "responder",
                    "due_after_minutes": 15,
                },
                {
                    "title": "Approve the holding statement",
                    "description": (
                        "Approve quickly: in an outage every minute counts. Check above all that the outage "
                        "number and the promised update time are right."
                    ),
                    "role": "approver",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Publish everywhere and align customer service",
                    "description": (
                        "Post it on all our accounts and the status page. Make sure the phone line's waiting "
                        "message and the chat say the same thing."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 25,
                },
                {
                    "title": "Answer urgent cases one by one",
                    "description": (
                        "Reply personally to customers with an urgent problem. Point power cuts and gas "
                        "smells to 0800-9009 and help everyone else by DM."
                    ),
                    "role": "responder",
                    "due_after_minutes": 45,
                },
                {
                    "title": "Post an update every hour",
                    "description": (
                        "Post the update at the time we promised, even if there is no news. If there isn't, "
                        "say so honestly."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Close off and arrange the follow-up",
                    "description": (
                        "When everything works again, post a closing message and thank customers for their "
                        "patience. Make sure payment deadlines that fell during the outage are extended."
                    ),
                    "role": "lead",
                    "due_after_minutes": 180,
                },
            ],
            "templates": [
                {
                    "name": "Holding statement: app and customer service down",
                    "kind": "holding",
                    "body": (
                        "The {organization} app and customer service are hard to reach right now, and we "
                        "know how frustrating that is when you need us. Our IT team is working on it. Smell "
                        "gas or have a power cut? Call the national outage number 0800-9009, day and night. "
                        "You won't miss a payment deadline or pay extra because of this. Next update here by "
                        "{next_update}."
                    ),
                },
                {
                    "name": "Update: partly working again",
                    "kind": "update",
                    "body": (
                        "Update ({time}): the app works again for most of you, though logging in can still "
                        "be slow. Our phone line is very busy, with a wait of about 20 minutes. If your "
                        "question can wait, a DM or a call tomorrow saves you the queue. Smell gas or have a "
                        "power cut? Call 0800-9009. Sorry it's taking this long, and thank you for your "
                        "patience. Next update by {next_update}."
                    ),
                },
            ],
        },
        "nl": {
            "name": "App en klantenservice onbereikbaar",
            "description": (
                "Gebruik dit draaiboek als de app of website plat ligt, of als de klantenservice het niet "
                "meer bijbeent en klanten publiek klagen dat ze ons niet bereiken. Geslaagd als klanten "
                "binnen 30 minuten weten dat we ermee bezig zijn en wat ze nog wél kunnen doen (bijvoorbeeld "
                "wie ze bellen bij een stroomstoring of gaslucht), elke update komt op het tijdstip dat we "
                "beloofden en geen dringende vraag blijft liggen."
            ),
            "trigger_keywords": [
                "app werkt niet",
                "kan niet inloggen",
                "in de wacht",
                "wachttijd",
                "niemand neemt op",
                "chat doet het niet",
                "site ligt eruit",
                "foutmelding",
                "onbereikbaar",
                "storing",
            ],
            "steps": [
                {
                    "title": "Vaststellen wat er plat ligt en spoed signaleren",
                    "description": (
                        "Check bij IT welke diensten eruit liggen (app, website, telefoon, chat) en sinds "
                        "wanneer. Geef dringende meldingen, zoals klanten zonder stroom of met gaslucht, "
                        "meteen door aan webcare."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 5,
                },
                {
                    "title": "Oorzaak en verwachting opvragen bij IT",
                    "description": (
                        "Vraag IT naar de oorzaak, als die bekend is, en een realistische inschatting. Is er "
                        "nog geen inschatting, spreek dan af wanneer IT je bijpraat."
                    ),
                    "role": "lead",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Eerste reactie opstellen",
                    "description": (
                        "Begin met het sjabloon en noem altijd het landelijke storingsnummer 0800-9009 voor "
                        "stroomstoringen en gaslucht."
                    ),
                    "role": "responder",
                    "due_after_minutes": 15,
                },
                {
                    "title": "Eerste reactie goedkeuren",
                    "description": (
                        "Keur snel goed: bij een storing telt elke minuut. Let vooral op of het "
                        "storingsnummer en de beloofde tijd voor de volgende update kloppen."
                    ),
                    "role": "approver",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Overal plaatsen en klantenservice meenemen",
                    "description": (
                        "Plaats de reactie op al onze accounts en op de statuspagina. Zorg dat het "
                        "wachtbericht van de telefoonlijn en de chat hetzelfde zeggen."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 25,
                },
                {
                    "title": "Dringende vragen persoonlijk beantwoorden",
                    "description": (
                        "Reageer persoonlijk op klanten met een dringend probleem. Verwijs bij een "
                        "stroomstoring of gaslucht naar 0800-9009 en help de rest via een DM."
                    ),
                    "role": "responder",
                    "due_after_minutes": 45,
                },
                {
                    "title": "Elk uur een update plaatsen",
                    "description": (
                        "Plaats de update op het beloofde tijdstip, ook als er geen nieuws is. Zeg dat dan "
                        "gewoon eerlijk."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Afsluiten en nazorg regelen",
                    "description": (
                        "Plaats een afsluitend bericht als alles weer werkt en bedank klanten voor hun "
                        "geduld. Zorg dat betaaltermijnen die tijdens de storing afliepen worden verlengd."
                    ),
                    "role": "lead",
                    "due_after_minutes": 180,
                },
            ],
            "templates": [
                {
                    "name": "Eerste reactie: app en klantenservice onbereikbaar",
                    "kind": "holding",
                    "body": (
                        "De app en klantenservice van {organization} zijn nu slecht bereikbaar. We weten hoe "
                        "vervelend dat is als je ons nodig hebt. Ons IT-team is ermee bezig. Ruik je gas of "
                        "heb je een stroomstoring? Bel dan het landelijke storingsnummer 0800-9009, dag en "
                        "nacht. Door deze storing mis je geen betaaltermijn en betaal je niets extra. "
                        "Uiterlijk {next_update} lees je hier meer."
                    ),
                },
                {
                    "name": "Update: deels weer bereikbaar",
                    "kind": "update",
                    "body": (
                        "Update ({time}): de app werkt voor de meeste klanten weer, al kan inloggen nog "
                        "traag gaan. Onze telefoonlijn is erg druk: je wacht nu zo'n 20 minuten. Kan je "
                        "vraag wachten? Stuur ons dan een DM of bel morgen, dan hoef je niet in de wacht. "
                        "Ruik je gas of heb je een stroomstoring? Bel 0800-9009. Sorry dat het zo lang "
                        "duurt, en bedankt voor je geduld. Volgende update uiterlijk {next_update}."
                    ),
                },
            ],
        },
    },
    {
        "key": "employee-influencer-controversy",
        "en": {
            "name": "Controversial post by an employee or influencer",
            "description": (
                "Use this when a post by one of our employees or a paid influencer causes outrage and people "
                "hold us responsible for it. Success: within the hour we state our relationship with the "
                "person factually and make clear what we stand for, without judging or naming anyone in "
                "public, while HR or Marketing handles the employment or contract side privately."
            ),
            "trigger_keywords": [
                "your employee",
                "works for",
                "your ambassador",
                "sponsored by",
                "#ad",
                "paid partnership",
                "do you support this",
                "fire them",
                "boycott",
            ],
            "steps": [
                {
                    "title": "Capture the post and how it is linked to us",
                    "description": (
                        "Screenshot the post and the reactions. Note how people connect it to us: a logo, a "
                        "bio, an #ad tag, a photo taken at work."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Establish the relationship and the facts",
                    "description": (
                        "Check with HR or Marketing exactly who this is (employee, contractor or paid "
                        "partner) and whether the post was part of a campaign. Don't contact the person in "
                        "public."
                    ),
                    "role": "lead",
                    "due_after_minutes": 20,
                },
                {
                    "title": "Let HR or Marketing talk to the person",
                    "description": (
                        "HR talks to an employee, Marketing to an influencer; the crisis team doesn't. Pause "
                        "any running campaign with the influencer."
                    ),
                    "role": "lead",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Draft the holding statement",
                    "description": (
                        "State the relationship factually, say what we stand for and that we're in touch "
                        "with the person. Don't name them if they aren't named already, and don't announce "
                        "any measures."
                    ),
                    "role": "responder",
                    "due_after_minutes": 40,
                },
                {
                    "title": "Approve the statement together with HR",
                    "description": (
                        "Have HR or Legal read along, so the text doesn't get ahead of a decision about the "
                        "person's job or contract."
                    ),
                    "role": "approver",
                    "due_after_minutes": 50,
                },
                {
                    "title": "Publish and reply in the biggest threads",
                    "description": (
                        "Post it on our own accounts and reply with it under the most shared posts. Don't "
                        "engage with personal attacks on the employee or influencer."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Watch for harassment and new angles",
                    "description": (
                        "Keep tracking mentions, including threats or the person's private details being "
                        "shared. Report those to the platform and to HR."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 120,
                },
                {
                    "title": "Share the outcome",
                    "description": (
                        "Once a decision is made, share what it means for the partnership or our policy. "
                        "Decisions about someone's job stay private."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 1440,
                },
            ],
            "templates": [
                {
                    "name": "Holding statement: post by someone we work with",
                    "kind": "holding",
                    "body": (
                        "We've seen the post by someone who works with {organization}, and the reactions to "
                        "it. We understand why so many people are upset. That post does not reflect what we "
                        "stand for: everyone should feel welcome with us. We're talking with the person "
                        "involved and looking into it carefully. Because this is about a person, we can't "
                        "share everything, but we'll update you here by {next_update}."
                    ),
                },
                {
                    "name": "Update: campaign paused",
                    "kind": "update",
                    "body": (
                        "Update ({time}): we've spoken with the person involved. The post has been removed, "
                        "and we've paused the campaign it was part of. We won't share details of a "
                        "conversation with an individual, but we are reviewing how we choose partners and "
                        "what we agree with them. If the post hurt you, we're sorry that a campaign of ours "
                        "gave it a platform. Next update by {next_update}."
                    ),
                },
            ],
        },
        "nl": {
            "name": "Ophef over post van medewerker of influencer",
            "description": (
                "Gebruik dit draaiboek als een post van een medewerker of een betaalde influencer tot ophef "
                "leidt en mensen ons erop aanspreken. Geslaagd als we binnen een uur feitelijk benoemen wat "
                "onze relatie met die persoon is en duidelijk maken waar we voor staan, zonder iemand "
                "publiek te veroordelen of bij naam te noemen. HR of Marketing regelt intussen de kant van "
                "het dienstverband of contract."
            ),
            "trigger_keywords": [
                "jullie medewerker",
                "werkt bij",
                "ambassadeur",
                "gesponsord",
                "#ad",
                "betaalde samenwerking",
                "staan jullie hierachter",
                "ontslaan",
                "boycot",
            ],
            "steps": [
                {
                    "title": "Post vastleggen en de link met ons in kaart brengen",
                    "description": (
                        "Maak screenshots van de post en de reacties. Noteer hoe mensen hem aan ons "
                        "koppelen: een logo, een bio, een #ad, een foto op de werkvloer."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 10,
                },
                {
                    "title": "Relatie en feiten vaststellen",
                    "description": (
                        "Check met HR of Marketing wie het precies is (medewerker, ingehuurd of betaalde "
                        "partner) en of de post bij een campagne hoorde. Neem niet publiek contact op met de "
                        "persoon."
                    ),
                    "role": "lead",
                    "due_after_minutes": 20,
                },
                {
                    "title": "HR of Marketing het gesprek laten voeren",
                    "description": (
                        "HR praat met een medewerker, Marketing met een influencer; het crisisteam doet dat "
                        "niet. Zet lopende campagnes met de influencer stil."
                    ),
                    "role": "lead",
                    "due_after_minutes": 30,
                },
                {
                    "title": "Eerste reactie opstellen",
                    "description": (
                        "Benoem de relatie feitelijk, zeg waar we voor staan en dat we met de persoon in "
                        "gesprek zijn. Noem geen naam als die nog niet bekend is en kondig geen maatregelen "
                        "aan."
                    ),
                    "role": "responder",
                    "due_after_minutes": 40,
                },
                {
                    "title": "Eerste reactie goedkeuren met HR",
                    "description": (
                        "Laat HR of Juridische Zaken meelezen, zodat de tekst niet vooruitloopt op een "
                        "besluit over het dienstverband of contract."
                    ),
                    "role": "approver",
                    "due_after_minutes": 50,
                },
                {
                    "title": "Plaatsen en reageren in de grootste discussies",
                    "description": (
                        "Plaats de reactie op onze eigen accounts en reageer ermee onder de meest gedeelde "
                        "posts. Ga niet in op persoonlijke aanvallen op de medewerker of influencer."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 60,
                },
                {
                    "title": "Letten op intimidatie en nieuwe ontwikkelingen",
                    "description": (
                        "Blijf de berichten volgen, ook bedreigingen of het delen van privégegevens van de "
                        "persoon. Meld die bij het platform en bij HR."
                    ),
                    "role": "monitor",
                    "due_after_minutes": 120,
                },
                {
                    "title": "Uitkomst delen",
                    "description": (
                        "Deel na het besluit wat het betekent voor de samenwerking of ons beleid. Besluiten "
                        "over iemands baan blijven privé."
                    ),
                    "role": "spokesperson",
                    "due_after_minutes": 1440,
                },
            ],
            "templates": [
                {
                    "name": "Eerste reactie: post van iemand met wie we werken",
                    "kind": "holding",
                    "body": (
                        "We hebben de post gezien van iemand die met {organization} samenwerkt, en de "
                        "reacties erop. We snappen dat veel mensen boos en geraakt zijn. Die post past niet "
                        "bij waar wij voor staan: iedereen moet zich bij ons welkom voelen. We zijn in "
                        "gesprek met de betrokkene en zoeken dit zorgvuldig uit. Omdat het over een persoon "
                        "gaat, kunnen we niet alles delen, maar uiterlijk {next_update} hoor je hier meer."
                    ),
                },
                {
                    "name": "Update: campagne stilgezet",
                    "kind": "update",
                    "body": (
                        "Update ({time}): we hebben gesproken met de betrokkene. De post is verwijderd en we "
                        "hebben de campagne waar die bij hoorde stilgezet. Details uit een persoonlijk "
                        "gesprek delen we niet, maar we kijken wel opnieuw hoe we partners kiezen en wat we "
                        "met ze afspreken. Heeft de post je geraakt? Het spijt ons dat een campagne van ons "
                        "er een podium voor bood. Volgende update uiterlijk {next_update}."
                    ),
                },
            ],
        },
    },
]
