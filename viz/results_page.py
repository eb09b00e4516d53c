"""The Results page: experiments in the results store, mean curves with 95% bands, the comparison with
the baseline, and a week-by-week replay of one stored run on the unit network."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import solara

from abm.errors import UserError
from viz import store_reader as sr
from viz import svg
from viz.i18n import metric_label, t
from viz.layout import compute_layout, unit_ties
from viz.markup import Md

experiment = solara.reactive("")
metric = solara.reactive("")
hidden = solara.reactive(frozenset[str]())
replay_pick = solara.reactive(0)
replay_week = solara.reactive(0)
replay_playing = solara.reactive(False)


def short_label(label: str, runs: list[sr.StoredRun]) -> str:
    """A configuration's overrides without those every run shares."""
    common = set.intersection(*(set(r.label.split()) for r in runs)) if runs else set()
    return " ".join(w for w in label.split() if w not in common) or label


def fmt(v: float) -> str:
    return "" if not np.isfinite(v) else f"{v:.3g}"


def table_html(table: pd.DataFrame, metric_name: str) -> str:
    head = (f"<tr><th>{t('configurations')}</th><th>{t('mean')}</th><th>{t('ci')}</th>"
            f"<th>{t('diff')}</th><th>{t('ci')}</th><th>{t('n_runs')}</th></tr>")
    rows = []
    for r in table.itertuples():
        mark = " (baseline)" if r.baseline else ""
        rows.append(f"<tr><td>{svg.esc(r.label)}{mark}</td><td>{fmt(r.mean)}</td><td>[{fmt(r.lo)}, {fmt(r.hi)}]</td>"
                    f"<td>{fmt(r.diff)}</td><td>{'' if r.baseline else f'[{fmt(r.diff_lo)}, {fmt(r.diff_hi)}]'}</td>"
                    f"<td>{r.n}</td></tr>")
    return (f'<table class="abm-baseline-table" data-metric="{metric_name}" style="border-collapse:collapse">'
            f"{head}{''.join(rows)}</table>")


@solara.component
def Replay(runs: list[sr.StoredRun]) -> None:
    """One stored run, week by week: units sized by staff and coloured by maturity stage."""
    run = runs[min(replay_pick.value, len(runs) - 1)]
    units = solara.use_memo(lambda: sr.load_units(run), [run.path])
    drawing = solara.use_memo(lambda: replay_layout(run, units), [run.path])
    weeks = np.sort(units["week"].unique())
    week = int(min(replay_week.value, weeks.max()))

    def loop(cancel: threading.Event) -> None:
        while replay_playing.peek() and not cancel.is_set():
            if replay_week.peek() >= weeks.max():
                replay_playing.set(False)
                return
            replay_week.set(replay_week.peek() + 1)
            cancel.wait(0.08)

    solara.use_thread(loop, dependencies=[replay_playing.value, str(run.path)], intrusive_cancel=False)
    Md(f"#### {t('replay')}")
    names = [f"{short_label(r.label, runs)} seed={r.seed}" for r in runs]
    solara.Select(t("run"), values=names, value=names[runs.index(run)],
                  on_value=lambda v: replay_pick.set(names.index(v)), classes=["abm-replay-run"])
    with solara.Row(style="align-items: center"):
        solara.Button(t("pause") if replay_playing.value else t("play"),
                      on_click=lambda: replay_playing.set(not replay_playing.value), classes=["abm-replay-play"])
        solara.SliderInt(t("week"), value=week, min=0, max=int(weeks.max()), on_value=replay_week.set)
        solara.HTML("span", unsafe_innerHTML=f'{t("week")} <b class="abm-replay-week">{week}</b>')
    now = units[units["week"] == week].sort_values("unit")
    layout, ties = drawing
    solara.HTML("div", unsafe_innerHTML=svg.unit_network(
        layout, now["stage"].to_numpy(), ties, [f"unit {u + 1}" for u in now["unit"]],
        f"{t('stage')} 0-7", {"week": week}), style="max-width: 640px")


def replay_layout(run: sr.StoredRun, units: pd.DataFrame) -> tuple[object, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The unit network of a stored run: rebuilt from its stored config (same seed, same ties)."""
    first = units[units["week"] == units["week"].min()].sort_values("unit")
    sizes = first["n_staff"].to_numpy()
    staff_unit = np.repeat(np.arange(sizes.size), sizes)
    empty = (np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    config = sr.run_config(run)
    try:
        from abm.core.model import RegionModel
        from abm.core.params import from_dict

        model = RegionModel(from_dict(config)) if config else None
    except (UserError, TypeError, ValueError):
        model = None
    if model is None:
        return compute_layout(sizes, staff_unit, run.seed), empty
    tie = unit_ties(model.network.adjacency, model.staff.unit, model.units.n)
    return compute_layout(model.units.size, model.staff.unit, run.seed), (tie.row, tie.col, tie.data)


@solara.component
def ExperimentView(name: str) -> None:
    root = sr.results_root()
    meta = solara.use_memo(lambda: sr.experiment_meta(name, root), [name])
    runs = solara.use_memo(lambda: sr.load_runs(name, root), [name])
    metrics = [str(m) for m in (meta.get("metrics") or sr.DEFAULT_METRICS)]
    chosen = metric.value if metric.value in metrics else metrics[0]
    region = solara.use_memo(lambda: sr.load_region(runs, metrics), [name, tuple(metrics)])
    if region.empty:
        solara.Warning(t("no_experiments"))
        return
    if meta.get("description"):
        solara.Text(str(meta["description"]), style="color:#555")
    solara.Text(t("metric"), classes=["abm-label"])
    solara.ToggleButtonsSingle(chosen, values=metrics, on_value=metric.set, dense=True, classes=["abm-metrics"])
    labels = sorted(region["label"].unique())
    solara.Text(t("configurations"), classes=["abm-label"])
    with solara.Row(style="flex-wrap: wrap"):
        for label in labels:
            solara.Checkbox(label=label, value=label not in hidden.value, on_value=lambda on, lb=label: hidden.set(
                hidden.value - {lb} if on else hidden.value | {lb}))
    shown = region[~region["label"].isin(hidden.value)]
    series = [svg.Series(label, c["week"].to_numpy(float), c["mean"].to_numpy(), svg.PALETTE[i % 8],
                         c["lo"].to_numpy(), c["hi"].to_numpy())
              for i, (label, c) in enumerate(sr.curves(shown, chosen).items())]
    solara.HTML("div", unsafe_innerHTML=svg.line_chart(
        series, f"{metric_label(chosen)}: {t('mean_band')}", width=760, height=320,
        data={"metric": chosen, "kind": "mean"}))
    Md(f"#### {t('vs_baseline')}: `{meta.get('baseline', labels[0])}`")
    solara.HTML("div", unsafe_innerHTML=table_html(sr.baseline_table(region, chosen, str(meta.get("baseline", ""))),
                                                   chosen))
    Replay(runs)


@solara.component
def ResultsPage() -> None:
    root = sr.results_root()
    names = sr.list_experiments(root)
    Md(f"### {t('results')} <small>({root.resolve()})</small>")
    if not names:
        solara.Info(f"{t('no_experiments')} {root.resolve()}. Run e.g. `uv run abm experiment quickstart`.")
        return
    solara.Text(t("experiment"), classes=["abm-label"])
    solara.ToggleButtonsSingle(experiment.value if experiment.value in names else None, values=names,
                               on_value=experiment.set, classes=["abm-experiments"], style="flex-wrap: wrap")
    if experiment.value in names:
        ExperimentView(experiment.value)
