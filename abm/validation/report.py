"""`abm validate`: run every docking check (full or quick sizes) and write a Markdown report with figures.

The report folder holds report.md, results.csv (every check's rows) and the PNG figures; every file is
written atomically. Sizes: `FULL` is what docs/validation.md asks for; `QUICK` takes about a minute.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from abm.analysis.markdown import markdown as markdown_table
from abm.simulation import git_commit, package_version
from abm.store.files import atomic_write
from abm.validation import figures
from abm.validation.diffusion_checks import (
    bass_noise,
    check_bass_continuous,
    check_bass_ticks,
    check_centola,
    check_granovetter,
)
from abm.validation.fang_checks import check_fang
from abm.validation.march_checks import (
    check_march_figure1,
    check_march_mix,
    check_march_turbulence,
    check_march_turnover,
)
from abm.validation.maturity_checks import check_maturity_invariants
from abm.validation.parallel import Runner
from abm.validation.table import COLUMNS


@dataclass(frozen=True)
class Check:
    """A check function with its full and quick sizes, and how it runs (`pool`): "runner" gets the Runner's
    processes, "serial" runs in this process, "workers" gets the worker count (the experiment path)."""

    name: str
    title: str
    fn: Callable[..., pd.DataFrame]
    full: dict[str, Any] = field(default_factory=dict)
    quick: dict[str, Any] = field(default_factory=dict)
    pool: str = "runner"


CHECKS: tuple[Check, ...] = (
    Check(
        "march_figure1",
        "V1 March (1991) Figure 1",
        check_march_figure1,
        {"runs": 2000, "curve_runs": 500},
        {"runs": 100, "curve_runs": 50, "p1_grid": (0.1, 0.3, 0.5, 0.7, 0.9)},
    ),
    Check(
        "march_mix",
        "V1 March (1991) Figure 2: heterogeneous learners",
        check_march_mix,
        {"runs": 1000},
        {"runs": 100, "margin": 0.0},
    ),
    Check(
        "march_turbulence",
        "V1 March (1991) Figure 5: turbulence and turnover",
        check_march_turbulence,
        {"runs": 300},
        {"runs": 80},
    ),
    Check(
        "march_turnover",
        "V1 March (1991) Figure 4: turnover and slow socialisers",
        check_march_turnover,
        {"runs": 500},
        {"runs": 120, "p3_grid": (0.0, 0.02, 0.2), "margin_helps": 0.0},
    ),
    Check(
        "bass_continuous",
        "V2 Bass (1969), continuous time",
        check_bass_continuous,
        {"n_staff": 10_000, "runs": 20, "dt": 0.02},
        {
            "n_staff": 10_000,
            "runs": 4,
            "dt": 0.05,
            "widen": bass_noise(10_000, 4)[0] + 0.004,
            "widen_peak": bass_noise(10_000, 4)[1],
        },
    ),
    Check(
        "bass_ticks",
        "V2 Bass (1969), weekly ticks",
        check_bass_ticks,
        {"n_staff": 10_000, "runs": 100},
        {"n_staff": 10_000, "runs": 10, "widen": bass_noise(10_000, 10)[0]},
    ),
    Check("granovetter", "V3 Granovetter (1978) thresholds", check_granovetter, pool="serial"),
    Check(
        "centola",
        "V4 Centola & Macy (2007) complex contagion",
        check_centola,
        {"networks": 30},
        {"networks": 6, "rewirings": (0.0, 0.01, 0.1, 1.0)},
    ),
    Check(
        "fang",
        "V6 Fang, Lee & Schilling (2010) semi-isolated subgroups",
        check_fang,
        {"runs": 500},
        {"runs": 250, "grid": (0.0, 0.05), "conditions": ("rest",)},
    ),
    Check(
        "maturity",
        "V5 Maturity invariants",
        check_maturity_invariants,
        {"weeks": 260, "seeds": (0,)},
        {"weeks": 52, "seeds": (0,)},
        pool="serial",
    ),
)


def run_checks(quick: bool, runner: Runner, only: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """Every check's table, in order (or only the named ones)."""
    out: dict[str, pd.DataFrame] = {}
    for check in CHECKS:
        if only and check.name not in only:
            continue
        kwargs = dict(check.quick if quick else check.full)
        if check.pool == "runner":
            kwargs["runner"] = runner
        start = time.perf_counter()
        out[check.name] = check.fn(**kwargs)
        out[check.name].attrs["seconds"] = time.perf_counter() - start
    return out


def draw(tables: dict[str, pd.DataFrame], out: Path) -> list[tuple[str, str]]:
    """(caption, file name) of each figure drawn."""
    drawn = []
    if "march_figure1" in tables:
        figures.march_figure1(tables["march_figure1"].attrs["curves"], out / "march_figure1.png")
        drawn.append(
            ("March (1991) Figure 1: model (lines, 2-SE bars) and published cells (squares)", "march_figure1.png")
        )
    if "march_turnover" in tables:
        figures.march_turnover_figure(tables["march_turnover"].attrs["levels"], out / "march_figure4.png")
        drawn.append(("March (1991) Figure 4: knowledge after the horizon over turnover p3", "march_figure4.png"))
    if "march_turbulence" in tables:
        figures.march_turbulence_figure(tables["march_turbulence"].attrs["trajectories"], out / "march_figure5.png")
        drawn.append(("March (1991) Figure 5: turbulence with and without turnover", "march_figure5.png"))
    if "bass_continuous" in tables and "bass_ticks" in tables:
        figures.bass_figure(
            tables["bass_continuous"].attrs["curve"], tables["bass_ticks"].attrs["curve"], out / "bass.png"
        )
        drawn.append(("Bass (1969): simulated against analytic curves", "bass.png"))
    if "centola" in tables:
        figures.contagion_figure(tables["centola"].attrs["curve"], out / "contagion.png")
        drawn.append(("Complex contagion: final share over rewiring, thresholds 1 and 2", "contagion.png"))
    if "fang" in tables:
        figures.fang_figure(tables["fang"].attrs["curves"], out / "fang.png")
        drawn.append(("Fang, Lee & Schilling (2010): knowledge over the cross-unit share of ties", "fang.png"))
    return drawn


def fang_markdown(curves: pd.DataFrame) -> list[str]:
    """Knowledge (and 95% half-interval) by cross share (rows) and condition (columns) as Markdown lines."""
    conditions = list(dict.fromkeys(curves["condition"]))
    lines = ["| cross share | " + " | ".join(conditions) + " |", "|---" * (len(conditions) + 1) + "|"]
    for share, group in curves.groupby("cross_share"):
        cells = {r.condition: f"{r.knowledge:.4f} +/- {1.96 * r.se:.4f}" for r in group.itertuples()}
        lines.append(f"| {share:g} | " + " | ".join(cells.get(c, "") for c in conditions) + " |")
    return lines


def pivot_markdown(curves: pd.DataFrame) -> list[str]:
    """Knowledge by p1 (rows) and p2 (columns) as Markdown table lines."""
    table = curves.pivot(index="p1", columns="p2", values="knowledge")
    lines = [
        "| p1 | " + " | ".join(f"p2 = {c:g}" for c in table.columns) + " |",
        "|---" * (len(table.columns) + 1) + "|",
    ]
    lines += [f"| {p1:g} | " + " | ".join(f"{v:.3f}" for v in vals) + " |" for p1, vals in table.iterrows()]
    return lines


def markdown(tables: dict[str, pd.DataFrame], drawn: list[tuple[str, str]], meta: dict[str, str]) -> str:
    rows = pd.concat(tables.values(), ignore_index=True)
    passed = int(rows["passed"].sum())
    lines = [
        "# Validation report: docking the full model to published results",
        "",
        f"**{passed} of {len(rows)} checks passed.** Method: [docs/validation.md](../validation.md); "
        "targets: docs/validation.md (V1-V6). Every number below comes from `abm.core.model.RegionModel` running a "
        "reduced scenario of `configs/scenario/`.",
        "",
        *(f"- {k}: {v}" for k, v in meta.items()),
        "",
    ]
    shown = pd.DataFrame({"check": rows["check"], "parameters": rows["parameters"],
                          "measured": [f"{v:.4g}" for v in rows["measured"]],
                          "expected": [f"{v:.4g}" for v in rows["expected"]],
                          "tolerance": [f"{v:.3g}" for v in rows["tolerance"]],
                          "passed": ["yes" if p else "**NO**" for p in rows["passed"]], "criterion": rows["criterion"]})
    lines += markdown_table(shown).splitlines()
    lines += [
        "",
        "Wall time per check: "
        + ", ".join(f"{name} {t.attrs.get('seconds', float('nan')):.0f} s" for name, t in tables.items()),
        "",
    ]
    if "march_figure1" in tables:
        curves = tables["march_figure1"].attrs["curves"]
        lines += ["## March (1991) Figure 1, every cell", "", *pivot_markdown(curves), ""]
    if "fang" in tables:
        fang = fang_markdown(tables["fang"].attrs["curves"])
        lines += ["## Fang, Lee & Schilling (2010), every cross share", "", *fang, ""]
    for caption, name in drawn:
        lines += [f"## {caption}", "", f"![{caption}]({name})", ""]
    return "\n".join(lines)


def write_report(tables: dict[str, pd.DataFrame], out: Path, meta: dict[str, str]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    drawn = draw(tables, out)
    rows = pd.concat(tables.values(), ignore_index=True)[list(COLUMNS)]
    atomic_write(out / "results.csv", lambda p: rows.to_csv(p, index=False))
    for name, table in tables.items():  # the data behind each figure, for re-plotting
        for key, data in table.attrs.items():
            if isinstance(data, pd.DataFrame):
                atomic_write(out / f"{name}_{key}.csv", lambda p, d=data: d.to_csv(p, index=False))
    text = markdown(tables, drawn, meta)
    atomic_write(out / "report.md", lambda p: Path(p).write_text(text, encoding="utf-8"))
    return out / "report.md"


def validate(
    out: Path, quick: bool = False, workers: int | None = None, progress: bool = False, only: tuple[str, ...] = ()
) -> tuple[bool, Path, dict[str, pd.DataFrame]]:
    """Run the checks, write the report into `out`; (all passed, report path, tables)."""
    start, cpu0 = time.perf_counter(), time.process_time()
    with Runner(workers, progress=progress) as runner:
        tables = run_checks(quick, runner, only)
        workers_used = runner.workers
        pool_cpu = runner.cpu_seconds  # tasks run in this process count in its process_time
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0 + pool_cpu
    meta = {
        "size": "quick (small runs, widened tolerances)" if quick else "full (docs/validation.md sizes)",
        "wall time": f"{wall / 60:.1f} min ({wall:.0f} s) with {workers_used} worker processes",
        "CPU time": f"{cpu:.0f} s in all processes (wall time without other load is about CPU time / workers)",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "version": f"ehealth-abm {package_version()}",
        "git commit": str(git_commit()),
        "python": platform.python_version(),
    }
    path = write_report(tables, out, meta)
    ok = bool(pd.concat(tables.values())["passed"].all())
    return ok, path, tables
