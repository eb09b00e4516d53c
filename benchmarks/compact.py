"""Benchmark of `abm results compact`: files and folders per 10,000 runs before and after, and compaction time.

    uv run python -m benchmarks.compact                       # 500 small runs (organisation=small, 26 weeks)
    uv run python -m benchmarks.compact --runs 200 --weeks 52 --workers 2

A real store is written by the sweep machinery (`run_experiment`, the local launcher), then compacted with
`abm.store.compact.compact_experiment`. Files and folders are counted under the experiment folder (the
folder itself, experiment.yaml and .lock included) and extrapolated linearly to 10,000 runs (before: 3 files
and 1 folder per run; after: 3 files per part of up to 2,000 runs); the time is the wall time of the
compaction, per 1,000 runs. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

from abm.experiments.launch import run_experiment
from abm.experiments.spec import Spec, plan
from abm.store.compact import RUNS_PER_PART, compact_experiment, count_entries
from abm.store.reader import load_region


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--organisation", default="small")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    spec = Spec(name="bench_compact", path=Path("bench_compact.yaml"),
                base=[f"organisation={a.organisation}", f"weeks={a.weeks}"],
                sweep={"practice": "exploit_only,contextual"}, seeds=list(range(a.runs // 2)),
                metrics=["maturity_total"], baseline="practice=exploit_only")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        outcome = run_experiment(spec, plan(spec), Path(tmp), workers=a.workers, progress=False)
        sweep = time.perf_counter() - start
        assert outcome.complete, outcome.summary()
        exp = Path(tmp) / spec.name
        n = len(outcome.status)
        rows = len(load_region(spec.name, tmp))
        files, folders = count_entries(exp)
        report = compact_experiment(exp)
        after_files, after_folders = count_entries(exp)
        assert report.compacted == n and len(load_region(spec.name, tmp)) == rows
        stored = sum(p.stat().st_size for p in (exp / "compact").rglob("*.parquet"))
    parts = math.ceil(10_000 / RUNS_PER_PART)
    print(f"store: {n} runs ({a.organisation}, {a.weeks} weeks), written by the sweep in {sweep:.1f} s")
    print(f"measured on {n} runs:   before {files} files, {folders} folders;  after {after_files} files, "
          f"{after_folders} folders ({len(report.parts)} part(s), {stored / 2**20:.1f} MiB of Parquet)")
    print(f"per 10,000 runs (linear): before {round(files * 10_000 / n):,} files, "
          f"{round(folders * 10_000 / n):,} folders;  after {3 * parts + 3} files, {after_folders} folders "
          f"({parts} parts of up to {RUNS_PER_PART} runs, + manifest.json, experiment.yaml, .lock)")
    print(f"compaction: {report.seconds:.2f} s for {n} runs = {report.seconds * 1000 / n:.2f} s per 1,000 runs")


if __name__ == "__main__":
    main()
