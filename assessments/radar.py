"""Charts of an assessment's scores as reportlab Drawings: one drawing serves the profile page (as SVG) and the PDF.

The scale is pinned to 0–100: reportlab's SpiderChart scales to the largest value, so a city that scores 40
at most would fill the chart. These charts draw their own polygons on a fixed grid instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from xml.dom import minidom

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Shape, String
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import simpleSplit

from opencities.fonts import BOLD, REGULAR, register_fonts

from .numbers import figure

SCALE_MAX = 100
RINGS = (25, 50, 75, 100)

CITY_COLOUR = HexColor("#1d4f91")
CITY_FILL = Color(CITY_COLOUR.red, CITY_COLOUR.green, CITY_COLOUR.blue, alpha=0.18)
PEER_COLOUR = HexColor("#a04a00")
GRID_COLOUR = HexColor("#c3cbd6")
TEXT_COLOUR = HexColor("#212529")
MUTED_COLOUR = HexColor("#56606b")

# What the browser should use for the faces reportlab measured with; the SVG keeps reportlab's metrics.
WEB_FONT_FAMILY = "'DejaVu Sans', DejaVuSans, 'Bitstream Vera Sans', Verdana, sans-serif"


def _fraction(value: Decimal | float | int | None, what: str) -> float:
    """A score as a share of the radius; None (not scored) sits at the centre."""
    if value is None:
        return 0.0
    number = float(value)
    if not 0 <= number <= SCALE_MAX:
        raise ValueError(f"{what} must be between 0 and {SCALE_MAX}, got {value}")
    return number / SCALE_MAX


def _shown(value: Decimal | float | int) -> str:
    """A value as given, with its decimals (a stored score keeps its one: 48.0), in the language's way (48,0)."""
    decimals = -Decimal(str(value)).as_tuple().exponent
    return figure(value, places=max(decimals, 0))


def radar_drawing(
    labels: list[str],
    scores: list[Decimal | None],
    peer_median: list[Decimal | None] | None = None,
    *,
    size: tuple[float, float] = (520, 360),
    city_label: str = "This city",
    peer_label: str = "Peer median",
    font_size: float = 8.5,
    tick_size: float | None = None,
    labelled_rings: Sequence[int] = RINGS,
    numbered: bool = False,
) -> Drawing:
    """A radar of the scores (0–100 on every axis, rings at 25/50/75/100), with an optional dashed peer median.

    A None score is drawn at 0; say "not scored" next to the chart. The legend appears with the peer line.
    `numbered` puts each axis's number at its end and the names in a key below (for a phone's narrow column,
    where names beside the spokes would leave no room for the chart).
    """
    if len(labels) < 3:
        raise ValueError(f"a radar needs at least three axes, got {len(labels)}")
    if len(scores) != len(labels):
        raise ValueError(f"{len(labels)} labels but {len(scores)} scores")
    if peer_median is not None and len(peer_median) != len(labels):
        raise ValueError(f"{len(labels)} labels but {len(peer_median)} peer medians")
    register_fonts()

    width, height = size
    leading = font_size * 1.2
    legend_height = 2 * leading + 6 if peer_median is not None else 0
    key_height = len(labels) * leading + 8 if numbered else 0
    below = legend_height + key_height
    label_width = font_size * 1.6 if numbered else width * 0.22
    # Room above and below for the tallest label as it will wrap: a long word ("internationalisation") can take
    # a third line, which would otherwise run into the legend.
    label_lines = (
        1 if numbered else max(len(simpleSplit(str(label), REGULAR, font_size, label_width)) for label in labels)
    )
    radius = min(width / 2 - label_width - 12, (height - below) / 2 - label_lines * leading - 10)
    if radius <= 20:
        raise ValueError(f"a drawing of {width}×{height} leaves no room for the radar")
    cx, cy = width / 2, below + (height - below) / 2
    count = len(labels)
    # The first axis points straight up; the others follow clockwise.
    angles = [math.pi / 2 - 2 * math.pi * index / count for index in range(count)]

    def point(index: int, fraction: float) -> tuple[float, float]:
        return cx + radius * fraction * math.cos(angles[index]), cy + radius * fraction * math.sin(angles[index])

    def ring(fraction: float) -> list[float]:
        return [coordinate for index in range(count) for coordinate in point(index, fraction)]

    drawing = Drawing(width, height)
    for value in RINGS:
        shape = Polygon(ring(value / SCALE_MAX), fillColor=None, strokeColor=GRID_COLOUR, strokeWidth=0.6)
        drawing.add(shape, name="outer_ring" if value == SCALE_MAX else None)
    for index in range(count):
        x, y = point(index, 1)
        drawing.add(Line(cx, cy, x, y, strokeColor=GRID_COLOUR, strokeWidth=0.6))
    for value in labelled_rings:
        x, y = point(0, value / SCALE_MAX)
        drawing.add(
            String(
                x + 3,
                y + 1.5,
                str(value),
                fontName=REGULAR,
                fontSize=tick_size or font_size * 0.8,
                fillColor=MUTED_COLOUR,
            )
        )

    city = [point(index, _fraction(score, f"score of {labels[index]!r}")) for index, score in enumerate(scores)]
    drawing.add(
        Polygon(
            [c for xy in city for c in xy],
            fillColor=CITY_FILL,
            strokeColor=CITY_COLOUR,
            strokeWidth=1.8,
            strokeLineJoin=1,
        ),
        name="city_polygon",
    )
    if peer_median is not None:
        peer = [point(i, _fraction(value, f"peer median of {labels[i]!r}")) for i, value in enumerate(peer_median)]
        drawing.add(
            Polygon(
                [c for xy in peer for c in xy],
                fillColor=None,
                strokeColor=PEER_COLOUR,
                strokeWidth=1.5,
                strokeDashArray=[4, 3],
            ),
            name="peer_polygon",
        )
    for x, y in city:
        drawing.add(Circle(x, y, 2.6, fillColor=CITY_COLOUR, strokeColor=None))

    for index, label in enumerate(labels):
        name = str(index + 1) if numbered else label
        drawing.add(_axis_label(name, angles[index], point(index, 1 + 10 / radius), label_width, font_size, leading))
        if numbered:
            baseline = below - 4 - (index + 1) * leading + (leading - font_size) / 2
            drawing.add(
                String(
                    8, baseline, f"{index + 1}  {label}", fontName=REGULAR, fontSize=font_size, fillColor=TEXT_COLOUR
                )
            )
    if peer_median is not None:
        drawing.add(_legend(city_label, peer_label, font_size, leading))
    return drawing


def _axis_label(
    label: str, angle: float, anchor_point: tuple[float, float], max_width: float, font_size: float, leading: float
) -> Group:
    """The axis name beside its spoke's end, wrapped to fit and aligned away from the chart."""
    x, y = anchor_point
    cos, sin = math.cos(angle), math.sin(angle)
    anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
    lines = simpleSplit(label, REGULAR, font_size, max_width) or [""]
    block = len(lines) * leading
    if sin > 0.5:
        top = y + block + 1
    elif sin < -0.5:
        top = y - 1
    else:
        top = y + block / 2
    group = Group()
    for number, line in enumerate(lines):
        baseline = top - font_size - number * leading + (leading - font_size) / 2
        group.add(
            String(x, baseline, line, fontName=REGULAR, fontSize=font_size, fillColor=TEXT_COLOUR, textAnchor=anchor)
        )
    return group


def _legend(city_label: str, peer_label: str, font_size: float, leading: float) -> Group:
    group = Group()
    x, sample = 8, 22
    for row, (text, colour, dashes) in enumerate(((city_label, CITY_COLOUR, None), (peer_label, PEER_COLOUR, [4, 3]))):
        y = 4 + (1 - row) * (leading + 2) + font_size / 2
        group.add(Line(x, y, x + sample, y, strokeColor=colour, strokeWidth=1.8, strokeDashArray=dashes))
        group.add(
            String(
                x + sample + 6, y - font_size * 0.35, text, fontName=REGULAR, fontSize=font_size, fillColor=TEXT_COLOUR
            )
        )
    return group


def index_history_drawing(
    points: Sequence[tuple[str, Decimal | None]],
    *,
    size: tuple[float, float] = (520, 190),
    font_size: float = 8.5,
    tick_size: float | None = None,
) -> Drawing:
    """The openness index by year as a line on a fixed 0–100 scale; a year without an index leaves a gap."""
    register_fonts()
    width, height = size
    tick_size = tick_size or font_size * 0.85
    left, right, top = 12 + 2.2 * tick_size, 16, font_size + 8
    # A year's label that is wider than its share of the axis ("2024 (demo)" on a phone) wraps below it.
    step = (width - left - right) / max(len(points), 1)
    year_lines = [simpleSplit(label, REGULAR, font_size, step - 4) or [label] for label, _value in points]
    leading = font_size * 1.2
    bottom = font_size + 14 + leading * (max((len(lines) for lines in year_lines), default=1) - 1)
    plot_width, plot_height = width - left - right, height - bottom - top
    drawing = Drawing(width, height)
    for value in (0, *RINGS):
        y = bottom + plot_height * value / SCALE_MAX
        drawing.add(Line(left, y, left + plot_width, y, strokeColor=GRID_COLOUR, strokeWidth=0.6))
        drawing.add(
            String(
                left - 5,
                y - font_size * 0.35,
                str(value),
                fontName=REGULAR,
                fontSize=tick_size,
                fillColor=MUTED_COLOUR,
                textAnchor="end",
            )
        )
    if not points:
        return drawing
    xs = [left + step * (index + 0.5) for index in range(len(points))]
    segment: list[float] = []
    segments = [segment]
    for x, (label, value), lines in zip(xs, points, year_lines, strict=True):
        for number, line in enumerate(lines):
            drawing.add(
                String(
                    x,
                    bottom - font_size - 5 - number * leading,
                    line,
                    fontName=REGULAR,
                    fontSize=font_size,
                    fillColor=TEXT_COLOUR,
                    textAnchor="middle",
                )
            )
        if value is None:
            segment = []
            segments.append(segment)
            continue
        y = bottom + plot_height * _fraction(value, f"index of {label}")
        segment.extend((x, y))
    for line in segments:
        if len(line) >= 4:
            drawing.add(PolyLine(line, strokeColor=CITY_COLOUR, strokeWidth=1.8))
    for x, (_label, value) in zip(xs, points, strict=True):
        if value is None:
            continue
        y = bottom + plot_height * _fraction(value, "index")
        drawing.add(Circle(x, y, 3, fillColor=CITY_COLOUR, strokeColor=None))
        drawing.add(
            String(
                x, y + 6, _shown(value), fontName=BOLD, fontSize=font_size, fillColor=TEXT_COLOUR, textAnchor="middle"
            )
        )
    return drawing


# --- The web's copy: inline SVG that a strict Content-Security-Policy (no style attributes) still renders ---


def _strings(node: Shape | Drawing) -> Iterator[String]:
    """The drawing's strings in the order the SVG renderer writes them."""
    if isinstance(node, String):
        yield node
    for child in getattr(node, "contents", ()):
        yield from _strings(child)


_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)


def radar_svg(drawing: Drawing, *, title: str, description: str = "", css_class: str = "") -> str:
    """A drawing of this module as inline SVG markup: role="img", titled, no XML declaration, no style attributes."""
    markup = renderSVG.drawToString(drawing, useClip=True)
    # Our own renderer's output, never user input, so the stdlib parser is safe here.
    document = minidom.parseString(_DECLARATION.sub("", markup))  # noqa: S318
    svg = document.documentElement
    for name in ("clip", "id"):
        for element in (svg, *svg.getElementsByTagName("g")):
            if element.hasAttribute(name):
                element.removeAttribute(name)
    for element in (svg, *svg.getElementsByTagName("*")):
        _style_to_attributes(element)
    # reportlab moved centred and right-aligned text by DejaVu's widths; let the browser align with its own font.
    texts = svg.getElementsByTagName("text")
    strings = list(_strings(drawing))
    if len(texts) == len(strings):
        for element, string in zip(texts, strings, strict=True):
            if string.textAnchor in ("middle", "end"):
                element.setAttribute("x", f"{string.x:g}")
                element.setAttribute("text-anchor", string.textAnchor)
    svg.setAttribute("role", "img")
    svg.setAttribute("aria-label", title)
    if css_class:
        svg.setAttribute("class", css_class)
    for tag, text in (("title", title), ("desc", description)):
        for element in svg.getElementsByTagName(tag):
            if text:
                element.firstChild.data = text
            else:
                svg.removeChild(element)
    return svg.toxml()


def responsive_svg(wide: Drawing, phone: Drawing, *, title: str, description: str = "", css_class: str = "") -> str:
    """Two drawings of one chart: the wide one from 576 px up, the phone's below it.

    An SVG scales with its box, so a chart drawn for 1280 px would show 6 px labels on a 390 px phone; the phone's
    drawing is about as wide as a phone's column and so keeps its labels at their own size (11 px and more).
    """
    return radar_svg(wide, title=title, description=description, css_class=f"{css_class} d-none d-sm-block".strip()) + (
        radar_svg(phone, title=title, description=description, css_class=f"{css_class} d-sm-none".strip())
    )


def _style_to_attributes(element: minidom.Element) -> None:
    """Turn style="a: b; c: d" into presentation attributes, which style-src 'self' does not block."""
    if not element.hasAttribute("style"):
        return
    for declaration in element.getAttribute("style").split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name or not value:
            continue
        if name == "font-family":
            if value == BOLD:
                element.setAttribute("font-weight", "bold")
            value = WEB_FONT_FAMILY
        element.setAttribute(name, value)
    element.removeAttribute("style")
