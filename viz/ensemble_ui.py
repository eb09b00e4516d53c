"""The "Many futures" card of the Live and Compare pages: N futures of the applied settings (viz.ensemble),
with a progress bar and Cancel, then the mean curves with 95% bands and the verdict in plain words.

The card only lays out: the runs, the store and the numbers are viz.ensemble's (abm compare's statistics).
Its state is one `Panel` per page of Solara reactive values (one value per browser session), so the answer
stays while the page is left and shown again, as long as the applied settings are the same.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import solara

from abm.analysis.markdown import fmt
from abm.errors import UserError
from viz import ensemble as E
from viz import state, svg
from viz import store_reader as sr
from viz.i18n import language, metric_label, t
from viz.svg import esc


@dataclass
class Panel:
    """A page's card: the futures asked for, the job under way, its progress and its answer."""

    n: solara.Reactive[int]
    job: solara.Reactive[E.Job | None]
    progress: solara.Reactive[tuple[int, int]]
    result: solara.Reactive[E.Ensemble | None]
    error: solara.Reactive[str]


def _panel() -> Panel:
    return Panel(solara.reactive(E.DEFAULT_N), solara.reactive(None), solara.reactive((0, 0)),
                 solara.reactive(None), solara.reactive(""))


PANELS = {1: _panel(), 2: _panel()}  # Live (one arm), Compare (A and B)


def start(panel: Panel, runs: tuple[state.Run, ...]) -> None:
    """Run N futures of the runs' applied settings in the background (viz.ensemble.Job)."""
    n = panel.n.value
    panel.error.set("")
    panel.result.set(None)
    if not isinstance(n, int) or not 1 <= n <= E.MAX_N:
        panel.error.set(t("ens_n_bad").format(most=E.MAX_N))
        return
    arms = [r.applied.value for r in runs]
    panel.progress.set((0, n * len(arms)))
    closed = state.session_closed_event()
    job = E.Job(arms, n, root=sr.results_root(), on_progress=lambda done, total: panel.progress.set((done, total)),
                on_done=lambda result: finished(panel, result), on_error=lambda error: failed(panel, error),
                stopped=closed.is_set)
    panel.job.set(job)
    job.start()


def finished(panel: Panel, result: E.Ensemble) -> None:
    panel.result.set(result)
    panel.job.set(None)


def failed(panel: Panel, error: Exception) -> None:
    """One line for the page: the app's own words for A = B and a busy server, the store's message (without
    the store's location) for a refused setting or a busy experiment, the exception's type otherwise."""
    if isinstance(error, E.SameSettings):
        text = t("ens_same")
    elif isinstance(error, E.Busy):
        text = t("ens_busy")
    elif isinstance(error, UserError):
        text = sr.within(str(error), sr.results_root())
    else:
        text = f"{t('ens_failed')} ({type(error).__name__}); {t('page_error_hint')}"
    panel.error.set(text)
    panel.job.set(None)


def cancel(panel: Panel) -> None:
    job = panel.job.value
    if job is not None:
        job.cancel()


def signed(value: float, digits: int = 1) -> str:
    """A signed number with a real minus sign: +2.1, −0.4."""
    return f"{value:+.{digits}f}".replace("-", "\u2212")


def interval(mid: str, lo: str, hi: str) -> str:
    return f"{mid} [{lo}, {hi}]"


def verdict_html(v: E.Verdict) -> str:
    """One headline outcome of B against A in words: wins, which way is better, the paired difference with
    its 95% interval (as a share of A's mean where A's mean is not about zero), and what it comes to."""
    when = t("ens_over_run" if v.over_run else "ens_at_week").format(week=v.week)
    direction = t("ens_higher" if v.better > 0 else "ens_lower")
    wins = t("ens_wins").format(wins=v.wins, n=v.n) + (f" ({t('ens_ties').format(ties=v.ties)})" if v.ties else "")
    absolute = interval(fmt(v.diff), fmt(v.diff_lo), fmt(v.diff_hi))
    pct = v.pct
    if all(math.isfinite(x) for x in pct):
        diff = f"{interval(*(signed(x) + '%' for x in pct))} {t('ens_of_a')} ({absolute})"
    else:
        diff = absolute
    word = {"B": "ens_b_better", "A": "ens_a_better", "": "ens_unclear"}[v.winner]
    return (f'<li class="abm-verdict" data-metric="{esc(v.metric)}" data-wins="{v.wins}" data-n="{v.n}"'
            f' data-diff="{v.diff!r}" data-diff-lo="{v.diff_lo!r}" data-diff-hi="{v.diff_hi!r}"'
            f' data-winner="{esc(v.winner)}"><b>{esc(metric_label(v.metric))}</b> ({esc(direction)}): {esc(wins)}. '
            f'{esc(t("ens_diff"))}, {esc(when)}: {esc(diff)}: <b>{esc(t(word))}</b>.</li>')


def final_html(f: E.Final) -> str:
    """One arm's headline outcome over its futures: mean [95% interval]."""
    when = t("ens_over_run" if f.over_run else "ens_at_week").format(week=f.week)
    return (f'<li class="abm-final" data-metric="{esc(f.metric)}" data-mean="{f.mean!r}" data-lo="{f.lo!r}"'
            f' data-hi="{f.hi!r}"><b>{esc(metric_label(f.metric))}</b>, {esc(when)}: '
            f'{esc(interval(fmt(f.mean), fmt(f.lo), fmt(f.hi)))}</li>')


def charts_html(result: E.Ensemble) -> str:
    """Each headline outcome's mean curve over the futures with its 95% band, one per arm (viz.svg.line_chart
    draws a series' lo and hi as its band), and on Compare below it B - A paired by future with its band."""
    c = result.comparison
    assert c is not None
    names = [a.settings.practice for a in result.arms] if len(result.arms) == 1 else \
        [f"{t(w)}: {a.settings.practice}" for w, a in zip(("run_a", "run_b"), result.arms, strict=True)]
    out = []
    for m in E.HEADLINE:
        series = [svg.Series(name, cv["week"].to_numpy(float), cv["mean"].to_numpy(float), svg.PALETTE[i],
                             cv["lo"].to_numpy(float), cv["hi"].to_numpy(float))
                  for i, (name, cv) in enumerate(zip(names, E.curves(c, m), strict=True))]
        chart = svg.line_chart(series, metric_label(m), data={"metric": m, "kind": "futures"})
        if len(result.arms) == 2:
            d = E.difference_curve(c, m)
            diff = svg.Series(t("ens_diff"), d["week"].to_numpy(float), d["mean"].to_numpy(float), svg.PALETTE[3],
                              d["lo"].to_numpy(float), d["hi"].to_numpy(float))
            chart += svg.line_chart([diff], t("difference"), height=120, zero_line=True,
                                    data={"metric": m, "kind": "futures-difference"})
        out.append(f'<div class="abm-futures-chart" style="display:flex;flex-direction:column">{chart}</div>')
    return (f'<h4>{esc(t("ens_curves"))}</h4><div class="abm-futures-charts" style="display:flex;flex-wrap:wrap;'
            f'gap:8px">{"".join(out)}</div>')


def result_html(result: E.Ensemble) -> str:
    """The verdict (Compare) or the final values (Live), the curves, and where the numbers came from."""
    c = result.comparison
    assert c is not None
    n = len(result.arms[0].spec.seeds)
    if len(result.arms) == 2:
        items = "".join(verdict_html(v) for v in E.verdicts(c))
        head = f'<h4>{esc(t("ens_verdict"))}</h4><ul class="abm-verdicts">{items}</ul>'
    else:
        items = "".join(final_html(f) for f in E.finals(c))
        head = f'<h4>{esc(t("ens_finals").format(n=n))}</h4><ul class="abm-finals">{items}</ul>'
    source = t("ens_from_store") if result.from_store else \
        t("ens_ran").format(ran=result.ran, kept=result.total - result.ran)
    command = f"uv run abm compare {' '.join(result.experiments)}"
    return (head + f'<div class="abm-futures-source" data-ran="{result.ran}" style="color:#555;font-size:12px">'
            f'{esc(source)} {esc(t("ens_command"))} <code class="abm-futures-command">{esc(command)}</code></div>'
            + charts_html(result))


def warm_up_if_served() -> None:
    """Start the workers' forkserver early (viz.ensemble.warm_up) in a real `abm viz` server (which sets
    SOLARA_APP), not when a test renders the page in its own process."""
    if os.environ.get("SOLARA_APP") == "viz.app":
        E.warm_up()


def current(result: E.Ensemble | None, runs: tuple[state.Run, ...]) -> bool:
    """Whether an answer is about the applied settings (it says itself how many futures it is over)."""
    return result is not None and [a.settings for a in result.arms] == [r.applied.value for r in runs]


@solara.component
def ManyFutures(runs: tuple[state.Run, ...]) -> None:
    """The card: N, Run and Cancel, the progress bar, then the answer for the applied settings."""
    panel = PANELS[len(runs)]
    solara.use_effect(warm_up_if_served, [])
    language.value  # noqa: B018  (subscribe: the words follow the language switch)
    job, (done, total), result, error = panel.job.value, panel.progress.value, panel.result.value, panel.error.value
    n = panel.n.value
    with solara.Card(t("ens_title"), margin=0, classes=["abm-futures"]):
        intro = [t("ens_intro"), *([t("ens_intro_compare")] if len(runs) == 2 else [])]
        solara.HTML("div", unsafe_innerHTML="".join(f'<p style="margin:0 0 6px 0">{esc(p)}</p>' for p in intro),
                    style="font-size: 13px; color: #444")
        with solara.Row(style="align-items: center; flex-wrap: wrap; margin-top: 8px"):
            solara.InputInt(t("ens_n"), value=n, on_value=lambda v: panel.n.set(v if v is not None else 0),
                            dense=True, disabled=job is not None, classes=["abm-futures-n"],
                            style="max-width: 160px")
            solara.Button(t("ens_run").format(n=n), icon_name="mdi-chart-bell-curve", color="primary",
                          on_click=lambda: start(panel, runs), disabled=job is not None,
                          classes=["abm-futures-run"])
            if job is not None:
                solara.Button(t("ens_cancel"), icon_name="mdi-cancel", on_click=lambda: cancel(panel),
                              classes=["abm-futures-cancel"])
        if job is not None:
            solara.ProgressLinear(100.0 * done / max(total, 1), classes=["abm-futures-progress"])
            solara.Text(t("ens_progress").format(done=done, total=total), classes=["abm-futures-count"])
        if error:
            solara.Error(error, dense=True, classes=["abm-futures-error"])
        if result is not None and result.status == "cancelled" and job is None:
            solara.Warning(t("ens_cancelled").format(done=result.done, total=result.total), dense=True,
                           classes=["abm-futures-cancelled"])
        if result is not None and result.status == "done" and current(result, runs):
            solara.HTML("div", unsafe_innerHTML=result_html(result), classes=["abm-futures-result"])
