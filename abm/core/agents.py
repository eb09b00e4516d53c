"""Mesa agents: thin handles onto rows of the model's arrays, so AgentSet queries and inspection work
while every mechanism runs over whole arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.core.params import DIMENSIONS
from abm.core.state import Role, ServiceState, UnitKind

if TYPE_CHECKING:
    from abm.core.model import RegionModel


class Staff(mesa.Agent):
    """A staff member: reads and writes row `row` of `model.staff`."""

    model: RegionModel

    def __init__(self, model: RegionModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    @property
    def unit(self) -> int:
        return int(self.model.staff.unit[self.row])

    @property
    def role(self) -> Role:
        return Role(int(self.model.staff.role[self.row]))

    @property
    def knowhow(self) -> float:
        """Mean digital know-how over the maturity dimensions."""
        return float(self.model.staff.knowhow[self.row].mean())

    @knowhow.setter
    def knowhow(self, value: float) -> None:
        """Set the know-how of every dimension."""
        self.model.staff.knowhow[self.row] = min(max(float(value), 0.0), 1.0)

    @property
    def knowhow_by_dimension(self) -> dict[str, float]:
        return {d: float(v) for d, v in zip(DIMENSIONS, self.model.staff.knowhow[self.row], strict=True)}

    @property
    def beliefs(self) -> np.ndarray:
        return self.model.staff.beliefs[self.row]

    @property
    def attitude(self) -> float:
        return float(self.model.staff.attitude[self.row])

    @property
    def tenure(self) -> int:
        return int(self.model.staff.tenure[self.row])

    @property
    def is_champion(self) -> bool:
        return bool(self.model.staff.champion[self.row])

    @property
    def workload(self) -> float:
        return float(self.model.units.workload[self.unit])

    def __repr__(self) -> str:
        return f"Staff(row={self.row}, unit={self.unit}, knowhow={self.knowhow:.2f})"


class Unit(mesa.Agent):
    """A unit: primary-care centre, ward, specialist clinic or innovation unit (row `row` of `model.units`)."""

    model: RegionModel

    def __init__(self, model: RegionModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    @property
    def kind(self) -> UnitKind:
        return UnitKind(int(self.model.units.kind[self.row]))

    @property
    def n_staff(self) -> int:
        return int(self.model.units.size[self.row])

    @property
    def exploration_share(self) -> float:
        return float(self.model.units.explore_share[self.row])

    @property
    def maturity(self) -> dict[str, float]:
        from abm.core.params import DIMENSIONS

        return dict(zip(DIMENSIONS, map(float, self.model.units.maturity[self.row]), strict=True))

    @property
    def stage(self) -> int:
        return int(self.model.units.stage[self.row])

    @property
    def services(self) -> dict[str, ServiceState]:
        states = self.model.units.service_state[self.row]
        return {name: ServiceState(int(s)) for name, s in zip(self.model.catalogue_names, states, strict=True)}

    def members(self) -> mesa.agentset.AgentSet:
        """The Staff agents of this unit."""
        unit = self.model.staff.unit
        return self.model.agents_by_type[Staff].select(lambda a: unit[a.row] == self.row)


class UnitManager(mesa.Agent):
    """A unit's manager: turns the region's practice into the unit's exploration share given local slack."""

    model: RegionModel

    def __init__(self, model: RegionModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    @property
    def enabling(self) -> bool:
        """Leadership style: enabling (True) or controlling (False)."""
        return bool(self.model.units.enabling[self.row])

    @property
    def support(self) -> float:
        return float(self.model.units.support[self.row])


class Management(mesa.Agent):
    """Top management: holds the practice and budget, senses, seizes and transforms."""

    model: RegionModel

    def __init__(self, model: RegionModel) -> None:
        super().__init__(model)
        self.estimates = np.full(len(model.catalogue_names), np.nan)
        self.sensing_accuracy = float("nan")

    @property
    def practice(self) -> str:
        return self.model.params.practice.name
