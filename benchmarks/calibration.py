"""The calibration's overhead per run against bare runs of the same configurations.

    uv run python -m benchmarks.calibration                 # default region, 260 weeks, P1 and P6
    uv run python -m benchmarks.calibration --preset-size   # the Swedish preset (8,000 staff), P4
    uv run python -m benchmarks.calibration --workers 2     # two local worker processes

A small calibration runs with one worker (in this process: no pool, so the wall time is the sampler's and
the runs' alone; with --workers N, against N ideal workers) into a temporary store; then every run it
stored is simulated again bare (simulate(), no store, no pyabc) in this process. Overhead = ABC-SMC's wall
time / the bare runs' time on N ideal workers - 1: the sampler's two passes, pyabc's bookkeeping and
database, the worker pool, writing each run into the store and reading it back. The posterior-predictive
check, report and figures are a fixed cost, printed apart. Printed, never asserted (timings are noisy).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import yaml

from abm.analysis.targets import COLUMNS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset-size", action="store_true", help="P4 on the Swedish preset (8,000 staff)")
    ap.add_argument("--population", type=int, default=10)
    ap.add_argument("--workers", type=int, default=1, help="local worker processes (1: in this process)")
    ns = ap.parse_args()
    from abm.calibration.calibrate import calibrate
    from abm.calibration.spec import load_calibration
    from abm.core.params import from_dict
    from abm.simulation import simulate

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = ([("P4", "total", 80, 200, 120)] if ns.preset_size else
                [("P1", "weeks_first_to_80", 150, 300, 150), ("P6", "turnover_per_year", 0.06, 0.15, 0.09)])
        lines = [",".join(COLUMNS)] + [f"{p},{q},{lo},{hi},{s},x,x,2026,https://example.org"
                                       for p, q, lo, hi, s in rows]
        (folder / "t.csv").write_text("\n".join(lines) + "\n")
        spec = {"kind": "calibration", "name": "bench", "preset": "sweden2021", "targets": str(folder / "t.csv"),
                "patterns": sorted({r[0] for r in rows}), "params": {"learning.p_turnover": [0.001, 0.004],
                                                                       "adoption.rate_adopt": [0.01, 0.04]},
                "seeds_per_particle": 1, "population": ns.population, "generations": 2, "predictive_draws": 4}
        (folder / "bench.yaml").write_text(yaml.safe_dump(spec))
        import abm.calibration.calibrate as module

        configs = folder / "configs"
        import shutil

        shutil.copytree(Path(__file__).resolve().parent.parent / "configs", configs)
        module.config_dirs = lambda: (configs / "preset", configs / "posterior")  # keep configs/ untouched
        cal = load_calibration(str(folder / "bench.yaml"))
        for resolved in cal.resolved.values():  # kernels loaded before timing, as in a long calibration
            simulate(from_dict({**resolved, "weeks": 2}))
        start = time.perf_counter()
        result = calibrate(cal, folder / "store", folder / "out", workers=ns.workers, log=lambda _: None)
        wall = time.perf_counter() - start
        runs = sorted((folder / "store" / "bench" / "runs").glob("*/seed=*"))
        bare = 0.0
        for run in runs:
            config = json.loads((run / "provenance.json").read_text())["config"]
            t0 = time.perf_counter()
            simulate(from_dict(config), config=config)
            bare += time.perf_counter() - t0
    per_run = bare / len(runs)
    abc = result.abc
    abc_bare = per_run * abc.runs_launched / ns.workers  # N ideal workers' wall time for these runs
    extra_ms = (abc.wall_seconds - abc_bare) * ns.workers / abc.runs_launched * 1000
    in_runs_ms = (abc.run_seconds - abc_bare) * ns.workers / abc.runs_launched * 1000
    print(f"{ns.workers} worker(s): {len(runs)} runs, bare {per_run:.3f} s each; ABC-SMC: {abc.runs_launched} runs "
          f"({abc.particles_evaluated} particles, {abc.generations} generations) in {abc.wall_seconds:.1f} s, "
          f"{abc.runs_launched / abc.wall_seconds:.2f} runs per second; overhead against {ns.workers} ideal "
          f"worker(s) {abc.wall_seconds / abc_bare - 1:+.1%} ({extra_ms:.0f} ms of worker time per run: "
          f"{in_runs_ms:.0f} ms while the runs execute (store writes, pool), {extra_ms - in_runs_ms:.0f} ms in the "
          f"sampler, pyabc and reading back); then the predictive check, report and figures "
          f"{wall - abc.wall_seconds:.1f} s")

if __name__ == "__main__":
    main()
