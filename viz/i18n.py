"""English and Swedish labels for the app, with one reactive language per browser session.

Parameter help text and ranges are not translated here: they come from the field metadata in
`abm/core/params.py` (defined once); only names of pages, controls, levers (with why one is off) and the
headline outcomes are.
"""

from __future__ import annotations

import solara

language = solara.reactive("en")  # Solara keeps one value per browser session (kernel)

TEXT: dict[str, tuple[str, str]] = {
    # key: (English, Swedish)
    "app_title": ("E-health in a region: a simulator", "E-hälsa i en region: en simulator"),
    "live": ("Live", "Live"),
    "compare": ("Compare", "Jämför"),
    "results": ("Results", "Resultat"),
    "about": ("About", "Om modellen"),
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
    "service": ("Service", "Tjänst"),
    "piloting": ("piloting", "pilot"),
    "implementing": ("implementing", "införs"),
    "routinised": ("routinised", "rutin"),
    "abandoned": ("abandoned", "avbruten"),
    "available": ("available", "tillgänglig"),
    "unavailable": ("not yet", "ännu ej"),
    "error_prefix": ("Not applied", "Ej tillämpat"),
    "explore": ("exploration share", "utforskande andel"),
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
    # lever sections, the shown range, choices and why a lever is off
    "section_practice": ("Practice: where, when and who decides", "Praktik: var, när och vem som beslutar"),
    "section_management": ("Management", "Ledning"),
    "section_organisation": ("Organisation and staff", "Organisation och personal"),
    "section_environment": ("Environment", "Omvärld"),
    "typed_up_to": ("typed: up to", "skrivet: upp till"),
    "choices": ("choices", "val"),
    "not_used": ("Not used", "Används inte"),
    "choice_management": ("management", "ledningen"),
    "choice_units": ("units", "enheterna"),
    "unused_exploit_only": ("exploit_only explores nothing (its budget is 0)",
                            "exploit_only utforskar inget (dess budget är 0)"),
    "unused_structural": ("only structural builds innovation units", "bara structural bygger innovationsenheter"),
    "unused_sequential": ("only sequential alternates phases", "bara sequential växlar mellan faser"),
    "unused_networked": ("only networked sets ties by this share", "bara networked sätter banden med denna andel"),
    "unused_adaptive": ("only adaptive responds to a shortfall from aspiration",
                        "bara adaptive svarar på ett underskott mot ambitionsnivån"),
    "unused_cross_ties": ("networked sets its ties by practice.cross_share",
                          "networked sätter sina band med practice.cross_share"),
    "unused_no_shock": ("this environment has no shock (pandemic_shock has one)",
                        "denna omvärld har ingen kris (pandemic_shock har en)"),
    # units per kind (the organisation view)
    "kind_primary_care": ("primary-care centres", "vårdcentraler"),
    "kind_ward": ("wards", "vårdavdelningar"),
    "kind_specialist": ("specialist clinics", "specialistmottagningar"),
    "kind_innovation": ("innovation units", "innovationsenheter"),
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
    "ens_diff": ("B minus A", "B minus A"),
    "ens_of_a": ("of A", "av A"),
    "ens_b_better": ("B is better", "B är bättre"),
    "ens_a_better": ("A is better", "A är bättre"),
    "ens_unclear": ("no clear difference", "ingen tydlig skillnad"),
    "ens_interval": ("[95% interval]", "[95 % intervall]"),
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
}

LEVER_SV: dict[str, str] = {
    "budget": "Utforskningsbudget",
    "decided_by": "Vem som beslutar",
    "explore_weeks": "Utforska tidigt (veckor)",
    "innovation_share": "Innovationsenheternas utforskande tid",
    "period_weeks": "Fascykel (veckor)",
    "cross_share": "Andel band mellan enheter",
    "adaptive_gain": "Respons på ett underskott",
    "pilot_capacity": "Pilotkapacitet",
    "scaling_capacity": "Spridningskapacitet",
    "ehealth_staff": "E-hälsoenhetens personal",
    "training": "Utbildning",
    "champions": "Digitala ambassadörer",
    "cross_ties": "Band mellan enheter",
    "turnover": "Personalomsättning",
    "shock_boost": "Krisens skjuts för distansvård",
    "shock_rollout": "Krisens snabbinförande av distansvård",
}


def t(key: str) -> str:
    """The label for `key` in the session's language (the key itself when unknown)."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if language.value == "sv" else pair[0]


def metric_label(name: str) -> str:
    """A metric's label: the registry's in English, a translation in Swedish where there is one."""
    from abm.core.metrics import REGISTRY

    if language.value == "sv" and name in METRIC_SV:
        return METRIC_SV[name]
    metric = REGISTRY.get(name)
    return metric.label if metric else name


def toggle_language() -> None:
    language.value = "sv" if language.value == "en" else "en"
