"""`abm calibrate NAME [--workers N] [--launcher local|slurm] [--root DIR] [--out DIR] [--force-new]`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from abm.cli.args import Parser, capped_workers, check_at_least_one, check_writable, root_option

DESCRIPTION = """Calibrate the model's free parameters to the empirical patterns with ABC-SMC (pyabc).

NAME is a calibration file (experiments/NAME.yaml with `kind: calibration`, or a path): the free
parameters with prior ranges, the patterns of the target table (experiments/targets/patterns.csv), the
preset, seeds per particle, population, generations and budget. The runs go through the project's
launchers into <root>/NAME/ (with pyabc's database abc.db); re-running the same command resumes after a
crash or a kill without redoing finished generations or finished runs. Writes the posterior, the
posterior-predictive check and figures to DIR/NAME/report.md, the calibrated preset to
configs/preset/NAME.yaml and the posterior to configs/posterior/NAME.parquet.
Exit status 0 when done, 2 for bad input (nothing written)."""

EPILOG = """examples:
  abm calibrate sweden2021_patterns --workers 2 --out docs/calibration
  abm calibrate sweden2021_patterns --launcher slurm --root /shared/abm-results"""

LAUNCHERS = ("local", "slurm")


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    ap = Parser("calibrate", DESCRIPTION, EPILOG)
    ap.add_argument("name", help="the calibration file's name (experiments/NAME.yaml) or its path")
    ap.add_argument("overrides", nargs="*", help="hydra.launcher.KEY=VALUE launcher settings (as abm experiment)")
    ap.add_argument("--workers", type=int, default=None, metavar="N",
                    help="local worker processes, at most the cores (default: the file's launcher.workers, "
                         "else all cores)")
    ap.add_argument("--launcher", choices=LAUNCHERS, default="local", help="where the runs execute")
    root_option(ap)
    ap.add_argument("--out", type=Path, default=Path("outputs/calibration"), metavar="DIR",
                    help="where the report goes: DIR/NAME/ (default: outputs/calibration)")
    ap.add_argument("--force-new", action="store_true",
                    help="move an existing <root>/NAME aside to NAME.replaced-<time> and start again")
    ns = ap.parse_intermixed_args(list(args))
    check_at_least_one("--workers", ns.workers)
    check_writable(ns.out, "--out")
    return ns


def calibrate_command(args: Sequence[str]) -> int:
    ns = parse_args(args)
    from abm.calibration.calibrate import calibrate
    from abm.calibration.spec import load_calibration
    from abm.errors import UserError
    from abm.store.layout import results_root

    bad = [o for o in ns.overrides if not o.startswith("hydra.launcher.")]
    if bad:
        raise UserError(f"the override {bad[0]!r} is not allowed: only hydra.launcher.KEY=VALUE (the calibration "
                        "file holds everything else)")
    cal = load_calibration(ns.name)
    workers = ns.workers or cal.launcher.get("workers") or os.cpu_count() or 1
    if ns.launcher == "local":
        workers = capped_workers("--workers" if ns.workers else "launcher.workers", workers)
    result = calibrate(cal, results_root(ns.root), ns.out, workers=workers, launcher=ns.launcher,
                       hydra_overrides=ns.overrides, force_new=ns.force_new,
                       log=lambda line: print(line, file=sys.stderr, flush=True))
    print(f"{cal.name}: {result.abc.generations} generations, {result.abc.particles_evaluated} particles, "
          f"{result.runs_in_store} runs in {result.exp_dir} ({result.wall:.0f} s)")
    for r in result.summary.itertuples(index=False):
        print(f"  {r.parameter:<40} {r.median:.4g} [{r.low:.4g}, {r.high:.4g}]  {r.verdict}")
    for r in result.predictive.itertuples(index=False):
        print(f"  {r.target:<40} {r.share_inside:>4.0%} of draws inside {r.range}")
    print(f"report: {result.report_dir / 'report.md'}\npreset: {result.preset_path} (abm run preset={cal.name})")
    return 0
