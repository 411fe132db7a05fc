"""Bar charts as inline SVG, built on the server: no script, no style attribute (CSP), French dates, one title."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
# The drawing's own units (the viewBox): the SVG scales to its container's width, so it reflows at 320 px.
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 48
MAX_LABELS = 12
BAR = "#000091"  # the DSFR's « bleu France »
INK = "#3a3a3a"  # its default text grey
GRID = "#dddddd"


def french_number(value: float) -> str:
    """« 1 234 », « 0,5 »: the separators a French reader expects (a narrow no-break space for thousands)."""
    if value == int(value):
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def period_label(day: date, grouping: str, short: bool = False) -> str:
    """A bar's date in words: « 3 mars 2026 » for a day, « mars 2026 » for a month (abbreviated on the axis)."""
    month = (SHORT_MONTHS if short else MONTHS)[day.month - 1]
    if grouping == "month":
        return f"{month} {day.year}"
    return f"{day.day} {month}" if short else f"{day.day} {month} {day.year}"


def nice_ceiling(peak: float) -> tuple[float, float]:
    """The axis's top and its step: 1, 2 or 5 times a power of ten, at most five steps (a top of 1 for zeros)."""
    if peak <= 0:
        return 1.0, 1.0
    raw = peak / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
    step = max(step, 1.0) if peak >= 1 else step
    return math.ceil(peak / step) * step, step


def bar_chart(points: Sequence[tuple[date, float]], *, grouping: str, chart_id: str, title: str, unit: str) -> Markup:
    """One series as bars over time. `grouping`: "day" or "month"; `unit`: what is counted (« vues »).

    Named by its title and a description (the total, the highest bar); the page's table gives every figure."""
    count = len(points)
    top, step = nice_ceiling(max((value for _, value in points), default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(count, 1)
    bar_width = max(slot * 0.7, 1.0)
    total = sum(value for _, value in points)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
             f'font-size="13" fill="{INK}">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(_description(points, grouping, unit, total))}</desc>']
    ticks = int(round(top / step))
    for number in range(ticks + 1):
        value = number * step
        y = TOP + plot_height - value / top * plot_height
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{french_number(value)}</text>')
    every = max(1, math.ceil(count / MAX_LABELS))
    for index, (day, value) in enumerate(points):
        x = LEFT + index * slot + (slot - bar_width) / 2
        height = value / top * plot_height
        y = TOP + plot_height - height
        label = period_label(day, grouping)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{height:.1f}" fill="{BAR}">'
                     f'<title>{escape(label)} : {french_number(value)} {escape(unit)}</title></rect>')
        if index % every == 0:
            middle = LEFT + index * slot + slot / 2
            parts.append(f'<text x="{middle:.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">'
                         f'{escape(period_label(day, grouping, short=True))}</text>')
    baseline = TOP + plot_height
    parts.append(f'<line x1="{LEFT}" y1="{baseline}" x2="{WIDTH - RIGHT}" y2="{baseline}" stroke="{INK}"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{baseline}" stroke="{INK}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _description(points: Sequence[tuple[date, float]], grouping: str, unit: str, total: float) -> str:
    if not points:
        return "Aucune donnée pour cette période."
    by = "jour" if grouping == "day" else "mois"
    first, last = period_label(points[0][0], grouping), period_label(points[-1][0], grouping)
    peak_day, peak = max(points, key=lambda point: point[1])
    span = f"du {first} au {last}" if grouping == "day" else f"de {first} à {last}"
    text = f"Par {by}, {span} : {french_number(total)} {unit} au total"
    if peak:
        text += f", au plus {french_number(peak)} ({period_label(peak_day, grouping)})"
    return text + ". Le détail est dans le tableau qui suit."
