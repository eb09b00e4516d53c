"""`abm results list`, `abm results show EXPERIMENT` and `abm results compact EXPERIMENT`: what the results
store holds, and merging an experiment's run folders into a few Parquet files."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from abm.cli.args import Parser, check_at_least_one, printed_store_warnings, root_option
from abm.errors import UserError
from abm.store.reader import list_experiments, show_experiment

DESCRIPTION = """What the results store holds (DuckDB over the runs' Parquet files).

  list              one row per experiment: configurations, runs ok and failed, planned runs
  show EXPERIMENT   per configuration: swept values, runs ok/failed, final-week means of its metrics
  compact EXPERIMENT
                    merge the finished, verified runs into a few Parquet files under
                    <root>/EXPERIMENT/compact/ (atomic and resumable: re-run it after an interruption;
                    failed and corrupt runs are left as they are and reported). Everything that reads
                    the store reads compacted runs alike."""


def results_command(args: Sequence[str]) -> int:
    ap = Parser("results", DESCRIPTION, "examples:\n  abm results list\n  abm results show quickstart\n"
                "  abm results compact quickstart")
    ap.add_argument("action", choices=("list", "show", "compact"), help="list the experiments, show or compact one")
    ap.add_argument("experiment", nargs="?", help="the experiment to show or compact")
    ap.add_argument("--runs-per-part", type=int, default=None, metavar="N",
                    help="compact: at most N runs per Parquet part (default 2000; a part also ends at ~256 MB)")
    root_option(ap)
    ns = ap.parse_args(list(args))
    check_at_least_one("--runs-per-part", ns.runs_per_part)
    if ns.action == "compact":
        return compact(ns.experiment, ns.root, ns.runs_per_part)
    with printed_store_warnings():
        if ns.action == "list":
            df = list_experiments(ns.root)
        else:
            if not ns.experiment:
                raise UserError("results show: name the experiment, e.g. abm results show quickstart")
            df = show_experiment(ns.experiment, ns.root)
        with pd.option_context("display.width", 200, "display.max_columns", 50, "display.max_colwidth", 60):
            print(df.to_string(index=False) if not df.empty else "(no results)")
    return 0


def compact(experiment: str | None, root: str | None, runs_per_part: int | None) -> int:
    from abm.store.compact import RUNS_PER_PART, compact_experiment
    from abm.store.reader import experiment_dir

    if not experiment:
        raise UserError("results compact: name the experiment, e.g. abm results compact quickstart")
    report = compact_experiment(experiment_dir(experiment, root), runs_per_part or RUNS_PER_PART)
    print(report.summary())
    return 0
