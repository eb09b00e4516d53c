"""`abm run [overrides] [-m]`: one simulation (or a Hydra multirun) of the configured region, through Hydra."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from abm.cli.args import Parser

LONG_RUN = 1_000_000  # staff-weeks above which a terminal run shows a progress bar

DESCRIPTION = """One simulation of the configured region through Hydra: prints a summary table and writes
region.parquet, units.parquet and provenance.json into outputs/runs/<time>/ (a multirun into
outputs/multiruns/<time>/<n>/). Every run the command would start is validated before anything is written."""

EPILOG = """overrides: Hydra overrides, e.g. practice=structural environment=turbulent seed=3 (groups and keys:
docs/ODD.md); with -m, comma-separated values sweep in parallel local processes.

examples:
  abm run
  abm run practice=adaptive environment=pandemic_shock seed=7
  abm run -m practice=exploit_only,contextual seed=0,1,2 organisation=small
  abm run --cfg job      (print the composed configuration)"""


def parser() -> Parser:
    ap = Parser("run", DESCRIPTION, EPILOG)
    ap.add_argument("overrides", nargs="*", help="Hydra overrides (key=value)")
    ap.add_argument("-m", "--multirun", action="store_true", help="sweep comma-separated values (Hydra multirun)")
    hydra = ap.add_argument_group("Hydra's own flags (passed to Hydra; nothing is run or written)")
    hydra.add_argument("-c", "--cfg", choices=("job", "hydra", "all"), help="print the composed config")
    hydra.add_argument("-p", "--package", help="with --cfg: the config package to print")
    hydra.add_argument("--resolve", action="store_true", help="with --cfg: resolve interpolations")
    hydra.add_argument("-i", "--info", nargs="?", const="all", help="print Hydra's information")
    hydra.add_argument("--hydra-help", action="store_true", help="Hydra's help")
    for short, long in (("-cp", "--config-path"), ("-cn", "--config-name"), ("-cd", "--config-dir")):
        hydra.add_argument(short, long, help=argparse.SUPPRESS)
    hydra.add_argument("--experimental-rerun", help=argparse.SUPPRESS)
    return ap


def run_command(args: Sequence[str]) -> int:
    """Validate every run the command would start, then hand over to Hydra."""
    from abm.config.hydra_bridge import validate_overrides

    ns = parser().parse_intermixed_args(list(args))
    hydra_only = any(getattr(ns, k) for k in ("cfg", "info", "hydra_help", "config_path", "config_name",
                                               "config_dir", "experimental_rerun"))
    if not hydra_only:
        validate_overrides(ns.overrides, multirun=ns.multirun)
    return hydra_run(list(args))


def hydra_run(args: list[str]) -> int:
    from abm.config.hydra_bridge import hydra_main

    hydra_main(run_task, args)
    return 0


def run_task(cfg: object) -> None:
    """Hydra's task: one run into Hydra's output folder, with a summary table for a single run."""
    from abm.analysis.summary import format_table, summary_table
    from abm.config.hydra_bridge import job, resolved_dict, to_params
    from abm.simulation import simulate
    from abm.store.files import write_run

    hc = job()
    params = to_params(cfg)  # type: ignore[arg-type]
    long_run = params.organisation.n_staff * params.weeks >= LONG_RUN
    config = resolved_dict(cfg)  # type: ignore[arg-type]
    result = simulate(params, progress=long_run and sys.stderr.isatty(), config=config)
    out = write_run(result, hc.output_dir)
    if hc.multirun:
        print(f"run {hc.number}: {' '.join(hc.overrides) or '(defaults)'} -> {out}")
        return
    print(
        f"ehealth-abm: {params.organisation.name} region ({params.organisation.n_staff} staff, "
        f"{params.organisation.n_units} units), practice {params.practice.name}, "
        f"environment {params.environment.name}, seed {params.seed}, {result.provenance['weeks_run']} weeks "
        f"in {result.provenance['wall_time_s']:.2f} s\n"
    )
    print(format_table(summary_table(result.region)))
    print(f"\nresults: {out}/ (region.parquet, units.parquet, provenance.json)")
