"""Worker processes on this machine: the start-method policy and what each worker does first.

One policy for every process pool of the package (the local executor of `abm experiment` and the pool of
`abm validate`, abm.validation.parallel): `fork` on Linux (workers inherit the imported model: no start-up),
`spawn` elsewhere (macOS's and Windows' default; fork is unsafe or missing there), or whatever
`$ABM_START_METHOD` (or `abm experiment --start-method`) names. Everything a worker runs is a module-level
function with picklable arguments, so every method works.

`worker_init` runs first in each worker: it drops the experiment lock's descriptor a forked worker inherits
(a spawned worker inherits none), leaves Ctrl-C to the main process, and makes the worker die with it
(PR_SET_PDEATHSIG on Linux, plus a thread watching the parent pid everywhere).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from typing import Any

from abm.errors import UserError

START_METHOD_ENV = "ABM_START_METHOD"
START_METHODS = ("fork", "forkserver", "spawn")
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def start_method(preferred: str = "fork", override: str | None = None) -> str:
    """The start method of worker processes: `override` (e.g. --start-method), else $ABM_START_METHOD, else
    `preferred` on Linux (fork, or forkserver for a pool started from a multi-threaded parent) and spawn
    elsewhere. A method this platform lacks is one line (UserError)."""
    chosen = override or os.environ.get(START_METHOD_ENV, "").strip() or (
        preferred if sys.platform.startswith("linux") else "spawn")
    if chosen not in START_METHODS or chosen not in multiprocessing.get_all_start_methods():
        source = "--start-method" if override else f"${START_METHOD_ENV}" if os.environ.get(START_METHOD_ENV) \
            else "the start method"
        allowed = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
        raise UserError(f"{source}={chosen!r} is not allowed here: one of {', '.join(allowed)}")
    return chosen


def mp_context(method: str) -> Any:
    return multiprocessing.get_context(method)


def worker_init(parent: int | None, lock_fds: tuple[int, ...]) -> None:
    """First thing in each worker: drop the experiment lock, leave Ctrl-C to the parent, die with it.

    `lock_fds` are the lock descriptors a forked worker inherited (empty for spawn: nothing is inherited, and
    those numbers may be the worker's own pipes); `parent` is None for a forkserver's worker, whose parent
    is the forkserver (die_with_parent). Each is pointed at /dev/null (dup2: the number stays valid, so
    nothing closes an unrelated file later), so the lock's open file description lives in the main process
    only."""
    if lock_fds:
        devnull = os.open(os.devnull, os.O_RDONLY)
        for fd in lock_fds:
            os.dup2(devnull, fd, inheritable=False)
        os.close(devnull)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def die_with_parent(parent: int | None = None) -> None:
    """Make this worker exit when its parent (`parent`, or the current one if None: a forkserver) dies."""
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=exit_with_parent, args=(parent,), daemon=True, name="abm-parent-watch").start()


def exit_with_parent(parent: int) -> None:
    """Where PR_SET_PDEATHSIG is missing (or the parent was replaced): poll the parent pid and exit when it
    changes (the worker was orphaned)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def kill_workers(pool: Any) -> None:
    """SIGKILL a ProcessPoolExecutor's processes (a run cut short leaves only a hidden temporary folder)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        with contextlib.suppress(OSError, ValueError):
            proc.kill()
    for proc in procs:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            proc.join(timeout=2)
