"""Bounds on what one command may ask for, checked before anything is composed, built or written.

Each limit turns an input that would hang, exhaust memory or overflow into one `UserError` line: the number
of runs a sweep expands to (counted without expanding it), seeds, and the memory a run needs, estimated from
its parameters and compared with what this machine has available.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterable
from pathlib import Path

from abm.core.metrics import REGION_METRICS, UNIT_METRICS
from abm.core.params import ModelParams, shown
from abm.errors import ParamError, UserError

MAX_RUNS = 10_000_000  # runs one sweep or experiment may plan (each run is at least a process-second)
SEED_MAX = 2**63 - 1  # seeds are 0 <= seed < 2**63 (numpy's SeedSequence takes any, the store an int64)

# One run's memory, calibrated on peak RSS (ru_maxrss) of runs of organisation=system (100,000 staff,
# 524,220 ties, 400 units) varied one size at a time: 20 weeks 372 MiB; n_dims 30 -> 300: +348 MiB;
# ties_within 10 -> 40 (+1.5 million ties): +195 MiB; n_staff 100,000 -> 300,000: +210 MiB; and
# docs/performance.md's 493 MiB at 260 weeks. The estimate errs high (584 MiB for that last run).
BASE_BYTES = 330 * 2**20  # the interpreter with numpy, scipy, pandas, Mesa, Hydra and numba
BYTES_PER_STAFF = 200  # float64 staff columns (abm/core/state.py) and agent handles
BYTES_PER_STAFF_DIM = 13  # beliefs and actions, int8 (n_staff, n_dims), and the weekly temporaries over them
BYTES_PER_TIE = 136  # CSR adjacency both ways (abm/core/network.py), the COO edges and merges that build it
BYTES_PER_CELL = 100  # a collected float64 value per week and metric (and unit), with the frames built from it
MEMORY_SHARE = 0.9  # refuse a run whose estimate exceeds this share of the memory available now


def check_seed(value: object, key: str = "seed") -> int:
    """One seed: an integer 0 <= seed < 2**63."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEED_MAX:
        raise ParamError(key, shown(value), f"an integer in [0, {SEED_MAX}]")
    return value


def check_run_count(count: int, what: str) -> None:
    """A sweep's or experiment's total number of runs, at most MAX_RUNS."""
    if count > MAX_RUNS:
        raise UserError(f"{what} is {count:,} runs, which is not allowed: at most {MAX_RUNS:,} runs")


def estimated_ties(params: ModelParams) -> float:
    """Undirected ties the build step creates (abm/core/network.py), before duplicates are merged."""
    org, sc = params.organisation, params.scenario
    if sc.network == "watts_strogatz":
        return org.n_staff * max(sc.ws_k // 2, 1)
    if sc.network == "complete":
        return 0.0
    return org.n_staff * (org.ties_within + org.mean_cross_ties) / 2


def estimated_bytes(params: ModelParams) -> int:
    """Peak memory of one run of `params`, from its sizes (see the constants above)."""
    org = params.organisation
    rows = params.weeks + 1
    cells = rows * (len(REGION_METRICS) + len(params.services.catalogue))
    cells += rows * org.n_units * len(UNIT_METRICS)
    return int(BASE_BYTES + org.n_staff * (BYTES_PER_STAFF + BYTES_PER_STAFF_DIM * org.n_dims)
               + BYTES_PER_TIE * estimated_ties(params) + BYTES_PER_CELL * cells)


def available_bytes() -> int | None:
    """Memory available to a new process now (Linux: MemAvailable), else physical memory, else None."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"


def check_memory(params: ModelParams) -> None:
    """Refuse a run whose estimated memory exceeds MEMORY_SHARE of the memory available, naming its sizes."""
    need, have = estimated_bytes(params), available_bytes()
    if have is None or need <= MEMORY_SHARE * have:
        return
    org = params.organisation
    raise ParamError(
        "organisation.n_staff", org.n_staff,
        f"a run this size (n_staff={org.n_staff:,}, n_dims={org.n_dims}, n_units={org.n_units:,}, "
        f"weeks={params.weeks:,}) needs about {gib(need)} of memory, more than {MEMORY_SHARE:.0%} of the "
        f"{gib(have)} this machine has available",
    )


def check_memory_once(params: Iterable[ModelParams]) -> None:
    """check_memory for the largest of several runs (the estimate grows with every size)."""
    largest = max(params, key=estimated_bytes, default=None)
    if largest is not None:
        check_memory(largest)


def ceil_count(start: float, stop: float, step: float) -> int:
    """len(range(start, stop, step)) for floats too, as Hydra's range() sweeps count."""
    if step == 0:
        return 0
    return max(0, math.ceil((stop - start) / step))
