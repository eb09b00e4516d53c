"""`abm discover NAME [--workers N] [--launcher local|slurm] [--root DIR] [--out DIR] [--force-new]`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from abm.cli.args import Parser, capped_workers, check_at_least_one, check_writable, root_option

DESCRIPTION = """Scenario discovery (Bryant & Lempert 2010) with PRIM (EMA Workbench): in which region of the
uncertainty space does practice design B beat design A on the file's criterion?

NAME is a discovery file (experiments/NAME.yaml with `kind: discovery`, or a path): the base overrides, two
designs (A first), the criterion (a registered metric, higher or lower better, a margin), the uncertain
factors with their ranges, the number of scenarios (a Latin hypercube sample), seeds per scenario and PRIM's
settings. Every (scenario, design, seed) run goes through the project's launchers into <root>/NAME/runs/;
re-running the same command resumes after a crash or a kill without redoing finished runs. Writes the
scenario table to <root>/NAME/scenarios.parquet and the report (PRIM's peeling trajectory, the headline box,
CSVs and figures) to DIR/NAME/report.md.
Exit status 0 when done, 2 for bad input (nothing written)."""

EPILOG = """examples:
  abm discover where_structural_wins --workers 2 --out docs/discovery
  abm discover where_structural_wins --launcher slurm --root /shared/abm-results"""

LAUNCHERS = ("local", "slurm")


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    ap = Parser("discover", DESCRIPTION, EPILOG)
    ap.add_argument("name", help="the discovery file's name (experiments/NAME.yaml) or its path")
    ap.add_argument("overrides", nargs="*", help="hydra.launcher.KEY=VALUE launcher settings (as abm experiment)")
    ap.add_argument("--workers", type=int, default=None, metavar="N",
                    help="local worker processes, at most the cores (default: the file's launcher.workers, "
                         "else all cores)")
    ap.add_argument("--launcher", choices=LAUNCHERS, default="local", help="where the runs execute")
    root_option(ap)
    ap.add_argument("--out", type=Path, default=Path("outputs/discovery"), metavar="DIR",
                    help="where the report goes: DIR/NAME/ (default: outputs/discovery)")
    ap.add_argument("--force-new", action="store_true",
                    help="move an existing <root>/NAME aside to NAME.replaced-<time> and start again")
    ns = ap.parse_intermixed_args(list(args))
    check_at_least_one("--workers", ns.workers)
    check_writable(ns.out, "--out")
    return ns


def discover_command(args: Sequence[str]) -> int:
    ns = parse_args(args)
    from abm.discovery.discover import discover
    from abm.discovery.spec import load_discovery
    from abm.errors import UserError
    from abm.store.layout import results_root

    bad = [o for o in ns.overrides if not o.startswith("hydra.launcher.")]
    if bad:
        raise UserError(f"the override {bad[0]!r} is not allowed: only hydra.launcher.KEY=VALUE (the discovery "
                        "file holds everything else)")
    disc = load_discovery(ns.name)
    workers = ns.workers or disc.launcher.get("workers") or os.cpu_count() or 1
    if ns.launcher == "local":
        workers = capped_workers("--workers" if ns.workers else "launcher.workers", workers)
    result = discover(disc, results_root(ns.root), ns.out, workers=workers, launcher=ns.launcher,
                      hydra_overrides=ns.overrides, force_new=ns.force_new,
                      log=lambda line: print(line, file=sys.stderr, flush=True))
    p, lo, hi = result.rate
    print(f"{disc.name}: {len(result.runs)} runs in {result.exp_dir} ({result.ran} run now, {result.wall:.0f} s); "
          f"{disc.b} beats {disc.a} on {disc.outcome.name} in {p:.1%} of {disc.scenarios} scenarios "
          f"[{lo:.1%}, {hi:.1%}]")
    prim = result.prim
    if prim.headline is None:
        print(f"  PRIM: nothing to find ({prim.reason})")
    else:
        row = prim.trajectory.loc[prim.headline]
        print(f"  headline box {prim.headline}: coverage {row['coverage']:.2f}, density {row['density']:.2f}, "
              f"mass {row['mass']:.2f}, restricts {row['restricted'] or 'nothing'}")
        from abm.discovery.report import number

        factors = {f.key: f for f in disc.factors}
        for r in prim.headline_limits().itertuples(index=False):
            f = factors[r.factor]
            print(f"    {r.factor:<32} [{number(r.low, f.integer, 'low')}, {number(r.high, f.integer, 'high')}] "
                  f"of [{number(f.low, f.integer)}, {number(f.high, f.integer)}]")
        kept = prim.significant_limits()
        if not kept.empty:
            from abm.discovery.prim import box_stats

            keys = [f.key for f in disc.factors]
            s = box_stats(result.table[keys], result.table["b_wins"].to_numpy(), kept)
            print(f"  only the limits of quasi-p < 0.05 ({', '.join(kept['factor'])}): coverage {s['coverage']:.2f}, "
                  f"density {s['density']:.2f}, mass {s['mass']:.2f}")
    print(f"report: {result.report_dir / 'report.md'}")
    return 0
