"""Small discovery files for tests: a tiny region (40 staff, 4 units, one innovation unit, 52 weeks) and a
handful of scenarios, written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import yaml

TINY = ["organisation.n_staff=40", "organisation.n_units=4", "organisation.n_innovation_units=1", "weeks=52",
        "environment=pandemic_shock"]
UNCERTAIN = {"environment.p_turbulence": [0.0, 0.005], "environment.shock_week": [10, 40],
             "services.advantage_scale": [0.5, 1.5]}


def discovery_data(name: str = "tiny", **keys: object) -> dict[str, object]:
    return {"kind": "discovery", "name": name, "description": "a tiny discovery for tests", "base": TINY,
            "designs": {"contextual": ["practice=contextual"], "structural": ["practice=structural"]},
            "criterion": {"outcome": "maturity_total", "better": "higher", "margin": 3.5},
            "uncertain": UNCERTAIN, "scenarios": 8, "seeds": 1, "seed": 1, **keys}


def write_discovery(folder: Path, name: str = "tiny", **keys: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(discovery_data(name, **keys), sort_keys=False), encoding="utf-8")
    return path
