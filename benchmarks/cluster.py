"""Cluster figures: the SLURM path's per-run overhead, and 2,000 runs through SLURM, MPI and local processes.

    uv run python -m benchmarks.cluster [--runs 2000] [--overhead-runs 100]

Starts the test SLURM cluster of tests/helpers/slurm_cluster.py (munged, slurmctld, slurmd on this machine;
needs root and `apt-get install slurm-wlm munge`) and uses the `mpiexec` of the `mpich` wheel (dev group).
Prints figures, never asserts timings; checks that the stored tables are identical (BLAKE2b manifests).

1. Overhead: `--overhead-runs` runs of the default region (quickstart at 260 weeks) as bare `simulate()`
   calls in one warm process, against the same runs through `abm experiment --launcher slurm` as one array
   task (submission, scheduling, task start-up, kernel loading, store writes and the monitor included).
2. Throughput: `--runs` runs of quickstart with organisation=small weeks=12 (two configurations x
   runs/2 seeds) with 2 local worker processes, through SLURM as 2 array tasks, and through
   `mpiexec -n 3 python -m mpi4py.futures` (2 worker ranks; rank 0 only hands out the runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers.experiment_helpers import REPO, table_checksums
from tests.helpers.slurm_cluster import SlurmCluster, missing_tools


def abm(env: dict[str, str], *args: str, prefix: tuple[str, ...] = ()) -> float:
    """Wall seconds of one `abm` command (it must succeed)."""
    start = time.perf_counter()
    out = subprocess.run([*prefix, sys.executable, *(() if prefix else ("-m", "abm.cli")), *args], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{out.stdout}\n{out.stderr}")
    return wall


DEFAULT_REGION = ("organisation=default", "weeks=260")  # quickstart's own base is the small region, 52 weeks


def bare_seconds(n: int) -> float:
    """`n` default-region runs (quickstart's two practices, 260 weeks) as bare simulate() calls, kernels warm."""
    from abm.api import load_kernels
    from abm.core.params import from_dict
    from abm.experiments.spec import apply_cli_overrides, load_spec, plan
    from abm.simulation import simulate

    load_kernels()
    configs = plan(apply_cli_overrides(load_spec("quickstart"), list(DEFAULT_REGION)))
    jobs = [{**c.resolved, "seed": s} for s in range(n // len(configs)) for c in configs]
    start = time.perf_counter()
    for resolved in jobs:
        simulate(from_dict(resolved), config=resolved)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--overhead-runs", type=int, default=100)
    ap.add_argument("--overhead-only", action="store_true", help="only figure 1")
    ns = ap.parse_args()
    if missing_tools():
        raise SystemExit(f"SLURM tools missing: {', '.join(missing_tools())}")
    mpiexec = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
    tmp = Path(tempfile.mkdtemp(prefix="abm-bench-cluster-"))
    cluster = SlurmCluster()
    cluster.start()
    try:
        env = {**cluster.env, "OPENBLAS_NUM_THREADS": "1"}
        common = ["--no-progress", "hydra.launcher.partition=debug"]
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")

        n = ns.overhead_runs
        bare = bare_seconds(n)
        slurm = abm(env, "experiment", "quickstart", *DEFAULT_REGION, "--seeds", str(n // 2), "--launcher", "slurm",
                    "--root", str(tmp / "overhead"), f"hydra.launcher.runs_per_task={n}", *common)
        print(f"\n1. default region (quickstart, 600 staff, 260 weeks), {n} runs, one SLURM task:")
        print(f"   bare simulate() in a warm process: {bare:.1f} s ({bare / n * 1000:.0f} ms per run)")
        print(f"   abm experiment --launcher slurm:   {slurm:.1f} s wall from the command's start")
        print(f"   per-run overhead: {(slurm - bare) / n * 1000:.0f} ms = {(slurm - bare) / bare * 100:.1f}% "
              "of a bare run (submission, scheduling, task start-up, kernels, store writes)")

        if ns.overhead_only:
            return
        runs = ns.runs
        small = ["experiment", "quickstart", "organisation=small", "weeks=12", "--seeds", str(runs // 2), *common]
        walls = {"local, 2 processes": abm(env, *small, "--workers", "2", "--root", str(tmp / "local"))}
        walls["SLURM, 2 array tasks"] = abm(env, *small, "--launcher", "slurm", "--root", str(tmp / "slurm"),
                                            f"hydra.launcher.runs_per_task={(runs + 1) // 2}")
        if mpiexec:
            walls["mpiexec -n 3 (2 worker ranks)"] = abm(
                env, "-m", "mpi4py.futures", "-m", "abm.cli", *small, "--launcher", "mpi", "--root",
                str(tmp / "mpi"), prefix=(mpiexec, "-n", "3"))
        serial = abm(env, *small[:4], "--seeds", "50", *common, "--workers", "1", "--root", str(tmp / "serial"))
        per_run = serial / 100
        print(f"\n2. {runs} runs of quickstart organisation=small weeks=12 (120 staff, 12 weeks); one process "
              f"alone: {per_run * 1000:.0f} ms per run (100 runs, start-up included)")
        base = walls["local, 2 processes"]
        for name, wall in walls.items():
            print(f"   {name:32s} {wall:7.1f} s  {runs / wall:6.1f} runs/s  efficiency vs local processes "
                  f"{base / wall:.2f}  vs 2 x one process {per_run * runs / (2 * wall):.2f}")

        sums = {name: table_checksums(tmp / key / "quickstart") for name, key in
                [("local", "local"), ("slurm", "slurm"), ("mpi", "mpi")] if (tmp / key).exists()}
        same = all(s == sums["local"] for s in sums.values())
        print(f"\n3. stored tables of {', '.join(sums)}: {len(sums['local'])} runs each, "
              f"{'identical' if same else 'DIFFERENT'} BLAKE2b checksums of every table")
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
