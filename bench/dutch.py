# SPDX-License-Identifier: EUPL-1.2
"""Seeded Dutch municipal text for the search bench: records with natural term statistics.

Every record is a function of (seed, number) alone, so a bench can stream
100,000 of them without holding any, and regenerate record 4711 to pick query
words from. A record is a besluitnota, brief, verslag, projectplan,
raadsvoorstel, raadsinformatiebrief, notitie or vergunningbesluit of 150-400
words over 1-3 pages, about the topic of its dossier.

The words come from three sources, so that term frequencies look like a real
archive's (Zipf-like, with a long tail of rare terms):
- sentence templates in municipal prose, with slots for amounts, dates,
  case numbers, streets, people and wijken;
- a lexicon of ~15,000 Dutch compound nouns (`parkeervergunning`,
  `onderhoudsbudget`), drawn with Zipf-Mandelbrot weights, so a few are
  everywhere and most are rare;
- an order-2 Markov chain (with order-1 back-off) over the real Groningen and
  Dalfsen policy papers in ../shared/corpus, when that directory exists: real
  Dutch word order and the real frequency curve of Dutch function words.

`python -m bench.dutch [--records N]` prints a sample record and the corpus
statistics (types, hapaxes, the fitted Zipf exponent).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench import corpus

REPO_ROOT = Path(__file__).resolve().parent.parent
# The real municipal papers the project started from (see ../shared/docs/mission.md).
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"

GENRES = (
    "besluitnota",
    "brief",
    "verslag",
    "projectplan",
    "raadsvoorstel",
    "raadsinformatiebrief",
    "notitie",
    "vergunning",
)

# Lucene's Dutch stop set (Elasticsearch `_dutch_`): a query word from this
# list would be removed by the analyzer, so query builders skip them.
STOPWORDS = frozenset(
    [
        "de",
        "en",
        "van",
        "ik",
        "te",
        "dat",
        "die",
        "in",
        "een",
        "hij",
        "het",
        "niet",
        "zijn",
        "is",
        "was",
        "op",
        "aan",
        "met",
        "als",
        "voor",
        "had",
        "er",
        "maar",
        "om",
        "hem",
        "dan",
        "zou",
        "of",
        "wat",
        "mijn",
        "men",
        "dit",
        "zo",
        "door",
        "over",
        "ze",
        "zich",
        "bij",
        "ook",
        "tot",
        "je",
        "mij",
        "uit",
        "der",
        "daar",
        "haar",
        "naar",
        "heb",
        "hoe",
        "heeft",
        "hebben",
        "deze",
        "u",
        "want",
        "nog",
        "zal",
        "me",
        "zij",
        "nu",
        "ge",
        "geen",
        "omdat",
        "iets",
        "worden",
        "toch",
        "al",
        "waren",
        "veel",
        "meer",
        "doen",
        "toen",
        "moet",
        "ben",
        "zonder",
        "kan",
        "hun",
        "dus",
        "alles",
        "onder",
        "ja",
        "eens",
        "hier",
        "wie",
        "werd",
        "altijd",
        "doch",
        "wordt",
        "wezen",
        "kunnen",
        "ons",
        "zelf",
        "tegen",
        "na",
        "reeds",
        "wil",
        "kon",
        "niets",
        "uw",
        "iemand",
        "geweest",
        "andere",
    ]
)

# --------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------

GEMEENTEN = (
    "Groningen",
    "Dalfsen",
    "Zwolle",
    "Assen",
    "Ommen",
    "Hardenberg",
    "Raalte",
    "Westerkwartier",
    "Midden-Groningen",
    "Het Hogeland",
    "Tynaarlo",
    "Staphorst",
)
# Groningen has about 42 wijken; these are the ones records are tagged with.
WIJKEN = (
    "Binnenstad",
    "Schildersbuurt",
    "Oosterpoort",
    "Herewegbuurt",
    "Helpman",
    "De Wijert",
    "Corpus den Hoorn",
    "Hoogkerk",
    "Vinkhuizen",
    "Paddepoel",
    "Selwerd",
    "Beijum",
    "Lewenborg",
    "Oosterparkwijk",
    "De Hoogte",
    "Korrewegwijk",
    "Indische Buurt",
    "Noorderplantsoen",
    "Hortusbuurt",
    "Zeeheldenbuurt",
    "Oranjewijk",
    "Rivierenbuurt",
    "Laanhuizen",
    "Hoornse Meer",
    "Reitdiep",
    "Zernike",
    "Ebbingekwartier",
    "Meerstad",
    "Ten Boer",
    "Haren",
    "Europapark",
    "Gravenburg",
)
STRAAT_STAM = (
    "Beuken",
    "Eiken",
    "Linden",
    "Iepen",
    "Kastanje",
    "Populieren",
    "Wilgen",
    "Berken",
    "Molen",
    "Kerk",
    "School",
    "Stations",
    "Haven",
    "Dorps",
    "Markt",
    "Sluis",
    "Brug",
    "Vaart",
    "Dijk",
    "Tuin",
    "Rozen",
    "Tulpen",
    "Lelie",
    "Vlinder",
    "Merel",
    "Zwaluw",
    "Reiger",
    "Kievit",
    "Rembrandt",
    "Vermeer",
    "Vondel",
    "Bilderdijk",
    "Thorbecke",
    "Oranje",
    "Nassau",
    "Wilhelmina",
    "Juliana",
    "Emma",
    "Hofstede de Groot",
    "Korreweg",
    "Paterswolde",
    "Helper",
    "Zuider",
    "Noorder",
    "Ooster",
    "Wester",
    "Hoofd",
    "Kanaal",
    "Parallel",
    "Esdoorn",
    "Meidoorn",
    "Hazel",
    "Vlas",
    "Koren",
    "Rogge",
    "Haver",
    "Turf",
    "Veen",
    "Klei",
    "Zand",
)
STRAAT_SUFFIX = (
    "straat",
    "laan",
    "weg",
    "plein",
    "hof",
    "singel",
    "kade",
    "dijk",
    "pad",
    "gracht",
    "dreef",
    "erf",
)
VOORNAMEN = (
    "Anne",
    "Bart",
    "Chantal",
    "Daan",
    "Els",
    "Fatima",
    "Gerrit",
    "Hanneke",
    "Ingrid",
    "Jan",
    "Karin",
    "Lars",
    "Marieke",
    "Nadia",
    "Otto",
    "Petra",
    "Rik",
    "Sanne",
    "Tjeerd",
    "Ursula",
    "Vincent",
    "Wieke",
    "Yusuf",
    "Zoë",
    "André",
    "Noël",
    "Chloë",
    "René",
    "Mehmet",
    "Aisha",
    "Klaas",
    "Geert",
    "Hilda",
    "Jelle",
    "Froukje",
    "Sietske",
    "Wouter",
    "Ilse",
    "Joost",
    "Mirjam",
)
ACHTERNAMEN = (
    "de Vries",
    "Jansen",
    "van der Veen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dijkstra",
    "Hoekstra",
    "Postma",
    "Kramer",
    "Huisman",
    "Wierenga",
    "Boersma",
    "van Dijk",
    "Brouwer",
    "Koster",
    "Prins",
    "Çelik",
    "El Amrani",
    "Yilmaz",
    "Doğan",
    "Nieuwenhuis",
    "Schuurman",
    "Zijlstra",
    "Veenstra",
    "Oosterhof",
    "Kuipers",
    "Stoker",
    "Hofman",
    "Wolters",
    "Bosma",
    "Schreuder",
)
AFDELINGNAMEN = (
    "Ruimtelijke Ordening",
    "Projectmanagement",
    "Economische Zaken",
    "Onderwijs",
    "Welzijn",
    "Sport",
    "Werk en Inkomen",
    "Zorg",
    "Openbare Ruimte",
    "Wijkzaken",
    "Vergunningen en Handhaving",
    "Communicatie",
    "Juridische Zaken",
    "Documentaire Informatievoorziening",
)
ORGANEN = (
    "het college",
    "de gemeenteraad",
    "de wijkraad",
    "de raadscommissie",
    "het managementteam",
    "de stuurgroep",
    "de projectgroep",
    "de ondernemingsraad",
    "het presidium",
    "de adviesraad sociaal domein",
)
# The ingest bench's parties and months, plus more: one list, grown here.
BETROKKENEN = (
    *corpus.BETROKKENEN,
    "de ondernemersvereniging",
    "het waterschap",
    "de provincie",
    "de politie",
    "scholen in de wijk",
    "zorgaanbieders",
    "sportverenigingen",
    "de buurtvereniging",
    "vrijwilligers",
    "mantelzorgers",
)
MAANDEN = corpus.MAANDEN
ADJECTIEVEN = (
    "nieuwe",
    "bestaande",
    "huidige",
    "structurele",
    "incidentele",
    "extra",
    "gemeentelijke",
    "regionale",
    "lokale",
    "integrale",
    "tijdelijke",
    "definitieve",
    "voorlopige",
    "aangepaste",
    "gewijzigde",
    "openbare",
    "duurzame",
    "sociale",
    "financiële",
    "juridische",
    "ruimtelijke",
    "maatschappelijke",
    "bestuurlijke",
    "ambtelijke",
    "provinciale",
    "landelijke",
    "jaarlijkse",
    "meerjarige",
    "eenmalige",
    "aanvullende",
    "technische",
    "praktische",
    "concrete",
    "heldere",
    "zorgvuldige",
    "snelle",
    "reële",
    "haalbare",
    "betaalbare",
    "toegankelijke",
    "veilige",
    "groene",
    "digitale",
    "centrale",
    "uitgebreide",
    "beperkte",
    "gezamenlijke",
    "onafhankelijke",
)
# First halves of compounds, with their linking -s- or -en- where Dutch has it.
MODIFIERS = (
    "parkeer",
    "verkeers",
    "woning",
    "bouw",
    "milieu",
    "onderwijs",
    "jeugd",
    "subsidie",
    "bestemmings",
    "omgevings",
    "afval",
    "riool",
    "fiets",
    "speel",
    "sport",
    "zorg",
    "cultuur",
    "wijk",
    "buurt",
    "stads",
    "dorps",
    "haven",
    "water",
    "groen",
    "bomen",
    "energie",
    "warmte",
    "klimaat",
    "armoede",
    "schuld",
    "participatie",
    "inspraak",
    "handhavings",
    "vergunning",
    "veiligheids",
    "evenementen",
    "markt",
    "horeca",
    "winkel",
    "bedrijven",
    "kantoor",
    "school",
    "kinder",
    "ouderen",
    "mantelzorg",
    "huisvestings",
    "grond",
    "belasting",
    "begrotings",
    "investerings",
    "onderhouds",
    "beheer",
    "project",
    "programma",
    "uitvoerings",
    "beleids",
    "communicatie",
    "informatie",
    "archief",
    "personeels",
    "bedrijfsvoerings",
    "inkoop",
    "aanbestedings",
    "contract",
    "monumenten",
    "erfgoed",
    "museum",
    "bibliotheek",
    "zwembad",
    "natuur",
    "landschaps",
    "recreatie",
    "toerisme",
    "bus",
    "station",
    "brug",
    "dijk",
    "kade",
    "plein",
    "straat",
    "wegen",
    "verlichtings",
    "laadpaal",
    "zonnepanelen",
    "isolatie",
    "aardgas",
    "asbest",
    "bodem",
    "geluids",
    "lucht",
    "stikstof",
    "regenwater",
    "hittestress",
    "inburgerings",
    "statushouders",
    "opvang",
    "welzijns",
    "gezondheids",
    "leerlingen",
    "vroegschool",
    "bijstands",
    "re-integratie",
    "participatiewet",
    "schuldhulp",
    "minima",
    "vrijwilligers",
    "buurthuis",
    "dienstverlenings",
    "klanten",
    "balie",
    "telefoon",
    "website",
    "privacy",
    "beveiligings",
    "crisis",
    "rampen",
    "brandweer",
    "politie",
    "camera",
    "drugs",
    "overlast",
    "jongeren",
    "studenten",
    "kamer",
    "huur",
    "koop",
    "starters",
    "senioren",
    "levensloop",
    "nieuwbouw",
    "renovatie",
    "sloop",
    "transformatie",
    "herontwikkelings",
    "gebieds",
    "centrum",
    "binnenstads",
    "bedrijventerrein",
    "glasvezel",
)
# Second halves, each with its article: the compound takes the head's.
HEADS = (
    ("plan", "het"),
    ("beleid", "het"),
    ("nota", "de"),
    ("visie", "de"),
    ("regeling", "de"),
    ("verordening", "de"),
    ("vergunning", "de"),
    ("subsidie", "de"),
    ("budget", "het"),
    ("kosten", "de"),
    ("bijdrage", "de"),
    ("onderzoek", "het"),
    ("rapport", "het"),
    ("advies", "het"),
    ("overleg", "het"),
    ("traject", "het"),
    ("project", "het"),
    ("programma", "het"),
    ("opgave", "de"),
    ("strategie", "de"),
    ("aanpak", "de"),
    ("kader", "het"),
    ("procedure", "de"),
    ("aanvraag", "de"),
    ("besluit", "het"),
    ("voorstel", "het"),
    ("evaluatie", "de"),
    ("monitor", "de"),
    ("rapportage", "de"),
    ("raming", "de"),
    ("begroting", "de"),
    ("fonds", "het"),
    ("reserve", "de"),
    ("voorziening", "de"),
    ("locatie", "de"),
    ("terrein", "het"),
    ("gebied", "het"),
    ("zone", "de"),
    ("route", "de"),
    ("netwerk", "het"),
    ("capaciteit", "de"),
    ("behoefte", "de"),
    ("wachtlijst", "de"),
    ("inspectie", "de"),
    ("controle", "de"),
    ("toezicht", "het"),
    ("klacht", "de"),
    ("melding", "de"),
    ("werkgroep", "de"),
    ("commissie", "de"),
    ("team", "het"),
    ("loket", "het"),
    ("coördinator", "de"),
    ("consulent", "de"),
    ("adviseur", "de"),
    ("contract", "het"),
    ("overeenkomst", "de"),
    ("convenant", "het"),
    ("afspraak", "de"),
    ("bijeenkomst", "de"),
    ("avond", "de"),
    ("enquête", "de"),
    ("peiling", "de"),
    ("analyse", "de"),
    ("scan", "de"),
    ("toets", "de"),
    ("norm", "de"),
    ("indicator", "de"),
    ("doelstelling", "de"),
    ("ambitie", "de"),
    ("agenda", "de"),
    ("planning", "de"),
    ("fase", "de"),
    ("ontwerp", "het"),
    ("schets", "de"),
    ("kaart", "de"),
    ("register", "het"),
    ("dossier", "het"),
    ("systeem", "het"),
    ("applicatie", "de"),
    ("portaal", "het"),
    ("tarief", "het"),
    ("heffing", "de"),
    ("opbrengst", "de"),
    ("tekort", "het"),
    ("overschot", "het"),
    ("risico", "het"),
    ("knelpunt", "het"),
    ("maatregel", "de"),
    ("proef", "de"),
    ("pilot", "de"),
    ("experiment", "het"),
    ("campagne", "de"),
    ("brief", "de"),
    ("verslag", "het"),
    ("protocol", "het"),
    ("handboek", "het"),
    ("richtlijn", "de"),
    ("bestek", "het"),
    ("offerte", "de"),
    ("factuur", "de"),
    ("garantie", "de"),
    ("vergoeding", "de"),
    ("uitkering", "de"),
    ("regeling", "de"),
    ("werkzaamheden", "de"),
    ("gebouw", "het"),
    ("pand", "het"),
    ("voorziening", "de"),
)
ACTIES = (
    "herinrichting van",
    "renovatie van",
    "vervanging van",
    "uitbreiding van",
    "evaluatie van",
    "actualisatie van",
    "aanleg van",
    "onderhoud van",
    "verduurzaming van",
    "sloop en nieuwbouw van",
    "subsidie voor",
    "vergunning voor",
    "participatie rond",
    "handhaving bij",
    "verkeersveiligheid rond",
    "herontwikkeling van",
    "inrichting van",
    "aanbesteding van",
)
OBJECTEN = (
    "het {straat}",
    "de {straat}",
    "sporthal {wijk}",
    "het buurthuis in {wijk}",
    "basisschool De Regenboog in {wijk}",
    "de speeltuin aan de {straat}",
    "het wijkpark {wijk}",
    "de openbare verlichting in {wijk}",
    "de riolering in {wijk}",
    "het fietspad langs de {straat}",
    "de kademuren in de {wijk}",
    "het zwembad {wijk}",
    "de bibliotheek {wijk}",
    "de markt op de {straat}",
    "het bedrijventerrein {wijk}",
    "de groenstroken in {wijk}",
    "de bushalte aan de {straat}",
    "de jeugdopvang in {wijk}",
    "het gezondheidscentrum {wijk}",
    "de woningen aan de {straat}",
)
THEMAS = (
    "schuldhulpverlening",
    "huisvesting van statushouders",
    "armoedebeleid",
    "jeugdzorg",
    "mantelzorgondersteuning",
    "de omgevingsvisie",
    "het omgevingsplan {wijk}",
    "de warmtetransitie in {wijk}",
    "het afvalbeleid",
    "de parkeerregulering in {wijk}",
    "de terrasvergunningen in de binnenstad",
    "het evenementenbeleid",
    "de Wet open overheid",
    "de informatiehuishouding",
    "digitale dienstverlening",
    "het archiefbeleid",
    "de personeelsformatie",
    "het ziekteverzuim",
    "de integriteitsregeling",
    "het inkoopbeleid",
    "de subsidieregeling buurtinitiatieven",
    "de kadernota burgerparticipatie",
    "het klimaatadaptatieplan",
    "de bomenkap aan de {straat}",
    "overlast van hangjongeren in {wijk}",
    "de kamerverhuur in {wijk}",
    "de herstructurering van {wijk}",
)

KOPPEN = {
    "besluitnota": (
        "Aanleiding",
        "Beslispunten",
        "Argumenten",
        "Kanttekeningen",
        "Financiën",
        "Communicatie en participatie",
        "Uitvoering en planning",
    ),
    "projectplan": (
        "Inleiding",
        "Doel en resultaat",
        "Afbakening",
        "Aanpak en fasering",
        "Projectorganisatie",
        "Planning",
        "Risico's",
        "Budget",
    ),
    "raadsvoorstel": (
        "Voorgesteld besluit",
        "Inleiding",
        "Kader",
        "Argumenten en afwegingen",
        "Financiële consequenties",
        "Maatschappelijke participatie",
        "Vervolg",
    ),
    "notitie": ("Aanleiding", "Huidige situatie", "Knelpunten", "Voorstel", "Gevolgen"),
    "vergunning": ("Aanvraag", "Procedure", "Overwegingen", "Voorschriften", "Besluit"),
}
AGENDAPUNTEN = (
    "Opening en vaststelling van de agenda",
    "Mededelingen",
    "Verslag van de vorige vergadering",
    "Stand van zaken",
    "Financiën",
    "Planning en vervolgstappen",
    "Communicatie",
    "Rondvraag en sluiting",
)
OVERLEGGEN = (
    "wijkraad",
    "bewonersavond",
    "stuurgroep",
    "projectgroep",
    "klankbordgroep",
    "werkgroep",
    "raadscommissie",
    "managementteam",
)

# Sentence templates. {DN} is a definite noun phrase from the Zipf lexicon
# ("de parkeerregeling"), {N} the bare noun; slots are filled on demand.
ZINNEN = (
    "Het college stelt voor om de {onderwerp} in {jaar} uit te voeren binnen het bestaande budget.",
    "Op {datum} heeft {orgaan} ingestemd met de uitgangspunten voor de {onderwerp}.",
    "De totale kosten bedragen € {bedrag}, waarvan € {bedrag2} ten laste komt van {DN}.",
    "Tijdens de bijeenkomst in {wijk} hebben {aantal} {betrokkenen} hun ideeën gedeeld over {DN}.",
    "Wethouder {persoon} benadrukt dat {DN} geen sluitpost mag zijn, maar een reële invloed "
    "op het ontwerp moet hebben.",
    "De aanvraag voor een omgevingsvergunning (zaaknummer {zaak}) is op {datum} ontvangen.",
    "Uit {DN} blijkt dat {procent}% van de respondenten tevreden is over de dienstverlening.",
    "Het bestemmingsplan staat op deze locatie maximaal {aantal} woningen toe; {DN} voorziet "
    "in {aantal2}.",
    "De wijkraad {wijk} vraagt om betere coördinatie tussen de afdelingen {afdeling} en "
    "{afdeling2}.",
    "Voor {DN} komen alleen initiatieven in aanmerking die vóór {datum} zijn ingediend.",
    "Er is overleg gevoerd met {betrokkenen} over de gevolgen van {DN} voor de {straat}.",
    "De beantwoording van de vragen van de fractie over {DN} volgt uiterlijk {datum}.",
    "Het risico op vertraging schatten wij in als beperkt; de planning gaat uit van oplevering in "
    "het {kwartaal} kwartaal van {jaar}.",
    "De kosten per huishouden stijgen met € {klein} per jaar, een toename van {procent}%.",
    "Naar aanleiding van de zienswijzen is {DN} op {weinig} punten aangepast.",
    "Het advies van de commissie is om het besluit over {DN} aan te houden tot na de evaluatie "
    "in {jaar}.",
    "Bewoners van de {straat} {huisnummer} tot en met {huisnummer2} ontvangen vooraf een brief "
    "over {DN}.",
    "De gemeente {gemeente} werkt hierin samen met de buurgemeenten {gemeente2} en {gemeente3}.",
    "Dit voorstel draagt bij aan de doelen uit het coalitieakkoord en {DN}.",
    "Een reële inschatting van de kosten van {DN} is opgenomen in bijlage {bijlage}.",
    "In {jaar} zijn {aantal} meldingen over {DN} afgehandeld, gemiddeld binnen {weinig} werkdagen.",
    "De vergunning wordt verleend onder de voorwaarde dat de werkzaamheden tussen {uur}.00 en "
    "{uur2}.00 uur plaatsvinden.",
    "Het gesprek met {persoon} (afdeling {afdeling}) over {DN} leverde drie concrete "
    "vervolgstappen op.",
    "“We willen dat iedereen mee kan doen”, aldus de voorzitter van de wijkraad {wijk}.",
    "Het saldo van de begroting {jaar} komt uit op € {bedrag} positief, mede door {DN}.",
    "De coördinator zorgt voor een terugkoppeling over {DN} aan alle deelnemers.",
    "Na de inspraakperiode van {weinig} weken worden de reacties op {DN} verwerkt in een nota "
    "van beantwoording.",
    "Financiële gevolgen: de structurele lasten van € {bedrag2} voor {DN} worden gedekt uit de "
    "algemene middelen.",
    "Wij stellen u voor {DN} vast te stellen en {DN2} daarop aan te passen.",
    "{DN_cap} is in {maand} {jaar} besproken in {orgaan}.",
    "De {ADJ} {N} hangt samen met {DN2} en de {ADJ2} {N3}.",
    "Zonder {ADJ} {N} is {DN2} in {wijk} niet haalbaar.",
    "In de {ADJ} {N} is rekening gehouden met {DN2}.",
    "{DN_cap} vraagt om een {ADJ} afweging tussen {DN2} en {DN3}.",
    "Wij hebben {betrokkenen} gevraagd te reageren op {DN}.",
    "De {N} en de {N2} worden in samenhang met de {onderwerp} uitgewerkt.",
    "Op verzoek van {orgaan} is {DN} opnieuw beoordeeld door de afdeling {afdeling}.",
    "Voor de {ADJ} {N} is in {jaar} € {bedrag2} gereserveerd.",
    "Met ingang van {datum} geldt {DN} voor de hele gemeente.",
    "De uitkomsten van {DN} zijn op {datum} met {betrokkenen} gedeeld.",
    "Het {ADJ_n} {N_het} is op de website van de gemeente gepubliceerd.",
    "Uit {DN} komen {weinig} knelpunten naar voren, waarvan {DN2} het belangrijkste is.",
    "{persoon} van de afdeling {afdeling} is contactpersoon voor {DN}.",
    "Het college heeft op {datum} besloten {DN} met een jaar te verlengen.",
    "Bij de behandeling van {DN} in de commissie is gevraagd naar {DN2}.",
    "De planning van {DN} loopt gelijk op met {DN2} in {wijk}.",
    "Bezwaren tegen {DN} kunnen binnen zes weken na {datum} worden ingediend.",
    "Wij verwachten {DN} in het {kwartaal} kwartaal van {jaar} aan uw raad voor te leggen.",
    "De afdeling {afdeling} heeft {DN} getoetst aan {DN2}.",
    "De {onderwerp} levert naar verwachting {aantal} extra {N_plural} op.",
)
# Lines that close a letter, by its genre.
AFSLUITINGEN = (
    "Heeft u vragen? Bel dan met telefoonnummer 14 050 of mail naar info@{gemeente_l}.nl.",
    "Met vriendelijke groet,",
    "het college van burgemeester en wethouders van {gemeente},",
    "de secretaris, {persoon}",
)


def _date_nl(day: date) -> str:
    return f"{day.day} {MAANDEN[day.month - 1]} {day.year}"


# --------------------------------------------------------------------------
# Zipf lexicon and real-text chain
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Noun:
    word: str
    article: str  # "de" or "het"

    @property
    def definite(self) -> str:
        return f"{self.article} {self.word}"

    @property
    def plural(self) -> str:
        return self.word + ("en" if self.word[-1] not in "aeiouy" else "s")


class Lexicon:
    """Compound nouns ranked at random, drawn with Zipf-Mandelbrot weights 1/(rank + q)^s."""

    S = 1.05
    Q = 2.7

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"lexicon:{seed}")
        seen: set[str] = set()
        nouns: list[Noun] = []
        for modifier, (head, article) in itertools.product(MODIFIERS, HEADS):
            word = modifier + head
            # "subsidiesubsidie", "regelingregeling": not words.
            if modifier.rstrip("s") == head or word in seen:
                continue
            seen.add(word)
            nouns.append(Noun(word, article))
        rng.shuffle(nouns)
        self.nouns = nouns
        weights = [1.0 / (rank + self.Q) ** self.S for rank in range(1, len(nouns) + 1)]
        self._cum = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Noun:
        return self.nouns[bisect.bisect(self._cum, rng.random() * self._cum[-1])]


_END = "\0"
_ABBREVIATIONS = frozenset(
    {"jl.", "bijv.", "o.a.", "m.n.", "ca.", "nr.", "dhr.", "mevr.", "t.a.v."}
)


def _corpus_sentences(paths: Sequence[Path]) -> list[list[str]]:
    """Prose sentences of the real papers: lines of at least 12 words, split at full stops."""
    sentences: list[list[str]] = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"[*#_|\ufffd]", "", text)
        for line in text.splitlines():
            words = line.split()
            if len(words) < 12:
                continue
            current: list[str] = []
            for i, word in enumerate(words):
                current.append(word)
                ends = word[-1] in ".!?" and word.lower() not in _ABBREVIATIONS
                nxt = words[i + 1] if i + 1 < len(words) else ""
                if ends and (not nxt or nxt[0].isupper() or nxt[0] in "“\"'"):
                    if 6 <= len(current) <= 45:
                        sentences.append(current)
                    current = []
            if 6 <= len(current) <= 45 and current[-1][-1] in ".!?":
                sentences.append(current)
    return sentences


def _compile(table: dict[str, Counter[str]]) -> dict[str, tuple[tuple[str, ...], list[int]]]:
    return {key: (tuple(c), list(itertools.accumulate(c.values()))) for key, c in table.items()}


class Chain:
    """An order-2 word chain over real sentences that backs off to order 1 now and then.

    The back-off is what makes new sentences instead of the source's: at each
    word, with probability BACKOFF, only the previous word decides the next.
    """

    BACKOFF = 0.2

    def __init__(self, sentences: Sequence[Sequence[str]]) -> None:
        two: dict[str, Counter[str]] = defaultdict(Counter)
        one: dict[str, Counter[str]] = defaultdict(Counter)
        starts: list[tuple[str, str]] = []
        for sentence in sentences:
            words = [*sentence, _END]
            starts.append((words[0], words[1]))
            for a, b, c in zip(words, words[1:], words[2:], strict=False):
                two[f"{a} {b}"][c] += 1
            for a, b in itertools.pairwise(words):
                one[a][b] += 1
        self.starts = starts
        self._two = _compile(two)
        self._one = _compile(one)

    @staticmethod
    def _pick(rng: random.Random, table: tuple[tuple[str, ...], list[int]]) -> str:
        words, cum = table
        return words[bisect.bisect(cum, rng.random() * cum[-1])]

    def sentence(self, rng: random.Random, max_words: int = 40) -> str:
        a, b = self.starts[rng.randrange(len(self.starts))]
        out = [a, b]
        while len(out) < max_words:
            key = f"{a} {b}"
            table = self._one[b] if rng.random() < self.BACKOFF or key not in self._two else None
            nxt = self._pick(rng, table or self._two[key])
            if nxt == _END:
                break
            out.append(nxt)
            a, b = b, nxt
        text = " ".join(out)
        return text if text[-1] in ".!?" else text.rstrip(",;:") + "."


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topic:
    """What a dossier is about; every record in it shares the words."""

    onderwerp: str  # "herinrichting van de Beukenlaan"
    wijk: str
    straat: str


@dataclass(frozen=True, slots=True)
class Text:
    title: str
    pages: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.pages)


# Slots that need nothing but the dice.
_PLAIN: dict[str, Callable[[random.Random], str]] = {
    "ADJ": lambda rng: rng.choice(ADJECTIEVEN),
    "ADJ_n": lambda rng: rng.choice(ADJECTIEVEN),
    "persoon": lambda rng: f"{rng.choice(VOORNAMEN)} {rng.choice(ACHTERNAMEN)}",
    "orgaan": lambda rng: rng.choice(ORGANEN),
    "betrokkenen": lambda rng: rng.choice(BETROKKENEN),
    "maand": lambda rng: rng.choice(MAANDEN),
    "bedrag": lambda rng: corpus.fmt_amount(rng.randint(1_000_000, 250_000_000)),
    "klein": lambda rng: corpus.fmt_amount(rng.randint(150, 9_900)),
    "procent": lambda rng: f"{rng.randint(10, 95)},{rng.randint(0, 9)}",
    "kwartaal": lambda rng: rng.choice(("eerste", "tweede", "derde", "vierde")),
    "bijlage": lambda rng: str(rng.randint(1, 6)),
    "aantal": lambda rng: str(rng.randint(12, 480)),
    "weinig": lambda rng: str(rng.randint(2, 12)),
}


class _Slots(dict[str, str]):
    """Template slots, each drawn the first time a template asks for it.

    A digit after a slot name draws a second, independent value ({DN2});
    for a few slots the first one is the document's own and later ones are
    others ({afdeling} is the author's afdeling, {afdeling2} any other).
    """

    def __init__(self, gen: DutchGenerator, rng: random.Random, ctx: _Context) -> None:
        super().__init__()
        self._gen, self._rng, self._ctx = gen, rng, ctx

    def __missing__(self, key: str) -> str:
        base = key.rstrip("0123456789")
        plain = _PLAIN.get(base)
        value = plain(self._rng) if plain is not None else self._contextual(key, base)
        self[key] = value
        return value

    def _noun(self, base: str) -> str:
        rng, lexicon = self._rng, self._gen.lexicon
        noun = lexicon.draw(rng)
        while base == "N_het" and noun.article != "het":
            noun = lexicon.draw(rng)
        if base == "DN":
            return noun.definite
        if base == "N_plural":
            return noun.plural
        if base == "DN_cap":
            return noun.definite[:1].upper() + noun.definite[1:]
        return noun.word

    def _contextual(self, key: str, base: str) -> str:  # noqa: PLR0911  # one return per slot
        rng, ctx = self._rng, self._ctx
        own = key == base
        if base in ("DN", "N", "N_plural", "N_het", "DN_cap"):
            return self._noun(base)
        if base == "onderwerp":
            return ctx.topic.onderwerp
        if base == "wijk":
            return ctx.topic.wijk if rng.random() < 0.7 else rng.choice(WIJKEN)
        if base == "straat":
            return ctx.topic.straat if rng.random() < 0.6 else self._gen.straat(rng)
        if base == "afdeling":
            return ctx.afdeling if own else rng.choice(AFDELINGNAMEN)
        if base == "gemeente":
            return ctx.gemeente if own else rng.choice(GEMEENTEN)
        if base == "jaar":
            return str(ctx.when.year + rng.randint(-1, 2))
        if base == "datum":
            return _date_nl(ctx.when + timedelta(days=rng.randint(-200, 300)))
        if base == "zaak":
            return f"Z-{ctx.when.year}-{rng.randint(1, 99999):05d}"
        if base == "huisnummer":  # {huisnummer2} comes after {huisnummer}
            return str(rng.randint(1, 120) if own else int(self["huisnummer"]) + rng.randint(2, 40))
        if base == "uur":  # from {uur}.00 to {uur2}.00
            return f"{rng.randint(6, 9):02d}" if own else str(rng.randint(16, 19))
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class _Context:
    genre: str
    topic: Topic
    when: date
    afdeling: str
    gemeente: str


class DutchGenerator:
    """Titles and page texts of municipal records, a pure function of (seed, number)."""

    # Share of sentences taken from the real-text chain (when the corpus is there).
    REAL_SHARE = 0.4

    def __init__(self, seed: int = 20260414, corpus: Path | None = SHARED_CORPUS) -> None:
        self.seed = seed
        self.lexicon = Lexicon(seed)
        paths = sorted(corpus.glob("*.txt")) if corpus is not None and corpus.is_dir() else []
        sentences = _corpus_sentences(paths)
        self.chain = Chain(sentences) if sentences else None
        self.sources = [p.name for p in paths]

    # -- small parts --------------------------------------------------------

    @staticmethod
    def straat(rng: random.Random) -> str:
        return rng.choice(STRAAT_STAM) + rng.choice(STRAAT_SUFFIX)

    @staticmethod
    def persoon(rng: random.Random) -> str:
        return f"{rng.choice(VOORNAMEN)} {rng.choice(ACHTERNAMEN)}"

    def topic(self, number: int) -> Topic:
        """The topic of dossier `number`."""
        rng = random.Random(f"topic:{self.seed}:{number}")
        wijk, straat = rng.choice(WIJKEN), self.straat(rng)
        if rng.random() < 0.55:
            obj = rng.choice(OBJECTEN).format(wijk=wijk, straat=straat)
            onderwerp = f"{rng.choice(ACTIES)} {obj}"
        elif rng.random() < 0.6:
            onderwerp = rng.choice(THEMAS).format(wijk=wijk, straat=straat)
        else:
            onderwerp = f"{self.lexicon.draw(rng).word} {wijk}"
        return Topic(onderwerp, wijk, straat)

    def _sentence(self, rng: random.Random, ctx: _Context) -> str:
        if self.chain is not None and rng.random() < self.REAL_SHARE:
            return self.chain.sentence(rng)
        template = rng.choice(ZINNEN)
        return template.format_map(_Slots(self, rng, ctx))

    def _paragraph(self, rng: random.Random, ctx: _Context, low: int = 2, high: int = 5) -> str:
        return " ".join(self._sentence(rng, ctx) for _ in range(rng.randint(low, high)))

    # -- genres -------------------------------------------------------------

    def _header(self, rng: random.Random, ctx: _Context) -> tuple[str, list[str]]:  # noqa: PLR0911
        onderwerp = ctx.topic.onderwerp
        cap = onderwerp[:1].upper() + onderwerp[1:]
        datum = _date_nl(ctx.when)
        kenmerk = f"{ctx.when.year}-{rng.randint(1, 99999):05d}"
        g = ctx.genre
        if g == "besluitnota":
            return f"Besluitnota {onderwerp}", [
                "Besluitnota aan het college van burgemeester en wethouders",
                f"Onderwerp: {cap}",
                f"Ons kenmerk: BN-{kenmerk}  Datum: {datum}",
                f"Afdeling: {ctx.afdeling}  Portefeuillehouder: wethouder {self.persoon(rng)}",
            ]
        if g == "brief":
            return f"Brief aan bewoners over {onderwerp}", [
                f"Gemeente {ctx.gemeente}, Postbus {rng.randint(100, 30001)}",
                f"Aan de bewoners van de {ctx.topic.straat} en omgeving",
                f"Datum: {datum}  Ons kenmerk: U{kenmerk}",
                f"Betreft: {onderwerp}",
                "Geachte heer, mevrouw,",
            ]
        if g == "verslag":
            overleg = rng.choice(OVERLEGGEN)
            aanwezig = ", ".join(self.persoon(rng) for _ in range(rng.randint(3, 6)))
            return f"Verslag {overleg} {ctx.topic.wijk} {datum}", [
                f"Verslag van de {overleg} {ctx.topic.wijk}",
                f"Datum: {datum}, aanvang {rng.randint(9, 20)}.{rng.choice(('00', '30'))} uur",
                f"Aanwezig: {aanwezig}",
                f"Onderwerp: {onderwerp}",
            ]
        if g == "projectplan":
            return f"Projectplan {onderwerp}", [
                f"Projectplan {cap}",
                f"Versie {rng.randint(1, 3)}.{rng.randint(0, 9)}, {datum}",
                f"Opdrachtgever: {self.persoon(rng)}  Projectleider: {self.persoon(rng)}",
            ]
        if g == "raadsvoorstel":
            return f"Raadsvoorstel {onderwerp}", [
                f"Raadsvoorstel gemeente {ctx.gemeente}",
                f"Onderwerp: {cap}",
                f"Registratienummer: RV-{kenmerk}  Raadsvergadering: {datum}",
            ]
        if g == "raadsinformatiebrief":
            return f"Raadsinformatiebrief {onderwerp}", [
                f"Aan de leden van de raad van de gemeente {ctx.gemeente}",
                f"Datum: {datum}  Kenmerk: RIB-{kenmerk}",
                f"Onderwerp: {cap}",
                "Geachte leden van de raad,",
            ]
        if g == "notitie":
            return f"Notitie {onderwerp}", [
                "Notitie aan het managementteam",
                f"Van: {self.persoon(rng)}, afdeling {ctx.afdeling}",
                f"Datum: {datum}  Vertrouwelijk",
                f"Onderwerp: {cap}",
            ]
        return f"Besluit omgevingsvergunning {ctx.topic.straat} {rng.randint(1, 120)}", [
            "Besluit op de aanvraag om een omgevingsvergunning",
            f"Zaaknummer: Z-{kenmerk}  Datum: {datum}",
            f"Locatie: {ctx.topic.straat} {rng.randint(1, 120)}, {ctx.topic.wijk}",
            f"Activiteit: {onderwerp}",
        ]

    def _body(self, rng: random.Random, ctx: _Context) -> Iterator[str]:
        """Paragraphs after the header, endless; the caller stops at its word count."""
        koppen = KOPPEN.get(ctx.genre)
        if ctx.genre == "verslag":
            while True:
                for number, punt in enumerate(AGENDAPUNTEN, start=1):
                    yield f"{number}. {punt}"
                    yield self._paragraph(rng, ctx, 1, 4)
        if koppen is None:  # letters: paragraphs, then the closing lines
            slots = _Slots(self, rng, ctx)
            slots["gemeente_l"] = ctx.gemeente.lower().replace(" ", "")
            while True:
                for _ in range(rng.randint(2, 4)):
                    yield self._paragraph(rng, ctx)
                for line in AFSLUITINGEN:
                    yield line.format_map(slots)
        number = 0
        while True:
            for kop in koppen:
                number += 1
                yield f"{number}. {kop}"
                yield self._paragraph(rng, ctx)

    def record(
        self,
        number: int,
        *,
        genre: str,
        topic: Topic,
        when: date,
        afdeling: str,
        gemeente: str = "Groningen",
    ) -> Text:
        """Title and 1-3 pages (150-400 words in all) of record `number`."""
        rng = random.Random(f"record:{self.seed}:{number}")
        ctx = _Context(genre, topic, when, afdeling, gemeente)
        target = int(rng.triangular(150, 400, 230))
        pages = 1 + (target > rng.randint(170, 260)) + (target > rng.randint(300, 390))
        title, header = self._header(rng, ctx)
        paragraphs = list(header)
        count = sum(len(p.split()) for p in paragraphs)
        body = self._body(rng, ctx)
        while count < target:
            paragraph = next(body)
            words = paragraph.split()
            if count + len(words) > target:
                if target - count < 5:  # a stub of a sentence reads worse than a short page
                    break
                words = words[: max(target - count, 1)]
                paragraph = " ".join(words).rstrip(",;:") + ("" if words[-1][-1] in ".!?" else ".")
            paragraphs.append(paragraph)
            count += len(words)
        return Text(title, tuple(_paginate(paragraphs, pages, count)))


def _paginate(paragraphs: Sequence[str], pages: int, words: int) -> list[str]:
    """Cut the paragraphs into `pages` pages of about equal word counts, at paragraph ends."""
    per_page = words / pages
    out: list[list[str]] = [[]]
    filled = 0
    for paragraph in paragraphs:
        if filled >= per_page * len(out) and len(out) < pages:
            out.append([])
        out[-1].append(paragraph)
        filled += len(paragraph.split())
    return ["\n\n".join(page) for page in out if page]


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased words (letters only, hyphenated compounds kept), as a reader counts them."""
    return [w.lower() for w in _WORD.findall(text)]


def zipf_exponent(counts: Sequence[int], low: int = 10, high: int = 2000) -> float:
    """Least-squares slope of log(frequency) against log(rank) over ranks low..high."""
    ranked = sorted(counts, reverse=True)[low - 1 : high]
    if len(ranked) < 10:
        return float("nan")
    xs = [math.log(r) for r in range(low, low + len(ranked))]
    ys = [math.log(c) for c in ranked]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return -slope


def sample_records(gen: DutchGenerator, count: int) -> Iterator[Text]:
    """Records as the search bench makes them (topic per 50 records), for the statistics."""
    rng = random.Random(f"sample:{gen.seed}")
    for number in range(count):
        yield gen.record(
            number,
            genre=rng.choice(GENRES),
            topic=gen.topic(number // 50),
            when=date(2016, 1, 1) + timedelta(days=rng.randrange(3650)),
            afdeling=rng.choice(AFDELINGNAMEN),
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dutch", description=__doc__)
    parser.add_argument("--records", type=int, default=5000, help="default: 5000")
    parser.add_argument("--seed", type=int, default=20260414)
    args = parser.parse_args(argv)
    gen = DutchGenerator(args.seed)
    print(
        f"sources: templates, {len(gen.lexicon.nouns)} compound nouns, real text: "
        f"{', '.join(gen.sources) or 'none (../shared/corpus missing)'}"
    )
    counts: Counter[str] = Counter()
    df: Counter[str] = Counter()
    pages = words = 0
    first: Text | None = None
    for text in sample_records(gen, args.records):
        first = first or text
        pages += len(text.pages)
        words += text.words
        toks = [t for p in text.pages for t in tokens(p)]
        counts.update(toks)
        df.update(set(toks))
    assert first is not None
    print(f"\nsample record: {first.title}\n")
    print(first.pages[0][:1200])
    n = args.records
    total = sum(counts.values())
    hapax = sum(1 for c in counts.values() if c == 1)
    print(
        f"\n{n} records, {pages / n:.2f} pages and {words / n:.0f} words per record; "
        f"{total} word tokens, {len(counts)} types, {hapax} hapaxes "
        f"({hapax / len(counts):.0%} of types)"
    )
    print(f"Zipf exponent (ranks 10-2000): {zipf_exponent(list(counts.values())):.2f}")
    content = [(w, c) for w, c in counts.most_common() if w not in STOPWORDS and len(w) > 3]
    print("most frequent content words:", ", ".join(f"{w} {c}" for w, c in content[:15]))
    bands = [(0.10, 1.0), (0.01, 0.10), (0.001, 0.01), (0.0, 0.001)]
    shares = [
        sum(1 for w, d in df.items() if lo <= d / n < hi and w not in STOPWORDS) for lo, hi in bands
    ]
    print(
        "types by document frequency: "
        + ", ".join(f"{lo:.1%}-{hi:.1%}: {s}" for (lo, hi), s in zip(bands, shares, strict=True))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
