"""One run of an experiment, as a Hydra task: simulate, then publish its folder atomically into the store.

The run is written into a hidden temporary sibling folder and renamed into place (`seed=<s>`), so a reader
or a resumed sweep never sees a partial run: a folder either holds `provenance.json` (finished) or
`failed.json` (raised, with its traceback), or it does not exist. A run that raises never stops the others.
"""

from __future__ import annotations

import json
import os
import shutil
import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from abm.results import PROVENANCE_FILE, atomic_write

FAILED_FILE = "failed.json"
TMP_PREFIX = ".tmp-"
TRASH_PREFIX = ".trash-"
FAIL_HOOK_ENV = "ABM_TEST_FAIL"  # test hook: "key=value,seed=3" makes matching runs raise (see docs/experiments.md)


def run_dir(exp_dir: Path, config_hash: str, seed: int) -> Path:
    return exp_dir / "runs" / config_hash / f"seed={seed}"


def is_seed(override: str) -> bool:
    return override.split("=", 1)[0].lstrip("+~") == "seed"


@dataclass
class RunTask:
    """Hydra task function (picklable for joblib's loky workers and for submitit)."""

    exp_dir: str
    experiment: str

    def __call__(self, cfg: Any) -> str:
        from hydra.core.hydra_config import HydraConfig

        overrides = [o for o in HydraConfig.get().overrides.task if not is_seed(o)]
        return execute_run(cfg, Path(self.exp_dir), self.experiment, list(overrides))


def injected_failure(overrides: list[str], seed: int) -> None:
    """Raise if the test hook names this run (every token of $ABM_TEST_FAIL is among its overrides)."""
    hook = os.environ.get(FAIL_HOOK_ENV, "").strip()
    if hook and set(hook.split(",")) <= {*overrides, f"seed={seed}"}:
        raise RuntimeError(f"injected failure ({FAIL_HOOK_ENV}={hook})")


def execute_run(cfg: Any, exp_dir: Path, experiment: str, overrides: list[str]) -> str:
    """The Hydra task's body: the composed config (with its seed) -> `execute_resolved`."""
    from abm.hydra_bridge import resolved_dict

    return execute_resolved(resolved_dict(cfg), exp_dir, experiment, overrides)


def execute_resolved(resolved: dict[str, Any], exp_dir: Path, experiment: str, overrides: list[str]) -> str:
    """Run one configuration and seed into the store; return "ok", "failed" or "skipped" (already done)."""
    from abm.experiment_spec import config_hash
    from abm.params import from_dict
    from abm.results import simulate, write_run

    seed = int(resolved["seed"])
    h = config_hash(resolved)
    final = run_dir(exp_dir, h, seed)
    if (final / PROVENANCE_FILE).is_file():
        return "skipped"
    tmp = final.parent / f"{TMP_PREFIX}seed={seed}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    status = "ok"
    try:
        injected_failure(overrides, seed)
        result = simulate(from_dict(resolved), config=resolved)
        result.provenance.update(experiment=experiment, config_hash=h, overrides=overrides, status="ok")
        write_run(result, tmp)
    except Exception as exc:  # failure isolation: any error of this run is recorded, the sweep goes on
        status = "failed"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        record = {"experiment": experiment, "config_hash": h, "overrides": overrides, "seed": seed,
                  "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(), "config": resolved,
                  "created": datetime.now(UTC).isoformat(timespec="seconds")}
        text = json.dumps(record, indent=2, default=str)
        atomic_write(tmp / FAILED_FILE, lambda p: Path(p).write_text(text, encoding="utf-8"))
    publish(tmp, final)
    return status


def publish(tmp: Path, final: Path) -> None:
    """Rename the finished temporary folder into place; an older failed attempt is moved aside first."""
    if final.exists():
        if (final / PROVENANCE_FILE).is_file():  # a duplicate finished first: keep it
            shutil.rmtree(tmp, ignore_errors=True)
            return
        trash = final.parent / f"{TRASH_PREFIX}{final.name}-{uuid.uuid4().hex[:8]}"
        os.rename(final, trash)
        shutil.rmtree(trash, ignore_errors=True)
    os.rename(tmp, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_partial(exp_dir: Path) -> int:
    """Remove temporary folders left by a killed sweep (never visible as runs); return how many."""
    n = 0
    for pattern in (f"runs/*/{TMP_PREFIX}*", f"runs/*/{TRASH_PREFIX}*"):
        for path in exp_dir.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)
            n += 1
    return n


def run_status(path: Path) -> str | None:
    """"ok", "failed" or None (not run) for a run folder."""
    if (path / PROVENANCE_FILE).is_file():
        return "ok"
    if (path / FAILED_FILE).is_file():
        return "failed"
    return None
