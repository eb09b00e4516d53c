"""Many futures of the Live or Compare settings: an ensemble run through the project's own experiment
machinery into the results store, and read back through `abm compare`'s own statistics.

Each arm (Live's one run, or Compare's A and B) is one experiment: its settings as the base, no sweep, seeds
0..N-1 (`abm.experiments.spec.Spec`, planned by `plan`, launched by `abm.experiments.launch.run_experiment`
with the local executor on this machine's cores, as `abm experiment` launches it). A and B run the same
seeds, so their runs share their random streams (common random numbers) and `abm compare A B` pairs them by
seed. (One experiment sweeping what differs would be the product of the differing keys: with two keys
moved, four configurations, and `abm compare` pairs on one key, so B would meet a mixed configuration.)

An arm's experiment is named by a hash of its planned configuration (the resolved config's hash, which is
how the store names a configuration) and N, so asking again for the same settings finds the same
experiment, and the store skips every finished run: nothing is computed twice. A cancelled ensemble keeps
its finished runs (each is published atomically on its own) and the next one runs only the rest.

The numbers shown are `abm.analysis.compare.compare`'s (the function `abm compare` prints): per headline
outcome the paired mean difference B - A with its 95% t interval, at the last week for a stock (digital
maturity, services live, the waiting list) and as the run mean over weeks 1..W for a flow (care delivered
per week), as the registry's `kind` says; only the count of futures in which B does better is counted here,
from the same per-run values. No Solara here: viz/ensemble_ui.py lays it out.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from abm.core.metrics import REGISTRY
from abm.errors import UserError
from abm.store.layout import results_root, run_dir, run_status
from viz.levers import Settings
from viz.words import OUTCOMES

if TYPE_CHECKING:
    from abm.analysis.compare import Comparison
    from abm.experiments.spec import Configuration, Spec

HEADLINE = ("maturity_total", "care_production", "waiting_list", "services_live")
BETTER: dict[str, int] = {m: OUTCOMES[m].better for m in HEADLINE}  # +1 higher, -1 lower (viz.words, once)
DEFAULT_N = 20
MAX_N = 200
PREFIX = "futures_"  # the store's experiments made by the app
PROGRESS_S = 0.25  # how often the store is looked at for finished runs
ARM_NAMES = ("A", "B")


class SameSettings(UserError):
    """A and B have the same configuration: there is nothing to compare."""


class Busy(UserError):
    """Another session's futures are running on this server (one ensemble at a time: each uses every core)."""


_running = threading.Lock()  # held while an ensemble runs, server-wide


@dataclass
class Arm:
    """One arm's experiment: its spec (name, base, seeds, metrics) and its one planned configuration."""

    settings: Settings
    spec: Spec
    config: Configuration

    @property
    def name(self) -> str:
        return self.spec.name


def arm_overrides(settings: Settings) -> list[str]:
    """The settings as Hydra overrides without the seed: the ensemble runs seeds 0..N-1 itself."""
    return [o for o in settings.overrides() if not o.startswith("seed=")]


def experiment_name(config_hash: str, n: int) -> str:
    """The arm's experiment: a hash of its configuration's hash (the resolved config) and N."""
    digest = hashlib.sha256(f"{config_hash} seeds=0..{n - 1}".encode()).hexdigest()[:12]
    return f"{PREFIX}{digest}"


def check_n(n: int) -> int:
    """N futures, a whole number in [1, MAX_N]."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_N:
        raise UserError(f"futures={n!r} is not allowed: a whole number in [1, {MAX_N}]")
    return n


def plan_arm(settings: Settings, n: int) -> Arm:
    """The arm's experiment, planned (composed and validated) as `abm experiment` plans a file."""
    from abm.experiments.spec import Spec, plan

    spec = Spec(name="futures", path=Path("<app>"), description="Many futures, from the browser app (abm viz)",
                base=arm_overrides(settings), seeds=list(range(check_n(n))), metrics=list(HEADLINE))
    (config,) = plan(spec)
    spec.name = experiment_name(config.config_hash, n)
    spec.path = Path(f"<app: {spec.name}>")
    return Arm(settings, spec, config)


def plan_arms(arms: Sequence[Settings], n: int) -> list[Arm]:
    """One or two arms; SameSettings if A and B would run the same configuration."""
    planned = [plan_arm(s, n) for s in arms]
    if len(planned) == 2 and planned[0].name == planned[1].name:
        raise SameSettings("A and B have the same settings: change B to compare them")
    return planned


def runs_done(arms: Sequence[Arm], root: Path) -> int:
    """Finished runs of the arms now in the store."""
    return sum(run_status(run_dir(root / a.name, a.config.config_hash, s), checksums=False) == "ok"
               for a in arms for s in a.spec.seeds)


@dataclass(eq=False)
class Ensemble:
    """What a request for many futures ended with. `status`: "done", "cancelled" or "error"."""

    arms: list[Arm]
    root: Path
    status: str
    ran: int = 0  # runs computed by this request (0: everything came from the results store)
    done: int = 0  # finished runs in the store
    message: str = ""
    comparison: Comparison | None = field(default=None, repr=False)

    @property
    def total(self) -> int:
        return sum(len(a.spec.seeds) for a in self.arms)

    @property
    def from_store(self) -> bool:
        return self.status == "done" and self.ran == 0

    @property
    def experiments(self) -> list[str]:
        return [a.name for a in self.arms]


def default_workers() -> int:
    """This machine's cores."""
    return os.cpu_count() or 1


def start_method() -> str:
    """Workers start from a forkserver on Linux (the app's server has many threads, so forking it directly
    could deadlock; abm.experiments.workers); $ABM_START_METHOD still chooses."""
    from abm.experiments.workers import start_method as policy

    return policy("forkserver")


_warm = threading.Lock()
_warmed: list[bool] = []


def warm_up() -> None:
    """Start the workers' forkserver, which loads the model's kernels once (a few seconds of one core), and
    import what reads the answer (abm compare's modules, about a second), in a daemon thread, once per
    server: the card calls it when it is first shown, so the first "Run" does not wait for them. Only where
    workers start from a forkserver; a failure only loses the head start."""
    with _warm:
        if _warmed or start_method() != "forkserver":
            return
        _warmed.append(True)

    def start() -> None:
        import multiprocessing
        from multiprocessing import forkserver

        from abm.experiments.executors import FORKSERVER_PRELOAD

        try:
            multiprocessing.get_context("forkserver").set_forkserver_preload(FORKSERVER_PRELOAD)
            forkserver.ensure_running()
            import abm.analysis.compare  # noqa: F401  (and the answer's reading: matplotlib, DuckDB)
            import abm.experiments.launch  # noqa: F401
        except Exception as err:  # noqa: BLE001
            print(f"abm viz: the workers' forkserver did not start early ({type(err).__name__})", flush=True)

    threading.Thread(target=start, daemon=True, name="abm-viz-forkserver").start()


def run_ensemble(arms: Sequence[Settings], n: int = DEFAULT_N, root: Path | None = None, workers: int | None = None,
                 on_progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Ensemble:
    """Run the futures of one arm (Live) or two (Compare) not yet in the store, then compare them.

    `on_progress(done, total)` is called as runs finish (from a watcher thread, and once at the end);
    `cancelled()` is asked between runs: once True the workers stop, the finished runs stay stored, and
    the answer has status "cancelled". A refused setting or a busy store is a UserError, and so is a second
    ensemble while one runs on this server (Busy)."""
    if not _running.acquire(blocking=False):
        raise Busy("other futures are running on this server: try again when they are done")
    try:
        return _run_ensemble(arms, n, results_root(root), workers, on_progress, cancelled)
    finally:
        _running.release()


def _run_ensemble(arms: Sequence[Settings], n: int, root: Path, workers: int | None,
                  on_progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None) -> Ensemble:
    from abm.experiments.executors import Cancelled
    from abm.experiments.launch import run_experiment

    planned = plan_arms(arms, n)
    before = runs_done(planned, root)
    result = Ensemble(planned, root, "done", done=before)
    report = on_progress or (lambda done, total: None)
    report(before, result.total)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(planned, root, result.total, report, stop), daemon=True,
                               name="abm-viz-futures-progress")
    watcher.start()
    try:
        for arm in planned:
            if cancelled is not None and cancelled():
                raise Cancelled("cancelled")
            outcome = run_experiment(arm.spec, [arm.config], root, workers=workers or default_workers(),
                                     progress=False, start_method=start_method(), cancelled=cancelled)
            result.ran += len(outcome.status) - outcome.skipped
            if not outcome.complete:
                raise UserError(outcome.summary().splitlines()[0])
    except Cancelled:
        result.status = "cancelled"
    finally:
        stop.set()
        watcher.join()
    result.done = runs_done(planned, root)
    report(result.done, result.total)
    if result.status == "done":
        result.comparison = compare_arms(planned, root)
    return result


def _watch(arms: Sequence[Arm], root: Path, total: int, report: Callable[[int, int], None],
           stop: threading.Event) -> None:
    shown = -1
    while not stop.wait(PROGRESS_S):
        done = runs_done(arms, root)
        if done != shown:
            report(done, total)
            shown = done


def compare_arms(arms: Sequence[Arm], root: Path) -> Comparison:
    """`abm compare` of the arms' experiments (A first: the baseline), of the headline outcomes."""
    from abm.analysis.compare import compare

    return compare([a.name for a in arms], list(HEADLINE), root=root)


def statistic(metric: str) -> str:
    """Which of compare's statistics tells a metric: "" (its value at the last week) for a stock or a share,
    "_mean" (each run's mean over weeks 1..W) for a flow, whose single week is one week's noise."""
    from abm.analysis.compare import MEAN

    return MEAN if REGISTRY[metric].kind == "flow" else ""


@dataclass(frozen=True)
class Verdict:
    """B against A on one headline outcome: compare's paired difference and in how many futures B did better."""

    metric: str
    better: int  # +1: higher is better; -1: lower is better
    over_run: bool  # True: each run's mean over weeks 1..week; False: the value at `week`
    week: int
    n: int  # futures paired by seed
    wins: int  # futures in which B did better than A
    ties: int  # futures in which B and A came out the same
    mean_a: float
    mean_b: float
    diff: float  # B - A, mean over the paired futures
    diff_lo: float
    diff_hi: float

    def percent(self, value: float) -> float:
        """`value` as a percentage of A's mean (NaN where A's mean is about zero)."""
        return 100.0 * value / self.mean_a if abs(self.mean_a) > 1e-12 else math.nan

    @property
    def pct(self) -> tuple[float, float, float]:
        return self.percent(self.diff), self.percent(self.diff_lo), self.percent(self.diff_hi)

    @property
    def winner(self) -> str:
        """"B" or "A" when the 95% interval excludes no difference, else "" (no clear difference)."""
        if not (self.diff_lo > 0 or self.diff_hi < 0):
            return ""
        return "B" if self.diff * self.better > 0 else "A"


def per_run(c: Comparison, over_run: bool) -> pd.DataFrame:
    """Each run's value (at the week, or its run mean), one row per experiment and seed."""
    return c.means if over_run else c.final


def verdicts(c: Comparison) -> list[Verdict]:
    """B against A (A: the comparison's baseline) on every headline outcome, from compare's tables."""
    a, b = c.experiments
    out = []
    for m in HEADLINE:
        s = statistic(m)
        pair = c.paired[(c.paired["experiment"] == b) & (c.paired["metric"] == m)].iloc[0]
        means = c.summary[c.summary["metric"] == m].set_index("experiment")[f"mean{s}"]
        runs = per_run(c, bool(s)).pivot_table(index="seed", columns="experiment", values=m, aggfunc="first")
        runs = runs.dropna()
        gain = (runs[b] - runs[a]) * BETTER[m]
        out.append(Verdict(m, BETTER[m], bool(s), c.week, int(pair[f"n_pairs{s}"]), int((gain > 0).sum()),
                           int((gain == 0).sum()), float(means[a]),
                           float(means[b]), float(pair[f"diff{s}"]), float(pair[f"diff_lo{s}"]),
                           float(pair[f"diff_hi{s}"])))
    return out


@dataclass(frozen=True)
class Final:
    """One arm's headline outcome over its futures: the mean and its 95% t interval (compare's summary)."""

    metric: str
    over_run: bool
    week: int
    n: int
    mean: float
    lo: float
    hi: float


def finals(c: Comparison, experiment: str | None = None) -> list[Final]:
    """An arm's headline outcomes (the first experiment by default), from compare's summary table."""
    experiment = experiment or c.experiments[0]
    out = []
    rows = c.summary if "experiment" not in c.summary else c.summary[c.summary["experiment"] == experiment]
    for m in HEADLINE:
        s = statistic(m)
        r = rows[rows["metric"] == m].iloc[0]
        out.append(Final(m, bool(s), c.week, int(r[f"n{s}"]), float(r[f"mean{s}"]), float(r[f"ci_lo{s}"]),
                         float(r[f"ci_hi{s}"])))
    return out


def curves(c: Comparison, metric: str) -> list[pd.DataFrame]:
    """Per arm (A, then B): week, mean, lo, hi of `metric` over the futures (abm.analysis.stats.band, as the
    Results page draws its bands)."""
    from abm.analysis.stats import band

    bands = band(c.region, c.keys, metric)
    if "experiment" not in c.keys:
        return [bands.sort_values("week")[["week", "mean", "lo", "hi"]].reset_index(drop=True)]
    return [bands[bands["experiment"] == e].sort_values("week")[["week", "mean", "lo", "hi"]].reset_index(drop=True)
            for e in c.experiments]


def difference_curve(c: Comparison, metric: str) -> pd.DataFrame:
    """Week by week, B - A paired by future (seed): the mean and 95% t band of the per-future differences
    (abm.analysis.stats.band); at the last week these are the paired difference and interval compare gives."""
    from abm.analysis.stats import band

    a, b = c.experiments
    wide = c.region.pivot_table(index=["seed", "week"], columns="experiment", values=metric, aggfunc="first")
    diff = (wide[b] - wide[a]).rename(metric).reset_index()
    return band(diff, [], metric).sort_values("week")[["week", "mean", "lo", "hi"]].reset_index(drop=True)


class Job:
    """Many futures in a background thread: progress through `on_progress(done, total)`, the answer through
    `on_done(ensemble)` (or `on_error(error)`: a UserError for a refused setting, the same settings in A and
    B, a busy store or server; any other exception is printed to the console first), `cancel()` to stop.

    A thread started from a browser session carries the session's context (Solara patches threading), so
    the callbacks may set the session's reactive values."""

    def __init__(self, arms: Sequence[Settings], n: int = DEFAULT_N, root: Path | None = None,
                 workers: int | None = None, on_progress: Callable[[int, int], None] | None = None,
                 on_done: Callable[[Ensemble], None] | None = None,
                 on_error: Callable[[Exception], None] | None = None,
                 stopped: Callable[[], bool] | None = None) -> None:
        self.arms, self.n, self.root, self.workers = list(arms), n, root, workers
        self.on_progress, self.on_done, self.on_error = on_progress, on_done, on_error
        self.stopped = stopped  # another reason to stop (the browser session closed)
        self.result: Ensemble | None = None
        self.error: Exception | None = None
        self._cancel = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="abm-viz-futures")

    def start(self) -> Job:
        self.thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set() or (self.stopped is not None and self.stopped())

    def wait(self, timeout: float | None = None) -> Ensemble | None:
        self.thread.join(timeout)
        return self.result

    def _run(self) -> None:
        try:
            self.result = run_ensemble(self.arms, self.n, self.root, self.workers, self.on_progress, self.cancelled)
        except UserError as err:
            self.error = err
        except Exception as err:  # noqa: BLE001  (one line for the page; the traceback to the console)
            import sys
            import traceback

            print("abm viz: many futures failed:", "".join(traceback.format_exception(err)), file=sys.stderr,
                  flush=True)
            self.error = err
        if self.error is not None:
            if self.on_error:
                self.on_error(self.error)
        elif self.on_done and self.result is not None:
            self.on_done(self.result)
