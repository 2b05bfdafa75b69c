"""The spread chart of the compare page: per dimension, the peer group's band and the city's score.

Pure: rows in, a reportlab Drawing out, so the page (as SVG) and a PDF can show the same chart.
"""

from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib.colors import Color

from opencities.fonts import BOLD, REGULAR, register_fonts

from .radar import CITY_COLOUR, GRID_COLOUR, PEER_COLOUR
from .radar import TEXT_COLOUR as INK

LABEL_WIDTH = 210
PLOT_WIDTH = 400
ROW_HEIGHT = 26
PEER_FILL = Color(PEER_COLOUR.red, PEER_COLOUR.green, PEER_COLOUR.blue, alpha=0.25)
TOP = 30
FONT_SIZE = 9


@dataclass(frozen=True)
class SpreadRow:
    label: str
    score: Decimal | None
    p25: Decimal | None = None
    median: Decimal | None = None
    p75: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


PHONE_WIDTH = 340
PHONE_FONT_SIZE = 12.5
PHONE_ROW_HEIGHT = 40


@dataclass(frozen=True)
class _Layout:
    """Where the parts go: labels beside the bars (wide) or above them (phone)."""

    plot_left: float
    plot_width: float
    row_height: float
    font_size: float
    labels_above: bool

    def x(self, value) -> float:
        return self.plot_left + float(value) / 100 * self.plot_width


WIDE = _Layout(LABEL_WIDTH, PLOT_WIDTH, ROW_HEIGHT, FONT_SIZE, labels_above=False)
PHONE = _Layout(14, PHONE_WIDTH - 30, PHONE_ROW_HEIGHT, PHONE_FONT_SIZE, labels_above=True)


def spread_drawing(rows: list[SpreadRow], *, phone: bool = False) -> Drawing:
    """A 0–100 scale; the middle half of the group as a band, its median as a bar, the city as a dot.

    `phone` draws it about as wide as a phone's column, each label above its bar, so the text stays legible.
    """
    register_fonts()
    layout = PHONE if phone else WIDE
    top = TOP if not phone else TOP + 4
    height = top + layout.row_height * len(rows) + 10
    drawing = Drawing(layout.plot_left + layout.plot_width + (16 if phone else 20), height)
    for tick in (0, 25, 50, 75, 100):
        x = layout.x(tick)
        drawing.add(Line(x, 10, x, height - top + 8, strokeColor=GRID_COLOUR, strokeWidth=0.5))
        drawing.add(
            String(
                x,
                height - top + 12,
                str(tick),
                fontName=REGULAR,
                fontSize=layout.font_size,
                fillColor=INK,
                textAnchor="middle",
            )
        )
    for number, row in enumerate(rows):
        row_top = height - top - number * layout.row_height
        if layout.labels_above:
            label_x, label_y, y = 2, row_top - layout.font_size - 1, row_top - layout.row_height + 10
        else:
            y = row_top - layout.row_height / 2
            label_x, label_y = 4, y - 3
        drawing.add(
            String(
                label_x,
                label_y,
                row.label,
                fontName=BOLD if number == len(rows) - 1 else REGULAR,
                fontSize=layout.font_size,
                fillColor=INK,
            )
        )
        if row.minimum is not None and row.maximum is not None:
            drawing.add(
                Line(layout.x(row.minimum), y, layout.x(row.maximum), y, strokeColor=PEER_COLOUR, strokeWidth=1)
            )
        if row.p25 is not None and row.p75 is not None:
            drawing.add(
                Rect(
                    layout.x(row.p25),
                    y - 6,
                    max(layout.x(row.p75) - layout.x(row.p25), 1),
                    12,
                    fillColor=PEER_FILL,
                    strokeColor=PEER_COLOUR,
                    strokeWidth=0.8,
                )
            )
        if row.median is not None:
            x = layout.x(row.median)
            drawing.add(Line(x, y - 8, x, y + 8, strokeColor=PEER_COLOUR, strokeWidth=2.2))
        if row.score is not None:
            drawing.add(Circle(layout.x(row.score), y, 4.5, fillColor=CITY_COLOUR, strokeColor=INK, strokeWidth=0.6))
    return drawing
