"""Research-software hygiene: the repository stands alone (no reference to files outside it), carries a
license and a citation file, and gives one version everywhere."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from abm import __version__

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"\.\./shared|\bVALIDATION\.md\b|\bDESIGN\.md\b")


def tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    paths = [ROOT / p for p in out.split()]
    return [p for p in paths if p.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".cff", ".csv", ""}
            and p.is_file()]


def test_no_file_refers_to_a_document_outside_the_repository() -> None:
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in tracked_text_files() if p != Path(__file__).resolve()
            for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
            if OUTSIDE.search(line)]
    assert hits == []


def test_license_and_citation_agree_with_the_package() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["version"] == __version__ and citation["license"] == "MIT"
    assert citation["cff-version"] == "1.2.0" and citation["authors"]
