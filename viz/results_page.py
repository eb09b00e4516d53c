"""The Results page (placeholder until the store reader lands)."""

from __future__ import annotations

import solara


@solara.component
def ResultsPage() -> None:
    solara.Markdown("Results")
