"""Numbers as people type and read them, in the active language's convention, and as data files hold them.

Each language has a decimal mark and a group mark, taken from Django's locale formats (DECIMAL_SEPARATOR,
THOUSAND_SEPARATOR): English writes 1,234.5, French 1 234,5. Spaces of any kind always group thousands.

Reading (number_read): the language's own marks are read as the language means them, so "1,2" is 1.2 in French
and "1,234" is 1234 in English. A mark the language does not use (a point in French) is read only when every
convention that agrees with the language's own marks reads the text the same way: "1.234,5" and "1.5" are read in
French, "1.234" (1234 or 1,234?) is refused. Text that is a number only in another convention ("1,2" in English,
"1,234.5" in French) is refused with the same number written the language's way. Nothing is rounded or guessed.

Writing: `figure` is the one owner of how a stored number is shown to people (pages, charts, PDFs, emails, the
CSVs members download): 18.50 as "18.5" in English and "18,5" in French, thousands grouped. `data_figure` writes
the files a program or an editor reads back (imports, exports, the wizard's hidden fields): a point, no grouping,
whoever exported them.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Spaces people and word processors put between thousands: space, no-break space, narrow no-break space, thin space.
_SPACES = re.compile("[ \u00a0\u202f\u2009]")
POINT, COMMA, SPACE = ".", ",", " "
# Digits before the decimal mark: "1e999" is read (and refused by the question's range, with its message), but
# "1e1000000" is no number anyone means, and Decimal's arithmetic on it would overflow.
MAX_DIGITS = 9_999


@dataclass(frozen=True)
class Convention:
    """How a convention marks decimals and groups thousands (a space groups them in every convention)."""

    decimal: str
    group: str

    def marks(self) -> dict[str, str]:
        """What each mark other than a space means here."""
        return {self.decimal: "decimal", **({self.group: "group"} if self.group != SPACE else {})}


# The conventions in use across the languages the site may offer: 1,234.5 · 1.234,5 · 1 234,5 · 1 234.5.
CONVENTIONS = (
    Convention(POINT, COMMA),
    Convention(COMMA, POINT),
    Convention(COMMA, SPACE),
    Convention(POINT, SPACE),
)


def convention() -> Convention:
    """The active language's convention, from Django's locale formats."""
    decimal = str(get_format("DECIMAL_SEPARATOR"))
    group = str(get_format("THOUSAND_SEPARATOR"))
    decimal = decimal if decimal in (POINT, COMMA) else POINT
    group = group if group in (POINT, COMMA) and group != decimal else SPACE
    return Convention(decimal, group)


class UnclearNumber(ValueError):
    """The text is no number, or could be read as more than one; the message says how to write it."""


@dataclass(frozen=True)
class _Reading:
    number: Decimal
    fraction: str  # the digits after the decimal mark, as typed
    decimal_mark: bool  # the text has a decimal mark, even with no digit after it ("12,")


def _pattern(way: Convention) -> re.Pattern:
    decimal = re.escape(way.decimal)
    groups = re.escape(SPACE + (way.group if way.group != SPACE else ""))
    return re.compile(
        rf"(?:(?P<plain>\d*)|(?P<grouped>[1-9]\d{{0,2}}(?P<mark>[{groups}])\d{{3}}(?:(?P=mark)\d{{3}})*))"
        rf"(?:{decimal}(?P<fraction>\d*))?(?P<exponent>[eE][+-]?\d+)?"
    )


_PATTERNS = {way: _pattern(way) for way in CONVENTIONS}


def _read(body: str, way: Convention) -> _Reading | None:
    """The number `body` (spaces made plain, no sign) is in `way`, or None when it is none there."""
    match = (_PATTERNS.get(way) or _pattern(way)).fullmatch(body)
    if not match:
        return None
    whole, fraction = match["plain"] if match["grouped"] is None else match["grouped"], match["fraction"] or ""
    if not (whole or fraction) or (match["grouped"] and match["exponent"]):
        return None
    digits = re.sub(r"\D", "", whole) or "0"
    try:
        number = Decimal(f"{digits}.{fraction or 0}{match['exponent'] or ''}")
    except InvalidOperation:
        return None
    if number.adjusted() >= MAX_DIGITS:
        return None
    return _Reading(number, fraction, decimal_mark=match["fraction"] is not None)


def _agrees(way: Convention, own: Convention, body: str) -> bool:
    """`way` gives every mark of the language's own that `body` uses the language's meaning."""
    theirs = way.marks()
    return all(theirs.get(mark) == meaning for mark, meaning in own.marks().items() if mark in body)


def _examples(number: Decimal) -> dict[str, str]:
    return {"plain": figure(number, grouped=False), "grouped": figure(number)}


def _not_a_number(decimals: int) -> UnclearNumber:
    if decimals == 0:
        return UnclearNumber(_("Enter a whole number, for example %(plain)s or %(grouped)s.") % _examples(1350000))
    return UnclearNumber(_("Enter a number, for example %(example)s.") % {"example": figure(Decimal("12.5"))})


def _too_many_decimals(decimals: int, own: Convention) -> UnclearNumber:
    if decimals == 0:
        return UnclearNumber(
            _("Enter a whole number, without decimals: for example %(plain)s or %(grouped)s.") % _examples(1350000)
        )
    if own.decimal == COMMA:
        message = ngettext(
            "Enter at most %(decimals)d decimal, after a comma; write thousands without a comma (%(example)s).",
            "Enter at most %(decimals)d decimals, after a comma; write thousands without a comma (%(example)s).",
            decimals,
        )
    else:
        message = ngettext(
            "Enter at most %(decimals)d decimal, after a point; write thousands without a point (%(example)s).",
            "Enter at most %(decimals)d decimals, after a point; write thousands without a point (%(example)s).",
            decimals,
        )
    return UnclearNumber(message % {"decimals": decimals, "example": figure(1234)})


def _written_elsewhere(reading: _Reading, sign: str, own: Convention) -> UnclearNumber:
    """A text that is a number only in another convention: the same number as this language writes it."""
    number = -reading.number if sign else reading.number
    if reading.decimal_mark:
        if own.decimal == COMMA:
            message = _("Write decimals with a comma, not a point: for example %(example)s.")
        else:
            message = _("Write decimals with a point, not a comma: for example %(example)s.")
        return UnclearNumber(message % {"example": figure(number)})
    if own.decimal == COMMA:
        message = _("Write thousands without commas: for example %(plain)s or %(grouped)s.")
    else:
        message = _("Write thousands without points: for example %(plain)s or %(grouped)s.")
    return UnclearNumber(message % _examples(number))


def number_read(text: str, *, decimals: int) -> Decimal:
    """The number `text` stands for, with at most `decimals` decimals; UnclearNumber when it is not one number.

    Read in the active language's convention (see the module's docstring for the rules and why).
    """
    text = _SPACES.sub(SPACE, text.strip())
    sign = "-" if text.startswith("-") else ""
    body = text[1:] if text[:1] in "+-" else text
    own = convention()
    reading = _read(body, own)
    if reading is None:
        others = [way for way in CONVENTIONS if way != own]
        agreeing = {r.number: r for way in others if _agrees(way, own, body) and (r := _read(body, way))}
        if len(agreeing) > 1:
            first, second = sorted(agreeing)
            raise UnclearNumber(
                _("“%(typed)s” could mean %(first)s or %(second)s: write the one you mean.")
                % {"typed": text, "first": figure(first), "second": figure(second)}
            )
        reading = next(iter(agreeing.values()), None)
        if reading is None:
            elsewhere = {r.number: r for way in others if (r := _read(body, way))}
            if len(elsewhere) == 1:
                raise _written_elsewhere(next(iter(elsewhere.values())), sign, own)
            raise _not_a_number(decimals)
    number = -reading.number if sign else reading.number
    # "1.000" is one here and a thousand elsewhere, and rounding would change what was typed: refuse both.
    if len(reading.fraction) > decimals or (
        number.as_tuple().exponent < -decimals and number != number.to_integral_value()
    ):
        raise _too_many_decimals(decimals, own)
    return number.normalize() if number.is_finite() else number


def _fixed(number: Decimal | int | float, places: int | None) -> str:
    """The number in plain digits with a point: trailing zeros dropped, or exactly `places` decimals (half up)."""
    value = Decimal(str(number)) if isinstance(number, float) else Decimal(number)
    value = value.normalize() if places is None else value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{value:f}"
    return text.removeprefix("-") if value.is_zero() else text  # never "-0"


def figure(number: Decimal | int | float, *, places: int | None = None, grouped: bool = True) -> str:
    """A number as people read it in the active language: 18.5 for 18.50 ("18,5" in French), 1,350,000.

    `places` shows exactly that many decimals, rounded half up (scores: 49.5, 50.0); `grouped=False` leaves
    thousands ungrouped, for a text box to edit and for the CSVs members open in a spreadsheet.
    The one owner of how a figure reads, so that the screen, the charts and the PDF never disagree.
    """
    text = _fixed(number, places)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _point, fraction = text.partition(POINT)
    if grouped and len(whole) > 3:
        separator = str(get_format("THOUSAND_SEPARATOR"))
        head = len(whole) % 3 or 3
        whole = separator.join([whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))])
    return sign + whole + (str(get_format("DECIMAL_SEPARATOR")) + fraction if fraction else "")


def data_figure(number: Decimal | int | float) -> str:
    """A number as files that programs and editors read back hold it: 18.5, 1350000, whatever the language."""
    return _fixed(number, None)
