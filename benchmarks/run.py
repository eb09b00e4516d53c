"""The benchmark entry point: speed, build time, peak memory and result size per organisation size,
and the speed ratio to an idiomatic-Mesa reference of the same core mechanisms.

    uv run python -m benchmarks.run                      # every size, 3 repeats (about 10 minutes)
    uv run python -m benchmarks.run --quick              # 120, 600 and 8,000 staff, 1 repeat, short Mesa runs
    uv run python -m benchmarks.run --sizes 600,8000 --repeats 5 --no-mesa

Each measurement runs in a fresh subprocess pinned to one core (benchmarks/worker.py), so peak RSS is
per size and sizes run as a sweep would. Figures are medians over repeats. The table is printed and
written as CSV and Markdown to --out (default benchmarks/tables/).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from abm.analysis.markdown import markdown as table_markdown

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "tables"


@dataclass(frozen=True)
class Size:
    """One organisation size: its staff count and the Hydra overrides that build it.

    Ties per person stay fixed (about `ties_within` = 10 within the unit plus 0.5 across units), so
    cost per staff-week should not grow with size.
    """

    staff: int
    overrides: tuple[str, ...]


SIZES: dict[int, Size] = {
    120: Size(120, ("organisation=small",)),
    600: Size(600, ("organisation=default",)),
    2000: Size(2000, ("organisation=region", "organisation.n_staff=2000", "organisation.n_units=25")),
    8000: Size(8000, ("organisation=region",)),
    30000: Size(30000, ("organisation=system", "organisation.n_staff=30000", "organisation.n_units=150")),
    100000: Size(100000, ("organisation=system",)),
}
DEFAULT_SIZES = (120, 600, 8000, 30000, 100000)
QUICK_SIZES = (120, 600, 8000)
MESA_SIZES = (2000, 8000)


PIN = False  # --pin: pin each run to a core (good on an idle machine, bad on a shared one)


def worker(args: list[str], core: int) -> dict[str, Any]:
    """Run benchmarks.worker in a fresh interpreter and parse its JSON line."""
    pin = ["--core", str(core)] if PIN else []
    cmd = [sys.executable, "-m", "benchmarks.worker", *pin, *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark worker failed ({' '.join(cmd)}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def measure_size(size: Size, weeks: int, repeats: int) -> dict[str, Any]:
    runs = []
    for k in range(repeats):
        runs.append(worker(["--weeks", str(weeks), *size.overrides], core=k))
        print(f"  {size.staff:>7,} staff  repeat {k + 1}/{repeats}: run {runs[-1]['run_s']:.3f} s "
              f"(CPU {runs[-1]['run_cpu_s']:.3f} s)", flush=True)
    run_s = median_of(runs, "run_s")
    return {
        "staff": size.staff, "units": runs[0]["units"], "ties": runs[0]["ties"], "weeks": weeks,
        "repeats": repeats, "build_s": median_of(runs, "build_s"), "run_s": run_s,
        "run_s_min": min(r["run_s"] for r in runs), "run_s_max": max(r["run_s"] for r in runs),
        "run_cpu_s_min": min(r["run_cpu_s"] for r in runs), "run_cpu_s_max": max(r["run_cpu_s"] for r in runs),
        "staff_weeks_per_s": size.staff * weeks / run_s, "run_cpu_s": median_of(runs, "run_cpu_s"),
        "frames_s": median_of(runs, "frames_s"), "write_s": median_of(runs, "write_s"),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "rss_imports_mib": median_of(runs, "rss_imports_mib"),
        "kernels_s": median_of(runs, "kernels_s"),
        "result_mib": median_of(runs, "result_mib"),
    }


def mesa_ratio(staff: int, weeks: int, mesa_weeks: int, repeats: int) -> dict[str, Any]:
    """Throughput against the Mesa reference of the core mechanisms: of the whole model (management,
    maturity, full collection: more work than the reference) and of the model with the reference's
    mechanisms only (`scenario.management=false`, still with full collection).

    The Mesa reference runs `mesa_weeks` weeks (it is slow); throughputs are staff-weeks per second,
    from wall time (`speedup*`) and from CPU time (`*_cpu`, robust on a shared machine).
    """
    size = SIZES[staff]
    ours = [worker(["--weeks", str(weeks), "--no-write", *size.overrides], core=k) for k in range(repeats)]
    same = [worker(["--weeks", str(weeks), "--no-write", *size.overrides, "scenario.management=false"], core=k)
            for k in range(repeats)]
    units = ours[0]["units"]
    theirs = [worker(["--model", "mesa", "--staff", str(staff), "--units", str(units), "--weeks", str(mesa_weeks),
                      "--seed", str(k)], core=k) for k in range(repeats)]
    ours_rate = staff * weeks / median_of(ours, "run_s")
    mesa_rate = staff * mesa_weeks / median_of(theirs, "run_s")
    ours_cpu = staff * weeks / median_of(ours, "run_cpu_s")
    mesa_cpu = staff * mesa_weeks / median_of(theirs, "run_cpu_s")
    return {"staff": staff, "units": units, "model_weeks": weeks, "mesa_weeks": mesa_weeks,
            "model_staff_weeks_per_s": ours_rate, "mesa_staff_weeks_per_s": mesa_rate,
            "mesa_staff_weeks_per_cpu_s": mesa_cpu,
            "mesa_build_s": median_of(theirs, "build_s"), "speedup": ours_rate / mesa_rate,
            "speedup_cpu": ours_cpu / mesa_cpu,
            "speedup_same_mechanisms": staff * weeks / median_of(same, "run_s") / mesa_rate,
            "speedup_same_mechanisms_cpu": staff * weeks / median_of(same, "run_cpu_s") / mesa_cpu}


def markdown(df: pd.DataFrame) -> str:
    """The benchmark table, numbers right-aligned (abm.analysis.markdown writes it)."""
    return table_markdown(df.astype(object).map(fmt), align="---:")


def fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


SIZE_COLUMNS = {
    "staff": "staff",
    "units": "units",
    "ties": "ties",
    "weeks": "weeks",
    "repeats": "repeats",
    "kernels_s": "load kernels (s)",
    "build_s": "build (s)",
    "run_s": "run (s)",
    "run_cpu_s": "run CPU (s)",
    "staff_weeks_per_s": "staff-weeks/s",
    "peak_rss_mib": "peak RSS (MiB)",
    "result_mib": "results on disk (MiB)",
    "frames_s": "tables (s)",
    "write_s": "write (s)",
}


def write_tables(sizes: pd.DataFrame, ratios: pd.DataFrame, out: Path) -> None:
    from abm.store.files import atomic_write

    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "scaling.csv", lambda p: sizes.to_csv(p, index=False))
    text = "## Scaling\n\n" + markdown(sizes[list(SIZE_COLUMNS)].rename(columns=SIZE_COLUMNS))
    if len(ratios):
        atomic_write(out / "mesa_ratio.csv", lambda p: ratios.to_csv(p, index=False))
        text += "\n## Against idiomatic Mesa\n\n" + markdown(ratios)
    atomic_write(out / "benchmarks.md", lambda p: Path(p).write_text(text, encoding="utf-8"))
    print(text)
    print(f"written to {out}/")


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s.replace("_", "")) for s in text.split(",") if s)
    except ValueError:
        sizes = ()
    bad = [s for s in sizes if s not in SIZES]
    if not sizes or bad:
        raise SystemExit(f"error: --sizes {text!r}: comma-separated staff counts from {sorted(SIZES)}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=None, help="comma-separated staff counts")
    parser.add_argument("--repeats", type=int, default=None, help="fresh-process repeats per size (median)")
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat, short Mesa runs")
    parser.add_argument("--no-mesa", action="store_true", help="skip the idiomatic-Mesa ratio")
    parser.add_argument("--mesa-sizes", type=parse_sizes, default=MESA_SIZES)
    parser.add_argument("--mesa-weeks", type=int, default=None, help="weeks the Mesa reference runs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--pin", action="store_true", help="pin each run to one core (idle machines only)")
    args = parser.parse_args(argv)
    global PIN
    PIN = args.pin
    if args.weeks < 1 or (args.repeats is not None and args.repeats < 1):
        raise SystemExit("error: --weeks and --repeats must be at least 1")
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    repeats = args.repeats or (1 if args.quick else 3)
    mesa_weeks = args.mesa_weeks or (4 if args.quick else 26)
    print(f"benchmark: sizes {sizes}, {args.weeks} weeks, {repeats} repeat(s), one core per run", flush=True)
    rows = [measure_size(SIZES[s], args.weeks, repeats) for s in sizes]
    ratios = [] if args.no_mesa else [mesa_ratio(s, args.weeks, mesa_weeks, repeats) for s in args.mesa_sizes]
    write_tables(pd.DataFrame(rows), pd.DataFrame(ratios), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
