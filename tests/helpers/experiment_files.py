"""The rules every experiment file meets (the shipped ones in experiments/ and those the app saves)."""

from __future__ import annotations

from abm.experiments.spec import Configuration, load_spec, plan, sweep_points


def check_experiment_file(name: str) -> list[Configuration] | None:
    """Check experiment `name` as `abm experiment name` finds it: the header (`# What it asks:` first, and how to
    run it), its name, and that it composes (a sweep fully: returns its configurations; a sensitivity design at
    its first and last point: returns None)."""
    spec = load_spec(name)
    text = spec.path.read_text(encoding="utf-8")
    assert text.startswith("# What it asks:") and f"uv run abm experiment {name}" in text, spec.path
    assert spec.name == name
    if spec.sensitivity:
        from abm.config.hydra_bridge import compose_params

        points = sweep_points(spec)
        for overrides, _ in (points[0], points[-1]):
            compose_params(overrides)
        return None
    return plan(spec)
