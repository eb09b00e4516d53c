"""Publishing a run into the store atomically: it is written into a hidden temporary sibling folder and
renamed into place (`seed=<s>`), so a reader or a resumed sweep never sees a partial run. A failed or
corrupt run already in place is first renamed aside (`.trash-...`, one rename) and then removed."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from abm.store.layout import run_status

TMP_PREFIX = ".tmp-"
TRASH_PREFIX = ".trash-"


def temporary_dir(final: Path) -> Path:
    """A new hidden folder beside `final`, unique to this process and attempt."""
    tmp = final.parent / f"{TMP_PREFIX}{final.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    return tmp


def publish(tmp: Path, final: Path) -> None:
    """Rename the finished temporary folder into place; an older failed or corrupt run is moved aside first."""
    if final.exists():
        if run_status(final) == "ok":  # a duplicate finished first: keep it
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
