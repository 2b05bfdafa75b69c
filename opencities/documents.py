"""What every PDF of the platform shares: the palette, the house paragraph styles and an outlined page template.

The research brief (casestudies.brief) and the tailored report (recommendations.pdf) build on these, so that
both look alike and both use only the embedded DejaVu faces.
"""

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle

from .fonts import BOLD, REGULAR, register_fonts

INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#56606b")
ACCENT = colors.HexColor("#1d4f91")
RULE = colors.HexColor("#c3cbd6")
SHADE = colors.HexColor("#eef2f7")


def house_styles() -> dict[str, ParagraphStyle]:
    """Body, title, headings, bullets, small print and table cells, every one in a DejaVu face.

    Registers the fonts first: a Paragraph resolves its style's face (and <b>) as soon as it is made, and
    reportlab's default Helvetica cannot draw "Łódź".
    """
    register_fonts()
    body = ParagraphStyle(
        "Body",
        fontName=REGULAR,
        fontSize=10,
        leading=14.5,
        textColor=INK,
        spaceAfter=6,
        alignment=TA_LEFT,
        bulletFontName=REGULAR,
        bulletFontSize=10,
        splitLongWords=1,
    )

    def style(name: str, **kwargs) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **kwargs)

    return {
        "body": body,
        "title": style("Title", fontName=BOLD, fontSize=28, leading=34, textColor=ACCENT, spaceAfter=10),
        "h1": style(
            "Heading1",
            fontName=BOLD,
            fontSize=17,
            leading=22,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=10,
            keepWithNext=True,
        ),
        "h2": style(
            "Heading2", fontName=BOLD, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, keepWithNext=True
        ),
        "bullet": style("Bullet", leftIndent=14, bulletIndent=3, spaceAfter=3),
        "small": style("Small", fontSize=8.5, leading=12, textColor=MUTED),
    }


def house_table_style(*extra: tuple) -> TableStyle:
    """A shaded header row, a thin rule under every row, text at the top of its cell; then `extra` commands."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            *extra,
        ]
    )


def derived(styles: dict[str, ParagraphStyle], name: str, **kwargs) -> ParagraphStyle:
    """Another style on the house body style."""
    return ParagraphStyle(name, parent=styles["body"], **kwargs)


class OutlinedDocTemplate(SimpleDocTemplate):
    """Adds each Heading1 and Heading2 to the PDF's outline, so that readers can jump between sections."""

    def afterFlowable(self, flowable):
        if isinstance(flowable, Paragraph) and flowable.style.name in ("Heading1", "Heading2"):
            key = f"h{id(flowable)}"
            level = 0 if flowable.style.name == "Heading1" else 1
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=True)
