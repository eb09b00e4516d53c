"""Markdown to HTML on the server, so no page needs Solara's Markdown component: that component loads
KaTeX from a CDN, and the app must make no request beyond 127.0.0.1 (an offline hospital intranet)."""

from __future__ import annotations

import html

import solara


def to_html(text: str) -> str:
    try:
        import markdown
    except ImportError:  # markdown comes with solara's extras; degrade to plain text without it
        return f"<pre style='white-space: pre-wrap'>{html.escape(text)}</pre>"
    return markdown.markdown(text, extensions=["tables", "fenced_code"])


@solara.component
def Md(text: str, classes: list[str] | None = None) -> None:
    """Render Markdown as HTML (no math, no CDN)."""
    solara.HTML("div", unsafe_innerHTML=to_html(text), classes=classes or [], style="line-height: 1.45")
