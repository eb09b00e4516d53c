"""`abm discover NAME`: scenario discovery (Bryant & Lempert 2010) over a discovery file's deep uncertainties.

The discovery's folder in the results store (`<root>/<name>/`):

    discovery.yaml          the file as run (a different file for the same name is refused: --force-new)
    runs/<hash>/seed=<s>/   every run, stored like an experiment's (resumes without running them again)
    scenarios.parquet       one row per scenario: factor values, both designs' seed-mean outcome, difference, wins
    runs.parquet            one row per run: scenario, design, seed, outcome

The report folder (`--out`, default outputs/discovery) gets `<name>/report.md` with CSVs and PNG figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from abm.discovery import figures, report
from abm.discovery.prim import PrimResult, base_rate, most_restricted, run_prim
from abm.discovery.runs import DIFFERENCE, WINS, jobs, pending, run_all, run_table, scenario_table, warm_up
from abm.discovery.sampling import latin_hypercube
from abm.discovery.spec import Discovery
from abm.errors import UserError
from abm.experiments.executors import Job, Local, make_executor
from abm.experiments.jobs import run_jobs
from abm.experiments.spec import launcher_overrides
from abm.store.files import atomic_write, write_text
from abm.store.guard import check_writable, experiment_lock, move_aside
from abm.store.invocations import invocations, log_invocation
from abm.store.publish import clean_partial
from abm.store.reader import DISCOVERY_FILE

SCENARIOS_FILE = "scenarios.parquet"
RUNS_FILE = "runs.parquet"
# Keys a resumed discovery may change: they decide how the runs are launched and analysed, never which runs
# there are (another criterion or PRIM setting re-analyses the same runs).
RESUMABLE_KEYS = ("description", "written", "launcher", "criterion", "prim")
BATCHES = 10  # progress lines per discovery


@dataclass
class Result:
    disc: Discovery
    exp_dir: Path
    report_dir: Path
    table: pd.DataFrame
    runs: pd.DataFrame
    prim: PrimResult
    rate: tuple[float, float, float]
    wall: float
    ran: int


def _stored(exp_dir: Path) -> dict | None:
    path = exp_dir / DISCOVERY_FILE
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise UserError(f"{path} cannot be read: move the folder aside or use --force-new") from None
    return data if isinstance(data, dict) else None


def _comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in RESUMABLE_KEYS}


def check_same(disc: Discovery, exp_dir: Path) -> None:
    stored = _stored(exp_dir)
    now = disc.as_dict()
    if stored is not None and _comparable(stored) != _comparable(now):
        diff = sorted(k for k in set(stored) | set(now) if k not in RESUMABLE_KEYS and stored.get(k) != now.get(k))
        raise UserError(f"{exp_dir} holds another discovery ({', '.join(diff)} differ): use --force-new to move it "
                        "aside and start again, or another name")


def discover(disc: Discovery, root: Path, out: Path, workers: int = 1, launcher: str = "local",
             hydra_overrides: Sequence[str] = (), force_new: bool = False,
             log: Callable[[str], None] = print) -> Result:
    """Run or resume the discovery's runs, then tabulate, run PRIM and write the report."""
    exp_dir = root / disc.name
    executor = make_executor(launcher, workers, launcher_overrides(disc, hydra_overrides), None)  # type: ignore[arg-type]
    check_writable(exp_dir)
    if not force_new:
        check_same(disc, exp_dir)
    start = time.perf_counter()
    if force_new and exp_dir.exists():
        with experiment_lock(exp_dir):
            moved = move_aside(exp_dir)
        log(f"the previous discovery was moved aside to {moved}")
    scenarios = latin_hypercube(disc.factors, disc.scenarios, disc.seed)
    planned = jobs(disc, scenarios)
    exp_dir.mkdir(parents=True, exist_ok=True)
    with experiment_lock(exp_dir):
        clean_partial(exp_dir)
        write_text(exp_dir / DISCOVERY_FILE, yaml.safe_dump(
            {**disc.as_dict(), "written": datetime.now(UTC).isoformat(timespec="seconds")}, sort_keys=False))
        todo = pending(planned, exp_dir)
        if todo and isinstance(executor, Local) and executor.workers > 1:
            warm_up(disc)
        log(f"{disc.name}: {disc.scenarios} scenarios x {len(disc.designs)} designs x {disc.seeds} seed(s) = "
            f"{len(planned)} runs over {len(disc.factors)} uncertain factors; {todo} to run")

        def run_batch(batch: list[Job]) -> int:
            return run_jobs(batch, exp_dir, disc.name, executor)

        running = time.perf_counter()
        ran = run_all(planned, run_batch, BATCHES, log)
        run_seconds = time.perf_counter() - running
        runs = run_table(disc, planned, exp_dir)
        table = scenario_table(disc, scenarios, runs)
        _write_parquet(runs, exp_dir / RUNS_FILE)
        _write_parquet(table, exp_dir / SCENARIOS_FILE)
        wall = time.perf_counter() - start
        log_invocation(exp_dir, wall, runs_launched=ran, run_seconds=round(run_seconds, 1),
                       workers=getattr(executor, "workers", 1))
    keys = [f.key for f in disc.factors]
    prim = run_prim(table[keys], table[WINS].to_numpy(), **disc.prim)
    result = Result(disc, exp_dir, out / disc.name, table, runs, prim, base_rate(table[WINS].to_numpy()), wall, ran)
    write_outputs(result)
    return result


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=False))


def write_outputs(result: Result) -> Path:
    """The report folder: CSVs, figures and report.md."""
    disc, out = result.disc, result.report_dir
    out.mkdir(parents=True, exist_ok=True)
    tables = {"scenarios": result.table, "runs": result.runs, "prim_trajectory": result.prim.trajectory,
              "prim_limits": result.prim.limits}
    for name, df in tables.items():
        atomic_write(out / f"{name}.csv", lambda p, d=df: d.to_csv(p, index=False))
    figs: list[Path] = []
    keys = [f.key for f in disc.factors]
    if result.prim.headline is not None:
        figs += figures.tradeoff(result.prim, disc, out)
        figs += figures.box_limits(result.prim, disc, out)
    ranked = most_restricted(result.prim, keys, {f.key: (f.low, f.high) for f in disc.factors})
    axes = ranked[:2] if len(ranked) >= 2 else [ranked[0], DIFFERENCE]
    figs += figures.scatter(result.table, result.prim, disc, axes, out)
    return report.write(disc, out, result.table, result.prim, result.rate, figs, invocations(result.exp_dir),
                        len(result.runs))
