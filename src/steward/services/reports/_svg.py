"""Static SVG charts for printable reports: horizontal bars, intervals and a reference line.

Only presentation attributes (``fill``, ``stroke``), never ``style``: the web serves reports
under a Content-Security-Policy that forbids inline style attributes.
"""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, LABEL, ROW, TOP = 680, 230, 22, 24
PLOT = WIDTH - LABEL - 60
BLUE, RED, GREY, INK = "#3b6fb6", "#b42318", "#98a2b3", "#1d2430"


def _label(group: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in group.items())


def _frame(height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">'
            f'<title>{escape(title)}</title>{"".join(body)}</svg>')


def _axis(top: int, bottom: int, scale: float, ticks: list[float]) -> list[str]:
    out = []
    for tick in ticks:
        x = LABEL + PLOT * tick / scale
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#eaecf0"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" font-size="10" fill="{INK}" '
                   f'text-anchor="middle">{tick:g}</text>')
    return out


def _row_label(y: float, text: str) -> str:
    return (f'<text x="{LABEL - 6}" y="{y:.1f}" font-size="11" fill="{INK}" '
            f'text-anchor="end">{escape(text[:40])}</text>')


def selection_chart(groups: list[dict[str, Any]]) -> str:
    """Selection rate by group as bars with their confidence intervals as whiskers."""
    rows = [g for g in groups if g.get("selection_rate") is not None]
    if not rows:
        return ""
    top = max([1e-9, *(max(g["selection_rate"], (g.get("selection_rate_ci") or [0, 0])[1] or 0)
                       for g in rows)])
    scale = min(1.0, round(top * 1.15 + 0.05, 1)) or 1.0
    height = TOP + ROW * len(rows) + 30
    body = _axis(TOP - 6, TOP + ROW * len(rows), scale, [scale * i / 4 for i in range(5)])
    for i, g in enumerate(rows):
        y = TOP + i * ROW
        width = PLOT * g["selection_rate"] / scale
        fill = BLUE if g.get("judged") else GREY
        body.append(_row_label(y + 14, _label(g["group"])))
        body.append(f'<rect x="{LABEL}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" '
                    f'fill="{fill}"/>')
        low, high = g.get("selection_rate_ci") or [None, None]
        if low is not None and high is not None:
            x1, x2 = LABEL + PLOT * low / scale, LABEL + PLOT * min(high, scale) / scale
            mid = y + ROW / 2
            body.append(f'<line x1="{x1:.1f}" y1="{mid}" x2="{x2:.1f}" y2="{mid}" '
                        f'stroke="{INK}" stroke-width="1.2"/>')
            for x in (x1, x2):
                body.append(f'<line x1="{x:.1f}" y1="{mid - 4}" x2="{x:.1f}" y2="{mid + 4}" '
                            f'stroke="{INK}" stroke-width="1.2"/>')
        body.append(f'<text x="{LABEL + PLOT + 6}" y="{y + 14}" font-size="11" '
                    f'fill="{INK}">{g["selection_rate"]:.3f}</text>')
    return _frame(height, "Selection rate by group with 95% intervals", body)


def ratio_chart(groups: list[dict[str, Any]], *, line: float = 0.8) -> str:
    """Each group's selection-rate ratio to the most-favoured group, against the policy line."""
    rows = [g for g in groups if g.get("selection_rate_ratio") is not None]
    if not rows:
        return ""
    scale = max(1.2, max(g["selection_rate_ratio"] for g in rows) * 1.05)
    height = TOP + ROW * len(rows) + 30
    bottom = TOP + ROW * len(rows)
    body = _axis(TOP - 6, bottom, scale, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    for i, g in enumerate(rows):
        y = TOP + i * ROW
        ratio = g["selection_rate_ratio"]
        fill = GREY if not g.get("judged") else RED if ratio < line else BLUE
        body.append(_row_label(y + 14, _label(g["group"])))
        body.append(f'<rect x="{LABEL}" y="{y + 4}" width="{PLOT * ratio / scale:.1f}" '
                    f'height="{ROW - 8}" fill="{fill}"/>')
        body.append(f'<text x="{LABEL + PLOT + 6}" y="{y + 14}" font-size="11" '
                    f'fill="{INK}">{ratio:.3f}</text>')
    x = LABEL + PLOT * line / scale
    body.append(f'<line x1="{x:.1f}" y1="{TOP - 10}" x2="{x:.1f}" y2="{bottom}" stroke="{RED}" '
                f'stroke-width="1.5" stroke-dasharray="5 3"/>')
    body.append(f'<text x="{x + 4:.1f}" y="{TOP - 12}" font-size="10" fill="{RED}">'
                f'{line:g} (policy)</text>')
    return _frame(height, f"Selection-rate ratio against {line:g}", body)
