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


def _x(value) -> float:
    return LABEL_WIDTH + float(value) / 100 * PLOT_WIDTH


def spread_drawing(rows: list[SpreadRow]) -> Drawing:
    """A 0–100 scale; the middle half of the group as a band, its median as a bar, the city as a dot."""
    register_fonts()
    height = TOP + ROW_HEIGHT * len(rows) + 10
    drawing = Drawing(LABEL_WIDTH + PLOT_WIDTH + 20, height)
    for tick in (0, 25, 50, 75, 100):
        drawing.add(Line(_x(tick), 10, _x(tick), height - TOP + 8, strokeColor=GRID_COLOUR, strokeWidth=0.5))
        drawing.add(
            String(
                _x(tick),
                height - TOP + 12,
                str(tick),
                fontName=REGULAR,
                fontSize=FONT_SIZE,
                fillColor=INK,
                textAnchor="middle",
            )
        )
    for number, row in enumerate(rows):
        y = height - TOP - (number + 1) * ROW_HEIGHT + ROW_HEIGHT / 2
        drawing.add(
            String(
                4,
                y - 3,
                row.label,
                fontName=BOLD if number == len(rows) - 1 else REGULAR,
                fontSize=FONT_SIZE,
                fillColor=INK,
            )
        )
        if row.minimum is not None and row.maximum is not None:
            drawing.add(Line(_x(row.minimum), y, _x(row.maximum), y, strokeColor=PEER_COLOUR, strokeWidth=1))
        if row.p25 is not None and row.p75 is not None:
            drawing.add(
                Rect(
                    _x(row.p25),
                    y - 6,
                    max(_x(row.p75) - _x(row.p25), 1),
                    12,
                    fillColor=PEER_FILL,
                    strokeColor=PEER_COLOUR,
                    strokeWidth=0.8,
                )
            )
        if row.median is not None:
            drawing.add(Line(_x(row.median), y - 8, _x(row.median), y + 8, strokeColor=PEER_COLOUR, strokeWidth=2.2))
        if row.score is not None:
            drawing.add(Circle(_x(row.score), y, 4.5, fillColor=CITY_COLOUR, strokeColor=INK, strokeWidth=0.6))
    return drawing
