"""The Info page: what the model is, how it works, how to use it, things to notice and to try, what it is
not and how to cite (in the spirit of NetLogo's Info tab), with a diagram of the three levels and the weekly
process (drawn as SVG so it needs nothing from the internet), in English and Swedish."""

from __future__ import annotations

import re

import solara

from abm.paths import odd_path
from viz.i18n import say, swedish, t
from viz.markup import Md
from viz.svg import esc
from viz.words import PHASES, PRACTICES

ODD_URL = "/odd"  # served by the app itself (offline): the text of docs/ODD.md



# The Info page in the spirit of NetLogo's Info tab: what it is, how it works, how to use it, things to notice,
# things to try, what it is not, how to cite. {practices} is the list of practices from viz.words (defined once).
TEXT: dict[str, str] = {
    "en": """
### What is it?
A **virtual healthcare region** in which managers and clinicians can try ways of leading the digital
development of care, and see what each does over five years. Staff work in units (primary-care centres,
wards, specialist clinics and, with dedicated innovation units, innovation units); each unit has a manager;
top management decides which e-health services to pilot and to scale, and a regional e-health unit supports
their implementation. It is a research model of *dynamic capability* and *digital maturity*: the region's
ability to sense new digital possibilities, seize them and change its ways of working.

### How it works
Every week each person splits their working time between giving today's care in today's ways
(**exploiting**) and trying new digital ways (**exploring**; March 1991). Exploring costs care now and pays
later: staff gain digital know-how from each other and from training, units learn better routines, and
services such as video consultation or remote monitoring move from pilot to everyday use, or are dropped.

The **balancing practice** is the main choice. Every practice but the first spends the same **time for
exploring** (a share of all working time); they differ in where, when and who decides:

{practices}

The outcomes are **digital maturity** (four dimensions, 0-400, and a stage 0-7 as in HIMSS's Digital Health
Indicator), the **services in use** in the care units and how many staff and patients use them, **care
delivered** against demand with its **waiting list**, and the **share of remote contacts**. Each key figure
says which way is better.

### How to use it
1. On **Live**, choose a region, a practice and an environment; press **Play** and watch the units, the
   key figures and the service board week by week. Move a lever and press **Apply and reset**.
2. One run is one possible future. Press **Run 20 futures** to see the spread and the average.
3. On **Compare**, set two practices (A and B) on the same region and futures; the verdict says in how many
   futures B beats A and by how much, with its 95% interval.
4. **Save the scenario** to rerun it later or to hand it to a modeller (`abm run`, `abm experiment`).
5. The address in the browser holds the page, language and settings: copy it to share the same view.

### Things to notice
- Exploring costs a little care at first; maturity and services come later, and differently by practice.
- In the committed runs for a Swedish region, the **capacity to scale** what worked in a pilot matters more
  than how much time is spent exploring (see docs/findings.md in the project).
- Some levers apply only to one practice; they are greyed out, with the reason, under the others.
- Two futures of the same settings differ: judge a practice over many futures, not one.

### Things to try
- Compare *Today's care only* with *Everyone explores a little* over 20 futures: what does the maturity
  gain cost in care?
- Raise the **scaling capacity** under *Everyone explores a little*, then lower the **time for exploring**.
- Try *Dedicated innovation units* in the *Turbulent* environment, and in the *Pandemic shock*.
- Raise **staff turnover**: how much of the know-how leaves with people?

### What it is not
It is **not a forecast** for any real region and not a tool to judge real people or units. The numbers
come from assumptions (documented, with literature) and from a calibration to published Swedish patterns;
they are for *comparing* ways of leading under the same conditions, not for predicting dates or costs.

### How to cite
The ehealth-abm developers, *ehealth-abm: an agent-based simulator of dynamic capability, digital maturity
and e-health services in a healthcare region*, version 0.1.0 (CITATION.cff in the project). The full
description, in the ODD protocol, is [docs/ODD.md]({odd}).
""",
    "sv": """
### Vad är det?
En **virtuell vårdregion** där chefer och kliniker kan pröva sätt att leda vårdens digitala utveckling och
se vad vart och ett ger under fem år. Personal arbetar i enheter (vårdcentraler, vårdavdelningar,
specialistmottagningar och, med särskilda innovationsenheter, innovationsenheter); varje enhet har en chef;
ledningen väljer vilka e-hälsotjänster som ska prövas och spridas, och en regional e-hälsoenhet stödjer
införandet. Det är en forskningsmodell av *dynamisk förmåga* och *digital mognad*: regionens förmåga att
upptäcka nya digitala möjligheter, ta vara på dem och ändra sina arbetssätt.

### Hur den fungerar
Varje vecka fördelar var och en sin arbetstid mellan att ge dagens vård på dagens sätt (**exploatera**)
och att pröva nya digitala sätt (**utforska**; March 1991). Att utforska kostar vård nu men lönar sig
senare: personalen får digital kompetens av varandra och genom utbildning, enheterna lär sig bättre rutiner,
och tjänster som videobesök eller distansmonitorering går från pilot till vardag, eller läggs ned.

**Balanseringspraktiken** är det viktigaste valet. Alla praktiker utom den första använder samma **tid för
att utforska** (en andel av all arbetstid); de skiljer sig i var, när och vem som beslutar:

{practices}

Utfallen är **digital mognad** (fyra dimensioner, 0-400, och en nivå 0-7 som i HIMSS Digital Health
Indicator), **tjänster i drift** i vårdenheterna och hur många i personalen och bland patienterna som
använder dem, **given vård** mot efterfrågan med dess **väntelista**, och **andelen distanskontakter**.
Varje nyckeltal anger åt vilket håll som är bättre.

### Hur du använder den
1. På **Live** väljer du region, praktik och omvärld; tryck **Spela** och följ enheterna, nyckeltalen och
   tjänsteflödet vecka för vecka. Flytta ett styrmedel och tryck **Tillämpa och återställ**.
2. En körning är en möjlig framtid. Tryck **Kör 20 framtider** för att se spridningen och medelvärdet.
3. På **Jämför** ställer du in två praktiker (A och B) för samma region och framtider; utlåtandet säger i
   hur många framtider B slår A och med hur mycket, med 95 % intervall.
4. **Spara scenariot** för att köra det igen eller lämna det till en modellerare (`abm run`, `abm experiment`).
5. Adressen i webbläsaren innehåller sidan, språket och inställningarna: kopiera den för att dela vyn.

### Att lägga märke till
- Att utforska kostar lite vård i början; mognad och tjänster kommer senare, och olika för olika praktiker.
- I de sparade körningarna för en svensk region betyder **förmågan att sprida** det som fungerat i en pilot
  mer än hur mycket tid som går till att utforska (se docs/findings.sv.md i projektet).
- Vissa styrmedel gäller bara en praktik; under de andra är de gråa, med skälet.
- Två framtider med samma inställningar skiljer sig: bedöm en praktik över många framtider, inte en.

### Att pröva
- Jämför *Bara dagens vård* med *Alla utforskar lite* över 20 framtider: vad kostar mognadsvinsten i vård?
- Höj **spridningskapaciteten** under *Alla utforskar lite*, och sänk sedan **tiden för att utforska**.
- Pröva *Särskilda innovationsenheter* i omvärlden *Turbulent*, och i *Pandemichock*.
- Höj **personalomsättningen**: hur mycket av kompetensen går med dem som slutar?

### Vad den inte är
Den är **ingen prognos** för en verklig region och inget verktyg för att bedöma verkliga personer eller
enheter. Siffrorna bygger på antaganden (dokumenterade, med litteratur) och på en kalibrering mot
publicerade svenska mönster; de är till för att *jämföra* sätt att leda under samma förutsättningar, inte
för att förutsäga datum eller kostnader.

### Så citerar du
The ehealth-abm developers, *ehealth-abm: an agent-based simulator of dynamic capability, digital maturity
and e-health services in a healthcare region*, version 0.1.0 (CITATION.cff i projektet). Den fullständiga
beskrivningen enligt ODD-protokollet finns i [docs/ODD.md]({odd}) (på engelska).
""",
}


def practices_list() -> str:
    """The practices as a Markdown list, in plain names with their explanations (viz.words)."""
    return "\n".join(f"- **{say(w.name)}**: {say(w.help)}." for w in PRACTICES.values())


def info_text() -> str:
    """The Info page's text in the session's language (the pseudo-language shows the Swedish: the page is
    translated as a whole document, checked section by section in tests/viz/test_words.py)."""
    return TEXT["sv" if swedish() else "en"].format(practices=practices_list(), odd=ODD_URL)


def weekly_phases() -> tuple[str, ...]:
    """The phases of a week, by name, as the model's docstring lists them (defined once, in abm.core.model)."""
    from abm.core.model import RegionModel

    return tuple(re.findall(r"^\s*\d+\. ([a-z &]+?)(?:,|:)", RegionModel.__doc__ or "", flags=re.M))


STEPS = weekly_phases()


def diagram() -> str:
    """Three levels (management, units, staff) and the phases of a week as a cycle."""
    levels = [(t("level_management"), "#c6dbef", 20), (t("level_units"), "#fdd0a2", 90),
              (t("level_staff"), "#c7e9c0", 160)]
    bottom = 30 + 21 * len(STEPS)
    out = [f'<svg class="abm-diagram" viewBox="0 0 760 {max(250, bottom + 10)}" width="100%"'
           ' xmlns="http://www.w3.org/2000/svg">']
    for text, colour, y in levels:
        out.append(f'<rect x="10" y="{y}" width="380" height="55" rx="8" fill="{colour}" stroke="#555"/>'
                   f'<text x="20" y="{y + 32}" font-size="12">{esc(text)}</text>')
    out.append('<path d="M200 75 v15 M200 145 v15" stroke="#333" stroke-width="2"/>'
               '<path d="M360 160 v-15 M360 90 v-15" stroke="#333" stroke-width="2" stroke-dasharray="4 3"/>')
    out.append('<text x="560" y="18" font-size="12" text-anchor="middle" font-weight="600">'
               + esc(t("one_week")) + "</text>")
    for i, step in enumerate(STEPS):
        y = 30 + i * 21
        out.append(f'<rect x="450" y="{y}" width="220" height="17" rx="4" fill="#f0f0f0" stroke="#999"/>'
                   f'<text x="458" y="{y + 12}" font-size="11">{i + 1}. {esc(say(PHASES[step]))}</text>')
    out.append(f'<path d="M680 {bottom - 10} h20 v-{bottom - 45} h-25" fill="none" stroke="#777" marker-end="url(#a)"/>'
               '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="4" refY="4" orient="auto">'
               '<path d="M0,0 L8,4 L0,8 z" fill="#777"/></marker></defs></svg>')
    return "".join(out)


@solara.component
def InfoPage() -> None:
    with solara.Column(style="max-width: 900px", classes=["abm-info"]):
        solara.HTML("div", unsafe_innerHTML=diagram())
        with solara.Column(classes=["abm-info-text"], gap="0px"):  # a whole translated document (data-i18n)
            Md(info_text())


@solara.component
def OddPage() -> None:
    """docs/ODD.md as shipped with this installation."""
    path = odd_path()
    text = path.read_text(encoding="utf-8") if path.is_file() else f"`{path}` is not in this installation."
    with solara.Column(style="max-width: 1000px", classes=["abm-odd"]):  # the modellers' protocol, in English
        Md(text)
