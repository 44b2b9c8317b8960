"""Static SVG charts for the governance reports: monthly lines against a target, and count bars.

Like :mod:`._svg`, only presentation attributes (no ``style``), so a report prints, converts to
PDF and passes the web's Content-Security-Policy as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT = 310, 150
LEFT, RIGHT, TOP, BOTTOM = 46, 24, 22, 26
INK, GRID, LINE, TARGET = "#1d2430", "#eaecf0", "#3b6fb6", "#b42318"
STATUS_FILL = {"green": "#12b76a", "amber": "#f79009", "red": "#d92d20",
               "not_measured": "#98a2b3", "no_target": "#667085"}
BAR_COLOURS = ("#3b6fb6", "#12b76a", "#f79009", "#d92d20", "#7a5af8", "#98a2b3")


def _fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if magnitude >= 10_000:
        return f"{value / 1000:.0f}k"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 1:
        return f"{value:.1f}"
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'class="chart"><title>{escape(title)}</title>'
            f'<text x="{LEFT}" y="13" font-size="11" font-weight="700" fill="{INK}">'
            f'{escape(title[:60])}</text>{"".join(body)}</svg>')


def line_chart(title: str, points: Sequence[dict[str, Any]], *,
               target: dict[str, Any] | None = None, status: str | None = None) -> str:
    """A measure's monthly values (``[{period, value}]``) with its green target as a dashed line."""
    values = [float(p["value"]) for p in points if p.get("value") is not None]
    if not values:
        return ""
    lines = [target["green"]] if target else []
    if target and target.get("red") != target.get("green"):
        lines.append(target["red"])
    low = min([*values, *lines, 0.0])
    high = max([*values, *lines])
    if high == low:
        high = low + 1.0
    high += (high - low) * 0.08
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(values) - 1) if len(values) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    body: list[str] = []
    for k in range(3):
        tick = low + (high - low) * k / 2
        body.append(f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" '
                    f'y2="{y(tick):.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{LEFT - 4}" y="{y(tick) + 3:.1f}" font-size="9" fill="{INK}" '
                    f'text-anchor="end">{_fmt(tick)}</text>')
    for i, point in enumerate(points):
        if i in (0, len(points) - 1) or len(points) <= 6:
            body.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" font-size="9" fill="{INK}" '
                        f'text-anchor="middle">{escape(str(point["period"]))}</text>')
    if target:
        for level, dash in ((target["green"], "5 3"), (target.get("red"), "2 2")):
            if level is None or (dash == "2 2" and level == target["green"]):
                continue
            body.append(f'<line x1="{LEFT}" y1="{y(level):.1f}" x2="{WIDTH - RIGHT}" '
                        f'y2="{y(level):.1f}" stroke="{TARGET}" stroke-width="1.2" '
                        f'stroke-dasharray="{dash}"/>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in
                    enumerate(values))
    body.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    colour = STATUS_FILL.get(status or "", LINE)
    for i, v in enumerate(values):
        last = i == len(values) - 1
        body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{3.5 if last else 2}" '
                    f'fill="{colour if last else LINE}"/>')
    return _frame(WIDTH, HEIGHT, title, body)


def count_bars(title: str, counts: dict[str, int]) -> str:
    """Horizontal bars, one per label (systems by stage, by tier)."""
    if not counts:
        return ""
    row = 20
    height = TOP + row * len(counts) + 6
    label_w = 96
    top = max(counts.values()) or 1
    plot_w = WIDTH - label_w - 40
    body: list[str] = []
    for i, (label, n) in enumerate(counts.items()):
        y = TOP + i * row
        body.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="10" fill="{INK}" '
                    f'text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{plot_w * n / top:.1f}" '
                    f'height="{row - 7}" fill="{BAR_COLOURS[i % len(BAR_COLOURS)]}"/>')
        body.append(f'<text x="{label_w + plot_w * n / top + 4:.1f}" y="{y + 13}" '
                    f'font-size="10" fill="{INK}">{n}</text>')
    return _frame(WIDTH, height, title, body)
