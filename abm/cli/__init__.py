"""`abm`, the one console script: parse, call, print. Each subcommand lives in its own module here and
is imported only when used (keeps `abm run` start-up small).

Every bad argument or config value gets one line on stderr and exit status 2, before anything is written.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence

from abm.cli.args import HelpShown
from abm.errors import UserError

USAGE = """usage: abm COMMAND [ARGS]   (abm COMMAND --help for each command's full usage)

commands:
  run [overrides] [-m]   one simulation of the configured region (Hydra overrides, e.g. practice=structural);
                         -m/--multirun sweeps comma-separated values in parallel local processes
  experiment NAME [overrides] [--workers N] [--launcher local|joblib|slurm|mpi] [--root DIR] [--seeds N]
                         run an experiment file (experiments/NAME.yaml) into the results store, resumably
  results list | show EXPERIMENT | compact EXPERIMENT | export EXPERIMENT --ema FILE.tar.gz
                         what the store holds (DuckDB over Parquet); compact merges an experiment's runs
                         into a few Parquet files; export writes them as EMA Workbench results
  compare EXPERIMENT [EXPERIMENT2] [--metric M ...] [--week W] [--baseline KEY=VALUE]
                         means with 95% CIs, paired differences vs the baseline, figures and a report
  sensitivity EXPERIMENT [--metric M ...] [--week W]   Morris or Sobol indices of a sensitivity experiment
  calibrate NAME [--workers N] [--launcher local|slurm] [--root DIR] [--out DIR]
                         pattern-oriented ABC-SMC calibration (pyabc) of a calibration file, resumably:
                         posterior, posterior-predictive check, report and a calibrated preset
  optimise NAME [--workers N] [--launcher local|slurm] [--root DIR] [--out DIR]
                         multi-objective search over practice designs (optuna NSGA-II), robust over futures
                         and posterior draws, resumably: the Pareto front and each named practice's regret
  discover NAME [--workers N] [--launcher local|slurm] [--root DIR] [--out DIR]
                         scenario discovery (PRIM, EMA Workbench) of a discovery file, resumably: where in the
                         uncertainty space design B beats design A
  validate [--quick]     the docking report: the full model reproduces March, Bass, Granovetter, Centola
  viz [--host H] [--port P]  the browser app (offline; binds 127.0.0.1:8765 unless told otherwise)
  help                   this message;  --version: the package version

examples:
  abm run
  abm run practice=adaptive environment=pandemic_shock seed=7
  abm run -m practice=exploit_only,contextual seed=0,1,2 organisation=small
  abm experiment quickstart && abm compare quickstart
"""

COMMANDS: dict[str, str] = {
    "run": "abm.cli.run:run_command",
    "experiment": "abm.cli.experiment:experiment_command",
    "results": "abm.cli.results:results_command",
    "compare": "abm.cli.compare:compare_command",
    "sensitivity": "abm.cli.sensitivity:sensitivity_command",
    "calibrate": "abm.cli.calibrate:calibrate_command",
    "optimise": "abm.cli.optimise:optimise_command",
    "discover": "abm.cli.discover:discover_command",
    "validate": "abm.cli.validate:validate_command",
    "viz": "abm.cli.viz:viz_command",
}
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def fail(message: str) -> int:
    print(f"abm: error: {message}", file=sys.stderr)
    return 2


def load_command(name: str) -> Callable[[Sequence[str]], int]:
    module, func = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module), func)


def main(argv: Sequence[str] | None = None) -> int:
    # The model's arrays are small per call: one BLAS thread per process is faster, and sweeps use processes.
    for var in ONE_THREAD:
        os.environ.setdefault(var, "1")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("help", "-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    if args[0] in ("--version", "-V"):
        from abm import __version__

        print(f"ehealth-abm {__version__}")
        return 0
    if args[0] not in COMMANDS:
        return fail(f"unknown command {args[0]!r}: one of {', '.join(COMMANDS)}")
    try:
        return load_command(args[0])(args[1:])
    except HelpShown:
        return 0
    except UserError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
