"""`abm compare EXPERIMENT [EXPERIMENT2] [--metric M ...] [--week W] [--baseline KEY=VALUE] [--out DIR]`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from abm.analysis.compare import compare, report_dir, sections, write_report
from abm.cli.args import Parser, check_writable, printed_store_warnings, root_option
from abm.errors import UserError
from abm.store.layout import results_root

DESCRIPTION = """Compare the configurations of an experiment (or of two experiments) in the results store.

Per configuration: the mean and 95% t interval of each metric at week W (default: the last week), and the
paired difference against the baseline over common seeds, with its interval and effect sizes d_z and d;
beside them the same statistics of each run's mean over weeks 1..W (week 0, the initial state, left out).
Printed as two tables ("at week W", "mean over weeks 1-W") and saved as report.md, CSVs (run-mean columns
end in _mean) and figures (PNG and SVG), stamped with the version, commit and date. With two experiments,
configurations are matched on their swept values and the config keys that differ are listed."""

EPILOG = """The report goes to <root>/EXPERIMENT/compare/ (compare-vs-EXPERIMENT2/ for two experiments);
a report for another week than the last goes to its own subfolder week<W>/.

examples:
  abm compare balancing_practices
  abm compare balancing_practices --metric maturity_total --week 52
  abm compare balancing_practices --baseline practice=contextual"""


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    ap = Parser("compare", DESCRIPTION, EPILOG)
    ap.add_argument("experiments", nargs="+", metavar="EXPERIMENT", help="one or two experiments")
    ap.add_argument("--metric", action="append", default=None, metavar="M",
                    help="a metric to compare (repeatable; default: the experiment file's metrics)")
    ap.add_argument("--week", type=int, default=None, metavar="W", help="the week compared (default: the last)")
    ap.add_argument("--baseline", default=None, metavar="KEY=VALUE",
                    help="the configuration differences are taken against (default: the file's baseline)")
    root_option(ap)
    ap.add_argument("--out", default=None, metavar="DIR", help="where the report goes (see below)")
    ap.add_argument("--no-figures", action="store_true", help="tables only")
    ns = ap.parse_args(list(args))
    if len(ns.experiments) > 2:
        raise UserError("compare: at most two experiments")
    if ns.baseline is not None and "=" not in ns.baseline:
        raise UserError(f"--baseline={ns.baseline!r} is not allowed: KEY=VALUE, e.g. practice=exploit_only")
    return ns


def compare_command(args: Sequence[str]) -> int:
    ns = parse_args(args)
    base = results_root(ns.root) / ns.experiments[0] / (
        "compare" if len(ns.experiments) == 1 else f"compare-vs-{ns.experiments[1]}")
    check_writable(ns.out or base, "--out" if ns.out else "--root")
    with printed_store_warnings():
        c = compare(ns.experiments, ns.metric, ns.week, ns.baseline, ns.root)
    out = Path(ns.out) if ns.out else report_dir(c, base)
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 40):
        print(f"{' vs '.join(c.experiments)}: week {c.week}, baseline {c.baseline[0]}={c.baseline[1]}\n")
        for heading, t in sections(c):
            print(f"{heading}:\n{t.to_string(index=False)}\n")
        if len(c.experiments) > 1 and len(c.differing):
            print("configuration keys that differ:\n" + c.differing.to_string(index=False))
    files = write_report(c, out, figures=not ns.no_figures)
    print(f"report: {files[0]} (+ {len(files) - 1} CSV and figure files in {out})")
    return 0
