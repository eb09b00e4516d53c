"""The runs behind a discovery: every (scenario, design, seed) is a job `(resolved config, overrides)` that the
project's executors run into the discovery's folder of the results store (abm.experiments.jobs, as the
calibration's particles and the optimiser's trials do), resumably; then each run's outcome is read back
through the store's one reader and summarised by the project's one outcome definition
(abm.analysis.outcomes.outcome_value).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from abm.analysis.outcomes import outcome_value
from abm.discovery.sampling import SCENARIO, factor_values, scenario_seeds
from abm.discovery.spec import Discovery
from abm.experiments.executors import Job
from abm.experiments.jobs import configured, read_job, stored_folder, value_text
from abm.store.layout import run_status

DESIGN, SEED, VALUE = "design", "seed", "value"
DIFFERENCE, WINS = "difference", "b_wins"


def jobs(disc: Discovery, scenarios: pd.DataFrame) -> dict[tuple[int, str, int], Job]:
    """Every run, by (scenario, design, seed): the design's composed config with the scenario's values set."""
    out: dict[tuple[int, str, int], Job] = {}
    for i, row in scenarios.iterrows():
        values = factor_values(row, disc.factors)
        overrides = [f"{k}={value_text(v)}" for k, v in values.items()]
        for design in disc.designs:
            for seed in scenario_seeds(disc.seed, int(i), disc.seeds):
                resolved = configured(disc.resolved[design], values, seed)
                out[int(i), design, seed] = (resolved, [*disc.overrides_of(design), *overrides])
    return out


def pending(planned: dict[tuple[int, str, int], Job], exp_dir: Path) -> int:
    """How many of the planned runs are not finished in the store."""
    return sum(run_status(stored_folder(exp_dir, r), checksums=False) != "ok" for r, _ in planned.values())


def warm_up(disc: Discovery) -> None:
    """Run each design for two weeks in this process, so that the compiled kernels are loaded once here and
    forked workers inherit them (as the calibration does)."""
    from abm.core.params import from_dict
    from abm.simulation import simulate

    for resolved in disc.resolved.values():
        simulate(from_dict({**resolved, "weeks": 2}))


def run_all(planned: dict[tuple[int, str, int], Job], run_batch: Callable[[list[Job]], int], batches: int,
            log: Callable[[str], None]) -> int:
    """Run the planned jobs in scenario order, in about `batches` batches (progress lines between them; each
    finished run is stored at once, so a kill loses only runs in flight). Returns how many were run."""
    keys = sorted(planned, key=lambda k: (k[0], k[1], k[2]))
    size = max(1, -(-len(keys) // max(1, batches)))
    ran = 0
    for start in range(0, len(keys), size):
        chunk = keys[start:start + size]
        ran += run_batch([planned[k] for k in chunk])
        log(f"  {min(start + size, len(keys))}/{len(keys)} runs stored")
    return ran


def run_table(disc: Discovery, planned: dict[tuple[int, str, int], Job], exp_dir: Path) -> pd.DataFrame:
    """One row per run: scenario, design, seed and the criterion's outcome, read from the stored run."""
    rows = []
    for (i, design, seed), (resolved, _) in sorted(planned.items()):
        region, _, _ = read_job(exp_dir, resolved, "discovery")
        rows.append({SCENARIO: i, DESIGN: design, SEED: seed, VALUE: outcome_value(region, disc.outcome)})
    return pd.DataFrame(rows, columns=[SCENARIO, DESIGN, SEED, VALUE])


def design_column(disc: Discovery, design: str) -> str:
    return f"{design}.{disc.outcome.name}"


def scenario_table(disc: Discovery, scenarios: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The scenarios' factor values, each design's seed-mean outcome, B's advantage (B - A when higher is
    better, A - B when lower is) and whether B wins (its advantage is above the margin)."""
    means = runs.groupby([SCENARIO, DESIGN], sort=True)[VALUE].mean().unstack(DESIGN)
    table = scenarios.copy()
    for design in disc.designs:
        table[design_column(disc, design)] = means[design].reindex(table.index).to_numpy()
    a, b = (table[design_column(disc, d)].to_numpy() for d in (disc.a, disc.b))
    table[DIFFERENCE] = b - a if disc.better == "higher" else a - b
    table[WINS] = np.asarray(table[DIFFERENCE] > disc.margin, dtype=bool)  # NaN never wins
    return table.reset_index()
