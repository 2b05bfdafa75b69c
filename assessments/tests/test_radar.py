"""The radar and history charts: a fixed 0–100 scale, DejaVu fonts, and SVG that a strict CSP still renders."""

import math
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import translation
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib.units import mm

from assessments.radar import index_history_drawing, radar_drawing, radar_svg
from assessments.spread import SpreadRow, spread_drawing

LABELS = [
    "International population & diversity",
    "Welcome & entry",
    "Leadership & governance",
    "Integration & inclusion",
    "Intercultural climate & participation",
    "Global presence & internationalisation",
    "Talent & education",
    "Connectivity & flows",
    "Qualité & coût de la vie à Łódź",
]
# A weak city: its best dimension scores 40, one dimension is not scored.
SCORES = [
    Decimal(40),
    Decimal("12.5"),
    None,
    Decimal(30),
    Decimal(25),
    Decimal(40),
    Decimal(10),
    Decimal(5),
    Decimal(20),
]


def _strings(node):
    if isinstance(node, String):
        yield node
    for child in getattr(node, "contents", ()):
        yield from _strings(child)


def _vertices(polygon):
    return list(zip(polygon.points[::2], polygon.points[1::2], strict=True))


def _centre(drawing):
    ring = _vertices(drawing.outer_ring)
    return sum(x for x, _y in ring) / len(ring), sum(y for _x, y in ring) / len(ring)


def _radii(drawing, polygon):
    cx, cy = _centre(drawing)
    return [math.dist((cx, cy), vertex) for vertex in _vertices(polygon)]


class _SvgText(HTMLParser):
    """The text of every <text> element and the attributes of every element."""

    def __init__(self):
        super().__init__()
        self.texts, self.elements, self._in_text = [], [], False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "text":
            self._in_text = True
            self.texts.append("")

    def handle_endtag(self, tag):
        if tag == "text":
            self._in_text = False

    def handle_data(self, data):
        if self._in_text:
            self.texts[-1] += data


def _parse(svg):
    parser = _SvgText()
    parser.feed(svg)
    return parser


def test_the_drawing_is_a_plain_reportlab_drawing_built_without_the_database():
    # No django_db mark: any ORM access would fail here.
    drawing = radar_drawing(LABELS, SCORES)

    assert isinstance(drawing, Drawing)


def test_the_outer_ring_is_100_even_when_the_city_scores_40_at_most():
    drawing = radar_drawing(LABELS, SCORES)

    outer = _radii(drawing, drawing.outer_ring)
    city = _radii(drawing, drawing.city_polygon)
    for score, distance, full in zip(SCORES, city, outer, strict=True):
        expected = 0 if score is None else float(score) / 100
        assert distance / full == pytest.approx(expected, abs=1e-6)


def test_a_perfect_score_reaches_the_outer_ring():
    drawing = radar_drawing(LABELS, [Decimal(100)] * 9)

    assert _radii(drawing, drawing.city_polygon) == pytest.approx(_radii(drawing, drawing.outer_ring))


def test_the_peer_median_is_a_dashed_polygon_on_the_same_scale_with_a_legend():
    drawing = radar_drawing(
        LABELS, SCORES, [Decimal(50)] * 9, city_label="Zürich", peer_label="Peer median (same type)"
    )

    assert drawing.peer_polygon.strokeDashArray
    assert not drawing.city_polygon.strokeDashArray
    outer = _radii(drawing, drawing.outer_ring)
    assert [p / o for p, o in zip(_radii(drawing, drawing.peer_polygon), outer, strict=True)] == pytest.approx(
        [0.5] * 9
    )
    texts = [string.text for string in _strings(drawing)]
    assert "Zürich" in texts
    assert "Peer median (same type)" in texts


def test_without_a_peer_median_there_is_no_peer_line_and_no_legend():
    drawing = radar_drawing(LABELS, SCORES, city_label="Zürich")

    assert not hasattr(drawing, "peer_polygon")
    assert "Zürich" not in [string.text for string in _strings(drawing)]


def test_every_label_uses_dejavu_sans():
    drawing = radar_drawing(LABELS, SCORES, [Decimal(50)] * 9)
    history = index_history_drawing([("2024", Decimal("41.5")), ("2025", Decimal("48.0"))])

    fonts = {string.fontName for string in [*_strings(drawing), *_strings(history)]}
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}
    families = {
        attrs["font-family"]
        for _tag, attrs in _parse(radar_svg(drawing, title="Radar")).elements
        if "font-family" in attrs
    }
    assert families
    assert all(family.startswith("'DejaVu Sans'") for family in families)


def test_the_svg_keeps_every_axis_label_with_its_accents():
    svg = radar_svg(radar_drawing(LABELS, SCORES), title="Radar")

    text = " ".join(_parse(svg).texts)
    for label in LABELS:
        assert label in text  # long labels wrap onto several lines, split between words
    assert "Qualité & coût de la vie à Łódź" in text
    assert "Welcome &amp; entry" in svg


def test_the_svg_is_inline_markup_with_a_text_alternative_and_no_style_attributes():
    svg = radar_svg(
        radar_drawing(LABELS, SCORES), title="Radar of Zürich", description="Welcome & entry: 12.5", css_class="chart"
    )

    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "DOCTYPE" not in svg
    elements = _parse(svg).elements
    root = elements[0][1]
    assert root["role"] == "img"
    assert root["aria-label"] == "Radar of Zürich"
    assert root["class"] == "chart"
    assert "<title>Radar of Zürich</title>" in svg
    assert "<desc>Welcome &amp; entry: 12.5</desc>" in svg
    # The site's Content-Security-Policy blocks style attributes, inline SVG included.
    assert not any("style" in attrs for _tag, attrs in elements)
    assert not any(attrs.get("id") for _tag, attrs in elements)
    assert re.search(r'<polygon [^>]*fill="none"', svg)


def test_centred_labels_are_aligned_by_the_browser():
    svg = radar_svg(radar_drawing(LABELS, SCORES), title="Radar")

    anchors = {attrs.get("text-anchor") for tag, attrs in _parse(svg).elements if tag == "text"}
    assert {"middle", "end"} <= anchors


@pytest.mark.parametrize("bad", [Decimal(-1), Decimal("100.1")])
def test_a_score_outside_0_to_100_is_refused(bad):
    with pytest.raises(ValueError, match="between 0 and 100"):
        radar_drawing(LABELS, [bad, *SCORES[1:]])


def test_labels_and_scores_must_match():
    with pytest.raises(ValueError, match="9 labels but 8 scores"):
        radar_drawing(LABELS, SCORES[:8])
    with pytest.raises(ValueError, match="9 labels but 2 peer medians"):
        radar_drawing(LABELS, SCORES, [Decimal(1), Decimal(2)])


def test_the_history_chart_has_a_fixed_scale_and_labels_every_year():
    drawing = index_history_drawing([("2023", Decimal(20)), ("2024", None), ("2025", Decimal(50))])

    strings = list(_strings(drawing))
    axis = {string.text: string.y for string in strings if string.text in {"0", "100"}}
    values = {string.text: string.y for string in strings if string.fontName == "DejaVuSans-Bold"}
    assert set(values) == {"20", "50"}
    # Value labels sit a fixed distance above their point, so their spacing follows the scale.
    assert (values["50"] - values["20"]) / (axis["100"] - axis["0"]) == pytest.approx(0.3)
    assert {"2023", "2024", "2025"} <= {string.text for string in strings}


PHONE_COLUMN = 366  # a 390 px screen less the page's padding


@pytest.mark.parametrize(
    "drawing",
    [
        radar_drawing(LABELS, SCORES, SCORES, size=(340, 470), font_size=11.5, tick_size=11.5, numbered=True),
        index_history_drawing(
            [("2023 (demo)", Decimal(40)), ("2024 (demo)", None), ("2025", Decimal(50))] * 2,
            size=(340, 200),
            font_size=12,
            tick_size=11.5,
        ),
        spread_drawing(
            [
                SpreadRow(label, score, Decimal(20), Decimal(30), Decimal(40))
                for label, score in zip(LABELS, SCORES, strict=True)
            ],
            phone=True,
        ),
    ],
    ids=["radar", "history", "spread"],
)
def test_a_phones_drawing_keeps_every_label_at_11_px_or_more_and_inside_the_chart(drawing):
    """Drawn no wider than a phone's column, the chart is never scaled down, so its font sizes are what shows."""
    assert drawing.width <= PHONE_COLUMN
    for string in _strings(drawing):
        assert string.fontSize >= 11, string.text
        left, _bottom, right, _top = string.getBounds()
        assert left >= 0 and right <= drawing.width, f"{string.text!r} runs out of the chart"


def _overlap(first, second) -> bool:
    a, b = first.getBounds(), second.getBounds()
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [(520, 360), (112 * mm, 68 * mm), (300, 300)], ids=["page", "brief-figure", "square"])
def test_no_label_runs_into_another_or_into_the_legend(size):
    """Each axis name (its wrapped lines together) and the legend are blocks that must not touch."""
    drawing = radar_drawing(LABELS, SCORES, [Decimal(30)] * len(LABELS), size=size)
    blocks = [node for node in drawing.contents if isinstance(node, Group)]
    assert len(blocks) == len(LABELS) + 1  # the axis names and the legend
    clashes = [
        (" ".join(s.text for s in _strings(first)), " ".join(s.text for s in _strings(second)))
        for index, first in enumerate(blocks)
        for second in blocks[index + 1 :]
        if _overlap(first, second)
    ]
    assert clashes == []


def test_the_history_chart_writes_its_values_the_way_of_the_readers_language():
    with translation.override("fr"):
        drawing = index_history_drawing([("2024", Decimal("41.5")), ("2025", Decimal("48.0")), ("2026", Decimal(50))])
    values = {string.text for string in _strings(drawing) if string.fontName == "DejaVuSans-Bold"}
    assert values == {"41,5", "48,0", "50"}  # each as given, with the French decimal comma
