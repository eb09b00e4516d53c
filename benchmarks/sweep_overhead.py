"""Benchmark of the sweep machinery: per-run overhead beyond the simulation, and parallel efficiency 1 -> 2 workers.

    uv run python -m benchmarks.sweep_overhead                 # default region, 260 weeks, 16 runs
    uv run python -m benchmarks.sweep_overhead --runs 24 --weeks 104

Overhead per run = (wall time of `run_experiment` with one in-process worker - the simulations' own wall
time as recorded in provenance) / runs: Hydra's per-job composition, the task, Parquet + JSON writing and
the atomic rename. Parallel efficiency = T(1 worker) / (2 x T(2 workers)); both include every cost a user
pays (the 2-worker run includes starting the loky worker processes). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from abm.experiments.launch import run_experiment
from abm.experiments.spec import Spec, plan


def make_spec(runs: int, weeks: int, organisation: str) -> Spec:
    seeds = runs // 2
    return Spec(name="bench", path=Path("bench.yaml"), base=[f"organisation={organisation}", f"weeks={weeks}"],
                sweep={"practice": "exploit_only,contextual"}, seeds=list(range(seeds)),
                metrics=["maturity_total"], baseline="practice=exploit_only")


def timed_sweep(spec: Spec, workers: int) -> tuple[float, float, int]:
    """(wall seconds of the launch, summed simulation seconds, runs) in a fresh store."""
    configs = plan(spec)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        outcome = run_experiment(spec, configs, Path(tmp), workers=workers, progress=False)
        wall = time.perf_counter() - start
        assert outcome.complete, outcome.summary()
        sims = [json.loads(p.read_text())["wall_time_s"] for p in Path(tmp).glob("bench/runs/*/*/provenance.json")]
    return wall, float(sum(sims)), len(sims)


def bare_efficiency(spec: Spec, runs: int) -> float:
    """The same simulations with no sweep machinery: one loop vs two forked processes (the machine's ceiling)."""
    import multiprocessing

    from abm.api import compose, run

    params = compose(spec.base)
    start = time.perf_counter()
    for _ in range(runs):
        run(params)
    t1 = time.perf_counter() - start
    with multiprocessing.get_context("fork").Pool(2) as pool:
        start = time.perf_counter()
        pool.map(run, [params] * runs)
        t2 = time.perf_counter() - start
    return t1 / (2 * t2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--weeks", type=int, default=260)
    ap.add_argument("--organisation", default="default")
    ns = ap.parse_args()
    spec = make_spec(ns.runs, ns.weeks, ns.organisation)
    print(f"sweep benchmark: {ns.runs} runs of organisation={ns.organisation}, weeks={ns.weeks}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    timed_sweep(make_spec(2, 4, "small"), 1)  # warm imports and caches once
    w1, sim1, n = timed_sweep(spec, 1)
    overhead = (w1 - sim1) / n
    print(f"1 worker : {w1:7.2f} s wall, {sim1:7.2f} s inside simulate(), {n} runs")
    print(f"  per-run overhead of the sweep machinery: {overhead * 1000:.0f} ms "
          f"({overhead / (sim1 / n):.1%} of a {sim1 / n:.2f} s run)")
    w2, sim2, _ = timed_sweep(spec, 2)
    print(f"2 workers: {w2:7.2f} s wall, {sim2:7.2f} s inside simulate()")
    print(f"  speed-up {w1 / w2:.2f}x, parallel efficiency 1 -> 2 workers: {w1 / (2 * w2):.2f} (target >= 0.85)")
    print(f"  the same {n} simulations without sweep machinery (a loop vs a 2-process pool): efficiency "
          f"{bare_efficiency(spec, n):.2f}, the ceiling this machine allows right now")
    print(f"  workers busy simulating {sim2 / (2 * w2):.0%} of the wall time; one simulation took "
          f"{sim2 / sim1:.2f}x as long with two running at once (CPU contention, not sweep machinery)")


if __name__ == "__main__":
    main()
