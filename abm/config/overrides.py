"""Hydra override strings (`key=value`, `+key=value`, `~key`): one place that takes them apart."""

from __future__ import annotations

from collections.abc import Iterable


def split(override: str) -> tuple[str, str]:
    """(key without Hydra's +/~ prefix, value) of `key=value`."""
    key, _, value = override.partition("=")
    return key.lstrip("+~"), value


def key_of(override: str) -> str:
    return split(override)[0]


def is_seed(override: str) -> bool:
    return key_of(override) == "seed"


def as_dict(overrides: Iterable[str]) -> dict[str, str]:
    """{key: value} of overrides (the last one of a key wins)."""
    return dict(split(o) for o in overrides)
