"""Reading a number a member typed: what has one meaning is read, anything else is refused with the reason.

A comma or a point can separate thousands or decimals, depending on the convention the member is used to, so
"1,2" is never read as 12 and "1,234" never guessed. Until the site reads numbers in each language's own way
(the languages issue), it reads the English convention only where no other reading is possible.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

# Spaces people and word processors put between thousands: space, no-break space, narrow no-break space, thin space.
_SPACES = re.compile("[ \u00a0\u202f\u2009]")
_PLAIN = re.compile(r"(?P<whole>\d*)(?:\.(?P<fraction>\d*))?(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"\d{1,3}(?P<separator>[, ])\d{3}(?:(?P=separator)\d{3})*(?:\.(?P<fraction>\d+))?")
_DECIMAL_COMMA = re.compile(r"[\d. ]*\d,(?:\d{1,2}|\d{4,})")
_POINT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}")


class UnclearNumber(ValueError):
    """The text is no number, or could be read as more than one; the message says how to write it."""


def _not_a_number(decimals: int) -> UnclearNumber:
    if decimals == 0:
        return UnclearNumber(_("Enter a whole number, for example 1350000 or 1,350,000."))
    return UnclearNumber(_("Enter a number, for example 12.5."))


def _too_many_decimals(decimals: int) -> UnclearNumber:
    if decimals == 0:
        return UnclearNumber(_("Enter a whole number, without a point: for example 1350000 or 1,350,000."))
    return UnclearNumber(
        _("Enter at most %(decimals)d decimals, after a point; write thousands without a point (1234).")
        % {"decimals": decimals}
    )


def number_read(text: str, *, decimals: int) -> Decimal:
    """The number `text` stands for, with at most `decimals` decimals; UnclearNumber when it is not one number."""
    text = _SPACES.sub(" ", text.strip())
    sign = "-" if text.startswith("-") else ""
    body = text[1:] if text[:1] in "+-" else text
    plain, grouped = _PLAIN.fullmatch(body), _GROUPED.fullmatch(body)
    if plain and (plain["whole"] or plain["fraction"]):
        digits, fraction = body, plain["fraction"] or ""
    elif grouped:
        if grouped["separator"] == "," and body.count(",") == 1 and not grouped["fraction"]:
            raise UnclearNumber(
                _("“%(typed)s” could mean %(thousands)s or %(decimals)s: write %(thousands)s, or a point for decimals.")
                % {"typed": text, "thousands": body.replace(",", ""), "decimals": body.replace(",", ".")}
            )
        digits, fraction = body.replace(grouped["separator"], ""), grouped["fraction"] or ""
    elif _DECIMAL_COMMA.fullmatch(body):
        raise UnclearNumber(_("Write decimals with a point, not a comma: for example 12.5."))
    elif _POINT_THOUSANDS.fullmatch(body):
        raise UnclearNumber(_("Write thousands without points: for example 1350000 or 1,350,000."))
    else:
        raise _not_a_number(decimals)
    try:
        number = Decimal(sign + digits)
    except InvalidOperation as error:
        raise _not_a_number(decimals) from error
    # "1.000" is one here and a thousand elsewhere, and rounding would change what was typed: refuse both.
    if len(fraction) > decimals or (number.as_tuple().exponent < -decimals and number != number.to_integral_value()):
        raise _too_many_decimals(decimals)
    return number.normalize() if number.is_finite() else number


def figure(number: Decimal | int | float) -> str:
    """A stored number as every page, export and document writes it: 18.5 for 18.50, 100 for 100.00, never 1E+2.

    The one owner of how a figure reads, so that the screen and the PDF never disagree (issue 13, item 19).
    """
    return f"{Decimal(number).normalize():f}"
