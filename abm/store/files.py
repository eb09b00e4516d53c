"""One run's files on disk: their names, atomic writing (temporary file, fsync, rename) and reading.

A run folder holds `region.parquet`, `units.parquet` and `provenance.json`; the provenance is written
last, so its presence marks a complete run. The provenance also records what the tables should be (key
`files`: each table's size in bytes and BLAKE2b checksum), so a table truncated or overwritten later is
found (`check_files`) instead of being trusted. Files get the mode the umask allows (as `open` would), so
a results folder shared by a group stays readable by the group.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from abm.simulation import RunResult

REGION_FILE = "region.parquet"
UNITS_FILE = "units.parquet"
PROVENANCE_FILE = "provenance.json"  # written last: its presence marks a complete run
FAILED_FILE = "failed.json"  # a run that raised: its error and traceback
FILES_KEY = "files"  # provenance key: {table file name: {"size": bytes, "blake2b": hex digest}}
TABLE_FILES = (REGION_FILE, UNITS_FILE)


@cache
def file_mode() -> int:
    """0o666 less the process's umask: the mode `open()` gives a new file (mkstemp would give 0o600)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


MIN_FREE_BYTES = 16 * 2**20  # a report or a run's results: a few MiB; less free space than this is "full"


def unwritable_reason(path: str | Path) -> str | None:
    """Why files cannot be written into the folder `path` (created if missing), or None if they can.

    Checked before any work and without leaving anything: the nearest existing ancestor must be a folder in
    which a probe file can be created (this catches permissions, read-only and pseudo file systems, for root
    too), with at least MIN_FREE_BYTES free."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        return "it exists and is not a folder"
    existing = path.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".abm-probe-"):
            pass
        free = shutil.disk_usage(existing).free
    except OSError as err:
        return f"a writable folder (cannot create a file in {existing}: {err.strerror or err})"
    if free < MIN_FREE_BYTES:
        return f"a folder with at least {MIN_FREE_BYTES // 2**20} MiB free ({existing} has {free // 2**20} MiB free)"
    return None


def atomic_write(path: Path, write: Callable[[str], Any]) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, file_mode())
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Atomically write a UTF-8 text file."""
    atomic_write(path, lambda p: Path(p).write_text(text, encoding="utf-8"))


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(path, json.dumps(data, indent=2, default=str))


def file_digest(path: Path) -> str:
    """BLAKE2b (128-bit) of a file: fast in the standard library, and any change of content changes it."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def manifest(directory: Path, names: tuple[str, ...] = TABLE_FILES) -> dict[str, dict[str, Any]]:
    """What the files `names` of `directory` are now: size and checksum of each."""
    return {n: {"size": (directory / n).stat().st_size, "blake2b": file_digest(directory / n)} for n in names}


def check_files(directory: Path, provenance: dict[str, Any], checksums: bool = True) -> str | None:
    """None if the tables match the manifest the provenance recorded, else what is wrong, naming the file.

    Sizes are always compared (a stat per file); checksums too when `checksums` (reads the files). A run
    written before manifests existed (no `files` key) is trusted, as it always was."""
    listed = provenance.get(FILES_KEY)
    if listed is None:
        return None
    if not isinstance(listed, dict) or not all(isinstance(v, dict) and "/" not in str(k) for k, v in listed.items()):
        return f"{directory / PROVENANCE_FILE}: corrupt '{FILES_KEY}' manifest"
    for name, want in listed.items():
        path = directory / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"{path}: missing (corrupt run)"
        if size != want.get("size"):
            return f"{path}: corrupt or truncated ({size} bytes, {want.get('size')} when written)"
        if checksums and file_digest(path) != want.get("blake2b"):
            return f"{path}: corrupt (its checksum differs from the one recorded when it was written)"
    return None


def write_run(result: RunResult, directory: str | Path) -> Path:
    """Write the run's tables and provenance into `directory`, each file atomically, provenance last (with the
    tables' manifest under `files`; `result.provenance` itself is left as it is)."""
    directory = Path(directory)
    atomic_write(directory / REGION_FILE, lambda p: result.region.to_parquet(p, index=False, compression="zstd"))
    atomic_write(directory / UNITS_FILE, lambda p: result.units.to_parquet(p, index=False, compression="zstd"))
    write_json(directory / PROVENANCE_FILE, {**result.provenance, FILES_KEY: manifest(directory)})
    return directory


def read_run(directory: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Read a run written by `write_run`: (region, units, provenance)."""
    directory = Path(directory)
    provenance = json.loads((directory / PROVENANCE_FILE).read_text(encoding="utf-8"))
    return pd.read_parquet(directory / REGION_FILE), pd.read_parquet(directory / UNITS_FILE), provenance
