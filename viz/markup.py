"""Markdown to HTML on the server, so no page needs Solara's Markdown component: that component loads
KaTeX from a CDN, and the app must make no request beyond 127.0.0.1 (an offline hospital intranet).

Only the app's own texts (Info, docs/ODD.md) are Markdown, and even there raw HTML is not passed through:
it is escaped and shows as text. Data (the results store, settings, paths) never goes into Markdown or
HTML: pages show it with `solara.Text`, or in HTML built by `viz.svg` with every value escaped (`esc`).
"""

from __future__ import annotations

import html

import solara


def to_html(text: str) -> str:
    try:
        import markdown
    except ImportError:  # markdown comes with solara's extras; degrade to plain text without it
        return f"<pre style='white-space: pre-wrap'>{html.escape(text)}</pre>"
    md = markdown.Markdown(extensions=["tables", "fenced_code"])
    md.preprocessors.deregister("html_block")  # raw HTML blocks and inline tags become escaped text
    md.inlinePatterns.deregister("html")
    return md.convert(text)


@solara.component
def Md(text: str, classes: list[str] | None = None) -> None:
    """Render the app's own Markdown as HTML (no raw HTML, no math, no CDN)."""
    solara.HTML("div", unsafe_innerHTML=to_html(text), classes=classes or [], style="line-height: 1.45")
