"""English and Swedish for the app, with one reactive language per browser session.

`TEXT` holds the app's own strings (pages, controls, messages) by key; `viz.words` holds the plain names
and explanations of presets, practices, levers, outcomes, unit kinds and services. `t(key)` and `say(pair)`
pick the session's language. Every string a page shows comes through one of them, or is data (a number, a
stored experiment's name), which the pages mark `translate="no"`.

A third, hidden language, the pseudo-language "xx" (only when the server runs with `ABM_VIZ_PSEUDO=1`),
shows each Swedish text inside the marks ⟦ ⟧: the translation test renders every page in it and fails on
any visible text without the marks (a string that bypassed the catalogue, so it has no translation).
"""

from __future__ import annotations

import os

import solara

language = solara.reactive("en")  # Solara keeps one value per browser session (kernel)
technical = solara.reactive(False)  # "show technical names": override keys and unit codes beside the words
LANGUAGES = ("en", "sv")
PSEUDO = "xx"

TEXT: dict[str, tuple[str, str]] = {
    # key: (English, Swedish)
    "app_title": ("E-health in a region: a simulator", "E-hälsa i en region: en simulator"),
    "live": ("Live", "Live"),
    "compare": ("Compare", "Jämför"),
    "results": ("Results", "Resultat"),
    "info": ("Info", "Om modellen"),
    "level_management": ("Management: senses, seizes, scales, reconfigures",
                         "Ledning: upptäcker, tar vara på, sprider, organiserar om"),
    "level_units": ("Units and managers: exploring, care, routines, services",
                    "Enheter och chefer: utforskande, vård, rutiner, tjänster"),
    "level_staff": ("Staff: work, share and learn know-how, take up services, leave",
                    "Personal: arbetar, delar och lär kunskap, börjar använda tjänster, slutar"),
    "one_week": ("One week", "En vecka"),
    "organisation": ("Organisation", "Organisation"),
    "practice": ("Balancing practice", "Balanseringspraktik"),
    "environment": ("Environment", "Omvärld"),
    "seed": ("Seed", "Slumpfrö"),
    "play": ("Play", "Spela"),
    "pause": ("Pause", "Pausa"),
    "step": ("Step", "Steg"),
    "reset": ("Reset", "Återställ"),
    "apply_reset": ("Apply and reset", "Tillämpa och återställ"),
    "speed": ("Speed (weeks per second)", "Hastighet (veckor per sekund)"),
    "week": ("Week", "Vecka"),
    "levers": ("Levers", "Styrmedel"),
    "range": ("range", "intervall"),
    "pending": ("Changed settings take effect when you press Reset.",
                "Ändrade inställningar gäller när du trycker på Återställ."),
    "colour_by": ("Colour staff by", "Färga personal efter"),
    "knowhow": ("digital know-how", "digital kompetens"),
    "adoption": ("services in use", "tjänster i bruk"),
    "network": ("The organisation", "Organisationen"),
    "network_units": ("Units (size = staff, colour = maturity stage)",
                      "Enheter (storlek = personal, färg = mognadsnivå)"),
    "network_staff": ("Staff grouped by unit; lines are cross-unit ties",
                      "Personal grupperad per enhet; linjer är band mellan enheter"),
    "kpis": ("Key figures (change since week 0)", "Nyckeltal (förändring sedan vecka 0)"),
    "trends": ("Outcomes over time", "Utfall över tid"),
    "pipeline": ("Service pipeline: which service is where", "Tjänsteflöde: vilken tjänst är var"),
    "stage": ("stage", "nivå"),
    "save_scenario": ("Save scenario", "Spara scenario"),
    "scenario_name": ("Scenario name", "Scenariots namn"),
    "saved": ("Saved", "Sparat"),
    "run_a": ("Run A", "Körning A"),
    "run_b": ("Run B", "Körning B"),
    "difference": ("Difference (B minus A)", "Skillnad (B minus A)"),
    "metric": ("Outcome", "Utfall"),
    "experiment": ("Experiment", "Experiment"),
    "configurations": ("Configurations", "Konfigurationer"),
    "no_experiments": ("No experiments in the results store", "Inga experiment i resultatlagret"),
    "mean_band": ("Mean over seeds with 95% band", "Medelvärde över slumpfrön med 95 % band"),
    "vs_baseline": ("Final week compared with the baseline", "Sista veckan jämfört med baslinjen"),
    "replay": ("Replay one stored run", "Spela upp en sparad körning"),
    "run": ("Run", "Körning"),
    "language": ("Svenska", "English"),
    "units": ("units", "enheter"),
    "staff": ("staff", "personal"),
    "piloting": ("piloting", "pilot"),
    "implementing": ("implementing", "införs"),
    "routinised": ("routinised", "rutin"),
    "abandoned": ("abandoned", "avbruten"),
    "available": ("available", "tillgänglig"),
    "unavailable": ("not yet", "ännu ej"),
    "error_prefix": ("Not applied", "Ej tillämpat"),
    "mean": ("mean", "medel"),
    "diff": ("difference", "skillnad"),
    "ci": ("95% CI", "95 % KI"),
    "n_runs": ("runs", "körningar"),
    "baseline": ("baseline", "baslinje"),
    "paired_note": ("Each configuration is paired by seed with the baseline that has its other swept values, "
                    "as in abm compare.",
                    "Varje konfiguration paras per slumpfrö med den baslinje som har dess övriga svepta värden, "
                    "som i abm compare."),
    "store_notes": ("Some files in the results store could not be read",
                    "Några filer i resultatlagret kunde inte läsas"),
    "no_results": ("No results to show", "Inga resultat att visa"),
    "unreadable_run": ("this run's files cannot be read", "körningens filer kan inte läsas"),
    "page_error": ("This page could not be shown", "Sidan kunde inte visas"),
    "page_error_hint": ("the server's console has the details", "serverns konsol har detaljerna"),
    "retry": ("Try again", "Försök igen"),
    # lever sections, the shown range and why a lever is off
    "section_practice": ("Practice: where, when and who decides", "Praktik: var, när och vem som beslutar"),
    "section_management": ("Management", "Ledning"),
    "section_organisation": ("Organisation and staff", "Organisation och personal"),
    "section_environment": ("Environment", "Omvärld"),
    "section_services": ("Services", "Tjänster"),
    "to": ("to", "till"),
    "changed": ("changed", "ändrade"),
    "typed_up_to": ("typed: up to", "skrivet: upp till"),
    "not_used": ("Not used", "Används inte"),
    "unused_exploit_only": ("Today's care only sets no time aside for exploring",
                            "Bara dagens vård avsätter ingen tid för att utforska"),
    "unused_structural": ("only Dedicated innovation units has innovation units",
                          "bara Särskilda innovationsenheter har innovationsenheter"),
    "unused_sequential": ("only Phases in turn has phases", "bara Faser i tur och ordning har faser"),
    "unused_networked": ("only Learning across units sets ties by this share",
                         "bara Lärande mellan enheter sätter banden med denna andel"),
    "unused_adaptive": ("only Explore when falling short responds to a shortfall",
                        "bara Utforska vid underskott svarar på ett underskott"),
    "unused_cross_ties": ("Learning across units sets its ties by its own share (Ties across units)",
                          "Lärande mellan enheter sätter sina band med sin egen andel (Band mellan enheter)"),
    "unused_no_shock": ("this environment has no crisis (Pandemic shock has one)",
                        "denna omvärld har ingen kris (Pandemichock har en)"),
    "seed_help": ("Which future: the same number gives the same run, another number another run of chance",
                  "Vilken framtid: samma nummer ger samma körning, ett annat nummer en annan slumpens körning"),
    "refused_hint": ("the model refused this value", "modellen godtog inte värdet"),
    "since_week_0": ("since week 0", "sedan vecka 0"),
    "since_week_1": ("since week 1", "sedan vecka 1"),
    "higher_better": ("higher is better", "högre är bättre"),
    "lower_better": ("lower is better", "lägre är bättre"),
    "technical_names": ("Show technical names", "Visa tekniska namn"),
    # the guided tour (viz/tour.py)
    "tour": ("Tour", "Visa runt"),
    "tour_skip": ("Skip", "Hoppa över"),
    "tour_back": ("Back", "Tillbaka"),
    "tour_next": ("Next", "Nästa"),
    "tour_done": ("Done", "Klart"),
    "tour_choose_title": ("1. Choose a region and a way of leading", "1. Välj en region och ett sätt att leda"),
    "tour_choose": ("Pick the region, the balancing practice (how today's care is balanced against exploring "
                    "new digital ways of working) and the environment. Hover over a choice for what it means.",
                    "Välj region, balanseringspraktik (hur dagens vård vägs mot att utforska nya digitala "
                    "arbetssätt) och omvärld. Håll pekaren över ett val för att se vad det betyder."),
    "tour_play_title": ("2. Watch five years unfold", "2. Se fem år växa fram"),
    "tour_play": ("Play runs the region week by week; Step moves one week; Pause stops at once.",
                  "Spela kör regionen vecka för vecka; Steg går en vecka; Pausa stannar direkt."),
    "tour_levers_title": ("3. Move the levers", "3. Flytta styrmedlen"),
    "tour_levers": ("Each lever says what it is, its unit and what moving it does. Levers that do not apply to "
                    "the chosen practice are greyed out with the reason. Changes apply at Reset.",
                    "Varje styrmedel säger vad det är, dess enhet och vad det gör att flytta det. Styrmedel som "
                    "inte gäller den valda praktiken är gråa med skälet. Ändringar gäller vid Återställ."),
    "tour_figures_title": ("4. Read the key figures", "4. Läs nyckeltalen"),
    "tour_figures": ("Each figure says which way is better and how it changed since the start. One run is one "
                     "possible future: run many futures before drawing conclusions.",
                     "Varje nyckeltal säger åt vilket håll som är bättre och hur det ändrats sedan start. En "
                     "körning är en möjlig framtid: kör många framtider innan du drar slutsatser."),
    "tour_compare_title": ("5. Compare two ways of leading", "5. Jämför två sätt att leda"),
    "tour_compare": ("Compare runs A and B on the same region and futures and says which gives more, in how "
                     "many futures, with its interval. Save a scenario to run it again later.",
                     "Jämför kör A och B i samma region och framtider och säger vilken som ger mer, i hur många "
                     "framtider, med intervall. Spara ett scenario för att köra det igen senare."),
    "tour_info_title": ("6. What the model is, and is not", "6. Vad modellen är, och inte är"),
    "tour_info": ("Info explains how the model works, things to notice and to try, and how to cite it. The "
                  "address in the browser keeps what you did: copy it to share the view.",
                  "Om modellen förklarar hur modellen fungerar, vad du kan lägga märke till och pröva, och hur "
                  "du citerar den. Adressen i webbläsaren sparar det du gjort: kopiera den för att dela vyn."),
    "url_refused": ("The address had settings the app cannot use",
                    "Adressen hade inställningar som appen inte kan använda"),
    # --- results, charts and downloads ---
    "download": ("Download", "Ladda ner"),
    "download_svg": ("Download this chart as SVG", "Ladda ner diagrammet som SVG"),
    "download_png": ("Download this chart as PNG", "Ladda ner diagrammet som PNG"),
    "csv_curves": ("curves (CSV)", "kurvor (CSV)"),
    "csv_baseline": ("baseline table (CSV)", "baslinjetabell (CSV)"),
    "csv_indices": ("indices (CSV)", "index (CSV)"),
    "csv_series": ("outcomes over time (CSV)", "utfall över tid (CSV)"),
    "yaml_scenario": ("scenario (YAML)", "scenario (YAML)"),
    "configurations_shown": ("Configurations shown", "Visade konfigurationer"),
    "configurations_many": ("configurations: choose the ones to draw", "konfigurationer: välj vilka som ritas"),
    "indices_morris": ("Morris screening: which factors move each outcome", "Morris-screening: vilka faktorer som "
                       "påverkar varje utfall"),
    "indices_sobol": ("Sobol indices: each factor's share of each outcome's variance",
                      "Sobol-index: varje faktors andel av utfallets varians"),
    "indices_note_morris": ("mu* is the mean absolute elementary effect of a factor over the design (how much it "
                            "moves the outcome; the whisker is its 95% bootstrap interval), sigma their standard "
                            "deviation (interaction or non-linearity); from each design point's mean over seeds, "
                            "as abm sensitivity computes them.",
                            "mu* är faktorns genomsnittliga absoluta elementareffekt över designen (hur mycket den "
                            "flyttar utfallet; strecket är dess 95 % bootstrapintervall), sigma deras "
                            "standardavvikelse (samspel eller icke-linjäritet); från varje designpunkts medelvärde "
                            "över slumpfrön, som abm sensitivity beräknar dem."),
    "indices_note_sobol": ("S1 is a factor's first-order share of the outcome's variance, ST its total share with "
                           "all its interactions; the whiskers are 95% bootstrap intervals; from each design "
                           "point's mean over seeds, as abm sensitivity computes them.",
                           "S1 är faktorns förstaordningens andel av utfallets varians, ST dess totala andel med "
                           "alla samspel; strecken är 95 % bootstrapintervall; från varje designpunkts medelvärde "
                           "över slumpfrön, som abm sensitivity beräknar dem."),
    "factor": ("Factor", "Faktor"),
    "mu_star": ("mu* (mean |elementary effect|)", "mu* (medel av |elementareffekt|)"),
    "sigma": ("sigma (spread of the effects)", "sigma (effekternas spridning)"),
    "s1": ("S1 (first order)", "S1 (första ordningen)"),
    "st": ("ST (total)", "ST (totalt)"),
    # --- end of results, charts and downloads ---
    # --- scenarios and region ---
    "scenarios_folder": ("Saved into", "Sparas i"),
    "scenarios_folder_help": ("Your own scenarios folder, outside the model's files: abm run +workshop=NAME and "
                              "abm experiment NAME find scenarios here (abm viz --scenarios DIR moves it)",
                              "Er egen scenariomapp, utanför modellens filer: abm run +workshop=NAMN och "
                              "abm experiment NAMN hittar scenarierna här (abm viz --scenarios MAPP flyttar den)"),
    "description": ("Description", "Beskrivning"),
    "region": ("Your region", "Er region"),
    "region_help": ("Describe your own organisation: units, staff, the e-health unit and the services. "
                    "Changes take effect at Reset.",
                    "Beskriv er egen organisation: enheter, personal, e-hälsoenheten och tjänsterna. "
                    "Ändringar gäller från Återställ."),
    "region_primary_care": ("Primary-care centres", "Vårdcentraler"),
    "region_primary_care_help": ("How many primary-care centres the region has",
                                 "Hur många vårdcentraler regionen har"),
    "region_wards": ("Hospital wards", "Vårdavdelningar"),
    "region_wards_help": ("How many hospital wards the region has", "Hur många vårdavdelningar regionen har"),
    "region_specialist": ("Specialist clinics", "Specialistmottagningar"),
    "region_specialist_help": ("How many specialist clinics the region has",
                               "Hur många specialistmottagningar regionen har"),
    "region_staff": ("Staff per unit", "Personal per enhet"),
    "region_staff_help": ("Average staff in each care unit (unit sizes vary around it)",
                          "Genomsnittlig personal per vårdenhet (enheternas storlek varierar runt det)"),
    "region_ehealth": ("E-health unit (people)", "E-hälsoenheten (personer)"),
    "region_ehealth_help": ("Full-time staff of the regional e-health unit who support implementation",
                            "Heltidspersonal i regionens e-hälsoenhet som stöder införandet"),
    "region_services": ("Services, and the week each arrives", "Tjänster, och veckan var och en kommer"),
    "region_services_help": ("Untick a service your region will not offer; the number is the week it becomes "
                             "available", "Avmarkera en tjänst som regionen inte erbjuder; talet är veckan den "
                             "blir tillgänglig"),
    "region_week": ("week", "vecka"),
    "region_total": ("{units} care units, {staff} staff", "{units} vårdenheter, {staff} anställda"),
    "region_structural": ("structural adds its innovation units, whose staff come out of this total",
                          "structural lägger till sina innovationsenheter, vars personal tas ur denna summa"),
    # --- scenarios and region ---
    # --- many futures ---
    "ens_title": ("Many futures", "Många framtider"),
    "ens_intro": ("One run is one possible future. Run the applied settings in many futures (the same settings, "
                  "a different chance of events in each) to see what holds whatever happens.",
                  "En körning är en möjlig framtid. Kör de tillämpade inställningarna i många framtider (samma "
                  "inställningar, olika slump i varje) för att se vad som håller vad som än händer."),
    "ens_intro_compare": ("A and B meet the same chance events in each future, so the difference between them is "
                          "the settings' doing (paired by future, as abm compare pairs them).",
                          "A och B möter samma slumphändelser i varje framtid, så skillnaden mellan dem beror på "
                          "inställningarna (parade per framtid, som abm compare parar dem)."),
    "ens_n": ("Number of futures", "Antal framtider"),
    "ens_run": ("Run {n} futures", "Kör {n} framtider"),
    "ens_cancel": ("Cancel", "Avbryt"),
    "ens_progress": ("{done} of {total} runs done", "{done} av {total} körningar klara"),
    "ens_cancelled": ("Cancelled: {done} of {total} runs are kept in the results store; running again finishes "
                      "the rest.",
                      "Avbrutet: {done} av {total} körningar sparas i resultatlagret; kör igen så görs resten."),
    "ens_from_store": ("From the results store: these futures had been run before, nothing had to run.",
                       "Från resultatlagret: dessa framtider var redan körda, inget behövde köras."),
    "ens_ran": ("{ran} runs computed now, {kept} taken from the results store.",
                "{ran} körningar gjordes nu, {kept} hämtades från resultatlagret."),
    "ens_same": ("A and B have the same settings: change B to compare them.",
                 "A och B har samma inställningar: ändra B för att jämföra dem."),
    "ens_n_bad": ("The number of futures must be a whole number from 1 to {most}.",
                  "Antalet framtider måste vara ett heltal från 1 till {most}."),
    "ens_verdict": ("Verdict: B against A", "Utlåtande: B mot A"),
    "ens_wins": ("B does better than A in {wins} of {n} futures", "B gör det bättre än A i {wins} av {n} framtider"),
    "ens_ties": ("the same in {ties}", "lika i {ties}"),
    "ens_higher": ("higher is better", "högre är bättre"),
    "ens_lower": ("lower is better", "lägre är bättre"),
    "ens_at_week": ("at week {week}", "vecka {week}"),
    "ens_over_run": ("averaged over weeks 1-{week}", "i genomsnitt över vecka 1-{week}"),
    "ens_diff": ("B minus A", "B minus A"),  # the same in Swedish
    "ens_of_a": ("of A", "av A"),
    "ens_b_better": ("B is better", "B är bättre"),
    "ens_a_better": ("A is better", "A är bättre"),
    "ens_unclear": ("no clear difference", "ingen tydlig skillnad"),
    "ens_finals": ("Over {n} futures: mean [95% interval]", "Över {n} framtider: medelvärde [95 % intervall]"),
    "ens_curves": ("Mean over the futures with its 95% band", "Medelvärde över framtiderna med 95 % band"),
    "ens_command": ("The same numbers from the command line:", "Samma siffror från kommandoraden:"),
    "ens_busy": ("Other futures are running on this server: try again when they are done.",
                 "Andra framtider körs på servern: försök igen när de är klara."),
    "ens_failed": ("Running the futures failed", "Körningen av framtiderna misslyckades"),
    # --- many futures ---
}

# Headline outcomes, by metric name (the registry's English labels are the source of truth for English).
METRIC_SV: dict[str, str] = {
    "maturity_total": "Digital mognad (poäng)",
    "mean_stage": "Digital mognadsnivå, medel",
    "services_live": "Tjänster i drift per vårdenhet",
    "n_services_routinised": "Tjänster i rutinbruk",
    "mandated_progress": "Nationellt beslutade tjänster: andel vårdenheter i drift",
    "adoption_share": "Andel som använder tjänsterna",
    "patient_uptake": "Patienternas användning av patientnära tjänster",
    "care_production": "Given vård",
    "unmet_demand": "Ej mött andel av efterfrågad vård",
    "waiting_list": "Väntelista",
    "remote_share": "Andel distanskontakter",
    "exploration_share": "Utforskande andel av arbetstiden",
    "exploration_target": "Planerad utforskande andel (budget x schema)",
    "mean_knowhow": "Digital kompetens, medel",
    "code_knowledge": "Rutinernas kunskap (March)",
    "workload": "Arbetsbelastning",
    "dc_weeks_to_half": "Respons: veckor från ankomst till hälften av vårdenheterna i drift",
    "dc_shock_response": "Respons: veckor från kris till 1,2 gånger distansandelen",
    "belief_knowledge": "Kunskap i individernas uppfattningar, medel",
    "sd_knowhow": "Digital kompetens, spridning",
    "maturity_governance_workforce": "Mognad: styrning och personal",
    "maturity_interoperability": "Mognad: interoperabilitet",
    "maturity_person_enabled": "Mognad: personcentrerad vård",
    "maturity_predictive_analytics": "Mognad: prediktiv analys",
    "services_live_governance_workforce": "Tjänster i drift per vårdenhet: styrning och personal",
    "services_live_interoperability": "Tjänster i drift per vårdenhet: interoperabilitet",
    "services_live_person_enabled": "Tjänster i drift per vårdenhet: personcentrerad vård",
    "services_live_predictive_analytics": "Tjänster i drift per vårdenhet: prediktiv analys",
    "n_unavailable": "Enhet-tjänst-par ej tillgängliga",
    "n_available": "Enhet-tjänst-par tillgängliga",
    "n_piloting": "Enhet-tjänst-par i pilot",
    "n_implementing": "Enhet-tjänst-par under införande",
    "n_routinised": "Enhet-tjänst-par i rutinbruk",
    "n_abandoned": "Enhet-tjänst-par avbrutna",
    "n_services_piloting": "Tjänster i pilot någonstans",
    "n_services_implementing": "Tjänster under införande någonstans",
    "n_services_abandoned": "Tjänster avbrutna någonstans",
    "pilots_started": "Startade piloter (totalt)",
    "repilots": "Nya piloter av misslyckade tjänster (totalt)",
    "pilots_failed": "Misslyckade piloter (totalt)",
    "pilots_failed_funding": "Misslyckade piloter: finansiering",
    "pilots_failed_misfit": "Misslyckade piloter: passade inte",
    "pilots_failed_low_use": "Misslyckade piloter: låg användning",
    "pilots_failed_technical": "Misslyckade piloter: tekniska fel",
    "abandoned_funding": "Tjänster som enheter lagt ned: finansiering",
    "abandoned_misfit": "Tjänster som enheter lagt ned: passade inte",
    "abandoned_low_use": "Tjänster som enheter lagt ned: låg användning",
    "abandoned_technical": "Tjänster som enheter lagt ned: tekniska fel",
    "weeks_to_routinised": "Veckor från ankomst till rutinbruk",
    "sensing_accuracy": "Träffsäkerhet i bedömningen av tjänster",
    "seizing_lag": "Fördröjning från ankomst till pilot",
    "transforming_lag": "Fördröjning från lyckad pilot till spridning",
    "dc_share_to_half": "Tjänster som nått hälften av vårdenheterna",
    "reconfiguration_rate": "Omorganisationer per enhet och år",
    "new_leavers": "Personal som slutar",
    "new_adopters": "Nya användare av tjänster",
    "new_discontinued": "Avbrutna användningar av tjänster",
    "new_trained": "Utbildad personal",
}



def pseudo_allowed() -> bool:
    """Whether this server offers the pseudo-language (the translation test's server only)."""
    return os.environ.get("ABM_VIZ_PSEUDO", "") == "1"


def say(pair: tuple[str, str]) -> str:
    """`pair` (English, Swedish) in the session's language."""
    lang = language.value
    if lang == PSEUDO:
        return f"⟦{pair[1]}⟧"
    return pair[1] if lang == "sv" else pair[0]


def t(key: str) -> str:
    """The app's text for `key` in the session's language (the key itself when unknown: the translation
    test then finds it unmarked)."""
    pair = TEXT.get(key)
    return key if pair is None else say(pair)


def swedish() -> bool:
    """Whether the session reads Swedish (or the pseudo-language, which stands for it)."""
    return language.value in ("sv", PSEUDO)


def metric_label(name: str) -> str:
    """An outcome's plain name (viz.words.OUTCOMES), else the registry's label with a Swedish translation
    where there is one."""
    from abm.core.metrics import REGISTRY
    from viz.words import OUTCOMES

    if name in OUTCOMES:
        return say(OUTCOMES[name].name)
    metric = REGISTRY.get(name)
    english = metric.label if metric else name
    return say((english, METRIC_SV[name])) if name in METRIC_SV else english


def metric_unit(name: str) -> str:
    """An outcome's unit in words ("" when there is none to say)."""
    from viz.words import OUTCOMES

    return say(OUTCOMES[name].unit) if name in OUTCOMES else ""


def better_text(name: str) -> str:
    """"higher is better" / "lower is better" / "" for an outcome that is a description, not a goal."""
    from viz.words import OUTCOMES

    better = OUTCOMES[name].better if name in OUTCOMES else 0
    return t("higher_better") if better > 0 else (t("lower_better") if better < 0 else "")


def service_name(name: str, label: str) -> str:
    """A service's name in the session's language: the catalogue's label in English, its Swedish name (a
    proposal by its number and week); the code name with technical names on."""
    from viz import words

    if technical.value:
        return name
    if name.startswith("proposal_"):
        rest = label.split(" ", 1)[1] if " " in label else name.split("_")[-1]
        number, _, week = rest.partition(" (week ")
        return f"{say(words.PROPOSAL)} {number}" + (f" ({t('week').lower()} {week}" if week else "")
    return say((label, words.SERVICES_SV.get(name, label)))


def set_language(lang: str) -> None:
    """Switch the session's language (the pseudo-language only where the server offers it)."""
    if lang in LANGUAGES or (lang == PSEUDO and pseudo_allowed()):
        language.value = lang


def toggle_language() -> None:
    language.value = "en" if swedish() else "sv"
