"""`abm`, the one console script. `abm run [overrides]` runs the model through Hydra.

Every bad argument or config value gets one line on stderr and exit status 2, before anything is written.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence

from abm.errors import UserError

USAGE = """usage: abm COMMAND [ARGS]

commands:
  run [overrides] [-m]   one simulation of the configured region (Hydra overrides, e.g. practice=structural);
                         -m/--multirun sweeps comma-separated values in parallel local processes
  experiment NAME [overrides] [--workers N] [--launcher local|slurm] [--root DIR]
                         run an experiment file (experiments/NAME.yaml) into the results store, resumably
  results list | show EXPERIMENT   what the results store holds (DuckDB over the Parquet files)
  compare EXPERIMENT [EXPERIMENT2] [--metric M ...] [--week W] [--baseline KEY=VALUE]
                         means with 95% CIs, paired differences vs the baseline, figures and a report
  sensitivity EXPERIMENT [--metric M ...]   Morris or Sobol indices of a sensitivity experiment
  validate [--quick]     the docking report: the full model reproduces March, Bass, Granovetter, Centola
  viz [--host H] [--port P]  the browser app (offline; binds 127.0.0.1:8765 unless told otherwise)
  help                   this message

examples:
  abm run
  abm run practice=adaptive environment=pandemic_shock seed=7
  abm run -m practice=exploit_only,contextual seed=0,1,2 organisation=small
  abm run --cfg job      (print the composed configuration)
"""

LONG_RUN = 1_000_000  # staff-weeks above which a terminal run shows a progress bar
HYDRA_FLAGS_WITH_VALUE = {"--cfg", "-c", "--package", "-p", "--info", "-i", "--config-path", "-cp",
                          "--config-name", "-cn", "--config-dir", "-cd", "--experimental-rerun"}


def fail(message: str) -> int:
    print(f"abm: error: {message}", file=sys.stderr)
    return 2


def split_args(args: Sequence[str]) -> tuple[list[str], bool, bool]:
    """(overrides, multirun, hydra_info): Hydra flags are kept apart from overrides."""
    overrides, multirun, info = [], False, False
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-m", "--multirun"):
            multirun = True
        elif a in HYDRA_FLAGS_WITH_VALUE:
            info, skip = True, a not in ("--info", "-i")
        elif a.startswith("-"):
            info = True
        else:
            overrides.append(a)
    return overrides, multirun, info


def run_command(args: Sequence[str]) -> int:
    """Validate every run the command would start, then hand over to Hydra."""
    from abm.hydra_bridge import validate_overrides

    overrides, multirun, info = split_args(args)
    if any(a in ("-h", "--help") for a in args):
        print(USAGE)
        return 0
    if not info:
        validate_overrides(overrides, multirun=multirun)
    return hydra_run(list(args))


def hydra_run(args: list[str]) -> int:
    import hydra

    from abm.hydra_bridge import config_dir, register_schemas

    register_schemas()
    main = hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")(run_task)
    saved = sys.argv
    sys.argv = ["abm", *args]
    try:
        main()
    finally:
        sys.argv = saved
    return 0


def run_task(cfg: object) -> None:
    """Hydra's task: one run into Hydra's output folder, with a summary table for a single run."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from abm.hydra_bridge import resolved_dict, to_params
    from abm.results import simulate, write_run
    from abm.summary import format_table, summary_table

    hc = HydraConfig.get()
    params = to_params(cfg)  # type: ignore[arg-type]
    long_run = params.organisation.n_staff * params.weeks >= LONG_RUN
    result = simulate(params, progress=long_run and sys.stderr.isatty(), config=resolved_dict(cfg))  # type: ignore[arg-type]
    out = write_run(result, hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        print(f"run {hc.job.num}: {' '.join(hc.overrides.task) or '(defaults)'} -> {out}")
        return
    print(f"ehealth-abm: {params.organisation.name} region ({params.organisation.n_staff} staff, "
          f"{params.organisation.n_units} units), practice {params.practice.name}, "
          f"environment {params.environment.name}, seed {params.seed}, {result.provenance['weeks_run']} weeks "
          f"in {result.provenance['wall_time_s']:.2f} s\n")
    print(format_table(summary_table(result.region)))
    print(f"\nresults: {out}/ (region.parquet, units.parquet, provenance.json)")


# Each command lives in its own module and is imported only when used (keeps `abm run` start-up small).
COMMANDS: dict[str, str] = {
    "run": "abm.cli:run_command",
    "experiment": "abm.experiment:experiment_command",
    "results": "abm.store:results_command",
    "compare": "abm.compare:compare_command",
    "sensitivity": "abm.sensitivity:sensitivity_command",
    "validate": "abm.validation.command:validate_command",
    "viz": "abm.viz_command:viz_command",
}


def load_command(name: str) -> Callable[[Sequence[str]], int]:
    module, func = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module), func)


ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main(argv: Sequence[str] | None = None) -> int:
    # The model's arrays are small per call: one BLAS thread per process is faster, and sweeps use processes.
    for var in ONE_THREAD:
        os.environ.setdefault(var, "1")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("help", "-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    if args[0] not in COMMANDS:
        return fail(f"unknown command {args[0]!r}: one of {', '.join(COMMANDS)}")
    try:
        return load_command(args[0])(args[1:])
    except UserError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
