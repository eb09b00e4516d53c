"""The scaling plot for docs/performance.md: wall and CPU time for 260 weeks against staff, log-log,
with a line of slope 1 (linear cost) through the 8,000-staff point: the first model's first version
(tables/baseline/), its vectorised numpy before numba (tables/numpy/) and its numba kernels
(tables/first_model/), and the second model now (tables/scaling.csv).

    uv run python -m benchmarks.plot        # reads benchmarks/tables/, writes docs/figures/scaling.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.run import DEFAULT_OUT, ROOT  # noqa: E402

FIGURE = ROOT / "docs" / "figures" / "scaling.png"


def plot(tables: Path, out: Path) -> None:
    """Two panels: wall time and CPU time per run (the machine may be shared: CPU time is steadier)."""
    now = pd.read_csv(tables / "scaling.csv")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), dpi=120, sharey=True)
    for ax, col, base_name, title in (
        (axes[0], "run_s", "scaling_cpu.csv", "wall time"),
        (axes[1], "run_cpu_s", "scaling_cpu.csv", "CPU time"),
    ):
        base_file = tables / "baseline" / base_name
        if base_file.is_file():
            base = pd.read_csv(base_file)
            ax.plot(base["staff"], base[col], "o--", color="0.6", label="first model, first version (per-op numpy)")
        numpy_file = tables / "numpy" / "scaling.csv"
        if numpy_file.is_file():
            arrays = pd.read_csv(numpy_file)
            ax.plot(arrays["staff"], arrays[col], "o--", color="C2", label="first model, vectorised numpy")
        first_file = tables / "first_model" / "scaling.csv"
        if first_file.is_file():
            first = pd.read_csv(first_file)
            ax.plot(first["staff"], first[col], "o--", color="C4", label="first model, numba kernels")
        ax.plot(now["staff"], now[col], "o-", color="C0", label="second model now (median of repeats)")
        ref = now.loc[(now["staff"] - 8000).abs().idxmin()]
        xs = np.array([now["staff"].min(), now["staff"].max()], dtype=float)
        ax.plot(xs, ref[col] * xs / ref["staff"], ":", color="C3", label="linear in staff")
        mesa_col = "mesa_staff_weeks_per_s" if col == "run_s" else "mesa_staff_weeks_per_cpu_s"
        ratio_file = tables / "mesa_ratio.csv"
        mesa = pd.read_csv(ratio_file) if ratio_file.is_file() else pd.DataFrame()
        if mesa_col in mesa:
            ax.plot(mesa["staff"], mesa["staff"] * 260 / mesa[mesa_col], "s-", color="C1",
                    label="idiomatic Mesa reference (260 weeks, extrapolated)")
        ax.axhline(1.0, color="0.85", lw=0.8)
        ax.set(xscale="log", yscale="log", xlabel="staff", title=f"260 weeks, full collection: {title}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("seconds per run")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--out", type=Path, default=FIGURE)
    args = parser.parse_args(argv)
    plot(args.tables, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
