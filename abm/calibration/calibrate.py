"""`abm calibrate NAME`: from a calibration file to a posterior, its checks, a report and a preset.

The calibration's folder in the results store (`<root>/<name>/`):

    calibration.yaml        the file as run (a different file for the same name is refused: --force-new)
    abc.db                  pyabc's database: every finished generation (resumes from it)
    runs/<hash>/seed=<s>/   every run, stored like an experiment's (resumes without running them again)
    posterior.parquet       the last generation: parameters, weights, distances, seed-mean quantities
    predictive.parquet      the posterior-predictive runs' quantities, judged against the targets

The report folder (`--out`, default outputs/calibration) gets `<name>/report.md` with the tables and figures,
and the calibrated preset is written as `configs/preset/<name>.yaml` (`abm run preset=<name>` composes it)
with the posterior as `configs/posterior/<name>.parquet` (experiments can run over its draws).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from abm.calibration import figures, report
from abm.calibration.abc import DB_FILE, AbcOutcome, check_database, generations_table, posterior_table, run_abc
from abm.calibration.posterior import correlations, point, preset_text, summary
from abm.calibration.predictive import pattern_verdicts, predictive_summary, run_predictive
from abm.calibration.runs import warm_up
from abm.calibration.spec import Calibration
from abm.errors import UserError
from abm.experiments.executors import Executor, Job, Local, make_executor
from abm.experiments.jobs import run_jobs
from abm.experiments.posterior import write_posterior
from abm.experiments.spec import launcher_overrides
from abm.simulation import stamp
from abm.store.files import atomic_write, unwritable_reason, write_text
from abm.store.guard import check_writable, experiment_lock, move_aside
from abm.store.invocations import log_invocation
from abm.store.publish import clean_partial
from abm.store.reader import CALIBRATION_FILE as CAL_FILE

POSTERIOR_FILE = "posterior.parquet"
PREDICTIVE_FILE = "predictive.parquet"


@dataclass
class Result:
    cal: Calibration
    exp_dir: Path
    report_dir: Path
    preset_path: Path
    posterior_path: Path
    abc: AbcOutcome
    summary: pd.DataFrame
    predictive: pd.DataFrame
    verdicts: pd.DataFrame
    wall: float
    runs_in_store: int


def _stored(exp_dir: Path) -> dict | None:
    path = exp_dir / CAL_FILE
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise UserError(f"{path} cannot be read: move the folder aside or use --force-new") from None
    return data if isinstance(data, dict) else None


# Keys a resumed calibration may change: they decide when it stops and what is reported, never what the
# finished generations sampled (a calibration can be resumed with a larger budget, or stopped early).
RESUMABLE_KEYS = ("description", "written", "launcher", "generations", "max_simulations", "min_epsilon",
                  "predictive_draws")


def _comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in RESUMABLE_KEYS}


def config_dirs() -> tuple[Path, Path]:
    """Where the calibrated preset and the posterior go: configs/preset and configs/posterior."""
    from abm.config.hydra_bridge import config_dir

    root = config_dir()
    return root / "preset", root / "posterior"


def check_destinations(cal: Calibration, exp_dir: Path, out: Path) -> None:
    """Everything this calibration will write can be written (one line naming what cannot)."""
    check_writable(exp_dir)
    preset_dir, posterior_dir = config_dirs()
    for folder, what in ((out, "--out"), (preset_dir, "the preset folder"), (posterior_dir, "the posterior folder")):
        reason = unwritable_reason(folder)
        if reason:
            raise UserError(f"{what} {folder} cannot be written: {reason}")
    preset = preset_dir / f"{cal.name}.yaml"
    if cal.name == cal.preset or (preset.exists() and "abm calibrate" not in preset.read_text(encoding="utf-8")):
        raise UserError(f"name={cal.name!r} is not allowed: configs/preset/{cal.name}.yaml is a hand-written preset "
                        "(the calibrated preset would replace it); choose another name")


def calibrate(cal: Calibration, root: Path, out: Path, workers: int = 1, launcher: str = "local",
              hydra_overrides: Sequence[str] = (), force_new: bool = False,
              log: Callable[[str], None] = print) -> Result:
    """Run or resume the calibration, then its posterior-predictive check, report and preset."""
    exp_dir = root / cal.name
    executor = make_executor(launcher, workers, launcher_overrides(cal, hydra_overrides), None)  # type: ignore[arg-type]
    check_destinations(cal, exp_dir, out)
    stored = _stored(exp_dir)
    if stored is not None and _comparable(stored) != _comparable(cal.as_dict()) and not force_new:
        diff = sorted(k for k in set(stored) | set(cal.as_dict())
                      if k not in RESUMABLE_KEYS and stored.get(k) != cal.as_dict().get(k))
        raise UserError(f"{exp_dir} holds another calibration ({', '.join(diff)} differ): use --force-new to "
                        "move it aside and start again, or another name")
    db = exp_dir / DB_FILE
    if db.exists() and not force_new:
        check_database(db)
    start = time.perf_counter()
    if force_new and exp_dir.exists():
        with experiment_lock(exp_dir):
            moved = move_aside(exp_dir)
        log(f"the previous calibration was moved aside to {moved}")
    exp_dir.mkdir(parents=True, exist_ok=True)
    with experiment_lock(exp_dir):
        clean_partial(exp_dir)
        write_text(exp_dir / CAL_FILE, yaml.safe_dump(
            {**cal.as_dict(), "written": datetime.now(UTC).isoformat(timespec="seconds")}, sort_keys=False))
        batch = _batch_runner(executor, exp_dir, cal.name)
        if isinstance(executor, Local) and executor.workers > 1:
            warm_up(cal)
        log(f"{cal.name}: ABC-SMC over {len(cal.params)} parameters, {len(cal.targets)} target quantities "
            f"({', '.join(cal.patterns)}), population {cal.population}, {cal.seeds_per_particle} seeds per particle")
        # local: at least two particles per worker in a batch; SLURM: a quarter of the population per array job
        min_batch = 2 * executor.workers if isinstance(executor, Local) else max(1, cal.population // 4)
        outcome = run_abc(cal, exp_dir, batch, log, min_batch)
        posterior = posterior_table(db, cal)
        _write_parquet(posterior, exp_dir / POSTERIOR_FILE)
        table = summary(posterior, cal)
        calibrated = point(table)
        log(f"{cal.name}: {outcome.generations} generations ({outcome.reason}); posterior-predictive check")
        runs = run_predictive(cal, posterior, calibrated, exp_dir, batch)
        _write_parquet(runs, exp_dir / PREDICTIVE_FILE)
        wall = time.perf_counter() - start
        n_runs = sum(1 for _ in (exp_dir / "runs").glob("*/seed=*"))
        log_invocation(exp_dir, wall, runs_launched=outcome.runs_launched, abc_seconds=round(outcome.wall_seconds, 1),
                       generations_after=outcome.generations)
    result = Result(cal, exp_dir, out / cal.name, *_destinations(cal), outcome, table,
                    predictive_summary(runs, cal), pattern_verdicts(runs), wall, n_runs)
    write_outputs(result, posterior, runs, calibrated)
    return result


def _destinations(cal: Calibration) -> tuple[Path, Path]:
    preset_dir, posterior_dir = config_dirs()
    return preset_dir / f"{cal.name}.yaml", posterior_dir / f"{cal.name}.parquet"


def _batch_runner(executor: Executor, exp_dir: Path, name: str) -> Callable[[list[Job]], int]:
    def run_batch(jobs: list[Job]) -> int:
        return run_jobs(jobs, exp_dir, name, executor)

    return run_batch


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=False))


def write_outputs(result: Result, posterior: pd.DataFrame, runs: pd.DataFrame, calibrated: dict[str, float]) -> None:
    """The report folder, the preset and the posterior for experiments."""
    cal, out = result.cal, result.report_dir
    out.mkdir(parents=True, exist_ok=True)
    _write_parquet(posterior, out / POSTERIOR_FILE)
    tables = {"posterior_summary": result.summary, "predictive": result.predictive,
              "pattern_verdicts": result.verdicts, "generations": generations_table(result.exp_dir / DB_FILE),
              "correlations": correlations(posterior, list(cal.params))}
    for name, df in tables.items():
        atomic_write(out / f"{name}.csv", lambda p, d=df: d.to_csv(p, index=False))
    figs = [*figures.marginals(posterior, cal, out), *figures.pairs(posterior, cal, out),
            *figures.predictive(runs, cal, out)]
    from abm.config.hydra_bridge import config_dir

    base = yaml.safe_load((config_dir() / "preset" / f"{cal.preset}.yaml").read_text(encoding="utf-8")) or {}
    header = [f"Calibrated preset {cal.name}: `abm calibrate {cal.name}` ({stamp()}).",
              f"The posterior medians of {', '.join(cal.params)} on top of preset {cal.preset},",
              f"fitted to patterns {', '.join(cal.patterns)} ({cal.targets_name} target table); report:",
              f"docs/calibration/{cal.name}/report.md when committed.",
              f"  uv run abm run preset={cal.name}"]
    text = preset_text(cal, calibrated, base, header)
    write_text(result.preset_path, text)
    write_text(out / f"preset_{cal.name}.yaml", text)
    result.posterior_path.parent.mkdir(parents=True, exist_ok=True)  # parameters and weights only
    write_posterior(posterior[[*cal.params, "weight", "distance", "generation"]], result.posterior_path)
    report.write(result, posterior, figs)
