"""`abm validate [--suite docking|model] [--quick] [--out DIR] [--workers N] [--only NAMES]`: the docking
report (default) or the model checks of docs/validation.md.

Exit status 0 when every check passes, 1 when any fails, 2 for a bad argument (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from abm.cli.args import Parser, capped_workers, check_at_least_one, check_writable
from abm.errors import UserError

DESCRIPTION = """Run every docking check through the full model (March 1991, Bass 1969, Granovetter 1978,
Centola & Macy 2007, the maturity-stage invariants) and write DIR/report.md, results.csv and figures;
with --suite model, the model checks M1-M7 (equal budgets, environments, mandates, no inert lever, size,
mechanisms, the Morris screen) into DIR/model_checks.md, model_checks.csv and figures.
Targets, sources and tolerances: docs/validation.md. Exit status 1 when any check fails."""

SUITES = ("docking", "model")


def suite_checks(suite: str) -> list[str]:
    if suite == "model":
        from abm.validation.model_report import CHECKS as MODEL_CHECKS

        return [c.name for c in MODEL_CHECKS]
    from abm.validation.report import CHECKS

    return [c.name for c in CHECKS]


def parse(args: Sequence[str]) -> argparse.Namespace:
    """The arguments; UserError names a bad one."""
    ap = Parser("validate", DESCRIPTION, "examples:\n  abm validate --quick\n  abm validate --out my-report\n"
                "  abm validate --suite model --out docs/validation")
    ap.add_argument("--suite", choices=SUITES, default="docking",
                    help="docking: the published-results report (default); model: the model checks")
    ap.add_argument("--quick", action="store_true",
                    help="small versions (docking: widened tolerances, about a minute; model: the same criteria)")
    ap.add_argument("--out", type=Path, default=Path("outputs/validation"), metavar="DIR",
                    help="where the report goes (default: outputs/validation)")
    ap.add_argument("--workers", type=int, default=None, metavar="N",
                    help="worker processes, at most the cores (default: all cores)")
    ap.add_argument("--only", default=None, metavar="NAME[,NAME...]",
                    help=f"run only these checks of the suite: {', '.join(suite_checks('docking'))} (docking); "
                         f"{', '.join(suite_checks('model'))} (model)")
    ns = ap.parse_args(list(args))
    known = suite_checks(ns.suite)
    check_at_least_one("--workers", ns.workers)
    ns.only = tuple(ns.only.split(",")) if ns.only else ()
    bad = [n for n in ns.only if n not in known]
    if bad:
        raise UserError(f"--only={bad[0]!r} is not allowed: one of {', '.join(known)} (--suite {ns.suite})")
    check_writable(ns.out, "--out")
    if ns.workers is not None:
        ns.workers = capped_workers("--workers", ns.workers)
    return ns


def validate_command(args: Sequence[str]) -> int:
    ns = parse(args)
    import pandas as pd

    if ns.suite == "model":
        from abm.validation.model_report import validate_model as validate
    else:
        from abm.validation.report import validate

    ok, path, tables = validate(ns.out, quick=ns.quick, workers=ns.workers, progress=sys.stderr.isatty(),
                                only=ns.only)
    rows = pd.concat(tables.values())
    for r in rows.itertuples(index=False):
        print(f"{'pass' if r.passed else 'FAIL'}  {r.check:<38} measured {r.measured:<10.4g} {r.parameters}")
    print(f"\n{int(rows['passed'].sum())} of {len(rows)} checks passed; report: {path}")
    return 0 if ok else 1
