"""The findings for a region (docs/findings.md) and their Swedish version say the same things: the same
sections, tables, figures and commands, every number of the English text in the Swedish one (with a decimal
comma), every figure and link present, and every number taken from the committed reports there."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
EN, SV = DOCS / "findings.md", DOCS / "findings.sv.md"
NUMBER = re.compile(r"(?<![\w.,])[-+−]?\d+(?:[.,]\d+)?(?![\w])")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def numbers(body: str, comma: bool) -> list[str]:
    body = re.sub(r"`[^`]*`|\]\([^)]*\)|T\d+", " ", body)  # commands, link targets, design names
    out = [n.replace("−", "-").replace(",", ".") if comma else n for n in NUMBER.findall(body)]
    return sorted(out)


def test_same_sections_tables_figures_and_commands():
    en, sv = text(EN), text(SV)
    assert len(re.findall(r"^## ", en, re.M)) == len(re.findall(r"^## ", sv, re.M))
    assert len(re.findall(r"^\|", en, re.M)) == len(re.findall(r"^\|", sv, re.M))
    assert re.findall(r"!\[[^\]]*\]\(([^)]+)\)", en) == re.findall(r"!\[[^\]]*\]\(([^)]+)\)", sv)
    assert re.findall(r"uv run [^`\n#]+", en) == re.findall(r"uv run [^`\n#]+", sv)


def test_every_number_is_in_both_languages():
    en = [n for n in numbers(text(EN), comma=False) if "," not in n]
    sv = numbers(text(SV), comma=True)
    missing = [n for n in en if en.count(n) > sv.count(n)]
    assert not missing, missing


@pytest.mark.parametrize("path", [EN, SV], ids=["en", "sv"])
def test_every_figure_and_link_exists(path: Path):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text(path)):
        if not target.startswith("http"):
            assert (path.parent / target).exists(), target


def test_the_headline_numbers_are_the_committed_reports():
    report = text(DOCS / "optimisation" / "practice_designs" / "report.md")
    for row in ("| T75 | exploit_only | -0.0057 [-0.0075, -0.00391] | 6/6 | +30.4 [+25.5, +35.3] | 6/6 | +3.16 "
                "[+3.03, +3.29] | 6/6 |",):
        assert row in report
    regret = pd.read_csv(DOCS / "optimisation" / "practice_designs" / "regret.csv").set_index("practice")
    for practice, shown in (("networked", "3.9%"), ("contextual", "4.2%"), ("adaptive", "6.2%"),
                            ("sequential", "12.6%"), ("structural", "27.6%")):
        assert f"{regret.at[practice, 'regret']:.1%}" == shown
        assert f"| {shown} |" in text(EN)
    discovery = text(DOCS / "discovery" / "where_structural_wins" / "report.md")
    assert "base rate 22.0% (95% Wilson interval 16.8% to 28.2%)" in discovery
    assert "22.0% of them [16.8%, 28.2%]" in text(EN)
