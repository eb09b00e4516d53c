"""The app's plain words, in English and Swedish, defined once: what the presets, practices, levers, outcomes,
unit kinds and services are called for a region's managers and clinicians, with a one-line explanation each.

The model's own metadata stays the source of the technical facts (ranges, choices and the modeller's help in
`abm/core/params.py`, metric names and units in `abm/core/metrics.py`); this module only says them in words a
workshop uses. Each text is a pair (English, Swedish); `viz.i18n.say` picks the session's language. The
tests check that every preset, practice, lever, headline outcome, unit kind and catalogue service has both
(tests/viz/test_words.py), and a browser test renders every page in a marked pseudo-language and fails on any
visible string that did not come from here or from `viz.i18n.TEXT` (tests/viz/test_translations_browser.py).
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str]  # (English, Swedish)


@dataclass(frozen=True)
class Word:
    """A plain name and a one-line explanation (a tooltip), each in English and Swedish; `unit` says what
    the number is counted in (empty for a choice)."""

    name: Pair
    help: Pair = ("", "")
    unit: Pair = ("", "")


# Region presets (the "organisation" choice; sweden2021 and calibrated are whole presets, viz.levers.PRESETS).
ORGANISATIONS: dict[str, Word] = {
    "small": Word(("Small region", "Liten region"),
                  ("5 units and 120 staff: quick to run", "5 enheter och 120 anställda: går snabbt att köra")),
    "default": Word(("Mid-sized region", "Mellanstor region"),
                    ("20 units and 600 staff", "20 enheter och 600 anställda")),
    "region": Word(("Whole region", "Hel region"),
                   ("100 units and 8,000 staff, the size of Region Sörmland's care organisation",
                    "100 enheter och 8 000 anställda, som Region Sörmlands vårdorganisation")),
    "system": Word(("National system", "Nationellt system"),
                   ("400 units and 100,000 staff: for scaling studies (slow)",
                    "400 enheter och 100 000 anställda: för skalningsstudier (långsamt)")),
    "sweden2021": Word(("Swedish region 2021", "Svensk region 2021"),
                       ("A Sörmland-sized region around 2021: services already in use, know-how after years of "
                        "national programmes",
                        "En region i Sörmlands storlek kring 2021: tjänster redan i bruk, kompetens efter år av "
                        "nationella satsningar")),
    "calibrated": Word(("Swedish region 2021, calibrated", "Svensk region 2021, kalibrerad"),
                       ("The 2021 region with the values fitted to Swedish patterns of e-health use "
                        "(abm calibrate sweden2021_patterns)",
                        "Regionen 2021 med värden anpassade till svenska mönster i e-hälsoanvändning "
                        "(abm calibrate sweden2021_patterns)")),
}

# Balancing practices: how the region balances today's care against exploring new digital ways of working.
PRACTICES: dict[str, Word] = {
    "exploit_only": Word(("Today's care only", "Bara dagens vård"),
                         ("No working time is set aside for exploring; national mandates still reach every unit",
                          "Ingen arbetstid avsätts för att utforska; nationella beslut når ändå alla enheter")),
    "contextual": Word(("Everyone explores a little", "Alla utforskar lite"),
                       ("Every unit spends a share of its time exploring; unit managers cut it when the workload "
                        "is high (Gibson & Birkinshaw 2004)",
                        "Varje enhet ägnar en del av tiden åt att utforska; enhetschefer drar ner när "
                        "arbetsbelastningen är hög (Gibson & Birkinshaw 2004)")),
    "structural": Word(("Dedicated innovation units", "Särskilda innovationsenheter"),
                       ("Innovation units explore and pilot; care units run today's care; management scales what "
                        "works (Tushman & O'Reilly 1996)",
                        "Innovationsenheter utforskar och testar; vårdenheter sköter dagens vård; ledningen sprider "
                        "det som fungerar (Tushman & O'Reilly 1996)")),
    "sequential": Word(("Phases in turn", "Faser i tur och ordning"),
                       ("The whole region explores in one phase, then runs today's care in the next "
                        "(Siggelkow & Levinthal 2003)",
                        "Hela regionen utforskar i en fas och sköter dagens vård i nästa "
                        "(Siggelkow & Levinthal 2003)")),
    "networked": Word(("Learning across units", "Lärande mellan enheter"),
                      ("Units explore and share know-how through ties across units (Fang, Lee & Schilling 2010)",
                       "Enheter utforskar och delar kunskap genom band mellan enheterna "
                       "(Fang, Lee & Schilling 2010)")),
    "adaptive": Word(("Explore when falling short", "Utforska vid underskott"),
                     ("A unit explores more when it meets less of its patients' needs than it aims to, less "
                      "when it does better (Cyert & March 1963)",
                      "En enhet utforskar mer när den möter mindre av patienternas behov än den siktar på, "
                      "mindre när det går bättre (Cyert & March 1963)")),
}

ENVIRONMENTS: dict[str, Word] = {
    "stable": Word(("Stable", "Stabil"), ("What good care needs does not change; demand is flat",
                                          "Vad god vård kräver ändras inte; efterfrågan är jämn")),
    "turbulent": Word(("Turbulent", "Turbulent"),
                      ("What good care needs keeps changing; demand grows 2% a year (March 1991)",
                       "Vad god vård kräver ändras hela tiden; efterfrågan växer 2 % per år (March 1991)")),
    "pandemic_shock": Word(("Pandemic shock", "Pandemichock"),
                           ("From week 52 demand rises by half for 26 weeks and remote care gets a push "
                            "(Ekman et al. 2021)",
                            "Från vecka 52 ökar efterfrågan med hälften i 26 veckor och distansvård får en skjuts "
                            "(Ekman m.fl. 2021)")),
}

# Levers by their id in viz.levers.LEVERS: a plain name, what the number is, and what moving it does.
LEVERS: dict[str, Word] = {
    "budget": Word(("Time for exploring", "Tid för att utforska"),
                   ("Share of all staff time spent trying new digital ways of working; more explores more but "
                    "leaves less time for today's care",
                    "Andel av all arbetstid som går till att pröva nya digitala arbetssätt; mer ger mer "
                    "utforskande men mindre tid för dagens vård"),
                   ("share of working time", "andel av arbetstiden")),
    "decided_by": Word(("Who decides the time", "Vem som beslutar om tiden"),
                       ("Management protects the time, or each unit's manager decides and cuts it when busy",
                        "Ledningen skyddar tiden, eller varje enhetschef beslutar och drar ner vid hög "
                        "belastning")),
    "explore_weeks": Word(("Explore only at the start", "Utforska bara i början"),
                          ("Spend the whole budget in the first weeks (0: spread over the whole period)",
                           "Använd hela budgeten under de första veckorna (0: spritt över hela perioden)"),
                          ("weeks", "veckor")),
    "innovation_share": Word(("Innovation units' exploring time", "Innovationsenheternas utforskande tid"),
                             ("Share of their time innovation-unit staff explore; a higher share means smaller "
                              "units for the same budget",
                              "Andel av tiden som innovationsenheternas personal utforskar; högre andel ger "
                              "mindre enheter för samma budget"),
                             ("share of their time", "andel av deras tid")),
    "period_weeks": Word(("Length of a cycle", "Cykelns längd"),
                         ("Weeks of one exploring phase plus one care phase",
                          "Veckor för en utforskande fas plus en vårdfas"), ("weeks", "veckor")),
    "cross_share": Word(("Ties across units", "Band mellan enheter"),
                        ("Share of each person's working ties that reach other units; more spreads know-how "
                         "faster but mixes ideas sooner",
                         "Andel av varje persons arbetsband som når andra enheter; mer sprider kunskap snabbare "
                         "men blandar idéer tidigare"), ("share of ties", "andel av banden")),
    "adaptive_gain": Word(("Response to falling short", "Respons på underskott"),
                          ("How strongly a unit raises its exploring when it falls short of its aim",
                           "Hur starkt en enhet ökar sitt utforskande när den inte når sitt mål"),
                          ("times the shortfall", "gånger underskottet")),
    "pilot_capacity": Word(("Pilots at once", "Samtidiga piloter"),
                           ("How many pilots management can run at the same time; more tries more services",
                            "Hur många piloter ledningen kan driva samtidigt; fler prövar fler tjänster"),
                           ("per 1,000 staff", "per 1 000 anställda")),
    "scaling_capacity": Word(("Scaling capacity", "Spridningskapacitet"),
                             ("Staff one scaling round brings into a proven service; more spreads it faster",
                              "Anställda som en spridningsomgång för in i en beprövad tjänst; mer sprider den "
                              "snabbare"), ("staff per 1,000 staff", "anställda per 1 000 anställda")),
    "ehealth_staff": Word(("E-health unit's size", "E-hälsoenhetens storlek"),
                          ("Staff of the regional e-health unit who support implementation",
                           "Personal i regionens e-hälsoenhet som stöttar införanden"),
                          ("per 1,000 staff", "per 1 000 anställda")),
    "training": Word(("Training", "Utbildning"),
                     ("How much funded digital training staff get; more builds know-how faster",
                      "Hur mycket finansierad digital utbildning personalen får; mer bygger kompetens snabbare"),
                     ("chance per week", "chans per vecka")),
    "champions": Word(("Digital champions", "Digitala ambassadörer"),
                      ("Share of staff who champion digital change and have many ties across units",
                       "Andel av personalen som driver digital förändring och har många band mellan enheter"),
                      ("share of staff", "andel av personalen")),
    "cross_ties": Word(("Contacts across units", "Kontakter mellan enheter"),
                       ("Working contacts each person has in other units, on average",
                        "Arbetskontakter som varje person i genomsnitt har i andra enheter"),
                       ("per person", "per person")),
    "turnover": Word(("Staff turnover", "Personalomsättning"),
                     ("Chance each week that a person leaves and a newcomer starts; know-how leaves with them",
                      "Chans varje vecka att en person slutar och en ny börjar; kunskapen går med dem"),
                     ("chance per week", "chans per vecka")),
    "shock_boost": Word(("Push to remote care in the crisis", "Krisens skjuts för distansvård"),
                        ("How much more staff and patients want remote care during the shock",
                         "Hur mycket mer personal och patienter vill ha distansvård under krisen"),
                        ("rise", "ökning")),
    "shock_rollout": Word(("Fast roll-out in the crisis", "Snabbt införande i krisen"),
                          ("Share of care units a week that start a remote service without a pilot during the "
                           "shock",
                           "Andel vårdenheter per vecka som startar en distanstjänst utan pilot under krisen"),
                          ("share per week", "andel per vecka")),
    "proposals": Word(("New service proposals", "Förslag på nya tjänster"),
                      ("Ideas for new e-health services (local initiatives, vendors' offers) of uncertain value "
                       "reaching management each year (0: the catalogue only)",
                       "Idéer om nya e-hälsotjänster (lokala initiativ, leverantörers erbjudanden) av osäkert "
                       "värde som når ledningen varje år (0: bara katalogen)"), ("per year", "per år")),
    "advantage_scale": Word(("Value of the services", "Tjänsternas nytta"),
                            ("How much better care gets with the catalogue's services (1: as assumed)",
                             "Hur mycket bättre vården blir med katalogens tjänster (1: som antaget)"),
                            ("times the assumed value", "gånger det antagna värdet")),
    "mandate_delay": Word(("National mandates later by", "Nationella beslut senare med"),
                          ("Weeks added to every nationally mandated service's roll-out",
                           "Veckor som läggs till varje nationellt beslutad tjänsts införande"),
                          ("weeks", "veckor")),
}

CHOICES: dict[str, Pair] = {  # values of a choice lever
    "management": ("Management", "Ledningen"),
    "units": ("Each unit's manager", "Varje enhetschef"),
}

# Outcomes: a plain name, the unit, and which way is better (+1 higher, -1 lower, 0 neither: a description).
@dataclass(frozen=True)
class Outcome:
    name: Pair
    unit: Pair
    better: int


OUTCOMES: dict[str, Outcome] = {
    "maturity_total": Outcome(("Digital maturity", "Digital mognad"), ("score 0-400", "poäng 0-400"), 1),
    "mean_stage": Outcome(("Maturity stage", "Mognadsnivå"), ("stage 0-7, mean", "nivå 0-7, medel"), 1),
    "services_live": Outcome(("Services in use per unit", "Tjänster i drift per enhet"),
                             ("services per care unit", "tjänster per vårdenhet"), 1),
    "mandated_progress": Outcome(("National services in place", "Nationella tjänster på plats"),
                                 ("share of care units", "andel vårdenheter"), 1),
    "adoption_share": Outcome(("Staff using the services", "Personal som använder tjänsterna"),
                              ("share", "andel"), 1),
    "care_production": Outcome(("Care delivered", "Given vård"),
                               ("contacts per staff-week", "kontakter per anställd och vecka"), 1),
    "waiting_list": Outcome(("Waiting list", "Väntelista"), ("patients per staff", "patienter per anställd"), -1),
    "remote_share": Outcome(("Remote contacts", "Distanskontakter"), ("share of contacts", "andel av kontakterna"),
                            0),
    "exploration_share": Outcome(("Time spent exploring", "Tid för utforskande"),
                                 ("share of working time", "andel av arbetstiden"), 0),
    "exploration_target": Outcome(("Planned exploring time", "Planerad tid för utforskande"),
                                  ("share of working time", "andel av arbetstiden"), 0),
    "mean_knowhow": Outcome(("Digital know-how", "Digital kompetens"), ("0-1, mean", "0-1, medel"), 1),
    "unmet_demand": Outcome(("Care asked for but not given", "Efterfrågad vård som inte gavs"),
                            ("share", "andel"), -1),
}

# Units by kind, singular (numbered: "Primary care 3") and plural (counts: "12 primary-care centres").
KINDS: dict[str, tuple[Pair, Pair]] = {
    "primary_care": (("Primary care", "Vårdcentral"), ("primary-care centres", "vårdcentraler")),
    "ward": (("Ward", "Vårdavdelning"), ("wards", "vårdavdelningar")),
    "specialist": (("Clinic", "Specialistmottagning"), ("specialist clinics", "specialistmottagningar")),
    "innovation": (("Innovation unit", "Innovationsenhet"), ("innovation units", "innovationsenheter")),
}

# Swedish names of the catalogue services (the English are the catalogue's own labels in abm/core/params.py
# and configs/services/*.yaml); a proposal is named by its number.
SERVICES_SV: dict[str, str] = {
    "ehr": "Elektronisk patientjournal",
    "eprescriptions": "E-recept",
    "patient_overview": "Nationell patientöversikt (NPÖ)",
    "eservices_1177": "E-tjänster via 1177",
    "record_access": "Journalen: patienters tillgång till journalen",
    "video_consultation": "Videobesök",
    "eprescription_support": "Beslutsstöd för e-recept (nationella läkemedelslistan)",
    "digital_selfcare": "Digitalt stöd för egenvård",
    "remote_monitoring": "Distansmonitorering",
    "shared_care_plans": "Gemensamma vårdplaner mellan enheter",
    "ai_triage": "AI-stödd triagering",
}
PROPOSAL: Pair = ("Proposal", "Förslag")

# The phases of a week (abm.core.model.RegionModel's docstring names them), for the Info page's diagram.
PHASES: dict[str, Pair] = {
    "environment": ("environment: needs change, services arrive", "omvärld: behov ändras, tjänster kommer"),
    "sensing": ("sensing: management judges services", "upptäcka: ledningen bedömer tjänster"),
    "seizing": ("seizing: pilots start", "ta vara på: piloter startar"),
    "balancing": ("balancing: time for exploring", "balansera: tid för att utforska"),
    "staff": ("staff: work, learn, share know-how", "personal: arbetar, lär, delar kunskap"),
    "care": ("care: contacts and waiting list", "vård: kontakter och väntelista"),
    "adoption": ("adoption: staff take services up", "införande: personal börjar använda"),
    "units": ("units: routines, pilots judged", "enheter: rutiner, piloter bedöms"),
    "transforming": ("transforming: scaling what works", "förändra: det som fungerar sprids"),
    "workforce": ("workforce: people leave and start", "personal: folk slutar och börjar"),
    "metrics": ("metrics: maturity and outcomes", "mått: mognad och utfall"),
}
