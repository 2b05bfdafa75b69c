"""Reading a typed number in the page's language, and writing one for people and for files.

The language's own marks are read as it means them ("1,2" is 1.2 in French, "1,234" is 1234 in English); a mark
it does not use is read only when it has one meaning; anything else is refused with the reason, never changed.
"""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from assessments.numbers import UnclearNumber, convention, data_figure, figure, number_read

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(params=["en", "fr"])
def language(request):
    with translation.override(request.param):
        yield request.param


def test_each_language_has_its_marks_from_djangos_locale_formats():
    with translation.override("en"):
        assert (convention().decimal, convention().group) == (".", ",")
    with translation.override("fr"):
        assert (convention().decimal, convention().group) == (",", " ")  # a no-break space


# --- What has one meaning in the language is read ---


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12", Decimal("12")),
        ("-3", Decimal("-3")),
        ("1e3", Decimal("1000")),
        ("1 350 000", Decimal("1350000")),
        (f"1{NNBSP}350{NBSP}000", Decimal("1350000")),  # narrow and ordinary no-break spaces
    ],
)
def test_digits_and_spaced_thousands_read_alike_in_every_language(language, typed, read):
    assert number_read(typed, decimals=2) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (" 12.5 ", Decimal("12.5")),
        ("+0.25", Decimal("0.25")),
        (".5", Decimal("0.5")),
        ("12.50", Decimal("12.5")),
        ("1,350,000", Decimal("1350000")),
        ("1,234.5", Decimal("1234.5")),
        ("1,234", Decimal("1234")),  # English groups thousands with a comma: 1,234 is 1234 here
        ("12,345", Decimal("12345")),
        ("1 234.5", Decimal("1234.5")),
    ],
)
def test_english_reads_its_own_convention(typed, read):
    with translation.override("en"):
        assert number_read(typed, decimals=2) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,2", Decimal("1.2")),  # the French decimal comma
        (" 12,5 ", Decimal("12.5")),
        ("-1,5", Decimal("-1.5")),
        (",5", Decimal("0.5")),
        ("12,50", Decimal("12.5")),
        (f"1{NBSP}234,5", Decimal("1234.5")),
        ("1 350 000", Decimal("1350000")),
        # A point, which French does not use, where it has one meaning only:
        ("1.234,5", Decimal("1234.5")),  # thousands before the decimal comma
        ("1.350.000", Decimal("1350000")),  # two groups: thousands
        ("1.5", Decimal("1.5")),  # no group of three: a decimal
        ("0.75", Decimal("0.75")),
        ("1 234.5", Decimal("1234.5")),
    ],
)
def test_french_reads_its_own_convention_and_a_point_that_has_one_meaning(typed, read):
    with translation.override("fr"):
        assert number_read(typed, decimals=2) == read


# --- The bad-input matrix: accepted as the language means it, or refused with the reason ---


@pytest.mark.parametrize(
    ("language", "typed", "decimals", "outcome"),
    [
        ("en", "1.234,5", 2, "Write decimals with a point, not a comma: for example 1,234.5."),
        ("en", "1,234.5", 2, Decimal("1234.5")),
        ("en", "1,234", 2, Decimal("1234")),
        ("en", "1,234", 3, Decimal("1234")),  # never 1.234: the comma is English's thousands mark
        ("fr", "1.234,5", 2, Decimal("1234.5")),
        (
            "fr",
            "1,234.5",
            2,
            f"Utilisez une virgule, et non un point, pour les décimales{NBSP}: par exemple 1{NBSP}234,5",
        ),
        ("fr", "1,234", 3, Decimal("1.234")),  # the French decimal comma
        ("fr", "1,234", 2, "Saisissez au plus 2 décimales, après une virgule"),  # never 1234 behind the member's back
        ("fr", "1.234", 2, f"«{NBSP}1.234{NBSP}» peut se lire 1,234 ou 1{NBSP}234{NBSP}: écrivez le nombre voulu."),
    ],
)
def test_the_bad_input_matrix(language, typed, decimals, outcome):
    with translation.override(language):
        if isinstance(outcome, Decimal):
            assert number_read(typed, decimals=decimals) == outcome
        else:
            with pytest.raises(UnclearNumber) as refused:
                number_read(typed, decimals=decimals)
            assert str(refused.value).startswith(outcome)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,2", "Write decimals with a point, not a comma: for example 1.2."),  # read as 12 once
        ("0,75", "Write decimals with a point, not a comma: for example 0.75."),
        ("1.234", "at most 2 decimals"),  # 1.234 here, 1234 in much of Europe
        ("1.350.000", "Write thousands without points: for example 1350000 or 1,350,000."),
        ("1,35,000", "Enter a number"),  # groups of three only
        ("0,125", "Write decimals with a point"),  # no group starts with 0
        ("1 2", "Enter a number"),
        ("12.345", "at most 2 decimals"),  # never rounded behind the member's back
        ("1_000", "Enter a number"),
        ("Infinity", "Enter a number, for example 12.5."),
        ("twelve", "Enter a number"),
        ("", "Enter a number"),
    ],
)
def test_english_refuses_what_it_could_misread_with_the_reason(typed, message):
    with translation.override("en"), pytest.raises(UnclearNumber, match=message):
        number_read(typed, decimals=2)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.000", f"peut se lire 1 ou 1{NBSP}000"),
        ("12.345", f"peut se lire 12,345 ou 12{NBSP}345"),
        ("1,234,567", f"Écrivez les milliers sans virgule{NBSP}: par exemple 1234567 ou 1{NBSP}234{NBSP}567."),
        ("12,345", "au plus 2 décimales, après une virgule"),
        ("1.234.5", "Saisissez un nombre"),
        ("1 234.567,5", "Saisissez un nombre"),  # spaces and points mixed
        ("Infinity", "Saisissez un nombre, par exemple 12,5."),
        ("", "Saisissez un nombre"),
    ],
)
def test_french_refuses_what_it_could_misread_with_the_reason_and_a_french_example(typed, message):
    with translation.override("fr"), pytest.raises(UnclearNumber, match=message):
        number_read(typed, decimals=2)


def test_a_whole_number_field_refuses_any_decimals(language):
    assert number_read("1 350 000", decimals=0) == 1_350_000
    own = convention().decimal
    for typed in (f"1{own}5", f"1{own}000", "1.5", "1,5"):
        with pytest.raises(UnclearNumber, match=r"Enter a whole number, without decimals|decimals with|sans décimales"):
            number_read(typed, decimals=0)


def test_a_whole_number_field_reads_the_languages_thousands():
    with translation.override("en"):
        assert number_read("1,000", decimals=0) == 1000
    with translation.override("fr"):
        assert number_read("1.000.000", decimals=0) == 1_000_000
        with pytest.raises(UnclearNumber, match="peut se lire 1 ou 1"):
            number_read("1.000", decimals=0)  # 1 or a thousand


# --- Writing: for people in the language's way, for files in one way ---


@pytest.mark.parametrize(
    ("stored", "english", "french"),
    [
        ("18.50", "18.5", "18,5"),
        ("100.00", "100", "100"),
        ("1350000", "1,350,000", f"1{NBSP}350{NBSP}000"),
        ("1234.5", "1,234.5", f"1{NBSP}234,5"),
        ("0.00", "0", "0"),
        ("-0.0", "0", "0"),
        ("0.05", "0.05", "0,05"),
        ("-2.50", "-2.5", "-2,5"),
        ("1E+2", "100", "100"),
    ],
)
def test_a_stored_figure_is_written_for_people_in_each_languages_way(stored, english, french):
    with translation.override("en"):
        assert figure(Decimal(stored)) == english
    with translation.override("fr"):
        assert figure(Decimal(stored)) == french


def test_a_score_keeps_one_decimal_rounded_half_up_and_a_text_box_has_no_grouping():
    with translation.override("fr"):
        assert [figure(Decimal(value), places=1) for value in ("49.55", "50", "49.54")] == ["49,6", "50,0", "49,5"]
        assert figure(Decimal("1350000.5"), grouped=False) == "1350000,5"
        assert figure(0.1) == "0,1"  # a float as it reads, not its binary expansion


@pytest.mark.parametrize("language_code", ["en", "fr"])
def test_a_data_figure_is_the_same_whatever_the_language(language_code):
    with translation.override(language_code):
        assert [data_figure(Decimal(v)) for v in ("18.50", "1350000", "1E+2", "-0.0")] == [
            "18.5",
            "1350000",
            "100",
            "0",
        ]


# --- Properties: what the site writes, the site reads back ---

STORED = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)


@given(number=STORED)
def test_every_figure_written_for_people_reads_back_to_the_same_number(number):
    for code in ("en", "fr"):
        with translation.override(code):
            assert number_read(figure(number), decimals=2) == number
            assert number_read(figure(number, grouped=False), decimals=2) == number


@given(number=st.integers(min_value=-(10**12), max_value=10**12))
def test_every_whole_number_written_for_people_reads_back_in_a_whole_number_field(number):
    for code in ("en", "fr"):
        with translation.override(code):
            assert number_read(figure(number), decimals=0) == number


@given(number=STORED)
def test_a_figure_with_more_decimals_than_allowed_is_refused_never_rounded(number):
    typed = number + Decimal("0.001")
    for code in ("en", "fr"):
        with translation.override(code), pytest.raises(UnclearNumber):
            number_read(figure(typed, grouped=False), decimals=2)


@given(text=st.text(alphabet="0123456789.,- \u00a0e", max_size=14))
def test_whatever_is_typed_is_read_as_one_number_or_refused_with_a_message(text):
    for code in ("en", "fr"):
        with translation.override(code):
            try:
                number = number_read(text, decimals=2)
            except UnclearNumber as refused:
                assert str(refused)
            else:
                assert number.is_finite() and number * 100 == (number * 100).to_integral_value()


@pytest.mark.parametrize("language", ["de", "es"])
@pytest.mark.parametrize(
    ("typed", "read"), [("1,2", Decimal("1.2")), ("1.234,5", Decimal("1234.5")), ("1.350.000", Decimal(1350000))]
)
def test_german_and_spanish_read_a_decimal_comma_as_their_readers_mean_it(language, typed, read):
    with translation.override(language):
        assert number_read(typed, decimals=2) == read


@pytest.mark.parametrize("language", ["de", "es"])
def test_german_and_spanish_refuse_an_english_decimal_point_after_thousands_with_their_own_example(language):
    with translation.override(language), pytest.raises(UnclearNumber) as refused:
        number_read("1,234.5", decimals=2)
    assert "1.234,5" in str(refused.value) or f"1{NBSP}234,5" in str(refused.value)
    with translation.override(language):
        assert figure(Decimal("49.5"), places=1) == "49,5"
