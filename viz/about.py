"""The About page: what the model is and is not, in plain language, with a diagram of the three levels
and the weekly process (drawn as SVG so it needs nothing from the internet)."""

from __future__ import annotations

import re

import solara

from abm.paths import odd_path
from viz.i18n import language
from viz.markup import Md

ODD_URL = "/odd"  # served by the app itself (offline): the text of docs/ODD.md



TEXT_EN = """
### What this is
A **virtual healthcare region** in which you can try ways of leading the digital development of care.
Staff work in units (primary-care centres, wards, specialist clinics and, under `structural`, innovation
units); each unit has a manager; top management decides which e-health services to pilot and scale, and
a regional e-health unit supports their implementation. Every week people
split their time between **exploiting** today's ways of giving care and **exploring** new digital ones
(March 1991). Exploring costs care now and pays later: staff gain digital know-how, units learn better
routines, and services such as video consultation or remote monitoring become part of everyday work.

The **balancing practice** is the main thing you choose. Every exploring practice spends the same
**exploration budget** (a share of all staff time); they differ in *where* it is spent (`contextual`:
evenly in every unit; `structural`: in dedicated innovation units; `networked`: evenly, with more ties
across units), *when* (`sequential`: in alternating phases; an early schedule; `adaptive`: when a unit
falls short of its aspiration) and *who decides* (management protects the time, or unit managers cut it
under workload). `exploit_only` explores nothing. National mandates reach every practice.

The outcomes are **digital maturity** (four dimensions, 0-400, and a stage 0-7 as in HIMSS's Digital
Health Indicator), the **services live** in the care units and how many staff and patients use them,
**care** delivered against demand with its **waiting list**, the **remote share** of contacts, and
dynamic capability measured as **responses**: how fast new services reach half the care units, and how
fast remote care rises after a shock.

### What this is not
It is **not a forecast** for any real region and not a tool to judge real people or units. The
numbers come from assumptions (documented, with literature) and are useful for *comparing* ways of
leading under the same conditions, not for predicting dates or costs. A run is random: compare over
many seeds (the Results page) before drawing conclusions.

The full description, in the ODD protocol, is in `docs/ODD.md` in the project ([docs/ODD.md]({odd})).
"""

TEXT_SV = """
### Vad detta är
En **virtuell vårdregion** där du kan pröva olika sätt att leda vårdens digitala utveckling.
Personal arbetar i enheter (vårdcentraler, vårdavdelningar, specialistmottagningar och, under
`structural`, innovationsenheter); varje enhet har en chef; ledningen väljer vilka e-hälsotjänster som ska
prövas och spridas, och en regional e-hälsoenhet stödjer införandet. Varje vecka
fördelar personalen sin tid mellan att **exploatera** dagens arbetssätt och att **utforska** nya digitala
(March 1991). Att utforska kostar vård nu men lönar sig senare: personalen får digital kompetens,
enheterna bättre rutiner, och tjänster som videobesök eller distansmonitorering blir vardag.

Den **balanseringspraktik** du väljer är det viktigaste reglaget. Alla utforskande praktiker använder
samma **utforskningsbudget** (en andel av all arbetstid); de skiljer sig i *var* den används (i alla
enheter, i särskilda innovationsenheter, eller med fler band mellan enheter), *när* (i växlande faser,
tidigt, eller när en enhet inte når sin ambitionsnivå) och *vem som beslutar* (ledningen skyddar tiden,
eller enheternas chefer skär ned den när arbetsbelastningen är hög). `exploit_only` utforskar inget.

Utfallen är **digital mognad** (fyra dimensioner, 0-400, och en nivå 0-7 som i HIMSS Digital Health
Indicator), **tjänster i drift** i vårdenheterna och hur många i personalen och bland patienterna som
använder dem, **given vård** mot efterfrågan med dess **väntelista**, **andelen distanskontakter**, och
dynamisk förmåga mätt som **respons**: hur snabbt nya tjänster når hälften av vårdenheterna, och hur
snabbt distansvården ökar efter en kris.

### Vad detta inte är
Det är **ingen prognos** för en verklig region och inget verktyg för att bedöma verkliga personer eller
enheter. Siffrorna bygger på antaganden (dokumenterade, med litteratur) och är till för att *jämföra*
sätt att leda under samma förutsättningar. En körning är slumpmässig: jämför över många slumpfrön
(sidan Resultat) innan du drar slutsatser.

Den fullständiga beskrivningen enligt ODD-protokollet finns i `docs/ODD.md` ([docs/ODD.md]({odd})).
"""

def weekly_phases() -> tuple[str, ...]:
    """The phases of a week, by name, as the model's docstring lists them (defined once, in abm.core.model)."""
    from abm.core.model import RegionModel

    return tuple(re.findall(r"^\s*\d+\. ([a-z &]+?)(?:,|:)", RegionModel.__doc__ or "", flags=re.M))


STEPS = weekly_phases()


def diagram() -> str:
    """Three levels (management, units, staff) and the phases of a week as a cycle."""
    levels = [("Management: senses, seizes, scales, reconfigures", "#c6dbef", 20),
              ("Units + managers: exploration, care, routines, service lifecycle", "#fdd0a2", 90),
              ("Staff: act, socialise, learn know-how (4 dimensions), adopt, leave", "#c7e9c0", 160)]
    bottom = 30 + 21 * len(STEPS)
    out = [f'<svg class="abm-diagram" viewBox="0 0 760 {max(250, bottom + 10)}" width="100%"'
           ' xmlns="http://www.w3.org/2000/svg">']
    for text, colour, y in levels:
        out.append(f'<rect x="10" y="{y}" width="380" height="55" rx="8" fill="{colour}" stroke="#555"/>'
                   f'<text x="20" y="{y + 32}" font-size="12">{text}</text>')
    out.append('<path d="M200 75 v15 M200 145 v15" stroke="#333" stroke-width="2"/>'
               '<path d="M360 160 v-15 M360 90 v-15" stroke="#333" stroke-width="2" stroke-dasharray="4 3"/>')
    out.append('<text x="560" y="18" font-size="12" text-anchor="middle" font-weight="600">One week</text>')
    for i, step in enumerate(STEPS):
        y = 30 + i * 21
        out.append(f'<rect x="450" y="{y}" width="220" height="17" rx="4" fill="#f0f0f0" stroke="#999"/>'
                   f'<text x="458" y="{y + 12}" font-size="11">{i + 1}. {step}</text>')
    out.append(f'<path d="M680 {bottom - 10} h20 v-{bottom - 45} h-25" fill="none" stroke="#777" marker-end="url(#a)"/>'
               '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="4" refY="4" orient="auto">'
               '<path d="M0,0 L8,4 L0,8 z" fill="#777"/></marker></defs></svg>')
    return "".join(out)


@solara.component
def AboutPage() -> None:
    with solara.Column(style="max-width: 900px", classes=["abm-about"]):
        solara.HTML("div", unsafe_innerHTML=diagram())
        Md((TEXT_SV if language.value == "sv" else TEXT_EN).format(odd=ODD_URL))


@solara.component
def OddPage() -> None:
    """docs/ODD.md as shipped with this installation."""
    path = odd_path()
    text = path.read_text(encoding="utf-8") if path.is_file() else f"`{path}` is not in this installation."
    with solara.Column(style="max-width: 1000px"):
        Md(text)
