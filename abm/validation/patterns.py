"""The empirical patterns (V7, docs/validation.md) measured in real runs of the full model, one run per
pattern and seed, and judged against the committed target table (abm.analysis.targets).

Each pattern is computed from the run's tables by its registered function (abm.analysis.patterns), the one
the calibration uses; the ranges and sources are rows of `experiments/targets/patterns.csv`. `measure` runs
seeds in parallel (results independent of the number of workers) and `verdicts` says, per pattern, in how
many seeds every one of its quantities is inside its range.
"""

from __future__ import annotations

from collections.abc import Sequence

from abm.analysis.patterns import PATTERNS
from abm.analysis.targets import DEFAULT_TABLE, Target, load_targets
from abm.api import compose
from abm.config.hydra_bridge import compose_config, resolved_dict
from abm.core.model import RegionModel
from abm.validation.parallel import Runner


def run_pattern(name: str, seed: int, overrides: tuple[str, ...] = ()) -> dict[str, float]:
    """One seed of one pattern: the model in the pattern's scenario with `overrides`, its quantities."""
    pattern = PATTERNS[name]
    full = [*pattern.scenario, *overrides, f"seed={seed}"]
    model = RegionModel(compose(full))
    model.run()
    config = resolved_dict(compose_config(full))
    return pattern.compute(model.collector.region_frame(), model.collector.unit_frame(), config)


def _task(name: str, seed: int, overrides: tuple[str, ...]) -> tuple[str, int, dict[str, float]]:
    return name, seed, run_pattern(name, seed, overrides)


def measure(seeds: Sequence[int], overrides: Sequence[str] = (), workers: int | None = None,
            names: Sequence[str] | None = None) -> dict[str, list[dict[str, float]]]:
    """Each pattern's quantities per seed (in seed order), run in parallel."""
    chosen = [p for p in PATTERNS if names is None or p in names]
    tasks = [(name, seed, tuple(overrides)) for name in chosen for seed in seeds]
    with Runner(workers) as runner:
        results = runner.map(_task, tasks, desc="patterns")
    out: dict[str, list[dict[str, float]]] = {name: [] for name in chosen}
    for name, _seed, values in sorted(results, key=lambda r: (r[0], r[1])):
        out[name].append(values)
    return out


def pattern_holds(name: str, values: dict[str, float], targets: Sequence[Target]) -> bool:
    """Whether every target quantity of pattern `name` is inside its range in these values."""
    return all(t.inside(values.get(t.quantity, float("nan"))) for t in targets if t.pattern == name)


def verdicts(values: dict[str, list[dict[str, float]]],
             targets: Sequence[Target] | None = None) -> dict[str, tuple[int, int]]:
    """Per pattern: (seeds in which it holds, seeds run), against the committed target table."""
    targets = load_targets(DEFAULT_TABLE) if targets is None else targets
    return {name: (sum(pattern_holds(name, v, targets) for v in runs), len(runs)) for name, runs in values.items()}
