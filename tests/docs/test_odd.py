"""docs/ODD.md stays true to the code: its generated tables match the parameter dataclasses and the
metrics registry, and the weekly process it lists matches the model's docstring."""

from __future__ import annotations

import re

from abm.cli import odd
from abm.core.model import RegionModel


def test_generated_tables_in_odd_match_the_code():
    text = odd.ODD_PATH.read_text(encoding="utf-8")
    assert odd.render(text) == text, "docs/ODD.md is out of date: run `uv run python -m abm.cli.odd`"


def test_every_parameter_appears_in_the_odd_table():
    text = odd.ODD_PATH.read_text(encoding="utf-8")
    assert "`adoption.w_performance` | `0.3`" in text
    assert "`learning.p_socialise`" in text and "`practice.name`" in text


def model_phases() -> list[str]:
    """The weekly phases the model's docstring lists, in order."""
    return re.findall(r"^\s+\d+\. (\w+)", RegionModel.__doc__ or "", flags=re.M)


def test_odd_process_lists_the_same_phases_as_the_model_docstring():
    phases_code = model_phases()
    text = odd.ODD_PATH.read_text(encoding="utf-8")
    section = text.split("## 3. Process overview")[1].split("## 4.")[0]
    phases_doc = re.findall(r"^\d+\. \*\*(\w+)\*\*", section, flags=re.M)
    assert phases_code == phases_doc and len(phases_code) >= 10


def test_every_copy_of_the_weekly_process_follows_the_model() -> None:
    """The phase methods `step()` calls (what benchmarks.phases times) and the app's diagram of a week
    follow the model's phases."""
    import ast
    import inspect
    import textwrap

    from benchmarks.phases import PHASES
    from viz.about import STEPS

    step = ast.parse(textwrap.dedent(inspect.getsource(RegionModel.step)))
    calls = sorted((n.lineno, n.col_offset, n.func.attr) for n in ast.walk(step) if isinstance(n, ast.Call)
                   and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
                   and n.func.value.id == "self")
    called = [name for _, _, name in calls]
    assert tuple(c for c in called if c != "at_equilibrium") == PHASES
    assert len(STEPS) == len(model_phases())
