"""Weekly data collection: every registered metric, by its registered compute, into preallocated arrays.

The collector holds no metric arithmetic of its own: it builds one `Week` per collection (the shared
intermediates, each computed at most once) and calls each region and unit metric's `compute` on it, so
editing a definition in abm.core.metrics changes its column. Arrays are allocated once for the whole
horizon and each collection writes one row, which keeps collection cheap next to the model step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.core import metrics as registry
from abm.core.metrics import Metric, UnitMetric, Week
from abm.core.state import UnitKind

if TYPE_CHECKING:
    from abm.core.model import RegionModel

UNIT_KINDS: list[str] = [kind.name.lower() for kind in sorted(UnitKind)]  # categories, in code order


class Collector:
    """Collects every registered metric each week into preallocated arrays.

    `metrics` and `unit_metrics` default to the registries, looked up in abm.core.metrics when the
    collector is built (so a patched registry is what a new model collects).
    """

    def __init__(self, model: RegionModel, metrics: tuple[Metric, ...] | None = None,
                 unit_metrics: tuple[UnitMetric, ...] | None = None) -> None:
        self.model = model
        self.metrics = registry.REGION_METRICS if metrics is None else metrics
        self.unit_metrics = registry.UNIT_METRICS if unit_metrics is None else unit_metrics
        self._computes = tuple(m.compute for m in self.metrics)  # bound once: collect() runs every week
        self._unit_computes = tuple(m.compute for m in self.unit_metrics)
        rows = model.params.weeks + 1
        self.service_names = list(model.catalogue_names)
        self.region = np.full((rows, len(self.metrics) + 2 * len(self.service_names)), np.nan)
        self.units = np.full((rows, model.units.n, len(self.unit_metrics)), np.nan)
        self.weeks = np.zeros(rows, dtype=np.int64)
        self.rows = 0

    def collect(self) -> None:
        """Write this week's row of the region table and its block of the unit table."""
        model, i = self.model, self.rows
        if i >= self.weeks.size:
            raise RuntimeError("the run went past its horizon (params.weeks)")
        self.weeks[i] = model.week
        week = Week(model)
        row, n = self.region[i], len(self._computes)
        row[:n] = [compute(week) for compute in self._computes]
        if self.service_names:
            s = len(self.service_names)
            row[n:n + s] = week.service_users / model.staff.n
            row[n + s:] = week.live_in_care.sum(axis=0) / week.n_care_units
        block = self.units[i]
        for j, compute in enumerate(self._unit_computes):
            block[:, j] = compute(week)
        self.rows += 1

    def region_frame(self) -> pd.DataFrame:
        """Tidy region table: one row per week, one column per metric, and per service its users' share of staff
        (`adoption__<service>`) and the share of care units where it is live (`live__<service>`)."""
        cols = ([m.name for m in self.metrics] + [f"adoption__{s}" for s in self.service_names]
                + [f"live__{s}" for s in self.service_names])
        df = pd.DataFrame(self.region[: self.rows], columns=cols)
        df.insert(0, "week", self.weeks[: self.rows])
        return df

    def unit_frame(self) -> pd.DataFrame:
        """Tidy unit table: one row per unit and week, the metric columns named and typed by their metric."""
        units, rows = self.model.units, self.rows
        data = self.units[:rows].reshape(-1, len(self.unit_metrics))
        df = pd.DataFrame(data, columns=[m.name for m in self.unit_metrics])
        for m in self.unit_metrics:
            if m.dtype is not np.float64:
                df[m.name] = df[m.name].astype(m.dtype)
        df.insert(0, "unit", np.tile(np.arange(units.n, dtype=np.int32), rows))
        df.insert(0, "week", np.repeat(self.weeks[:rows], units.n))
        df.insert(2, "kind", pd.Categorical.from_codes(np.tile(units.kind, rows), UNIT_KINDS))
        df.insert(3, "n_staff", np.tile(units.size, rows).astype(np.int32))
        return df
