"""A search's invocations (`<root>/<name>/invocations.json`): when each `abm calibrate`, `abm optimise` or
`abm discover` of it ended, its wall time and what it did, so that a report on a search resumed over several
invocations states the whole cost."""

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


def log_invocation(exp_dir: Path, wall: float, **fields: Any) -> None:
    """Append this invocation: when it finished, its wall seconds, the given fields and the code's stamp."""
    entry = {"finished": datetime.now(UTC).isoformat(timespec="seconds"), "wall_seconds": round(wall, 1),
             **fields, "stamp": stamp()}
    write_text(exp_dir / INVOCATIONS_FILE, json.dumps([*invocations(exp_dir), entry], indent=2))
