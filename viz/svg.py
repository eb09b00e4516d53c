"""Small SVG drawings built straight from numpy arrays: line charts with bands, the organisation network,
the unit network and the service pipeline board.

SVG strings are cheap to build (milliseconds for thousands of marks), need no JavaScript library (the app
runs offline) and replace in place on every frame, which keeps playing at well over 10 weeks per second.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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


def _ticks(lo: float, hi: float) -> list[float]:
    if hi <= lo:
        return [lo]
    span = hi - lo
    step = 10 ** np.floor(np.log10(span / 3))
    for mult in (1, 2, 5, 10):
        if span / (step * mult) <= 5:
            step *= mult
            break
    first = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(first, hi + step * 1e-9, step)]


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def line_chart(series: Sequence[Series], title: str, width: int = 300, height: int = 170,
               zero_line: bool = False, data: dict[str, object] | None = None,
               x_max: float | None = None) -> str:
    """A line chart with axes, optional 95% bands and a legend when there is more than one series."""
    left, right, top, bottom = 42, 8, 20, 22
    pw, ph = width - left - right, height - top - bottom
    xs = [s.x for s in series if s.x.size]
    ys = [v for s in series for v in (s.y, s.lo, s.hi) if v is not None and v.size]
    finite = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.zeros(0)
    x0, x1 = 0.0, max([float(x.max()) for x in xs] + [x_max or 1.0])
    y0, y1 = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if zero_line:
        y0, y1 = min(y0, 0.0), max(y1, 0.0)
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5 if y0 else 0.0, y1 + 0.5
    pad = 0.05 * (y1 - y0)  # headroom: a curve at its maximum stays inside the frame
    y0, y1 = (y0 - pad if y0 != 0 else y0), y1 + pad
    sx = lambda x: left + (np.asarray(x, float) - x0) / max(x1 - x0, 1e-9) * pw  # noqa: E731
    sy = lambda y: top + ph - (np.asarray(y, float) - y0) / (y1 - y0) * ph  # noqa: E731
    out = [f'<svg class="abm-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
           f' xmlns="http://www.w3.org/2000/svg"{attrs(data)}>',
           f'<text x="{left}" y="13" font-size="12" font-weight="600">{esc(title)}</text>']
    for v in _ticks(y0, y1):
        y = float(sy(v))
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end">{_fmt(v)}</text>')
    for v in _ticks(x0, x1):
        x = float(sx(v))
        out.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="9" text-anchor="middle">{_fmt(v)}</text>')
    if zero_line and y0 < 0 < y1:
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{float(sy(0)):.1f}" y2="{float(sy(0)):.1f}" stroke="#888"/>'
        )
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#bbb"/>')
    for s in series:
        out.extend(_series_marks(s, sx, sy))
    if len(series) > 1:
        for i, s in enumerate(series):
            out.append(
                f'<rect x="{left + 6}" y="{top + 5 + 12 * i}" width="10" height="3" fill="{s.colour}"/>'
                f'<text x="{left + 20}" y="{top + 10 + 12 * i}" font-size="9">{esc(s.label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


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
        f' xmlns="http://www.w3.org/2000/svg"{attrs(data)}>'
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
    return "".join(out)


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
        f' xmlns="http://www.w3.org/2000/svg"{attrs(data)}>'
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
    return "".join(out)


PIPELINE_CELLS = 120  # units drawn one cell each at most; more units: one bar per service split by state


def pipeline_board(
    state: np.ndarray,
    service_labels: Sequence[str],
    state_names: dict[int, str],
    unit_labels: Sequence[str],
    data: dict[str, object] | None = None,
) -> str:
    """Services (rows) by units (columns), each cell coloured by the service's lifecycle state there."""
    U, S = state.shape if state.ndim == 2 else (0, 0)
    label_w, cell = 190, max(3.0, min(14.0, 430.0 / max(U, 1)))
    w, h = label_w + cell * U + 10, 16 + 15 * S + 30
    out = [
        f'<svg class="abm-pipeline" viewBox="0 0 {w:.0f} {h:.0f}" width="{w:.0f}" style="max-width:100%"'
        f' xmlns="http://www.w3.org/2000/svg"{attrs(data)}>'
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
        f'<text x="0" y="10" font-size="8" fill="#555">{len(unit_labels)} units →</text>'
        f'<text x="{label_w - 6}" y="10" font-size="7" text-anchor="end" fill="#555">'
        f"{esc('/'.join(state_names[c][:5] for c in (2, 3, 4, 5)))}</text></svg>"
    )
    return "".join(out)
