"""`abm optimise NAME [--workers N] [--launcher local|slurm] [--root DIR] [--out DIR] [--force-new]`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from abm.cli.args import Parser, capped_workers, check_at_least_one, check_writable, root_option

DESCRIPTION = """Search the practice designs for the best trade-offs between the objectives (optuna NSGA-II).

NAME is an optimisation file (experiments/NAME.yaml with `kind: optimisation`, or a path): the design space
(practices, exploration budget and timing, piloting and scaling capacity, ...), the objectives (registered
outcomes to maximise or minimise), the environments and posterior draws every design is averaged over, the
named practices to judge against the front, population and generations. The runs go through the project's
launchers into <root>/NAME/ (with optuna's study, optuna.db); re-running the same command resumes after a
crash or a kill without losing told trials or finished runs. Writes the Pareto front, every design's values
with intervals, the regret of each named practice and figures to DIR/NAME/report.md.
Exit status 0 when done, 2 for bad input (nothing written)."""

EPILOG = """examples:
  abm optimise practice_designs --workers 2 --out docs/optimisation
  abm optimise practice_designs --launcher slurm --root /shared/abm-results"""

LAUNCHERS = ("local", "slurm")


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    ap = Parser("optimise", DESCRIPTION, EPILOG)
    ap.add_argument("name", help="the optimisation file's name (experiments/NAME.yaml) or its path")
    ap.add_argument("overrides", nargs="*", help="hydra.launcher.KEY=VALUE launcher settings (as abm experiment)")
    ap.add_argument("--workers", type=int, default=None, metavar="N",
                    help="local worker processes, at most the cores (default: the file's launcher.workers, "
                         "else all cores)")
    ap.add_argument("--launcher", choices=LAUNCHERS, default="local", help="where the runs execute")
    root_option(ap)
    ap.add_argument("--out", type=Path, default=Path("outputs/optimisation"), metavar="DIR",
                    help="where the report goes: DIR/NAME/ (default: outputs/optimisation)")
    ap.add_argument("--force-new", action="store_true",
                    help="move an existing <root>/NAME aside to NAME.replaced-<time> and start again")
    ns = ap.parse_intermixed_args(list(args))
    check_at_least_one("--workers", ns.workers)
    check_writable(ns.out, "--out")
    return ns


def optimise_command(args: Sequence[str]) -> int:
    ns = parse_args(args)
    from abm.errors import UserError
    from abm.optimisation.optimise import optimise
    from abm.optimisation.spec import load_optimisation
    from abm.store.layout import results_root

    bad = [o for o in ns.overrides if not o.startswith("hydra.launcher.")]
    if bad:
        raise UserError(f"the override {bad[0]!r} is not allowed: only hydra.launcher.KEY=VALUE (the optimisation "
                        "file holds everything else)")
    opt = load_optimisation(ns.name)
    workers = ns.workers or opt.launcher.get("workers") or os.cpu_count() or 1
    if ns.launcher == "local":
        workers = capped_workers("--workers" if ns.workers else "launcher.workers", workers)
    result = optimise(opt, results_root(ns.root), ns.out, workers=workers, launcher=ns.launcher,
                      hydra_overrides=ns.overrides, force_new=ns.force_new,
                      log=lambda line: print(line, file=sys.stderr, flush=True))
    front = result.designs[result.designs["on_front"]]
    print(f"{opt.name}: {result.trials} trials, {len(front)} designs on the front, {result.runs_in_store} runs in "
          f"{result.exp_dir} ({result.wall:.0f} s)")
    for r in result.regret.itertuples(index=False):
        beaten = "" if r.on_front else f" (beaten by {r.closest_front_design})"
        print(f"  {r.practice:<14} regret {r.regret:.1%}{beaten}")
    print(f"report: {result.report_dir / 'report.md'}")
    return 0
