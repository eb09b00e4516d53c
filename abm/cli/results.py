"""`abm results list` and `abm results show EXPERIMENT`: what the results store holds."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from abm.cli.args import Parser, printed_store_warnings, root_option
from abm.errors import UserError
from abm.store.reader import list_experiments, show_experiment

DESCRIPTION = """What the results store holds (DuckDB over the runs' Parquet files).

  list              one row per experiment: configurations, runs ok and failed, planned runs
  show EXPERIMENT   per configuration: swept values, runs ok/failed, final-week means of its metrics"""


def results_command(args: Sequence[str]) -> int:
    ap = Parser("results", DESCRIPTION, "examples:\n  abm results list\n  abm results show quickstart")
    ap.add_argument("action", choices=("list", "show"), help="list the experiments, or show one")
    ap.add_argument("experiment", nargs="?", help="the experiment to show")
    root_option(ap)
    ns = ap.parse_args(list(args))
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
