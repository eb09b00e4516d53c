"""Named random streams: each mechanism draws from its own stream spawned from the run seed.

Common random numbers (as in Starsim): a stream's draws depend only on the seed and the stream's
name, so changing one mechanism or the practice never shifts another mechanism's draws.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAMS = (
    "network", "setup", "environment", "sensing", "act", "socialise", "training",
    "adoption", "code_learning", "transforming", "turnover", "recruitment",
    "services", "mandates", "contacts", "judgement", "lifecycle", "shock", "proposals",
)


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator for stream `name` of a run seeded with `seed` (stable across processes)."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=(key,))))


def streams(seed: int, names: tuple[str, ...] = STREAMS) -> dict[str, np.random.Generator]:
    """One independent generator per named mechanism."""
    return {name: stream(seed, name) for name in names}
