"""The Results page: experiments in the results store, mean curves with 95% bands, the comparison with
the baseline, and a week-by-week replay of one stored run on the unit network; for a sensitivity experiment
(Morris or Sobol) its indices instead, per outcome a bar chart and a table. Every table is a CSV download,
every chart an SVG or PNG one (viz.downloads)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import solara

from abm.core.state import UnitKind
from abm.errors import UserError
from viz import store_reader as sr
from viz import svg
from viz.downloads import Chart, DownloadRow, file_name
from viz.i18n import metric_label, t
from viz.layout import compute_layout, unit_ties
from viz.sim import numbered, unit_name

experiment = solara.reactive("")
metric = solara.reactive("")
hidden = solara.reactive(frozenset[str]())
shown_many = solara.reactive(dict[str, tuple[str, ...]]())  # per experiment, when it has more than MANY
MANY = 12  # configurations: more than this, a compact multi-select instead of a checkbox each
replay_pick = solara.reactive(0)
replay_week = solara.reactive(0)
replay_playing = solara.reactive(False)


def heading(text: str, level: int = 4, extra: str = "") -> None:
    """A heading of app text, with an optional data value after it: both escaped, never Markdown."""
    small = f' <code class="abm-heading-value" translate="no">{svg.esc(extra)}</code>' if extra else ""
    solara.HTML(f"h{level}", unsafe_innerHTML=svg.esc(text) + small, style="margin: 10px 0 4px 0")


def fmt(v: float) -> str:
    """3 significant digits; an interval of fewer than two runs is not defined and shows as a dash."""
    return "–" if not np.isfinite(v) else f"{v:.3g}"


def table_html(table: pd.DataFrame, metric_name: str) -> str:
    head = (f"<tr><th>{t('configurations')}</th><th>{t('mean')}</th><th>{t('ci')}</th>"
            f"<th>{t('diff')}</th><th>{t('ci')}</th><th>{t('n_runs')}</th></tr>")
    rows = []
    for r in table.itertuples():
        mark = f" ({t('baseline')})" if r.baseline else ""
        label = f'<span translate="no">{svg.esc(r.label)}</span>'  # a stored configuration: data
        rows.append(f'<tr data-config="{svg.esc(r.label)}"><td>{label}{mark}</td><td>{fmt(r.mean)}</td>'
                    f"<td>[{fmt(r.lo)}, {fmt(r.hi)}]</td><td>{'' if r.baseline else fmt(r.diff)}</td>"
                    f"<td>{'' if r.baseline else f'[{fmt(r.diff_lo)}, {fmt(r.diff_hi)}]'}</td><td>{r.n}</td></tr>")
    return (f'<table class="abm-baseline-table" data-metric="{svg.esc(metric_name)}" style="border-collapse:collapse">'
            f"{head}{''.join(rows)}</table>")


@solara.component
def Replay(runs: pd.DataFrame) -> None:
    """One stored run, week by week: units sized by staff and coloured by maturity stage."""
    pick = min(replay_pick.value, len(runs) - 1)
    run = runs.iloc[pick]
    path, seed = str(run["path"]), int(run["seed"])
    stored = solara.use_memo(lambda: replay_data(path, seed), [path])
    last = 0 if isinstance(stored, str) else int(stored[0]["week"].max())

    def loop(cancel: threading.Event) -> None:
        while replay_playing.peek() and not cancel.is_set():
            if replay_week.peek() >= last:
                replay_playing.set(False)
                return
            replay_week.set(replay_week.peek() + 1)
            cancel.wait(0.08)

    solara.use_thread(loop, dependencies=[replay_playing.value, path], intrusive_cancel=False)
    heading(t("replay"))
    names = [f"{r.label} seed={r.seed}" for r in runs.itertuples()]
    solara.Select(t("run"), values=names, value=names[pick],
                  on_value=lambda v: replay_pick.set(names.index(v)), classes=["abm-replay-run", "abm-data"])
    if isinstance(stored, str):
        solara.Warning(stored, classes=["abm-store-notes"])
        return
    units, (layout, ties) = stored
    week = int(min(replay_week.value, last))
    with solara.Row(style="align-items: center"):
        solara.Button(t("pause") if replay_playing.value else t("play"),
                      on_click=lambda: replay_playing.set(not replay_playing.value), classes=["abm-replay-play"])
        solara.SliderInt(t("week"), value=week, min=0, max=last, on_value=replay_week.set)
        solara.HTML("span", unsafe_innerHTML=f'{t("week")} <b class="abm-replay-week">{week}</b>')
    now = units[units["week"] == week].sort_values("unit")
    Chart(svg.unit_network(layout, now["stage"].to_numpy(), ties, unit_labels(now), f"{t('stage')} 0-7",
                           {"week": week}), classes=["abm-replay-box"], style="max-width: 640px")


def unit_labels(units: pd.DataFrame) -> list[str]:
    """Units as the Live page names them, by kind and number ("Primary care 3"), when the stored table has
    the kind; else by number."""
    by_name = {kind.name.lower(): kind for kind in UnitKind}
    if "kind" not in units:
        return [str(int(u) + 1) for u in units["unit"]]
    kinds = np.array([int(by_name[k]) if k in by_name else -1 for k in units["kind"].astype(str)])
    if (kinds < 0).any():
        return [str(int(u) + 1) for u in units["unit"]]
    return [unit_name(kind, number) for kind, number in numbered(kinds)]


Drawing = tuple[object, tuple[np.ndarray, np.ndarray, np.ndarray]]  # a layout and its unit ties


def replay_data(path: str, seed: int, root: Path | None = None) -> tuple[pd.DataFrame, Drawing] | str:
    """A stored run's units and its drawing, or a one-line note (naming the run inside the store, with no
    traceback) when its files cannot be read or drawn."""
    try:
        units, config = sr.read_replay(path)
        return units, replay_layout(units, config, seed)
    except Exception as exc:  # noqa: BLE001  (pyarrow and json raise several types for truncated or garbled files)
        return f"{sr.within(path, root or sr.results_root())}: {t('unreadable_run')} ({type(exc).__name__})"


def replay_layout(units: pd.DataFrame, config: dict | None,
                  seed: int) -> tuple[object, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The unit network of a stored run: rebuilt from its stored config (same seed, same ties)."""
    first = units[units["week"] == units["week"].min()].sort_values("unit")
    sizes = first["n_staff"].to_numpy()
    staff_unit = np.repeat(np.arange(sizes.size), sizes)
    empty = (np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    try:
        from abm.core.model import RegionModel
        from abm.core.params import from_dict

        model = RegionModel(from_dict(config)) if config else None
    except (UserError, TypeError, ValueError, KeyError):
        model = None
    if model is None:
        return compute_layout(sizes, staff_unit, seed), empty
    tie = unit_ties(model.network.adjacency, model.staff.unit, model.units.n)
    return compute_layout(model.units.size, model.staff.unit, seed), (tie.row, tie.col, tie.data)


def Notes(notes: tuple[str, ...] | list[str]) -> None:
    """The store's warnings (unreadable files, by path) as a short note: the first few, then a count."""
    if notes:
        more = f" (+{len(notes) - 3})" if len(notes) > 3 else ""
        solara.Warning(f"{t('store_notes')}: " + "; ".join(notes[:3]) + more, classes=["abm-store-notes"])


def configuration_choice(name: str, labels: list[str]) -> list[str]:
    """The configurations to draw, chosen with a checkbox each, or, for more than MANY (a sensitivity design
    has dozens), in a compact multi-select that starts with the first eight."""
    if len(labels) > MANY:
        chosen = [lb for lb in shown_many.value.get(name, tuple(labels[:len(svg.PALETTE)])) if lb in labels]
        solara.Text(f"{len(labels)} {t('configurations_many')}", classes=["abm-label"])
        solara.SelectMultiple(t("configurations_shown"), values=chosen, all_values=labels, dense=True,
                              on_value=lambda v: shown_many.set({**shown_many.value, name: tuple(v)}),
                              classes=["abm-configurations", "abm-data"])
        return chosen
    solara.Text(t("configurations"), classes=["abm-label"])
    with solara.Row(style="flex-wrap: wrap", classes=["abm-data"]):  # configuration labels are data
        for lb in labels:
            solara.Checkbox(label=lb, value=lb not in hidden.value, on_value=lambda on, lb=lb: hidden.set(
                hidden.value - {lb} if on else hidden.value | {lb}))
    return [lb for lb in labels if lb not in hidden.value]


@solara.component
def ExperimentView(name: str) -> None:
    """A sensitivity experiment's indices, or any other experiment's curves and comparison."""
    root = sr.results_root()
    spec = solara.use_memo(lambda: sr.read_spec(name, root), [name, str(root)])
    if sr.sensitivity_method(spec):
        SensitivityView(name, spec)
    else:
        ComparisonView(name)


@solara.component
def ComparisonView(name: str) -> None:
    """Mean curves of the chosen configurations, the final week against the baseline, and a replay."""
    root = sr.results_root()
    loaded = solara.use_memo(lambda: load_or_message(name, root), [name, str(root)])
    if isinstance(loaded, str):
        solara.Warning(loaded, classes=["abm-store-notes"])
        return
    results = loaded
    c = results.comparison
    Notes(results.notes)
    if c.description.strip():
        solara.Text(c.description, style="color:#555", classes=["abm-data"])
    metrics = list(c.metrics)
    chosen = metric.value if metric.value in metrics else metrics[0]
    solara.Text(t("metric"), classes=["abm-label"])
    with solara.ToggleButtonsSingle(chosen, on_value=metric.set, dense=True, classes=["abm-metrics"]):
        for name_ in metrics:
            solara.Button(metric_label(name_), value=name_, text=True, classes=[f"abm-metric-{name_}"])
    labels = results.labels
    shown = configuration_choice(name, labels)
    # a colour per configuration that stays when others are hidden; among many, per the ones chosen
    colour = {lb: svg.PALETTE[i % 8] for i, lb in enumerate(labels if len(labels) <= MANY else shown)}
    series = [svg.Series(lb, cv["week"].to_numpy(float), cv["mean"].to_numpy(float), colour[lb],
                         cv["lo"].to_numpy(float), cv["hi"].to_numpy(float))
              for lb, cv in sr.curves(results, chosen).items() if lb in colour and lb in shown]
    Chart(svg.line_chart(series, f"{metric_label(chosen)}: {t('mean_band')}", width=760, height=320,
                         data={"metric": chosen, "kind": "mean", "week": c.week}, data_labels=True))
    heading(f"{t('vs_baseline')} ({t('week')} {c.week}):", extra=results.baseline)
    solara.HTML("div", unsafe_innerHTML=table_html(sr.baseline_table(results, chosen), chosen))
    solara.Text(t("paired_note"), style="color:#555; font-size: 12px")
    DownloadRow([
        ("curves", t("csv_curves"), file_name(name, chosen, "curves"), lambda: sr.curves_frame(results, chosen)),
        ("baseline", t("csv_baseline"), file_name(name, chosen, f"week{c.week}"),
         lambda: sr.baseline_table(results, chosen)),
    ], [name, chosen, id(results)])
    if len(results.runs):
        Replay(results.runs)


INDEX_COLUMNS = {"param": "factor", "mu_star": "mu*", "mu_star_conf": "mu* ±", "mu": "mu", "sigma": "sigma",
                 "S1": "S1", "S1_conf": "S1 ±", "ST": "ST", "ST_conf": "ST ±"}  # notation; `factor` is a key


def indices_chart(method: str, metric_name: str, table: pd.DataFrame, week: int | None) -> str:
    """One outcome's indices as horizontal bars, in the table's order (largest mu* or ST first): Morris mu*
    with its interval and sigma beside it, or Sobol ST and S1 with their intervals."""
    def col(name: str) -> np.ndarray:
        return table[name].to_numpy(float)

    if method == "morris":
        bars = [svg.Bars(t("mu_star"), col("mu_star"), col("mu_star_conf"), svg.PALETTE[0]),
                svg.Bars(t("sigma"), col("sigma"), None, svg.PALETTE[4])]
    else:
        bars = [svg.Bars(t("st"), col("ST"), col("ST_conf"), svg.PALETTE[4]),
                svg.Bars(t("s1"), col("S1"), col("S1_conf"), svg.PALETTE[0])]
    return svg.bar_chart([str(p) for p in table["param"]], bars, metric_label(metric_name), width=620,
                         data={"metric": metric_name, "kind": method, "week": week})


def indices_table_html(metric_name: str, table: pd.DataFrame) -> str:
    """One outcome's indices as a table, every value escaped, 3 significant digits."""
    cols = [c for c in table.columns if c in INDEX_COLUMNS]
    cell = ' style="padding:1px 8px;text-align:{}"'
    head = "".join(f"<th{cell.format('left' if c == 'param' else 'right')}>"
                   f"{svg.esc(t(INDEX_COLUMNS[c]) if c == 'param' else INDEX_COLUMNS[c])}</th>" for c in cols)
    rows = "".join(
        f'<tr data-param="{svg.esc(r["param"])}">'
        + "".join(f"<td{cell.format('left')}>{svg.esc(r[c])}</td>" if c == "param"
                  else f"<td{cell.format('right')}>{fmt(float(r[c]))}</td>" for c in cols) + "</tr>"
        for _, r in table.iterrows())
    return (f'<table class="abm-indices-table" data-metric="{svg.esc(metric_name)}" style="border-collapse:collapse;'
            f'font-size:12px"><tr>{head}</tr>{rows}</table>')


@solara.component
def SensitivityView(name: str, spec: dict) -> None:
    """A sensitivity experiment (`spec`: its experiment file): per outcome its indices as a bar chart and a
    table, and the indices as CSV; no curve per design point (a Morris screen has dozens) and no baseline."""
    root = sr.results_root()
    found = solara.use_memo(lambda: indices_or_message(name, root, spec), [name, str(root)])
    if isinstance(found, str):
        solara.Warning(found, classes=["abm-store-notes"])
        return
    Notes(found.notes)
    description = str(spec.get("description") or "")
    if description.strip():
        solara.Text(description, style="color:#555", classes=["abm-data"])
    heading(t(f"indices_{found.method}"), extra=f"{t('week')} {found.week}" if found.week is not None else "")
    solara.Text(t(f"indices_note_{found.method}"), style="color:#555; font-size: 12px")
    DownloadRow([("indices", t("csv_indices"), file_name(name, found.method, "indices"),
                  lambda: sr.indices_frame(found))], [name, id(found)])
    with solara.Column(classes=["abm-indices"]):
        for m, table in found.tables.items():
            with solara.Row(style="flex-wrap: wrap; align-items: center; gap: 12px"):
                Chart(indices_chart(found.method, m, table, found.week))
                solara.HTML("div", unsafe_innerHTML=indices_table_html(m, table))


def indices_or_message(name: str, root: Path, spec: dict | None = None) -> sr.Indices | str:
    """The experiment's indices, or the one-line reason there are none."""
    try:
        found = sr.load_indices(name, root, spec=spec)
    except UserError as exc:
        return f"{t('no_results')}: {sr.within(str(exc), root)}"
    except Exception as exc:  # noqa: BLE001  (a store broken in a way the reader does not know: one line)
        import traceback

        print("abm viz: reading the store failed:", "".join(traceback.format_exception(exc)), flush=True)
        return f"{t('no_results')}: {name} ({type(exc).__name__}; {t('page_error_hint')})"
    if not found.tables:
        return f"{t('no_results')}: " + "; ".join(found.notes)
    return found


def load_or_message(name: str, root: Path) -> sr.Results | str:
    """The experiment's results, or the one-line reason there are none (what `abm compare` would say)."""
    try:
        return sr.load(name, root)
    except UserError as exc:
        return f"{t('no_results')}: {sr.within(str(exc), root)}"
    except Exception as exc:  # noqa: BLE001  (a store broken in a way the reader does not know: one line)
        import traceback

        print("abm viz: reading the store failed:", "".join(traceback.format_exception(exc)), flush=True)
        return f"{t('no_results')}: {name} ({type(exc).__name__}; the server's console has the details)"


@solara.component
def ResultsPage() -> None:
    root = sr.results_root()
    names, notes = sr.experiments(root)
    heading(t("results"), 3, str(root.resolve()))
    Notes(notes)
    if not names:
        solara.Info(f"{t('no_experiments')} {root.resolve()}. Run e.g. `uv run abm experiment quickstart`.")
        return
    solara.Text(t("experiment"), classes=["abm-label"])
    # not mandatory: a mandatory toggle with nothing chosen picks its first item in the browser on mount, and
    # that pick could overtake a click (the page then showed the first experiment under the clicked button)
    solara.ToggleButtonsSingle(experiment.value if experiment.value in names else None, values=names,
                               on_value=lambda v: experiment.set(v or ""), mandatory=False,
                               classes=["abm-experiments", "abm-data"], style="flex-wrap: wrap")
    if experiment.value in names:
        ExperimentView(experiment.value)
