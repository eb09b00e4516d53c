"""`abm experiment NAME [overrides] [--workers N] [--launcher local|joblib|slurm|mpi] [--root DIR]`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from abm.cli.args import Parser, capped_workers, check_at_least_one, root_option
from abm.experiments.launch import LAUNCHERS, run_experiment
from abm.experiments.spec import apply_cli_overrides, load_spec, plan, seed_count
from abm.store.layout import results_root

DESCRIPTION = """Run an experiment file (experiments/NAME.yaml, or a path to a YAML file) into the results store.

Every configuration is composed and validated before anything is written. `local` (default) runs the
missing runs in worker processes (one in-process loop for --workers 1; `joblib` is the same); `slurm`
submits them as one SLURM array job whose tasks each run a chunk of runs (launcher.task_minutes of work,
default 5); `mpi` runs them on the worker ranks of
  mpiexec -n N python -m mpi4py.futures -m abm.cli experiment NAME --launcher mpi
Only runs missing from the store (or failed before) are launched, so re-running resumes.
Exit status 0 when every planned run is stored, 1 when some failed or are missing, 2 for bad input."""

EPILOG = """overrides: Hydra overrides; a swept key replaces its sweep, any other key joins the base
(e.g. organisation=small weeks=52); hydra.launcher.KEY=VALUE sets a launcher key (partition, time_min,
task_minutes, runs_per_task, ...) as the file's launcher: block does.

examples:
  abm experiment quickstart
  abm experiment balancing_practices --workers 2
  abm experiment balancing_practices --launcher slurm --root /shared/abm-results"""


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    ap = Parser("experiment", DESCRIPTION, EPILOG)
    ap.add_argument("name", help="the experiment file's name (experiments/NAME.yaml) or its path")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides (key=value)")
    ap.add_argument("--workers", type=int, default=None, metavar="N",
                    help="parallel worker processes, at most the cores (default: the file's launcher.workers, "
                         "else all cores)")
    ap.add_argument("--launcher", choices=LAUNCHERS, default="local", help="where the runs execute")
    ap.add_argument("--start-method", choices=("fork", "forkserver", "spawn"), default=None,
                    help="how local worker processes start (default: $ABM_START_METHOD, else fork on Linux and "
                         "spawn elsewhere)")
    root_option(ap)
    ap.add_argument("--seeds", type=int, default=None, metavar="N",
                    help="replications 0..N-1 (overrides the file's seeds)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    ap.add_argument("--force-new", action="store_true",
                    help="start a new store: move an existing <root>/NAME aside to NAME.replaced-<time> first "
                         "(needed when the plan differs from the store's)")
    ns = ap.parse_intermixed_args(list(args))
    check_at_least_one("--workers", ns.workers)
    if ns.seeds is not None:
        seed_count(ns.seeds, "--seeds")
    return ns


def experiment_command(args: Sequence[str]) -> int:
    """Validate everything, then launch the missing runs and print a summary (status 1 if any failed)."""
    ns = parse_args(args)
    hydra_overrides = [o for o in ns.overrides if o.startswith("hydra")]
    spec = apply_cli_overrides(load_spec(ns.name), [o for o in ns.overrides if not o.startswith("hydra")])
    if ns.seeds is not None:
        spec.seeds = seed_count(ns.seeds, "--seeds")
    configs = plan(spec)
    option = "--workers" if ns.workers else "launcher.workers"
    workers = ns.workers or spec.launcher.get("workers") or os.cpu_count() or 1
    if ns.launcher in ("local", "joblib"):  # SLURM's and MPI's parallelism is not this machine's cores
        workers = capped_workers(option, workers)
    outcome = run_experiment(spec, configs, results_root(ns.root), workers=workers, launcher=ns.launcher,
                             hydra_overrides=hydra_overrides, progress=not ns.no_progress,
                             force_new=ns.force_new, start_method=ns.start_method)
    print(outcome.summary())
    return 0 if outcome.complete else 1
