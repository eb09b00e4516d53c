"""One measurement in a fresh process: build, run and write one model; print a JSON line.

A fresh process per measurement makes `ru_maxrss` the peak memory of that size alone, and pins the run
to one core (numpy/BLAS threads off) so sizes are measured as a sweep would run them: one run per core.

    uv run python -m benchmarks.worker --model region --weeks 260 organisation=region
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def pin_to_one_core(core: int | None) -> None:
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core % (os.cpu_count() or 1)})


def measure_region(overrides: list[str], weeks: int, write: bool) -> dict[str, Any]:
    """Time the model build, the run with full collection, and the tables written to disk."""
    from abm.api import compose, load_kernels
    from abm.core.model import RegionModel
    from abm.simulation import RunResult
    from abm.store.files import write_run

    params = compose([*overrides, f"weeks={weeks}"])
    tk = time.perf_counter()
    load_kernels(overrides)
    kernels_s = time.perf_counter() - tk
    rss_before = peak_rss_mib()
    t0 = time.perf_counter()
    model = RegionModel(params)
    t1, c1 = time.perf_counter(), time.process_time()
    model.run()
    t2, c2 = time.perf_counter(), time.process_time()
    region, units = model.collector.region_frame(), model.collector.unit_frame()
    t3 = time.perf_counter()
    out: dict[str, Any] = {
        "staff": params.organisation.n_staff, "units": params.organisation.n_units,
        "ties": model.network.n_ties, "weeks": int(model.week), "build_s": t1 - t0, "run_s": t2 - t1,
        "run_cpu_s": c2 - c1, "frames_s": t3 - t2, "rss_imports_mib": rss_before, "kernels_s": kernels_s,
    }
    if write:
        with tempfile.TemporaryDirectory() as tmp:
            t4 = time.perf_counter()
            write_run(RunResult(params, region, units, {"benchmark": True}), tmp)
            out["write_s"] = time.perf_counter() - t4
            out["result_mib"] = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def measure_mesa(n_staff: int, n_units: int, weeks: int, seed: int) -> dict[str, Any]:
    """Time the idiomatic-Mesa reference (benchmarks/mesa_reference.py)."""
    from benchmarks.mesa_reference import MesaReference

    rss_before = peak_rss_mib()
    t0 = time.perf_counter()
    model = MesaReference.of_size(n_staff, n_units, seed)
    t1, c1 = time.perf_counter(), time.process_time()
    for _ in range(weeks):
        model.step()
    t2, c2 = time.perf_counter(), time.process_time()
    return {"staff": n_staff, "units": n_units, "weeks": weeks, "build_s": t1 - t0, "run_s": t2 - t1,
            "run_cpu_s": c2 - c1,
            "rss_imports_mib": rss_before, "peak_rss_mib": peak_rss_mib()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one benchmark measurement (JSON on stdout)")
    parser.add_argument("--model", choices=("region", "mesa"), default="region")
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--core", type=int, default=None, help="pin to this core (only on an idle machine)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--staff", type=int, default=2000, help="mesa reference only")
    parser.add_argument("--units", type=int, default=25, help="mesa reference only")
    parser.add_argument("--seed", type=int, default=0, help="mesa reference only")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    pin_to_one_core(args.core)
    if args.model == "region":
        result = measure_region(args.overrides, args.weeks, not args.no_write)
    else:
        result = measure_mesa(args.staff, args.units, args.weeks, args.seed)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
