"""One run of an experiment: simulate, then publish its folder atomically into the store.

A folder either holds `provenance.json` (finished) or `failed.json` (raised, with its traceback), or it
does not exist (abm.store.publish). A run that raises never stops the others. A run is skipped only if
it is finished and intact (`run_status` "ok"); a corrupt one is run again and replaces it.
"""

from __future__ import annotations

import os
import shutil
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from abm.core.params import from_dict
from abm.simulation import simulate
from abm.store.files import FAILED_FILE, write_json, write_run
from abm.store.layout import config_hash, run_dir, run_status
from abm.store.publish import publish, temporary_dir

FAIL_HOOK_ENV = "ABM_TEST_FAIL"  # test hook: "key=value,seed=3" makes matching runs raise (see docs/experiments.md)


def injected_failure(overrides: list[str], seed: int) -> None:
    """Raise if the test hook names this run (every token of $ABM_TEST_FAIL is among its overrides)."""
    hook = os.environ.get(FAIL_HOOK_ENV, "").strip()
    if hook and set(hook.split(",")) <= {*overrides, f"seed={seed}"}:
        raise RuntimeError(f"injected failure ({FAIL_HOOK_ENV}={hook})")


def execute_resolved(resolved: dict[str, Any], exp_dir: Path, experiment: str, overrides: list[str]) -> str:
    """Run one configuration and seed into the store; return "ok", "failed" or "skipped" (already done)."""
    seed = int(resolved["seed"])
    h = config_hash(resolved)
    final = run_dir(exp_dir, h, seed)
    if run_status(final) == "ok":
        return "skipped"
    tmp = temporary_dir(final)
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
        write_json(tmp / FAILED_FILE, {
            "experiment": experiment, "config_hash": h, "overrides": overrides, "seed": seed,
            "status": "failed", "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(),
            "config": resolved, "created": datetime.now(UTC).isoformat(timespec="seconds")})
    except BaseException:  # Ctrl-C or exit: no temporary folder left behind (a resumed sweep runs it again)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publish(tmp, final)
    return status
