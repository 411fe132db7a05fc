"""The statistics' SVG chart: French dates, a named image, no style attribute nor script, bars to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta

from activateurs.web.charts import HEIGHT, bar_chart, french_number, nice_ceiling, period_label

SVG = "{http://www.w3.org/2000/svg}"


def days(values: list[int], start: date = date(2026, 3, 1)) -> list[tuple[date, float]]:
    return [(start + timedelta(days=n), value) for n, value in enumerate(values)]


def parsed(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))


def test_the_chart_is_an_image_named_by_its_title_and_description() -> None:
    svg = parsed(bar_chart(days([3, 0, 7]), grouping="day", chart_id="vues", title="Vues de la fiche", unit="vues"))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "vues-title vues-desc"
    assert svg.find(f"{SVG}title").get("id") == "vues-title" and svg.find(f"{SVG}title").text == "Vues de la fiche"
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("Par jour, du 1 mars 2026 au 3 mars 2026 : ")
    assert "10 vues au total" in desc and "au plus 7 (3 mars 2026)" in desc


def test_no_style_attribute_nor_script_under_the_strict_csp() -> None:
    markup = str(bar_chart(days([1, 2]), grouping="day", chart_id="c", title="T", unit="vues"))
    assert "style" not in markup and "<script" not in markup and " on" not in markup.replace(" one", "")


def test_bars_are_to_scale_and_one_per_period() -> None:
    svg = parsed(bar_chart(days([10, 5, 0]), grouping="day", chart_id="c", title="T", unit="vues"))
    bars = svg.findall(f"{SVG}rect")
    heights = [float(bar.get("height")) for bar in bars]
    assert len(bars) == 3 and heights[0] == 2 * heights[1] and heights[2] == 0
    assert all(float(bar.get("y")) + float(bar.get("height")) <= HEIGHT for bar in bars)
    assert bars[0].find(f"{SVG}title").text == "1 mars 2026 : 10 vues"


def test_axes_speak_french_months_and_labels_are_thinned() -> None:
    months = [(date(2025, month, 1), month) for month in range(9, 13)] + [(date(2026, 1, 1), 2)]
    svg = parsed(bar_chart(months, grouping="month", chart_id="m", title="T", unit="contacts"))
    labels = [text.text for text in svg.findall(f"{SVG}text")]
    assert {"sept. 2025", "déc. 2025", "janv. 2026"} <= set(labels)
    year = parsed(bar_chart(days([1] * 366, date(2025, 1, 1)), grouping="day", chart_id="y", title="T", unit="vues"))
    axis = [t.text for t in year.findall(f"{SVG}text") if not re.fullmatch(r"[\d\u202f,]+", t.text)]
    assert 6 <= len(axis) <= 12 and axis[0] == "1 janv."


def test_an_empty_or_zero_period_still_draws_an_axis() -> None:
    assert "Aucune donnée" in str(bar_chart([], grouping="day", chart_id="e", title="T", unit="vues"))
    zeros = parsed(bar_chart(days([0, 0]), grouping="day", chart_id="z", title="T", unit="vues"))
    assert [t.text for t in zeros.findall(f"{SVG}text")][:2] == ["0", "1"]


def test_titles_are_escaped() -> None:
    markup = str(bar_chart(days([1]), grouping="day", chart_id="x", title="<b>Vues</b> & co", unit="vues"))
    assert "&lt;b&gt;Vues&lt;/b&gt; &amp; co" in markup


def test_numbers_and_ticks() -> None:
    assert french_number(1234) == "1\u202f234" and french_number(0.5) == "0,5"
    assert nice_ceiling(0) == (1.0, 1.0) and nice_ceiling(7) == (8.0, 2.0) and nice_ceiling(230) == (250.0, 50.0)
    assert nice_ceiling(3) == (3.0, 1.0)
    assert period_label(date(2026, 8, 1), "month") == "août 2026" and period_label(date(2026, 2, 9), "day") == \
        "9 février 2026"
