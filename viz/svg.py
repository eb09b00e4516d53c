"""Small SVG drawings built straight from numpy arrays: line charts with bands, the organisation network,
the unit network and the service pipeline board.

SVG strings are cheap to build (milliseconds for thousands of marks), need no JavaScript library (the app
runs offline) and replace in place on every frame, which keeps playing at well over 10 weeks per second.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from viz.i18n import t
from viz.layout import Layout

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
STAGE_COLOURS = ("#d9d9d9", "#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f2855d", "#ef6a4c", "#b2182b")
STATE_COLOURS = {0: "#ffffff", 1: "#eeeeee", 2: "#fdd49e", 3: "#9ecae1", 4: "#31a354", 5: "#969696"}


@dataclass(frozen=True)
class Series:
    label: str
    x: np.ndarray
    y: np.ndarray
    colour: str = PALETTE[0]
    lo: np.ndarray | None = None  # band
    hi: np.ndarray | None = None


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def attrs(data: dict[str, object] | None) -> str:
    return "".join(f' data-{k}="{esc(v)}"' for k, v in (data or {}).items())


def download_name(kind: str, data: dict[str, object] | None) -> str:
    """A chart's file name (without extension): its metric (else `kind`), its kind of curve and its week,
    e.g. `maturity_total_week12`, `care_production_difference_week4`, `network_week3`; only letters, digits,
    `.`, `_` and `-`."""
    d = data or {}
    parts = [str(d.get("metric") or kind), str(d.get("kind") or ""),
             f"week{d['week']}" if d.get("week") is not None else ""]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(p for p in parts if p)).strip("._")
    return name[:80] or kind


def figure(chart: str, name: str, block: bool = False) -> str:
    """A chart with small SVG and PNG links: `viz.frames.FrameView`'s click handler finds the `<svg>` of
    the link's `.abm-figure` and downloads it as `name`.svg or `name`.png. `block`: for a chart as wide as
    its box (`width="100%"`)."""
    display = "block" if block else "inline-block"
    links = " ".join(f'<a href="#" class="abm-download" data-download="{kind}" title="{esc(t("download_" + kind))}"'
                     f' translate="no" style="color:#777;text-decoration:none">{kind.upper()}</a>'  # format names
                     for kind in ("svg", "png"))
    return (f'<figure class="abm-figure" data-filename="{esc(name)}" style="display:{display};margin:0 6px 6px 0;'
            f'vertical-align:top">{chart}<figcaption class="abm-downloads" style="font-size:10px;text-align:right;'
            f'line-height:12px">{links}</figcaption></figure>')


def nice_step(span: float, most: int = 5) -> float:
    """The smallest 1-2-5 step (times a power of ten) that cuts `span` into at most `most` intervals."""
    if not np.isfinite(span) or span <= 0:
        return 1.0
    step = 10 ** np.floor(np.log10(span / most))
    for mult in (1, 2, 5, 10):
        if span / (step * mult) <= most + 1e-9:
            return float(step * mult)
    return float(step * 10)


def nice_axis(lo: float, hi: float, include_zero: bool = False) -> tuple[float, float, list[float]]:
    """An axis that fits data in [lo, hi]: (start, end, ticks), start and end on round ticks (a 1-2-5 step),
    with a little padding around the data. Data that are all non-negative and start near 0 (their minimum
    within a quarter of their maximum) keep 0 as the start; `include_zero` always shows 0 (a difference)."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        lo, hi = 0.0, 1.0
    lo, hi = min(lo, hi), max(lo, hi)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    nonneg = lo >= 0
    if nonneg and lo <= 0.25 * hi:
        lo = 0.0
    span = hi - lo
    if span <= 1e-12 * max(1.0, abs(hi)):
        if hi == 0:
            return 0.0, 1.0, _tick_values(0.0, 1.0, 0.2)
        span = abs(hi) * 0.1
        lo, hi = hi - span / 2, hi + span / 2
    pad = 0.05 * span
    lo_p = lo if (lo == 0.0 and nonneg) else lo - pad
    hi_p = hi if (hi == 0.0 and include_zero and lo < 0) else hi + pad
    step = nice_step(hi_p - lo_p, most=6)
    start, end = np.floor(lo_p / step + 1e-9) * step, np.ceil(hi_p / step - 1e-9) * step
    if nonneg and start < 0:
        start = 0.0
    ticks = _tick_values(float(start), float(end), step)
    return ticks[0], ticks[-1], ticks


def _tick_values(start: float, end: float, step: float) -> list[float]:
    n = int(round((end - start) / step))
    digits = max(0, -int(np.floor(np.log10(step))) + 1)
    return [round(start + i * step, digits) + 0.0 for i in range(n + 1)]


def _ticks(lo: float, hi: float) -> list[float]:
    """Round ticks inside [lo, hi] (the x axis: weeks from 0 to the horizon)."""
    if hi <= lo:
        return [lo]
    step = nice_step(hi - lo)
    first = np.ceil(lo / step - 1e-9) * step
    return [float(v) + 0.0 for v in np.arange(first, hi + step * 1e-9, step)]  # + 0.0: never -0


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


LEGEND_ROW = 13  # pixels per row of a legend


def _text_width(text: str, size: float = 9) -> float:
    """A generous estimate of a text's width in a sans-serif font (no font metrics on the server)."""
    return 0.6 * size * len(text)


def legend(items: Sequence[tuple[str, str]], x: float, y: float, width: float,
           data_labels: bool = False) -> tuple[str, float]:
    """(label, colour) swatches in rows from (x, y) wrapping within `width`: (the SVG, its height). A label
    too long for a row is cut with an ellipsis (its full text is the swatch's tooltip). `data_labels`: the
    labels are data (stored configurations), not the app's words, so they are marked `translate="no"`."""
    out, cx, cy = ['<g class="abm-legend"' + (' translate="no">' if data_labels else ">")], x, y
    for label, colour in items:
        room = int((width - 16) / (0.6 * 9))
        shown = label if len(label) <= room else label[: max(room - 1, 1)] + "…"
        w = 16 + _text_width(shown) + 10
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + LEGEND_ROW
        out.append(f'<g class="abm-legend-item"><title>{esc(label)}</title>'
                   f'<rect x="{cx:.1f}" y="{cy + 4:.1f}" width="10" height="4" fill="{esc(colour)}"/>'
                   f'<text x="{cx + 14:.1f}" y="{cy + 9:.1f}" font-size="9">{esc(shown)}</text></g>')
        cx += w
    out.append("</g>")
    return "".join(out), (cy - y + LEGEND_ROW if items else 0.0)


def svg_open(cls: str, width: float, height: float, data: dict[str, object] | None) -> str:
    """The opening tag of a chart of fixed size (sans-serif text, so a PNG made in the browser looks alike)."""
    return (f'<svg class="{cls}" width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}"'
            f' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif"{attrs(data)}>')


def line_chart(series: Sequence[Series], title: str, width: int = 300, height: int = 170,
               zero_line: bool = False, data: dict[str, object] | None = None,
               x_max: float | None = None, name: str = "", data_labels: bool = False) -> str:
    """A line chart with axes, optional 95% bands and, when there is more than one series, a legend below
    the plot (wrapping; the chart grows by its rows, so it never covers a curve). The y axis fits the data
    (nice_axis); `zero_line` keeps 0 on it and draws it. Wrapped by `figure` with its download links, named
    `name` or after `data`."""
    left, right, top, bottom = 42, 8, 20, 22
    pw, ph = width - left - right, height - top - bottom
    xs = [s.x for s in series if s.x.size]
    ys = [v for s in series for v in (s.y, s.lo, s.hi) if v is not None and v.size]
    finite = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.zeros(0)
    x0, x1 = 0.0, max([float(x.max()) for x in xs] + [x_max or 1.0])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    y0, y1, yticks = nice_axis(lo, hi, include_zero=zero_line)
    sx = lambda x: left + (np.asarray(x, float) - x0) / max(x1 - x0, 1e-9) * pw  # noqa: E731
    sy = lambda y: top + ph - (np.asarray(y, float) - y0) / (y1 - y0) * ph  # noqa: E731
    keys, key_h = (legend([(s.label, s.colour) for s in series], left, height - 4, pw, data_labels)
                   if len(series) > 1 else ("", 0))
    total = height + key_h
    out = [svg_open("abm-chart", width, total, data),
           f'<text x="{left}" y="13" font-size="12" font-weight="600">{esc(title)}</text>']
    for v in yticks:
        y = float(sy(v))
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text class="abm-ytick" x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end"'
                   f' data-value="{v!r}">{_fmt(v)}</text>')
    for v in _ticks(x0, x1):
        x = float(sx(v))
        out.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="9" text-anchor="middle">{_fmt(v)}</text>')
    if zero_line and y0 < 0 < y1:
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{float(sy(0)):.1f}" y2="{float(sy(0)):.1f}" stroke="#888"/>'
        )
    out.append(f'<rect class="abm-plot" x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#bbb"/>')
    for s in series:
        out.extend(_series_marks(s, sx, sy))
    out.append(keys)
    out.append("</svg>")
    return figure("".join(out), name or download_name("chart", data))


@dataclass(frozen=True)
class Bars:
    """One index per category (a factor), with an optional half-width of its interval (a whisker)."""

    label: str
    values: np.ndarray
    err: np.ndarray | None = None
    colour: str = PALETTE[0]


def bar_chart(categories: Sequence[str], bars: Sequence[Bars], title: str, width: int = 460,
              data: dict[str, object] | None = None, axis_label: str = "", name: str = "") -> str:
    """Horizontal bars, one group per category in the order given (sort before), one bar per `Bars` in the
    group, each with its interval as a whisker where `err` is finite; the x axis fits the bars and their
    whiskers and keeps 0 (nice_axis); a legend below when there are several kinds of bar. Wrapped by
    `figure` with its download links."""
    n, k = len(categories), max(len(bars), 1)
    label_w = min(220.0, max([_text_width(c) for c in categories] + [40.0]) + 8)
    left, right, top, thick, gap = label_w, 12.0, 22.0, 9.0, 6.0
    group = k * (thick + 1) + gap
    ph = max(n, 1) * group
    pw = width - left - right
    ends = [v for b in bars for v in (b.values - (0 if b.err is None else np.nan_to_num(b.err)),
                                      b.values + (0 if b.err is None else np.nan_to_num(b.err)))]
    finite = np.concatenate([e[np.isfinite(e)] for e in ends]) if ends else np.zeros(0)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    x0, x1, ticks = nice_axis(lo, hi, include_zero=True)
    sx = lambda x: left + (float(x) - x0) / (x1 - x0) * pw  # noqa: E731
    axis_y = top + ph + 12
    below = axis_y + (14 if axis_label else 4)
    keys, key_h = legend([(b.label, b.colour) for b in bars], left, below, pw) if len(bars) > 1 else ("", 0.0)
    height = below + key_h + 6
    out = [svg_open("abm-chart abm-bars", width, height, data),
           f'<text x="4" y="14" font-size="12" font-weight="600">{esc(title)}</text>']
    for v in ticks:
        x = sx(v)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph:.1f}" stroke="#eee"/>'
                   f'<text class="abm-xtick" x="{x:.1f}" y="{axis_y:.1f}" font-size="9" text-anchor="middle"'
                   f' data-value="{v!r}">{_fmt(v)}</text>')
    if axis_label:
        out.append(f'<text x="{left + pw / 2:.1f}" y="{axis_y + 12:.1f}" font-size="9" text-anchor="middle"'
                   f' fill="#555">{esc(axis_label)}</text>')
    out.append(f'<rect class="abm-plot" x="{left:.1f}" y="{top}" width="{pw:.1f}" height="{ph:.1f}" fill="none"'
               f' stroke="#bbb"/>')
    zero = sx(0.0)
    for i, cat in enumerate(categories):
        gy = top + i * group + gap / 2
        out.append(f'<text x="{left - 4:.1f}" y="{gy + k * (thick + 1) / 2 + 3:.1f}" font-size="9"'
                   f' text-anchor="end" translate="no">{esc(cat)}</text>')
        for j, b in enumerate(bars):
            out.append(_bar(cat, b, i, gy + j * (thick + 1), thick, sx, zero))
    out.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top}" y2="{top + ph:.1f}" stroke="#888"/>')
    out.append(keys)
    out.append("</svg>")
    return figure("".join(out), name or download_name("indices", data))


def _bar(category: str, b: Bars, i: int, y: float, thick: float, sx: object, zero: float) -> str:
    """One bar from 0 to its value, with its whisker, and the numbers as data attributes and a tooltip."""
    v = float(b.values[i])
    if not np.isfinite(v):
        return ""
    e = float(b.err[i]) if b.err is not None else float("nan")
    x = sx(v)  # type: ignore[operator]
    tip = f"{category}: {b.label} {_fmt(v)}" + (f" ± {_fmt(e)}" if np.isfinite(e) else "")
    out = (f'<rect class="abm-bar" x="{min(x, zero):.1f}" y="{y:.1f}" width="{abs(x - zero):.1f}" height="{thick}"'
           f' fill="{esc(b.colour)}" data-category="{esc(category)}" data-series="{esc(b.label)}"'
           f' data-value="{v!r}"><title>{esc(tip)}</title></rect>')
    if np.isfinite(e):
        a, c, m = sx(v - e), sx(v + e), y + thick / 2  # type: ignore[operator]
        out += (f'<path class="abm-whisker" d="M{a:.1f} {m:.1f}H{c:.1f}M{a:.1f} {m - 3:.1f}V{m + 3:.1f}'
                f'M{c:.1f} {m - 3:.1f}V{m + 3:.1f}" stroke="#333" stroke-width="0.8" fill="none"/>')
    return out


def _series_marks(s: Series, sx: object, sy: object) -> list[str]:
    ok = np.isfinite(s.y)
    if not ok.any():
        return []
    out = []
    if s.lo is not None and s.hi is not None:
        band = ok & np.isfinite(s.lo) & np.isfinite(s.hi)
        xb = sx(s.x[band])  # type: ignore[operator]
        hi, lo = sy(s.hi[band]), sy(s.lo[band])  # type: ignore[operator]
        pts = [*zip(xb, hi, strict=True), *zip(xb[::-1], lo[::-1], strict=True)]
        out.append(
            f'<polygon fill="{s.colour}" fill-opacity="0.18" stroke="none" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            + '"/>'
        )
    pts = zip(sx(s.x[ok]), sy(s.y[ok]), strict=True)  # type: ignore[operator]
    out.append(
        f'<polyline class="abm-line" fill="none" stroke="{s.colour}" stroke-width="1.6" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        + '"/>'
    )
    return out


def colour_scale(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] to hex colours from light yellow (0) to dark blue (1)."""
    v = np.clip(np.nan_to_num(values), 0.0, 1.0)
    levels, inverse = np.unique(v, return_inverse=True)  # colour each distinct value once
    lo, hi = np.array([255, 237, 160]), np.array([8, 48, 107])
    rgb = (lo[None, :] + (hi - lo)[None, :] * levels[:, None]).astype(int)
    return np.array([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb])[inverse.ravel()]


def staff_network(
    layout: Layout,
    colour_values: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray],
    unit_labels: Sequence[str],
    legend: str,
    data: dict[str, object] | None = None,
) -> str:
    """Staff as dots inside their unit's disc, cross-unit ties as faint lines, coloured by a 0..1 value."""
    xy, w, h = layout.staff_xy, layout.width, layout.height
    colours = colour_scale(colour_values)
    out = [
        f'<svg class="abm-network" viewBox="0 0 {w:.0f} {h + 18:.0f}" width="100%"'
        f' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif"{attrs(data)}>'
    ]
    for (x, y), r, label in zip(layout.unit_xy, layout.unit_r, unit_labels, strict=True):
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 3:.1f}" fill="#f7f7f7" stroke="#ccc"/>'
            f'<text x="{x:.1f}" y="{y - r - 5:.1f}" font-size="8" text-anchor="middle" fill="#555">{esc(label)}</text>'
        )
    a, b = edges
    if a.size:
        d = "".join(f"M{xy[i, 0]:.0f} {xy[i, 1]:.0f}L{xy[j, 0]:.0f} {xy[j, 1]:.0f}" for i, j in zip(a, b, strict=True))
        out.append(f'<path d="{d}" stroke="#555" stroke-opacity="0.15" stroke-width="0.6" fill="none"/>')
    dot = max(1.2, min(3.5, 1300.0 / max(len(xy), 1) ** 0.5 / 12))
    for colour in np.unique(colours):  # one path per colour keeps the SVG small
        pts = xy[colours == colour]
        d = "".join(f"M{x:.1f} {y:.1f}h0" for x, y in pts)
        out.append(f'<path d="{d}" stroke="{colour}" stroke-width="{2 * dot:.1f}" stroke-linecap="round"/>')
    out.append(_gradient_legend(h + 4, legend))
    out.append("</svg>")
    return figure("".join(out), download_name("network", data), block=True)


def _gradient_legend(y: float, label: str) -> str:
    stops = colour_scale(np.linspace(0, 1, 6))
    cells = "".join(
        f'<rect x="{10 + 14 * i}" y="{y:.0f}" width="14" height="8" fill="{c}"/>' for i, c in enumerate(stops)
    )
    return cells + f'<text x="100" y="{y + 8:.0f}" font-size="9">0 … 1  {esc(label)}</text>'


MAX_TIES = 3000  # unit-to-unit ties drawn at most (the strongest): a 400-unit system has ~21,000
TIE_CLASSES = 4  # ties are drawn as one path per weight class, so a frame stays small


def tie_paths(xy: np.ndarray, ties: tuple[np.ndarray, np.ndarray, np.ndarray]) -> str:
    """Unit-to-unit ties as one path per weight class (darker and wider for more cross-unit contacts), the
    MAX_TIES strongest only: a frame of the 100,000-staff system is then about 0.1 MB instead of 2 MB, so
    its frames reach the browser, and Pause answers, at once."""
    rows, cols, weight = (np.asarray(a) for a in ties)
    if not rows.size:
        return ""
    if rows.size > MAX_TIES:
        keep = np.sort(np.argsort(-weight, kind="stable")[:MAX_TIES])
        rows, cols, weight = rows[keep], cols[keep], weight[keep]
    top = float(weight.max())
    level = np.minimum((weight / top * TIE_CLASSES).astype(np.int64), TIE_CLASSES - 1) if top > 0 else \
        np.zeros(rows.size, dtype=np.int64)
    out = []
    for c in range(TIE_CLASSES):
        pick = level == c
        if not pick.any():
            continue
        d = "".join(f"M{xy[i, 0]:.0f} {xy[i, 1]:.0f}L{xy[j, 0]:.0f} {xy[j, 1]:.0f}"
                    for i, j in zip(rows[pick], cols[pick], strict=True))
        share = (c + 1) / TIE_CLASSES
        out.append(f'<path class="abm-ties" d="{d}" stroke="#666" stroke-opacity="{0.08 + 0.5 * share:.2f}"'
                   f' stroke-width="{0.5 + 2 * share:.1f}" fill="none" data-ties="{int(pick.sum())}"/>')
    return "".join(out)


def unit_network(
    layout: Layout,
    stage: np.ndarray,
    ties: tuple[np.ndarray, np.ndarray, np.ndarray],
    unit_labels: Sequence[str],
    legend: str,
    data: dict[str, object] | None = None,
) -> str:
    """Units as nodes (area = staff, colour = maturity stage 0-7), ties weighted by cross-unit contacts."""
    w, h, xy = layout.width, layout.height, layout.unit_xy
    out = [
        f'<svg class="abm-network abm-units" viewBox="0 0 {w:.0f} {h + 18:.0f}" width="100%"'
        f' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif"{attrs(data)}>'
    ]
    out.append(tie_paths(xy, ties))
    for u, ((x, y), r) in enumerate(zip(xy, layout.unit_r, strict=True)):
        s = int(stage[u])
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{max(r, 2):.1f}" fill="{STAGE_COLOURS[s]}" stroke="#333"'
            f' stroke-width="0.5" data-stage="{s}"><title>{esc(unit_labels[u])}: {s}</title></circle>'
        )
    cells = "".join(
        f'<rect x="{10 + 16 * s}" y="{h + 4:.0f}" width="16" height="8" fill="{c}"/>'
        f'<text x="{18 + 16 * s}" y="{h + 11:.0f}" font-size="7" text-anchor="middle">{s}</text>'
        for s, c in enumerate(STAGE_COLOURS)
    )
    out.append(cells + f'<text x="142" y="{h + 12:.0f}" font-size="9">{esc(legend)}</text></svg>')
    return figure("".join(out), download_name("network", data), block=True)


PIPELINE_CELLS = 120  # units drawn one cell each at most; more units: one bar per service split by state


def pipeline_board(
    state: np.ndarray,
    service_labels: Sequence[str],
    state_names: dict[int, str],
    unit_labels: Sequence[str],
    data: dict[str, object] | None = None,
    units_word: str = "units",
) -> str:
    """Services (rows) by units (columns), each cell coloured by the service's lifecycle state there;
    `units_word` heads the columns ("12 units →", in the page's language)."""
    U, S = state.shape if state.ndim == 2 else (0, 0)
    label_w, cell = 190, max(3.0, min(14.0, 430.0 / max(U, 1)))
    w, h = label_w + cell * U + 10, 16 + 15 * S + 30
    out = [
        f'<svg class="abm-pipeline" viewBox="0 0 {w:.0f} {h:.0f}" width="{w:.0f}"'
        f' style="max-width:100%" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif"{attrs(data)}>'
    ]
    for s in range(S):
        y = 16 + 15 * s
        counts = np.bincount(state[:, s], minlength=6)
        summary = f"{counts[2]}/{counts[3]}/{counts[4]}/{counts[5]}"
        out.append(
            f'<text x="0" y="{y + 10}" font-size="9">{esc(service_labels[s][:34])}</text>'
            f'<text x="{label_w - 6}" y="{y + 10}" font-size="8" text-anchor="end" fill="#555">{summary}</text>'
        )
        if U > PIPELINE_CELLS:  # many units: one bar per service, split by how many units are in each state
            x = float(label_w)
            for code, n in enumerate(counts):
                if n:
                    width = cell * U * n / U
                    out.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="13" '
                               f'fill="{STATE_COLOURS[code]}" data-state="{code}" data-units="{int(n)}"/>')
                    x += width
            continue
        out.extend(
            f'<rect x="{label_w + cell * u:.1f}" y="{y}" width="{cell - 0.5:.1f}" height="13" '
            f'fill="{STATE_COLOURS[int(state[u, s])]}" stroke="#ddd" stroke-width="0.3"/>'
            for u in range(U)
        )
    y = 16 + 15 * S + 10
    x = 0.0
    for code in (1, 2, 3, 4, 5):
        out.append(
            f'<rect x="{x:.0f}" y="{y}" width="10" height="10" fill="{STATE_COLOURS[code]}" stroke="#999"/>'
            f'<text x="{x + 13:.0f}" y="{y + 9}" font-size="9">{esc(state_names[code])}</text>'
        )
        x += 20 + 6 * len(state_names[code])
    out.append(
        f'<text x="0" y="10" font-size="8" fill="#555">{len(unit_labels)} {esc(units_word)} →</text>'
        f'<text x="{label_w - 6}" y="10" font-size="7" text-anchor="end" fill="#555">'
        f"{esc('/'.join(state_names[c][:5] for c in (2, 3, 4, 5)))}</text></svg>"
    )
    return figure("".join(out), download_name("pipeline", data))
