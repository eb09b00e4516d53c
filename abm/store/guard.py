"""Checks a sweep makes before it writes into a store, its lock, and replacing a store (`--force-new`).

A store belongs to one plan: the configurations (by config_hash) and seeds of its `experiment.yaml`. A
sweep whose plan differs would put runs of two questions side by side (and `abm compare` would pair the
wrong configurations), so it is refused; the one extension allowed is more seeds for the same
configurations, since the runs already stored stay part of the new plan (common random numbers hold).
Every check only reads, so a refusal writes nothing. Only one sweep may write into an experiment folder
at a time (`experiment_lock`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import yaml

from abm.errors import UserError
from abm.store.files import unwritable_reason
from abm.store.layout import LOCK_FILE, SPEC_FILE, planned_seeds

REPLACED_INFIX = ".replaced-"  # <root>/<experiment>.replaced-<time>: a store moved aside by --force-new


_LOCK_FDS: set[int] = set()  # descriptors of the experiment locks this process holds (forked workers drop them)


def _lock_fd(lock: object) -> int | None:
    """The descriptor a `filelock` lock holds open (its flock on POSIX), from filelock's lock context."""
    context = getattr(lock, "_context", None)
    fd = getattr(context, "lock_file_fd", None)
    return fd if isinstance(fd, int) else None


@contextlib.contextmanager
def experiment_lock(exp_dir: Path) -> Iterator[None]:
    """One sweep per experiment folder at a time: a `filelock.FileLock` on `<exp_dir>/.lock` (an flock on
    POSIX, msvcrt.locking on Windows, so sweeps of earlier versions, which used flock on the same file,
    exclude these and back), held by this process only (forked workers drop their copy of its descriptor:
    abm.experiments.workers.worker_init), so the kernel releases it when this process dies."""
    import filelock

    path = exp_dir / LOCK_FILE
    lock = filelock.FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise UserError(f"experiment {exp_dir.name!r} is already running into {exp_dir} "
                        "(wait for it, or stop it and re-run to resume)") from None
    except OSError as exc:
        raise UserError(f"cannot open the experiment lock {path} ({exc.strerror or type(exc).__name__}): it must be "
                        "a writable regular file (a sweep creates it); remove or fix it and re-run") from None
    fd = _lock_fd(lock)
    if fd is not None:
        _LOCK_FDS.add(fd)
    try:
        yield
    finally:
        if fd is not None:
            _LOCK_FDS.discard(fd)
        lock.release()


def held_lock_fds() -> tuple[int, ...]:
    """The descriptors of the experiment locks this process holds (a forked worker must drop its copies)."""
    return tuple(sorted(_LOCK_FDS))


def check_writable(exp_dir: Path) -> None:
    """Refuse with one line if the experiment folder (or its runs/) cannot be created or written into."""
    for folder in (exp_dir, exp_dir / "runs"):
        reason = unwritable_reason(folder)
        if reason:
            raise UserError(f"cannot write the results store into {exp_dir}: {reason} (choose another --root or "
                            "$ABM_RESULTS, or make it writable)")


def _seed_text(seeds: Iterable[int]) -> str:
    s = sorted(seeds)
    if len(s) > 2 and s == list(range(s[0], s[-1] + 1)):
        return f"{s[0]}..{s[-1]}"
    return ",".join(map(str, s[:8])) + (",..." if len(s) > 8 else "")


def _stored_plan(exp_dir: Path) -> tuple[dict[str, list[str]], set[int] | None] | None:
    """The stored plan: {config_hash: overrides} and seeds (None when unknown), or None if there is none."""
    path = exp_dir / SPEC_FILE
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"the store {exp_dir} has an unreadable {SPEC_FILE} ({type(exc).__name__}): pass "
                        "--force-new to move it aside and start afresh") from None
    data = data if isinstance(data, dict) else {}
    configs = {str(c["config_hash"]): [str(o) for o in c.get("overrides") or []]
               for c in data.get("configurations") or [] if isinstance(c, dict) and "config_hash" in c}
    if not configs:  # a plan written without its configurations: the configurations on disk are the plan
        configs = {p.name: [] for p in (exp_dir / "runs").glob("*") if p.is_dir() and not p.name.startswith(".")}
    if not configs:  # nothing planned and nothing stored: nothing another plan could be mixed with
        return None
    return configs, planned_seeds(data.get("seeds"))


def plan_difference(exp_dir: Path, configs: dict[str, Sequence[str]], seeds: Sequence[int]) -> str | None:
    """None if the new plan ({config_hash: overrides}, seeds) is the store's, or extends it by seeds only;
    else what differs, in a few words."""
    stored = _stored_plan(exp_dir)
    if stored is None:
        return None
    old, old_seeds = stored
    added, removed = [h for h in configs if h not in old], [h for h in old if h not in configs]
    parts = []
    if added or removed:
        new_tokens = sorted({o for h in added for o in configs[h]} - {o for ovs in old.values() for o in ovs})
        old_tokens = sorted({o for h in removed for o in old[h]} - {o for ovs in configs.values() for o in ovs})
        detail = "".join([f"; new: {' '.join(new_tokens[:4])}" if new_tokens else "",
                          f"; not any more: {' '.join(old_tokens[:4])}" if old_tokens else ""])
        parts.append(f"{len(added)} of this plan's {len(configs)} configurations are not in the store, and "
                     f"{len(removed)} of its {len(old)} are not in this plan{detail}")
    if old_seeds is not None and not old_seeds <= set(seeds):
        parts.append(f"the store has seeds {_seed_text(old_seeds)}, this plan {_seed_text(seeds)}: more seeds "
                     "extend a store, fewer do not")
    return "; ".join(parts) or None


def refuse_other_plan(exp_dir: Path, configs: dict[str, Sequence[str]], seeds: Sequence[int]) -> None:
    """Raise one line (exit 2) if the store in `exp_dir` holds another plan than this one."""
    diff = plan_difference(exp_dir, configs, seeds)
    if diff:
        raise UserError(f"the store {exp_dir} holds another plan of experiment {exp_dir.name!r} ({diff}): give "
                        "this one its own name (`name:` in its file), or pass --force-new to move the old store "
                        f"aside to {exp_dir.name}{REPLACED_INFIX}<time> and start afresh")


def holds_a_store(exp_dir: Path) -> bool:
    return (exp_dir / SPEC_FILE).exists() or (exp_dir / "runs").exists()


def move_aside(exp_dir: Path) -> Path:
    """Rename the experiment folder to `<name>.replaced-<UTC time>` (one atomic rename); return the new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1000):
        target = exp_dir.with_name(f"{exp_dir.name}{REPLACED_INFIX}{stamp}" + (f"-{n}" if n else ""))
        if not target.exists():
            os.rename(exp_dir, target)
            return target
    raise UserError(f"cannot move {exp_dir} aside: too many {exp_dir.name}{REPLACED_INFIX}{stamp}* folders")
