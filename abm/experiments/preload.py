"""What a forkserver imports once before it forks any worker (abm.experiments.executors.FORKSERVER_PRELOAD):
the task a worker runs and the model's compiled kernels, so that every worker forked from it starts with
them instead of loading them itself (a few seconds per worker on a busy 2-core machine). A failure here
only loses the head start: multiprocessing would let the forkserver die of it, so it is printed instead,
and each worker loads what it needs when it runs."""

from __future__ import annotations

import sys

from abm.experiments import task  # noqa: F401  (imported for the workers)

try:
    from abm.simulation import load_kernels

    load_kernels()
except Exception as err:  # noqa: BLE001
    print(f"abm: the forkserver did not load the kernels ({type(err).__name__}: {err})", file=sys.stderr,
          flush=True)
