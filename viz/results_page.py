"""The Results page (placeholder until the store reader lands)."""

from __future__ import annotations

import solara

from viz.markup import Md


@solara.component
def ResultsPage() -> None:
    Md("Results")
