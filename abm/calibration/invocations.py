"""The calibration's invocations (`<root>/<name>/invocations.json`): when each `abm calibrate` of it ended,
its wall time, the runs it launched and its ABC-SMC seconds, so that a report on a calibration resumed
over several invocations states the whole cost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from abm.calibration.abc import AbcOutcome
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


def log_invocation(exp_dir: Path, wall: float, outcome: AbcOutcome) -> None:
    entry = {"finished": datetime.now(UTC).isoformat(timespec="seconds"), "wall_seconds": round(wall, 1),
             "runs_launched": outcome.runs_launched, "abc_seconds": round(outcome.wall_seconds, 1),
             "generations_after": outcome.generations, "stamp": stamp()}
    write_text(exp_dir / INVOCATIONS_FILE, json.dumps([*invocations(exp_dir), entry], indent=2))
