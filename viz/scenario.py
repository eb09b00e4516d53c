"""Save a scenario shaped in the browser as files the modellers' commands accept unchanged.

`configs/workshop/<name>.yaml` is a `# @package _global_` Hydra config (as in lightning-hydra-template's
experiment configs), runnable as `uv run abm run +workshop=<name>`; `experiments/<name>.yaml` asks for
replications over seeds (and, from the Compare page, a sweep over what differs between the two runs),
runnable as `uv run abm experiment <name>`. Workshops with the region thus feed the sweeps.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import yaml

from abm.errors import UserError
from abm.store.files import atomic_write
from viz.levers import Settings, Value, fmt

NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
GROUPS = ("organisation", "practice", "environment")
METRICS = ["maturity_total", "care_production", "waiting_list", "remote_share", "adoption_share",
           "mandated_progress"]
SEEDS = 10


def default_dirs() -> tuple[Path, Path]:
    """(configs/, experiments/) of the source tree."""
    from abm.config.hydra_bridge import config_dir

    configs = config_dir()
    return configs, configs.parent / "experiments"


def check_name(name: str, configs: Path, experiments: Path) -> str:
    name = name.strip()
    if not NAME.match(name):
        raise UserError(f"scenario name {name!r} is not allowed: lower-case letters, digits and _, "
                        "starting with a letter (at most 48)")
    for path in (configs / "workshop" / f"{name}.yaml", experiments / f"{name}.yaml"):
        if path.exists():
            raise UserError(f"scenario name {name!r} is taken ({path} exists): choose another name")
    return name


def differences(a: Settings, b: Settings) -> dict[str, tuple[str, str]]:
    """Override key -> (A's value, B's value) for every setting where the two runs differ."""
    def as_map(s: Settings) -> dict[str, str]:
        out = {g: str(getattr(s, g)) for g in GROUPS}
        out.update({k: fmt(v) for k, v in s.levers})
        return out

    ma, mb = as_map(a), as_map(b)
    for key in set(ma) ^ set(mb):  # a lever moved in one run only: the other run has its preset's value
        for m, s in ((ma, a), (mb, b)):
            m.setdefault(key, preset_value(s, key))
    return {k: (ma[k], mb[k]) for k in sorted(ma) if ma[k] != mb[k]}


def preset_value(settings: Settings, key: str) -> str:
    """The value `key` has in the composed configuration of `settings`."""
    from abm.api import compose

    group, field = key.split(".", 1)
    return fmt(getattr(getattr(compose(settings.overrides()), group), field))


def workshop_text(name: str, a: Settings, description: str) -> str:
    """The Hydra config: the presets as default-list overrides, the moved levers as values."""
    lines = ["# @package _global_",
             f"# Workshop scenario {name!r}, saved from the browser app (abm viz) on "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
             f"# {description}" if description else "# (no description given)",
             f"# Run: uv run abm run +workshop={name}",
             "defaults:"]
    lines += [f"  - override /{g}: {getattr(a, g)}" for g in GROUPS]
    lines += ["", f"seed: {a.seed}"]
    nested: dict[str, dict[str, Value]] = {}
    for key, value in a.levers:
        group, field = key.split(".", 1)
        nested.setdefault(group, {})[field] = value if isinstance(value, str | int) else float(value)
    if nested:
        lines.append(yaml.safe_dump(nested, sort_keys=True, default_flow_style=False).rstrip())
    return "\n".join(lines) + "\n"


def experiment_text(name: str, a: Settings, b: Settings | None, description: str) -> str:
    """The experiment file: base = the workshop config; sweep = what differs between A and B."""
    diff = differences(a, b) if b is not None else {}
    asks = (f"does {'; '.join(f'{k}={vb}' for k, (_, vb) in diff.items())} beat "
            f"{'; '.join(f'{k}={va}' for k, (va, _) in diff.items())}?") if diff else \
        f"how does this region fare over {SEEDS} seeds?"
    body: dict[str, object] = {"name": name, "description": description or f"Workshop scenario {name}",
                               "base": [f"+workshop={name}"]}
    if diff:
        body["sweep"] = {k: f"{va},{vb}" for k, (va, vb) in diff.items()}
    body.update({"seeds": SEEDS, "metrics": METRICS})
    body["baseline"] = " ".join(f"{k}={va}" for k, (va, _) in diff.items()) if diff else f"practice={a.practice}"
    head = [f"# Workshop scenario {name!r}: {asks}", f"# Run: uv run abm experiment {name}"]
    return "\n".join(head) + "\n" + yaml.safe_dump(body, sort_keys=False, default_flow_style=None)


def save_scenario(name: str, a: Settings, b: Settings | None = None, description: str = "",
                  configs: Path | None = None, experiments: Path | None = None) -> tuple[Path, Path]:
    """Write both files atomically, after every check passed (nothing is written on a refused name)."""
    default_configs, default_experiments = default_dirs()
    configs, experiments = configs or default_configs, experiments or default_experiments
    name = check_name(name, configs, experiments)
    description = " ".join(description.split())[:500]
    work = workshop_text(name, a, description)
    exp = experiment_text(name, a, b, description)
    work_path, exp_path = configs / "workshop" / f"{name}.yaml", experiments / f"{name}.yaml"
    atomic_write(work_path, lambda p: Path(p).write_text(work, encoding="utf-8"))
    atomic_write(exp_path, lambda p: Path(p).write_text(exp, encoding="utf-8"))
    return work_path, exp_path
