"""The discovery's invocations (`<root>/<name>/invocations.json`): when each `abm discover` of it ended, its
wall time, the runs it launched, the seconds they took and on how many workers, so that the report of a
discovery resumed over several invocations (or re-analysed later) states the whole cost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from abm.simulation import stamp
from abm.store.files import write_text

INVOCATIONS_FILE = "invocations.json"


def invocations(exp_dir: Path) -> list[dict[str, Any]]:
    """Every recorded invocation, oldest first ([] if none)."""
    try:
        data = json.loads((exp_dir / INVOCATIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def log_invocation(exp_dir: Path, wall: float, runs_launched: int, run_seconds: float, workers: int) -> None:
    entry = {"finished": datetime.now(UTC).isoformat(timespec="seconds"), "wall_seconds": round(wall, 1),
             "runs_launched": runs_launched, "run_seconds": round(run_seconds, 1), "workers": workers,
             "stamp": stamp()}
    write_text(exp_dir / INVOCATIONS_FILE, json.dumps([*invocations(exp_dir), entry], indent=2))
