"""`abm results list`, `abm results show EXPERIMENT`, `abm results compact EXPERIMENT` and `abm results export
EXPERIMENT --ema FILE.tar.gz`: what the results store holds, merging an experiment's run folders into a few
Parquet files, and an experiment as the EMA Workbench's results file (abm.analysis.ema)."""

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
                    the store reads compacted runs alike.
  export EXPERIMENT --ema FILE.tar.gz [--outcome NAME ...] [--series METRIC ...]
                    the finished runs as the EMA Workbench's (experiments, outcomes), written with its
                    save_results (read it back with ema_workbench.load_results): one row per run (swept
                    keys named as abm.api.as_function's keywords, seed, scenario = configuration,
                    policy, model = experiment); each --outcome one value per run (a metric at the last
                    week, or <metric>_mean, its mean over the run; default: the experiment's metrics at
                    the last week); each --series a metric every week (runs x weeks) with TIME."""


def results_command(args: Sequence[str]) -> int:
    ap = Parser("results", DESCRIPTION, "examples:\n  abm results list\n  abm results show quickstart\n"
                "  abm results compact quickstart\n"
                "  abm results export quickstart --ema quickstart.tar.gz --outcome maturity_total "
                "care_production_mean --series adoption_share")
    ap.add_argument("action", choices=("list", "show", "compact", "export"),
                    help="list the experiments, show, compact or export one")
    ap.add_argument("experiment", nargs="?", help="the experiment to show, compact or export")
    ap.add_argument("--runs-per-part", type=int, default=None, metavar="N",
                    help="compact: at most N runs per Parquet part (default 2000; a part also ends at ~256 MB)")
    ap.add_argument("--ema", default=None, metavar="FILE.tar.gz",
                    help="export: the EMA Workbench results file to write (replaced atomically if it exists)")
    ap.add_argument("--outcome", nargs="+", action="extend", default=None, metavar="NAME",
                    help="export: outcomes, one value per run (default: the experiment's metrics at the last week)")
    ap.add_argument("--series", nargs="+", action="extend", default=None, metavar="METRIC",
                    help="export: metrics exported every week (runs x weeks, with TIME)")
    root_option(ap)
    ns = ap.parse_args(list(args))
    check_at_least_one("--runs-per-part", ns.runs_per_part)
    if ns.action != "export" and (ns.ema or ns.outcome or ns.series):
        raise UserError(f"results {ns.action}: --ema, --outcome and --series belong to results export")
    if ns.action == "compact":
        return compact(ns.experiment, ns.root, ns.runs_per_part)
    if ns.action == "export":
        return export(ns.experiment, ns.ema, ns.outcome or [], ns.series or [], ns.root)
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


def export(experiment: str | None, ema: str | None, outcomes: list[str], series: list[str], root: str | None) -> int:
    """`abm results export`: every input checked (the experiment, its outcomes, the destination) before the
    one write, an atomic rename of a finished file."""
    from abm.analysis.ema import check_destination, describe, save
    from abm.analysis.ema import export as ema_export
    from abm.cli.args import check_writable

    if not experiment:
        raise UserError("results export: name the experiment, e.g. abm results export quickstart --ema q.tar.gz")
    if not ema:
        raise UserError("results export: --ema FILE.tar.gz is missing: the file to write, e.g. "
                        f"abm results export {experiment} --ema {experiment}.tar.gz")
    destination = check_destination(ema)
    check_writable(destination.absolute().parent, "--ema")
    with printed_store_warnings():
        results = ema_export(experiment, outcomes, series, root)
    print(describe(results, save(results, destination)))
    return 0
