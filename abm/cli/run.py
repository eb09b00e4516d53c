"""`abm run [overrides] [-m]`: one simulation (or a Hydra multirun) of the configured region, through Hydra."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from abm.cli.args import Parser, check_writable
from abm.errors import UserError

LONG_RUN = 1_000_000  # staff-weeks above which a terminal run shows a progress bar
RUNS, MULTIRUNS = Path("outputs/runs"), Path("outputs/multiruns")  # configs/config.yaml's hydra.run/sweep.dir
STALE_TMP_S = 60  # a hidden .tmp file this old in an output folder is left by a killed run: removed
EXCLUSIVE = ("multirun", "cfg", "info")  # Hydra accepts only one of these modes

DESCRIPTION = """One simulation of the configured region through Hydra: prints a summary table and writes
region.parquet, units.parquet and provenance.json into outputs/runs/<time>/ (a multirun into
outputs/multiruns/<time>/<n>/); <time> is the start time to the microsecond and the process id, so two
runs never share a folder. Every run the command would start is validated before anything is written,
and --cfg prints the composed configuration only once it is valid."""

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
    modes = [f"--{k}" for k in EXCLUSIVE if getattr(ns, k)]
    if len(modes) > 1:
        raise UserError(f"run: {' with '.join(modes)} is not allowed: at most one of -m/--multirun, --cfg, --info")
    other_tree = any(getattr(ns, k) for k in ("config_path", "config_name", "config_dir", "experimental_rerun"))
    if other_tree or ns.info or ns.hydra_help:  # Hydra's own information, or a config tree abm does not know
        return hydra_run(list(args))
    validate_overrides(ns.overrides, multirun=ns.multirun)
    if ns.cfg:
        return hydra_run(list(args))
    key, default = ("hydra.sweep.dir", MULTIRUNS) if ns.multirun else ("hydra.run.dir", RUNS)
    given = [o.partition("=")[2] for o in ns.overrides if o.partition("=")[0].lstrip("+") == key]
    folder = Path(given[-1]) if given else default / f"{datetime.now():%Y-%m-%d_%H-%M-%S.%f}-{os.getpid()}"
    check_writable(folder, key)
    if not given:
        remove_stale_tmp()
        args = [*args, f"{key}={folder}"]
    return hydra_run(list(args))


def remove_stale_tmp(now: float | None = None) -> list[Path]:
    """Hidden temporary files (abm.store.files' `.NAME.*.tmp`) older than STALE_TMP_S in the default output
    folders: a run killed mid-write leaves them; a live write renames its own within seconds."""
    now = time.time() if now is None else now
    removed = []
    for tmp in [*RUNS.glob("*/.*.tmp"), *MULTIRUNS.glob("*/*/.*.tmp")]:
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_S:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass  # another run removed it, or it is not ours to remove
    return removed


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
