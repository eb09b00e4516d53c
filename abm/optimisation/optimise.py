"""`abm optimise NAME`: from an optimisation file to a Pareto front of practice designs, robust over the
posterior and the futures, with the regret of every named practice.

The optimisation's folder in the results store (`<root>/<name>/`):

    optimisation.yaml       the file as run (a different file for the same name is refused: --force-new)
    optuna.db               optuna's study (SQLite): every trial asked and told (resumes from it)
    runs/<hash>/seed=<s>/   every run, stored like an experiment's (resumes without running them again)
    designs.parquet         every evaluated design: its values and robust objectives with intervals, front
    design_runs.parquet     every design's outcome per (environment, draw, seed)
    trajectories.parquet    every design's mean care, maturity and services live by week

The report folder (`--out`, default outputs/optimisation) gets `<name>/report.md` with tables and figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from abm.errors import UserError
from abm.experiments.executors import Executor, Job, Local, make_executor
from abm.experiments.jobs import run_jobs
from abm.experiments.spec import launcher_overrides
from abm.optimisation import figures, report
from abm.optimisation.designs import Design, Evaluation, Unit, design_row, evaluate, jobs, named_design, trial_design
from abm.optimisation.designs import units as draw_units
from abm.optimisation.front import on_front, regret
from abm.optimisation.search import STUDY_FILE, Asked, check_study, run_search, trials
from abm.optimisation.spec import Optimisation
from abm.store.files import atomic_write, unwritable_reason, write_text
from abm.store.guard import check_writable, experiment_lock, move_aside
from abm.store.invocations import log_invocation
from abm.store.publish import clean_partial

SPEC_FILE = "optimisation.yaml"
DESIGNS_FILE = "designs.parquet"
DESIGN_RUNS_FILE = "design_runs.parquet"
TRAJECTORIES_FILE = "trajectories.parquet"
# Keys a resumed optimisation may change: they decide when it stops, never what the told trials were.
RESUMABLE_KEYS = ("description", "written", "launcher", "generations")


@dataclass
class Result:
    opt: Optimisation
    exp_dir: Path
    report_dir: Path
    designs: pd.DataFrame
    regret: pd.DataFrame
    design_runs: pd.DataFrame
    trajectories: pd.DataFrame
    wall: float
    runs_launched: int
    run_seconds: float
    runs_in_store: int
    trials: int


class Runner:
    """Runs designs' jobs into the store and evaluates them, keeping this invocation's evaluations."""

    def __init__(self, opt: Optimisation, exp_dir: Path, executor: Executor, draws: list[Unit]) -> None:
        self.opt, self.exp_dir, self.executor, self.draws = opt, exp_dir, executor, draws
        self.runs_launched = 0
        self.run_seconds = 0.0
        self.evaluations: dict[str, Evaluation] = {}

    def evaluate(self, designs: Sequence[Design]) -> list[Evaluation]:
        todo = {d.label: (d, jobs(self.opt, d, self.draws)) for d in designs if d.label not in self.evaluations}
        all_jobs: list[Job] = [j for _, js in todo.values() for j in js.values()]
        start = time.perf_counter()
        self.runs_launched += run_jobs(all_jobs, self.exp_dir, self.opt.name, self.executor)
        self.run_seconds += time.perf_counter() - start
        for label, (d, js) in todo.items():
            self.evaluations[label] = evaluate(self.opt, d, self.draws, self.exp_dir, js)
        return [self.evaluations[d.label] for d in designs]

    def trial_values(self, batch: list[Asked]) -> list[list[float]]:
        designs = [trial_design(self.opt, a.number, a.params, a.generation) for a in batch]
        return [ev.values(self.opt) for ev in self.evaluate(designs)]


def _stored(exp_dir: Path) -> dict | None:
    path = exp_dir / SPEC_FILE
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise UserError(f"{path} cannot be read: move the folder aside or use --force-new") from None
    return data if isinstance(data, dict) else None


def _comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in RESUMABLE_KEYS}


def check_destinations(exp_dir: Path, out: Path) -> None:
    check_writable(exp_dir)
    reason = unwritable_reason(out)
    if reason:
        raise UserError(f"--out {out} cannot be written: {reason}")


def optimise(opt: Optimisation, root: Path, out: Path, workers: int = 1, launcher: str = "local",
             hydra_overrides: Sequence[str] = (), force_new: bool = False,
             log: Callable[[str], None] = print) -> Result:
    """Run or resume the search, evaluate the named practices, and write the front, regret and report."""
    exp_dir = root / opt.name
    executor = make_executor(launcher, workers, launcher_overrides(opt, hydra_overrides), None)  # type: ignore[arg-type]
    check_destinations(exp_dir, out)
    stored = _stored(exp_dir)
    if stored is not None and _comparable(stored) != _comparable(opt.as_dict()) and not force_new:
        diff = sorted(k for k in set(stored) | set(opt.as_dict())
                      if k not in RESUMABLE_KEYS and stored.get(k) != opt.as_dict().get(k))
        raise UserError(f"{exp_dir} holds another optimisation ({', '.join(diff)} differ): use --force-new to "
                        "move it aside and start again, or another name")
    if (exp_dir / STUDY_FILE).exists() and not force_new:
        check_study(exp_dir)
    start = time.perf_counter()
    if force_new and exp_dir.exists():
        with experiment_lock(exp_dir):
            moved = move_aside(exp_dir)
        log(f"the previous optimisation was moved aside to {moved}")
    exp_dir.mkdir(parents=True, exist_ok=True)
    with experiment_lock(exp_dir):
        clean_partial(exp_dir)
        write_text(exp_dir / SPEC_FILE, yaml.safe_dump(
            {**opt.as_dict(), "written": datetime.now(UTC).isoformat(timespec="seconds")}, sort_keys=False))
        draws = draw_units(opt)
        runner = Runner(opt, exp_dir, executor, draws)
        if isinstance(executor, Local) and executor.workers > 1:
            from abm.api import load_kernels

            load_kernels(opt.base)  # forked workers inherit the loaded kernels
        per_design = len(opt.environments) * len(draws) * len(opt.seeds)
        log(f"{opt.name}: NSGA-II over {len(opt.space)} design dimensions, {len(opt.objectives)} objectives, "
            f"population {opt.population} x {opt.generations} generations; {per_design} runs per design "
            f"({len(opt.environments)} environments x {len(draws)} draws x {len(opt.seeds)} seeds)")
        named = runner.evaluate([named_design(n) for n in opt.named])
        if opt.named:
            log(f"  named practices evaluated: {', '.join(opt.named)}")
        outcome = run_search(opt, exp_dir, runner.trial_values, log)
        told = trials(opt, exp_dir)
        evaluated = [*named, *runner.evaluate([trial_design(opt, t.number, t.params, t.generation) for t in told])]
        table = pd.DataFrame([design_row(opt, ev) for ev in evaluated])
        names = [o.name for o in opt.objectives]
        table["on_front"] = on_front(table, names, opt.signs)
        regrets = regret(table, names, opt.signs, table["on_front"].to_numpy()) if opt.named else pd.DataFrame()
        design_runs = pd.concat([ev.runs.assign(design=ev.design.label) for ev in evaluated], ignore_index=True)
        trajectories = pd.concat([ev.trajectory.assign(design=ev.design.label) for ev in evaluated],
                                 ignore_index=True)
        for df, file in ((table, DESIGNS_FILE), (design_runs, DESIGN_RUNS_FILE), (trajectories, TRAJECTORIES_FILE)):
            _write_parquet(df, exp_dir / file)
        wall = time.perf_counter() - start
        n_runs = sum(1 for _ in (exp_dir / "runs").glob("*/seed=*"))
        log_invocation(exp_dir, wall, runs_launched=runner.runs_launched, run_seconds=round(runner.run_seconds, 1),
                       trials_after=outcome.trials, workers=executor.workers if isinstance(executor, Local) else None)
    result = Result(opt, exp_dir, out / opt.name, table, regrets, design_runs, trajectories, wall,
                    runner.runs_launched, runner.run_seconds, n_runs, outcome.trials)
    write_outputs(result)
    return result


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=False))


def write_outputs(result: Result) -> None:
    """The report folder: tables as CSV, figures, report.md."""
    out = result.report_dir
    out.mkdir(parents=True, exist_ok=True)
    front = result.designs[result.designs["on_front"]]
    by_env = (result.design_runs.groupby(["design", "environment"], sort=False)[[o.name for o in result.opt.objectives]]
              .mean().reset_index())
    tables = {"designs": result.designs, "front": front, "regret": result.regret, "by_environment": by_env}
    for name, df in tables.items():
        atomic_write(out / f"{name}.csv", lambda p, d=df: d.to_csv(p, index=False))
    figs = [*figures.front_pairs(result, out), *figures.trajectories(result, out), *figures.front_designs(result, out)]
    report.write(result, figs)
