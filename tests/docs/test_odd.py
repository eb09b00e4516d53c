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


def test_odd_process_lists_the_same_ten_phases_as_the_model_docstring():
    doc = RegionModel.__doc__ or ""
    phases_code = re.findall(r"^\s+\d+\. (\w+)", doc, flags=re.M)
    text = odd.ODD_PATH.read_text(encoding="utf-8")
    section = text.split("## 3. Process overview")[1].split("## 4.")[0]
    phases_doc = re.findall(r"^\d+\. \*\*(\w+)\*\*", section, flags=re.M)
    assert phases_code == phases_doc and len(phases_code) == 10
