"""What dominates the weekly step at each size: time per phase of RegionModel.step, in per cent.

    uv run python -m benchmarks.phases                      # 600, 8,000 and 100,000 staff
    uv run python -m benchmarks.phases --sizes 600 --weeks 260

Each size runs in this process after the others (BLAS single-threaded, as in benchmarks.run); phases
are timed by wrapping the model's phase methods, so the split is exact and the total includes the
wrappers' small overhead. The clock is this process's CPU time (`--clock cpu`, the default: on a shared
machine wall time also counts the weeks other processes held the core) or wall time (`--clock wall`).
Written to benchmarks/tables/phases.{csv,md}.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pandas as pd  # noqa: E402

from abm.api import load_kernels  # noqa: E402
from benchmarks.run import DEFAULT_OUT, SIZES, markdown, parse_sizes  # noqa: E402

PHASES = ("environment_phase", "management_sense", "management_seize", "balance", "staff_phase", "care_phase",
          "adoption_phase", "unit_phase", "transform", "workforce", "update_maturity")


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def timed(fn: Callable[..., Any], name: str, acc: Counter[str]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            acc[name] += clock() - start

    return wrapper


def phase_split(staff: int, weeks: int) -> dict[str, Any]:
    from abm.api import compose
    from abm.core.model import RegionModel

    load_kernels(list(SIZES[staff].overrides))
    model = RegionModel(compose([*SIZES[staff].overrides, f"weeks={weeks}"]))
    acc: Counter[str] = Counter()
    for name in PHASES:
        setattr(model, name, timed(getattr(model, name), name, acc))
    model.collector.collect = timed(model.collector.collect, "collect", acc)  # type: ignore[method-assign]
    start = clock()
    model.run()
    total = clock() - start
    row: dict[str, Any] = {"staff": staff, "weeks": weeks, "run (s)": round(total, 3)}
    for name in (*PHASES, "collect"):
        row[name.removesuffix("_phase").replace("management_", "") + " %"] = round(100 * acc[name] / total, 1)
    row["other %"] = round(100 - sum(100 * v / total for v in acc.values()), 1)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=(600, 8000, 100000))
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="CPU time (default) or wall time")
    args = parser.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    df = pd.DataFrame([phase_split(s, args.weeks) for s in args.sizes])
    args.out.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out / "phases.csv", index=False)
    text = f"Share of the weekly step per phase (per cent of run time, {args.clock} clock)\n\n" + markdown(df)
    (args.out / "phases.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
