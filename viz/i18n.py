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
