"""Downloads: every chart as SVG or PNG, every table as CSV.

Charts are downloaded in the browser: each chart of `viz.svg` sits in a figure with SVG and PNG links, and
the click handler of the widget that holds it (`viz.frames.FrameView`, also used by `Chart` below) makes the
file from the `<svg>` on the page. Tables are built on the server at click time (`solara.FileDownload` with a
callable: pandas `to_csv`), so a download holds the run as it is when the button is pressed, and nothing is
sent to the browser before it is asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import solara

from viz.frames import FrameView
from viz.i18n import t
from viz.levers import Settings
from viz.scenario import workshop_text

if TYPE_CHECKING:
    from viz.sim import Simulation


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV with a header row and no index (what `pandas.read_csv` reads back)."""
    return table.to_csv(index=False).encode("utf-8")


def file_name(*parts: object, ext: str = "csv") -> str:
    """A download's file name from its parts (an experiment, a metric, a week): only letters, digits, `.`,
    `_` and `-`, so a name from the store can never make a path or a header."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(str(p) for p in parts if str(p))).strip("._")
    return f"{stem[:100] or 'table'}.{ext}"


@solara.component
def CsvButton(build: Callable[[], pd.DataFrame], filename: str, label: str, key: str,
              dependencies: Sequence[object] = ()) -> None:
    """A button that downloads `build()` as CSV, built when it is pressed. `key` names the button's class
    (`abm-csv-<key>`); `dependencies` say when `build` describes something else (the callable is kept across
    re-renders otherwise, so a re-render while the file is on its way does not cancel it)."""
    data = solara.use_memo(lambda: (lambda: csv_bytes(build())), [filename, *dependencies])
    solara.FileDownload(data, filename=filename, mime_type="text/csv", children=[
        solara.Button(label, icon_name="mdi-download", small=True, text=True, classes=[f"abm-csv-{key}"])])


@solara.component
def ScenarioButton(settings: Settings, which: str, label: str, index: int = 0) -> None:
    """A button that downloads the applied settings as a workshop scenario (the Hydra config *Save scenario*
    writes, viz.scenario.workshop_text): put it in the scenarios folder's `workshop/` and `abm run
    +workshop=NAME` runs it."""
    filename = file_name("scenario", which, ext="yaml").lower().replace("-", "_")
    name = filename.removesuffix(".yaml")
    data = solara.use_memo(lambda: (lambda: workshop_text(name, settings, "").encode("utf-8")), [settings])
    solara.FileDownload(data, filename=filename, mime_type="application/yaml", children=[
        solara.Button(label, icon_name="mdi-download", small=True, text=True,
                      classes=["abm-yaml", f"abm-yaml-{index}"])])


@solara.component
def DownloadRow(buttons: Sequence[tuple[str, str, str, Callable[[], pd.DataFrame]]],
                dependencies: Sequence[object] = (),
                scenarios: Sequence[tuple[str, Settings]] = ()) -> None:
    """A row headed "Download" of CSV buttons, each (key, label, file name, build), and of scenario buttons,
    each (which run, its applied settings)."""
    with solara.Row(style="align-items: center; flex-wrap: wrap", classes=["abm-download-row"]):
        solara.Text(f"{t('download')}:", classes=["abm-label"])
        for key, label, filename, build in buttons:
            CsvButton(build, filename, label, key, dependencies)
        for index, (which, settings) in enumerate(scenarios):
            label = t("yaml_scenario") + (f" {which}" if len(scenarios) > 1 else "")
            ScenarioButton(settings, which, label, index)


@solara.component
def Chart(html: str, classes: Sequence[str] = (), style: str = "") -> None:
    """Charts (trusted markup from `viz.svg`, every value escaped) in a FrameView, whose click handler makes
    their SVG and PNG links work; a Results chart is drawn once per choice, so Solara may set it."""
    attributes = {"class": " ".join(["abm-chart-box", *classes])}
    FrameView.element(unsafe_innerHTML=html, attributes={**attributes, "style": style} if style else attributes)


def series_frame(runs: Sequence[tuple[str, Simulation]]) -> pd.DataFrame:
    """The time series of simulations so far, one row per (run, week): `run` (its name), `week` and every
    region metric (`abm.core.collector.Collector.region_frame`, the table `abm run` stores)."""
    frames = []
    for name, sim in runs:
        with sim.lock:  # not half-way through a step of the play loop
            frames.append(sim.model.collector.region_frame().assign(run=name))
    table = pd.concat(frames, ignore_index=True)
    return table[["run", *[c for c in table.columns if c != "run"]]]


@solara.component
def Downloads(runs: Sequence[tuple[str, Simulation]], dependencies: Sequence[object] = ()) -> None:
    """The Live and Compare pages' download row: the outcomes over time of `runs` ((name, Simulation) pairs,
    e.g. `[("A", sim_a), ("B", sim_b)]`) as one CSV, built from the models as they are when it is pressed,
    and each run's scenario as YAML.
    Pass the simulations' ids (or the page's tick) as `dependencies` so a reset model is the one downloaded."""
    names = "_".join(name for name, _ in runs)  # no week: the file holds the weeks played when it is pressed
    DownloadRow([("series", t("csv_series"), file_name("outcomes", names), lambda: series_frame(runs))],
                [*(id(sim) for _, sim in runs), *dependencies],
                [(name, sim.settings) for name, sim in runs])
