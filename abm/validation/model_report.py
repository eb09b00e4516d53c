"""`abm validate --suite model`: the model checks M1-M7 (docs/validation.md, "Model checks") at full or quick
sizes, written as model_checks.md, model_checks.csv, the figures and the data behind them.

`FULL` sizes are what docs/validation.md asks for; `QUICK` are small versions (3 seeds, 104 weeks, the small
presets, or the default region where an effect builds up through 20 units) with the same criteria. A check
that raises is reported as one failing row naming the error, so one broken check never hides the others.
"""

from __future__ import annotations

import platform
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from abm.analysis.markdown import markdown as markdown_table
from abm.simulation import git_commit, package_version
from abm.store.files import atomic_write
from abm.validation import model_figures as figures
from abm.validation.lever_checks import LEVER_SEEDS, check_no_inert_lever
from abm.validation.mechanism_checks import (
    SHOCK,
    check_aspiration,
    check_contacts,
    check_experience,
    check_judgement,
    check_repilots,
)
from abm.validation.model_checks import (
    BUDGET_TOLERANCE,
    MODEL_COLUMNS,
    SIZE_TOLERANCE,
    check_environment_matters,
    check_equal_budget,
    check_mandates,
    check_size,
    model_table,
    mrow,
)
from abm.validation.morris_check import check_morris_screen
from abm.validation.parallel import Runner
from abm.validation.report import Check

FULL = {"seeds": 10, "weeks": 260}
QUICK = {"seeds": 3, "weeks": 104}


CHECKS: tuple[Check, ...] = (
    Check("equal_budget", "M1 Equal budget", check_equal_budget, dict(FULL, presets=("default", "region")),
               dict(QUICK, presets=("small", "default"))),
    Check("environment", "M2 The environment matters", check_environment_matters, dict(FULL),
               dict(QUICK, preset="small")),
    Check("mandates", "M3 Mandates reach everyone", check_mandates, dict(FULL), dict(QUICK, preset="small")),
    Check("levers", "M4 No inert lever", check_no_inert_lever, dict(FULL, seeds=LEVER_SEEDS),
               dict(QUICK, preset="default")),
    Check("size", "M5 Size", check_size, dict(FULL, presets=("default", "region")),
               dict(QUICK, presets=("small", "default"))),
    Check("contacts", "M6a Learning from contacts (networked)", check_contacts, dict(FULL),
               dict(QUICK, preset="default")),
    Check("aspiration", "M6b Aspiration (adaptive)", check_aspiration, dict(FULL), dict(QUICK, preset="small")),
    Check("repilots", "M6c Re-piloting", check_repilots, dict(FULL), dict(QUICK, preset="small")),
    Check("judgement", "M6d A better code judges pilots better", check_judgement, {"seeds": FULL["seeds"]},
               {"seeds": QUICK["seeds"], "preset": "small"}),
    Check("experience", "M6e Management learns from experience", check_experience, dict(FULL),
               dict(QUICK, weeks=260, preset="default")),
    Check("morris_screen", "M7 Morris screen", check_morris_screen, {},
               {"trajectories": 2, "params": 4, "weeks": 26, "preset": "small"}, pool="workers"),
)


def failed_table(name: str, exc: BaseException) -> pd.DataFrame:
    """The one row a check that raised contributes: it failed, and why."""
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
    return model_table([mrow(name, "did not run", float("nan"), float("nan"), float("nan"), False,
                             f"raised {type(exc).__name__}: {str(exc)[:200]}{at}")],
                       f"The check did not run: {type(exc).__name__}: {str(exc)[:200]}.")


def run_checks(quick: bool, runner: Runner, only: tuple[str, ...] = (), progress: bool = False,
               sizes: dict[str, dict[str, Any]] | None = None) -> dict[str, pd.DataFrame]:
    """Each check's table; `sizes` replaces some keyword arguments of some checks (check name -> kwargs)."""
    out: dict[str, pd.DataFrame] = {}
    for check in CHECKS:
        if only and check.name not in only:
            continue
        kwargs = dict(check.quick if quick else check.full, **(sizes or {}).get(check.name, {}))
        if check.pool == "runner":
            kwargs["runner"] = runner
        else:
            kwargs.update(workers=runner.workers, progress=progress)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="abm-model-checks-") as scratch:
            if quick and check.pool == "workers":
                kwargs["root"] = scratch  # a quick screen's store is thrown away
            try:
                out[check.name] = check.fn(**kwargs)
            except Exception as exc:  # reported as a failing row; the other checks still run
                out[check.name] = failed_table(check.name, exc)
        out[check.name].attrs["seconds"] = time.perf_counter() - start
    return out


def draw(tables: dict[str, pd.DataFrame], out: Path) -> dict[str, str]:
    """check name -> figure file, for the checks whose data are there."""
    drawn: dict[str, str] = {}

    def attempt(name: str, key: str, fn: Callable[..., Path], *args: Any) -> None:
        data = tables.get(name, pd.DataFrame()).attrs.get(key)
        if isinstance(data, pd.DataFrame) and not data.empty:
            drawn[name] = fn(data, out / f"model_{name}.png", *args).name

    attempt("equal_budget", "shares", figures.equal_budget, BUDGET_TOLERANCE)
    attempt("environment", "means", figures.environments)
    attempt("levers", "effects", figures.levers)
    attempt("size", "sizes", figures.size, SIZE_TOLERANCE)
    attempt("aspiration", "curves", figures.aspiration, SHOCK["environment.shock_week"],
            SHOCK["environment.shock_weeks"])
    attempt("morris_screen", "indices", figures.morris)
    return drawn


def shown(rows: pd.DataFrame) -> pd.DataFrame:
    def num(v: float) -> str:
        return "" if pd.isna(v) else f"{v:.4g}"

    return pd.DataFrame({
        "check": rows["check"], "parameters": rows["parameters"], "measured": rows["measured"].map(num),
        "95% interval": [f"[{num(lo)}, {num(hi)}]" if not pd.isna(lo) else "" for lo, hi in zip(rows["lo"], rows["hi"],
                                                                                                 strict=True)],
        "expected": rows["expected"].map(num), "tolerance": rows["tolerance"].map(num),
        "passed": ["yes" if p else "**NO**" for p in rows["passed"]], "criterion": rows["criterion"]})


def extra_tables(name: str, table: pd.DataFrame) -> list[str]:
    """The per-parameter tables of M4 and M7."""
    lines: list[str] = []
    if name == "levers" and isinstance(table.attrs.get("effects"), pd.DataFrame) and len(table.attrs["effects"]):
        e = table.attrs["effects"]
        view = pd.DataFrame({
            "parameter": e["parameter"], "under": e["practice"], "low -> high": [f"{a:g} -> {b:g}" for a, b in
                                                                                 zip(e["low"], e["high"], strict=True)],
            "strongest outcome": e["outcome"],
            "difference [95%]": [f"{d:+.4g} [{lo:+.4g}, {hi:+.4g}]" for d, lo, hi in zip(e["diff"], e["lo"], e["hi"],
                                                                                          strict=True)],
            "d_z": e["d_z"].map(lambda v: f"{v:.3g}"), "relative": e["relative"].map(lambda v: f"{v:+.1%}"),
            "outcomes moved": e["outcomes_moved"], "app lever": e["app_lever"].map({True: "yes", False: ""}),
            "verdict": e["verdict"]})
        lines += ["", "Every tested parameter (difference = high - low of the strongest outcome's 5-year mean; "
                  "relative to its mean at low):", "", *markdown_table(view).splitlines()]
        listed = table.attrs.get("docking_only")
        if isinstance(listed, pd.DataFrame):
            names = ", ".join(f"`{p}`" for p in listed["parameter"])
            lines += ["", f"Listed, not tested (docking-only switches): {names}."]
    if name == "morris_screen" and isinstance(table.attrs.get("ranking"), pd.DataFrame):
        rank = table.attrs["ranking"].head(20)
        lines += ["", "The 20 strongest parameters (mu* divided by the largest mu* of each outcome, averaged over "
                  "outcomes; every index: model_morris_screen_indices.csv):", "",
                  *markdown_table(rank.round(4)).splitlines()]
    return lines


def markdown(tables: dict[str, pd.DataFrame], drawn: dict[str, str], meta: dict[str, str]) -> str:
    rows = pd.concat(tables.values(), ignore_index=True)
    titles = {c.name: c.title for c in CHECKS}
    lines = ["# Model checks of the second model", "",
             f"**{int(rows['passed'].sum())} of {len(rows)} assertions passed.** What each check asks and why: "
             "[docs/validation.md](../validation.md#model-checks-abm-validate---suite-model). Every number comes from "
             "`abm.core.model.RegionModel` running the shipped presets over common seeds; intervals are 95% t "
             "intervals (abm.analysis.stats), of a mean over seeds or of a paired difference.", "",
             *(f"- {k}: {v}" for k, v in meta.items()), ""]
    for name, table in tables.items():
        lines += [f"## {titles[name]}", "", f"{table.attrs.get('sentence', '')} "
                  f"(wall time {table.attrs.get('seconds', float('nan')):.0f} s)", "",
                  *markdown_table(shown(table)).splitlines(), *extra_tables(name, table), ""]
        if name in drawn:
            lines += [f"![{titles[name]}]({drawn[name]})", ""]
    return "\n".join(lines)


def write_report(tables: dict[str, pd.DataFrame], out: Path, meta: dict[str, str]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    drawn = draw(tables, out)
    rows = pd.concat(tables.values(), ignore_index=True)[list(MODEL_COLUMNS)]
    atomic_write(out / "model_checks.csv", lambda p: rows.to_csv(p, index=False))
    for name, table in tables.items():
        for key, data in table.attrs.items():
            if isinstance(data, pd.DataFrame) and key != "curves":  # weekly curves: large, in the figure
                atomic_write(out / f"model_{name}_{key}.csv", lambda p, d=data: d.to_csv(p, index=False))
    text = markdown(tables, drawn, meta)
    atomic_write(out / "model_checks.md", lambda p: Path(p).write_text(text, encoding="utf-8"))
    return out / "model_checks.md"


def validate_model(out: Path, quick: bool = False, workers: int | None = None, progress: bool = False,
                   only: tuple[str, ...] = (), sizes: dict[str, dict[str, Any]] | None = None,
                   ) -> tuple[bool, Path, dict[str, pd.DataFrame]]:
    """Run the model checks and write the report into `out`; (all passed, report path, tables). `sizes`
    changes some checks' sizes (e.g. {"morris_screen": {"trajectories": 4}}); the report says so."""
    start, cpu0 = time.perf_counter(), time.process_time()
    with Runner(workers, progress=progress) as runner:
        tables = run_checks(quick, runner, only, progress, sizes)
        used, pool_cpu = runner.workers, runner.cpu_seconds
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0 + pool_cpu
    changed = "; ".join(f"{name}: {', '.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in (sizes or {}).items())
    meta = {
        "size": ("quick (a few seeds, short horizons, small presets)" if quick else
                 f"full ({FULL['seeds']} seeds, {FULL['weeks']} weeks; the Morris screen as its experiment file says)")
        + (f", except {changed}" if changed else ""),
        "wall time": f"{wall / 60:.1f} min ({wall:.0f} s) with {used} worker processes",
        "CPU time": f"{cpu:.0f} s in this process and the check pool (the Morris screen's workers not counted)",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "version": f"ehealth-abm {package_version()}",
        "git commit": str(git_commit()),
        "python": platform.python_version(),
    }
    path = write_report(tables, out, meta)
    return bool(pd.concat(tables.values())["passed"].all()), path, tables
