"""One live simulation for one browser session: the model, its seeded layout and quick reads for drawing.

Views read the model's arrays and the collector's preallocated table directly, never per-agent Python,
so a frame of the 8,000-staff region costs a few milliseconds beyond the model step itself.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from abm.api import compose, load_kernels
from abm.core.metrics import REGION_METRICS
from abm.core.model import RegionModel
from abm.core.params import ModelParams
from abm.core.state import UnitKind
from abm.errors import UserError
from viz.i18n import say, technical
from viz.layout import Layout, compute_layout, cross_edges, unit_ties
from viz.levers import LARGE_STAFF, Settings, has_shock
from viz.words import KINDS

if TYPE_CHECKING:
    from viz.frames import Painter

COLUMN = {m.name: i for i, m in enumerate(REGION_METRICS)}
KPI_METRICS = ("maturity_total", "mean_stage", "services_live", "adoption_share", "care_production",
               "waiting_list", "remote_share", "exploration_share")
TREND_METRICS = ("maturity_total", "services_live", "mandated_progress", "adoption_share", "care_production",
                 "waiting_list", "remote_share", "exploration_share", "mean_knowhow")


def max_staff() -> int | None:
    """The largest organisation a session may build on this server (`abm viz --max-staff`; None: no limit)."""
    text = os.environ.get("ABM_VIZ_MAX_STAFF", "")
    return int(text) if text.isdigit() else None


def check_size(params: ModelParams, limit: int | None) -> None:
    """Refuse, before building, an organisation larger than the server allows (a model of 100,000 staff
    takes about 0.5 GB)."""
    if limit is not None and params.organisation.n_staff > limit:
        raise UserError(f"organisation={params.organisation.name} has {params.organisation.n_staff:,} staff: this "
                        f"server allows at most {limit:,} (abm viz --max-staff)")


KIND_SHORT = {UnitKind.PRIMARY_CARE: "PC", UnitKind.WARD: "W", UnitKind.SPECIALIST: "SC", UnitKind.INNOVATION: "IU"}
KIND_KEY = {UnitKind.PRIMARY_CARE: "primary_care", UnitKind.WARD: "ward", UnitKind.SPECIALIST: "specialist",
            UnitKind.INNOVATION: "innovation"}


def numbered(kinds: np.ndarray) -> list[tuple[str, int]]:
    """Each unit's kind key (viz.words.KINDS) and its number among the units of its kind, from 1."""
    seen: dict[str, int] = {}
    out = []
    for k in kinds:
        key = KIND_KEY[UnitKind(int(k))]
        seen[key] = seen.get(key, 0) + 1
        out.append((key, seen[key]))
    return out


def unit_name(kind: str, number: int) -> str:
    """A unit by kind and number in the session's language; its code (PC3) with technical names on."""
    if technical.value:
        short = {KIND_KEY[k]: code for k, code in KIND_SHORT.items()}
        return f"{short.get(kind, 'U')}{number}"
    return f"{say(KINDS[kind][0])} {number}" if kind in KINDS else f"{number}"


@dataclass
class Simulation:
    """A RegionModel plus what the views need that does not change every week."""

    settings: Settings
    params: ModelParams
    model: RegionModel
    layout: Layout
    unit_ids: list[tuple[str, int]]  # each unit's kind and its number among units of that kind
    lock: threading.Lock = field(default_factory=threading.Lock)
    rendered: threading.Event = field(default_factory=threading.Event)  # set once views show this week
    painter: Painter | None = None  # draws this week's views straight into their widget (viz.frames)
    _network_id: int = -1
    _edges: tuple[np.ndarray, np.ndarray] | None = None
    _ties: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def build(cls, settings: Settings) -> Simulation:
        """Compose the parameters (raises UserError on a bad value), build the model and its layout once."""
        params = compose(settings.overrides())
        check_size(params, max_staff())
        model = RegionModel(params)
        layout = compute_layout(model.units.size, model.staff.unit, params.seed)
        return cls(settings, params, model, layout, numbered(model.units.kind))

    @property
    def unit_labels(self) -> list[str]:
        """The units as the session names them: "Primary care 3" ("Vårdcentral 3"), or PC3 with technical
        names on."""
        return [unit_name(kind, number) for kind, number in self.unit_ids]

    @property
    def week(self) -> int:
        return int(self.model.week)

    @property
    def at_horizon(self) -> bool:
        return self.model.week >= self.params.weeks or not self.model.running

    @property
    def large(self) -> bool:
        return self.model.staff.n > LARGE_STAFF

    def step(self, weeks: int = 1) -> bool:
        """Advance up to `weeks` weeks; False when the horizon is reached."""
        with self.lock:
            for _ in range(weeks):
                if self.at_horizon:
                    return False
                self.model.step()
        return True

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(weeks, values) of a region metric so far, straight from the collector's arrays."""
        c = self.model.collector
        return c.weeks[: c.rows].astype(float), c.region[: c.rows, COLUMN[name]]

    def value(self, name: str, row: int = -1) -> float:
        c = self.model.collector
        return float(c.region[row if row >= 0 else c.rows - 1, COLUMN[name]])

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        self._refresh_network()
        assert self._edges is not None
        return self._edges

    def ties(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._refresh_network()
        assert self._ties is not None
        return self._ties

    def _refresh_network(self) -> None:
        """Recompute drawn ties only when management has reconfigured the network (a new object)."""
        net = self.model.network
        if id(net) == self._network_id:
            return
        s, u = self.model.staff, self.model.units
        self._edges = cross_edges(net.adjacency, s.unit)
        t = unit_ties(net.adjacency, s.unit, u.n)
        self._ties = (t.row, t.col, t.data)
        self._network_id = id(net)

    def staff_colour(self, by: str) -> np.ndarray:
        """Per staff, a 0..1 value: know-how (the mean over the maturity dimensions), or the share of arrived
        services they use."""
        s = self.model.staff
        if by == "adoption":
            arrived = ~np.isnan(self.model.events.available)
            return s.uses[:, arrived].mean(axis=1) if arrived.any() else np.zeros(s.n)
        knowhow = s.knowhow.mean(axis=1) if s.knowhow.ndim == 2 else s.knowhow
        return np.round(knowhow * 8) / 8  # eight shades keep the SVG to a few paths

    def kind_counts(self) -> dict[UnitKind, int]:
        """Units of each kind, in code order (innovation units exist only under `structural`)."""
        counts = np.bincount(self.model.units.kind.astype(np.int64), minlength=len(UnitKind))
        return {kind: int(counts[kind]) for kind in UnitKind}


def warm_up_in_background() -> threading.Thread:
    """Compose the default settings and load the model's compiled kernels in a daemon thread (started by
    `abm viz` once it listens) while the first browser loads the page, so that the first session's model
    is built without paying for them (about a second; docs/app.md). A failure here only loses the head
    start: the session's own build reports any real problem."""

    def warm() -> None:
        try:
            load_kernels(Settings().overrides())
            has_shock(Settings().environment)  # composes the default presets the levers show (cached)
        except Exception as err:  # noqa: BLE001
            print(f"abm viz: warm-up skipped ({type(err).__name__}: {err})", flush=True)

    thread = threading.Thread(target=warm, name="abm-viz-warm-up", daemon=True)
    thread.start()
    return thread
