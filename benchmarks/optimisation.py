"""The optimiser's overhead per run against bare runs of the same configurations, and its trials per second.

    uv run python -m benchmarks.optimisation                 # default region, 104 weeks, 1 worker
    uv run python -m benchmarks.optimisation --workers 2     # two local worker processes
    uv run python -m benchmarks.optimisation --preset-size   # the Swedish preset (8,000 staff)

A small search (population 6, 2 generations, 2 named practices, 2 environments x 2 seeds per design) runs into
a temporary store; then every run it stored is simulated again bare (simulate(), no store, no optuna) in this
process. Overhead = the search's wall time (named practices, search, reading back, tables; the report and
figures apart) / the bare runs' time on N ideal workers - 1: composing each design's configs, optuna's
sampler and SQLite storage, the worker pool, writing each run into the store and reading it back.
Printed, never asserted (timings are noisy).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import yaml


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset-size", action="store_true", help="the Swedish preset (8,000 staff)")
    ap.add_argument("--workers", type=int, default=1, help="local worker processes (1: in this process)")
    ap.add_argument("--weeks", type=int, default=104)
    ns = ap.parse_args()
    from abm.api import load_kernels
    from abm.core.params import from_dict
    from abm.optimisation.optimise import optimise, write_outputs
    from abm.optimisation.spec import load_optimisation
    from abm.simulation import simulate

    base = [*(["preset=sweden2021_patterns"] if ns.preset_size else []), f"weeks={ns.weeks}"]
    spec = {"kind": "optimisation", "name": "bench", "base": base, "environments": ["stable", "turbulent"],
            "seeds": 2, "space": {"practice": ["contextual", "structural"], "practice.budget": [0.02, 0.3],
                                  "management.pilot_capacity": [0.5, 10.0]},
            "objectives": {"care_production_mean": "maximise", "maturity_total": "maximise"},
            "named": ["exploit_only", "contextual"], "population": 6, "generations": 2, "seed": 1}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bench.yaml").write_text(yaml.safe_dump(spec))
        opt = load_optimisation(str(folder / "bench.yaml"))
        load_kernels(base)  # kernels loaded before timing, as in a long search
        import abm.optimisation.optimise as module

        module.write_outputs = lambda result: None  # the report and figures are timed apart
        result = optimise(opt, folder / "store", folder / "out", workers=ns.workers, log=lambda _: None)
        start = time.perf_counter()
        write_outputs(result)
        report_s = time.perf_counter() - start
        runs = sorted((folder / "store" / "bench" / "runs").glob("*/seed=*"))
        bare = 0.0
        for run in runs:
            config = json.loads((run / "provenance.json").read_text())["config"]
            t0 = time.perf_counter()
            simulate(from_dict(config), config=config)
            bare += time.perf_counter() - t0
    per_run = bare / len(runs)
    ideal = per_run * result.runs_launched / ns.workers
    extra_ms = (result.wall - ideal) * ns.workers / result.runs_launched * 1000
    in_runs_ms = (result.run_seconds - ideal) * ns.workers / result.runs_launched * 1000
    print(f"{ns.workers} worker(s), {'8,000' if ns.preset_size else 'default'} staff, {ns.weeks} weeks: "
          f"{result.trials} trials + {len(opt.named)} named practices, {result.runs_launched} runs, bare "
          f"{per_run:.3f} s each; search {result.wall:.1f} s, {result.trials / result.wall:.2f} trials per second, "
          f"{result.runs_launched / result.wall:.2f} runs per second; overhead against {ns.workers} ideal worker(s) "
          f"{result.wall / ideal - 1:+.1%} ({extra_ms:.0f} ms of worker time per run: {in_runs_ms:.0f} ms while "
          f"the runs execute (store writes, pool), {extra_ms - in_runs_ms:.0f} ms composing, in optuna and "
          f"reading back); then the report and figures {report_s:.1f} s")


if __name__ == "__main__":
    main()
