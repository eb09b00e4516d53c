"""docs/ODD.md stays true to the code: its generated tables match the parameter dataclasses and the metrics
registry, its weekly process is the model's docstring word for word and names the methods `step()` calls,
it describes every mechanism module, random stream, practice and cause, and every literature source named in
the code has an entry in its reference list."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
import unicodedata
from pathlib import Path

import pytest

from abm.cli import odd
from abm.core.model import RegionModel
from abm.core.params import GROUPS, PRACTICES, ModelParams, ServiceSpec
from abm.core.rng import STREAMS
from abm.core.state import Cause

CORE = Path(inspect.getfile(RegionModel)).parent
MECHANISMS = CORE / "mechanisms"
NOT_LITERATURE = ("assumption", "design", "docking")


def odd_text() -> str:
    return odd.ODD_PATH.read_text(encoding="utf-8")


def section(text: str, start: str, end: str) -> str:
    assert start in text, f"docs/ODD.md lacks the heading {start!r}"
    return text.split(start, 1)[1].split(end, 1)[0]


def numbered_items(text: str, indent: str) -> list[tuple[int, str]]:
    """(number, text) of each item of the first numbered list in `text`, continuation lines joined and
    whitespace normalised; markdown bold removed."""
    items: list[tuple[int, list[str]]] = []
    for line in text.splitlines():
        m = re.match(rf"^{indent}(\d+)\. (.*)$", line)
        if m:
            items.append((int(m.group(1)), [m.group(2)]))
        elif items and line.strip() and line.startswith(indent + " "):
            items[-1][1].append(line.strip())
        elif items and not line.strip():
            break
    return [(k, " ".join(" ".join(parts).replace("**", "").split())) for k, parts in items]


def docstring_phases() -> list[tuple[int, str]]:
    doc = RegionModel.__doc__ or ""
    return numbered_items(doc.split("in this order", 1)[1].split("\n", 1)[1], "    ")


def odd_phases() -> list[tuple[int, str]]:
    return numbered_items(section(odd_text(), "## 3. Process overview", "## 4."), "")


def step_calls() -> list[str]:
    """The model's own methods `step()` calls, in source order (the phase methods)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(RegionModel.step)))
    calls = sorted((n.lineno, n.col_offset, n.func.attr) for n in ast.walk(tree) if isinstance(n, ast.Call)
                   and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
                   and n.func.value.id == "self")
    return [name for _, _, name in calls if name != "at_equilibrium"]


def test_generated_tables_in_odd_match_the_code():
    assert odd.render(odd_text()) == odd_text(), "docs/ODD.md is out of date: run `uv run python -m abm.cli.odd`"


def test_every_parameter_has_a_row_with_its_default_and_source():
    text, top = odd_text(), ModelParams()
    for f in dataclasses.fields(ModelParams):
        fields = dataclasses.fields(GROUPS[f.name]) if f.name in GROUPS else [f]
        for g in fields:
            key = f"{f.name}.{g.name}" if f.name in GROUPS else f.name
            default = getattr(getattr(top, f.name), g.name) if f.name in GROUPS else getattr(top, f.name)
            line = next((x for x in text.splitlines() if x.startswith(f"| `{key}` |")), None)
            assert line is not None, f"no row for {key}"
            assert line.split(" | ")[1] == odd.fmt_default(default), key
            assert line.rstrip(" |").endswith(odd.fmt_source(g.metadata)), key


def test_the_tables_mark_assumptions_and_name_literature_sources():
    rows = {r.split(" | ")[0].strip("| `"): r for r in odd.parameter_rows()[2:]}
    assert rows["practice.name"].endswith("| design |")
    assert rows["adoption.w_social"].endswith("| assumption |")
    assert rows["learning.p_socialise"].endswith("| March 1991 |")
    assert odd.HEADER[0].endswith("| source |")


def test_the_catalogue_table_has_a_column_for_every_service_property():
    header = odd.catalogue_rows()[0]
    for name in ("mandate_weeks", "remote", "substitution", "patient_facing", "requires_interoperability",
                 "technical_failure", "fit_dims", "start_share"):
        assert f" {name} |" in header
    assert header.count("|") - 1 == len(dataclasses.fields(ServiceSpec))
    rows = odd.catalogue_rows()[2:]
    assert len(rows) == len(ModelParams().services.catalogue)
    assert all(r.count(" | ") == len(dataclasses.fields(ServiceSpec)) - 1 for r in rows)


def test_odd_process_is_the_model_docstring_word_for_word():
    code, doc = docstring_phases(), odd_phases()
    assert [k for k, _ in code] == list(range(1, len(code) + 1)) and len(code) >= 10
    assert [k for k, _ in doc] == [k for k, _ in code], "section 3 numbers its phases differently"
    for (k, ours), (_, theirs) in zip(doc, code, strict=True):
        assert ours == theirs, f"phase {k} differs:\n ODD:       {ours}\n docstring: {theirs}"


def test_odd_process_table_names_the_methods_step_calls_in_order():
    table = section(odd_text(), "## 3. Process overview", "## 4.").split("| phase | method |", 1)[1]
    rows = [r for r in table.splitlines() if re.match(r"^\| \d+\. ", r)]
    names = [re.match(r"^\| \d+\. (\w+)", r).group(1) for r in rows]
    assert names == [re.match(r"\w+", text).group(0) for _, text in docstring_phases()]
    methods = [re.search(r"`(\w+)`", r.split(" | ")[1]).group(1) for r in rows]
    assert methods == step_calls()


@pytest.mark.parametrize("copy", ["benchmarks", "app"])
def test_every_copy_of_the_weekly_process_follows_the_model(copy: str) -> None:
    """benchmarks.phases times the phase methods `step()` calls; the app's diagram of a week has one box per
    phase of the docstring."""
    if copy == "benchmarks":
        from benchmarks.phases import PHASES

        assert tuple(step_calls()) == PHASES
    else:
        from viz.info import STEPS

        assert len(STEPS) == len(docstring_phases())


def test_every_mechanism_module_is_described_in_the_submodels():
    submodels = section(odd_text(), "## 7. Submodels", "## 8.")
    modules = sorted(p.name for p in MECHANISMS.glob("*.py") if p.name != "__init__.py")
    missing = [m for m in modules if f"(`{m}`" not in submodels]
    assert not missing, f"section 7 has no submodel for {missing}"


def test_every_random_stream_practice_and_cause_is_named():
    text = odd_text()
    stochasticity = section(text, "### Stochasticity", "###")
    assert [s for s in STREAMS if f"`{s}`" not in stochasticity] == []
    practices = section(text, "### The practices at equal budget", "### The causal chain")
    assert [p for p in PRACTICES if f"| `{p}` |" not in practices] == []
    assert [c for c in Cause if f"`{c.name.lower()}`" not in section(text, "## 2.", "## 3.")] == []


def plain(text: str) -> str:
    """`text` without accents, case-folded: the order of a reference list (Vårdfokus between T and W)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def literature_sources() -> set[tuple[str, str]]:
    """(first author's surname, year) of every literature source in the parameters' `source` metadata and of
    every citation 'Name (YYYY)' / 'Name YYYY' in the docstrings and comments of abm/core."""
    found: set[tuple[str, str]] = set()
    classes = [*GROUPS.values(), ServiceSpec, ModelParams]
    for source in {str(f.metadata.get("source", "")) for c in classes for f in dataclasses.fields(c)}:
        for part in source.split(";"):
            part = re.sub(r"\(.*?\)", "", part).strip()
            if not part or part.startswith(NOT_LITERATURE):
                continue
            m = re.match(r"(.+?)\s+(\d{4})$", part)
            found.add((part.split()[0].rstrip(","), m.group(2) if m else ""))
    cite = re.compile(r"\b([A-Z][A-Za-z'\u00c0-\u017f-]+)(?: et al\.)?,? \(?((?:19|20)\d{2})\b")
    for path in [*CORE.glob("*.py"), *MECHANISMS.glob("*.py")]:
        found |= {(name.removesuffix("'s"), year) for name, year in cite.findall(path.read_text(encoding="utf-8"))}
    return found


def test_every_literature_source_named_in_the_code_has_a_reference():
    references = [line for line in section(odd_text(), "## References", "\n## ").splitlines()
                  if line.startswith("- ")]
    assert references == sorted(references, key=plain), "keep the reference list alphabetical"
    missing = sorted((name, year) for name, year in literature_sources()
                     if not any(name in r and (not year or f"({year}" in r) for r in references))
    assert not missing, f"no reference for {missing}"
    assert len(literature_sources()) > 30  # the scan finds the citations (a broken regex finds none)
