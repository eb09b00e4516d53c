"""Save a scenario shaped in the browser as files the modellers' commands accept unchanged.

Both go into the user's scenarios folder (`abm.paths.scenarios_dir()`, outside the tracked tree, so a
save never makes later runs "+dirty"): `workshop/<name>.yaml` is a `# @package _global_` Hydra config (as in
lightning-hydra-template's experiment configs), runnable as `uv run abm run +workshop=<name>` (the folder is
on Hydra's search path); `experiments/<name>.yaml` asks for replications over seeds (and, from the Compare
page, a sweep over what differs between the two runs), runnable as `uv run abm experiment <name>`, with the
header every file of experiments/ carries. Workshops with the region thus feed the sweeps.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import yaml

from abm.errors import UserError
from abm.store.files import atomic_write
from viz.levers import Settings, fmt
from viz.region import workshop_value

NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
GROUPS = ("organisation", "practice", "environment")
METRICS = ["maturity_total", "care_production", "waiting_list", "remote_share", "adoption_share",
           "mandated_progress"]
SEEDS = 10


def default_dir() -> Path:
    """The user's scenarios folder (`$ABM_SCENARIOS`, `abm viz --scenarios`, else the user data folder)."""
    from abm.paths import scenarios_dir

    return scenarios_dir()


def taken_paths(name: str, folder: Path) -> list[Path]:
    """Where a scenario called `name` would clash: the two files it writes, and any experiment or workshop
    config of that name `abm experiment` / `abm run +workshop=` would find first (the checkout's, ./experiments)."""
    from abm.config.hydra_bridge import config_dir
    from abm.paths import experiment_dirs

    return [folder / "workshop" / f"{name}.yaml", folder / "experiments" / f"{name}.yaml",
            config_dir() / "workshop" / f"{name}.yaml", *(d / f"{name}.yaml" for d in experiment_dirs())]


def check_name(name: str, folder: Path) -> str:
    """The stripped name, or UserError (one line) if it is malformed or taken anywhere it would be looked up."""
    name = name.strip()
    if not NAME.match(name):
        raise UserError(f"scenario name {name!r} is not allowed: lower-case letters, digits and _, "
                        "starting with a letter (at most 48)")
    for path in taken_paths(name, folder):
        if path.exists():
            raise UserError(f"scenario name {name!r} is taken ({path} exists): choose another name")
    return name


def check_folder(folder: Path) -> None:
    """UserError (one line) when the scenarios folder cannot be created or written (before anything is)."""
    from abm.store.files import unwritable_reason

    reason = unwritable_reason(folder)
    if reason:
        raise UserError(f"the scenarios folder {folder} is not usable: {reason} (abm viz --scenarios DIR)")


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
    lines += [f"  - override /{group}: {choice}" for group, choice in default_choices(a)]
    lines += ["", f"seed: {a.seed}"]
    nested: dict[str, dict[str, object]] = {}
    for key, value in a.levers:
        group, field = key.split(".", 1)
        nested.setdefault(group, {})[field] = workshop_value(key, value) if isinstance(value, str | int) \
            else float(value)
    if nested:
        lines.append(yaml.safe_dump(nested, sort_keys=True, default_flow_style=False).rstrip())
    return "\n".join(lines) + "\n"


def default_choices(settings: Settings) -> list[tuple[str, str]]:
    """The config groups the settings choose, as (group, choice): a whole preset (the Swedish region 2021, or
    its calibrated values) chooses `preset`, which sets the organisation and services itself."""
    from viz.levers import PRESETS

    region = (("preset", PRESETS[settings.organisation]) if settings.organisation in PRESETS
              else ("organisation", settings.organisation))
    return [region, ("practice", settings.practice), ("environment", settings.environment)]


def experiment_text(name: str, a: Settings, b: Settings | None, description: str) -> str:
    """The experiment file: base = the workshop config; sweep = what differs between A and B. It opens with
    the header every file of experiments/ has (`# What it asks: ...`, then how to run it). Without a sweep (a
    Live scenario) there is one configuration and no baseline: `abm experiment` compares nothing with it, it
    replicates the scenario over the seeds (a baseline must name a swept value)."""
    diff = differences(a, b) if b is not None else {}
    asks = (f"does {'; '.join(f'{k}={vb}' for k, (_, vb) in diff.items())} beat "
            f"{'; '.join(f'{k}={va}' for k, (va, _) in diff.items())}?") if diff else \
        f"how does this region fare over {SEEDS} seeds?"
    body: dict[str, object] = {"name": name, "description": description or f"Workshop scenario {name}",
                               "base": [f"+workshop={name}"]}
    if diff:
        body["sweep"] = {k: f"{va},{vb}" for k, (va, vb) in diff.items()}
    body.update({"seeds": SEEDS, "metrics": METRICS})
    if diff:  # one KEY=VALUE (what `abm experiment` and `abm compare` take): A's value of the first swept key
        key, (va, _) = next(iter(diff.items()))
        body["baseline"] = f"{key}={va}"
    head = [f"# What it asks: {asks}", f"# Workshop scenario {name!r}, saved from the browser app (abm viz).",
            f"# Run: uv run abm experiment {name}"]
    return "\n".join(head) + "\n" + yaml.safe_dump(body, sort_keys=False, default_flow_style=None)


def save_scenario(name: str, a: Settings, b: Settings | None = None, description: str = "",
                  folder: Path | None = None) -> tuple[Path, Path]:
    """Write `workshop/<name>.yaml` and `experiments/<name>.yaml` into the scenarios folder (default
    `default_dir()`) atomically, after every check passed (nothing is written on a refused name or folder)."""
    folder = folder if folder is not None else default_dir()
    name = check_name(name, folder)
    check_folder(folder)
    description = " ".join(description.split())[:500]
    work = workshop_text(name, a, description)
    exp = experiment_text(name, a, b, description)
    work_path, exp_path = folder / "workshop" / f"{name}.yaml", folder / "experiments" / f"{name}.yaml"
    atomic_write(work_path, lambda p: Path(p).write_text(work, encoding="utf-8"))
    atomic_write(exp_path, lambda p: Path(p).write_text(exp, encoding="utf-8"))
    return work_path, exp_path
