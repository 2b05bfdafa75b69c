"""Reading a typed number: only what has one meaning in every usual convention, never a changed value."""

from decimal import Decimal

import pytest

from assessments.numbers import UnclearNumber, figure, number_read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12", Decimal("12")),
        (" 12.5 ", Decimal("12.5")),
        ("-3", Decimal("-3")),
        ("+0.25", Decimal("0.25")),
        (".5", Decimal("0.5")),
        ("12.50", Decimal("12.5")),
        ("1,350,000", Decimal("1350000")),  # two groups: a comma can only separate thousands
        ("1,234.5", Decimal("1234.5")),  # a comma before the decimal point
        ("1 350 000", Decimal("1350000")),
        ("1\u202f350\u00a0000", Decimal("1350000")),  # narrow and ordinary no-break spaces
        ("1e3", Decimal("1000")),
    ],
)
def test_a_number_with_one_meaning_is_read(typed, read):
    assert number_read(typed, decimals=2) == read


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,2", "Write decimals with a point"),  # the defect: read as 12 before
        ("0,75", "Write decimals with a point"),
        ("1,234", "could mean 1234 or 1.234"),  # thousands here, decimals in much of Europe
        ("1.234", "at most 2 decimals"),  # 1.234 here, 1234 in much of Europe
        ("1.234,5", "Write decimals with a point"),
        ("1.350.000", "Write thousands without points"),
        ("1,35,000", "Enter a number"),  # groups of three only
        ("1 2", "Enter a number"),
        ("12.345", "at most 2 decimals"),  # never rounded behind the member's back
        ("1_000", "Enter a number"),
        ("Infinity", "Enter a number"),
        ("twelve", "Enter a number"),
        ("", "Enter a number"),
    ],
)
def test_a_number_that_could_be_misread_is_refused_with_the_reason(typed, message):
    with pytest.raises(UnclearNumber, match=message):
        number_read(typed, decimals=2)


def test_a_whole_number_field_refuses_any_decimals():
    assert number_read("1,350,000", decimals=0) == 1_350_000
    for typed in ("1.000", "1.5", "1,000"):
        with pytest.raises(UnclearNumber):
            number_read(typed, decimals=0)


@pytest.mark.parametrize(
    ("stored", "written"),
    [("18.50", "18.5"), ("100.00", "100"), ("1350000", "1350000"), ("0.00", "0"), ("0.05", "0.05"), ("-2.50", "-2.5")],
)
def test_a_stored_figure_is_written_the_same_way_everywhere_without_trailing_zeros(stored, written):
    assert figure(Decimal(stored)) == written
