"""The number reader (measurement/numbers.py): figures as en, es, fr and pt write them,
read back as themselves; a file's convention decided from its figures; nothing guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from measurement import numbers
from measurement.numbers import COMMA, POINT

# Each language as its people write it: the Babel locales the platform uses for it.
LOCALES = {"en": ["en", "en_GB"], "es": ["es"], "fr": ["fr"], "pt": ["pt_BR", "pt_PT"]}
SPACES = [" ", "\u00a0", "\u202f"]

integers = st.integers(min_value=-(10**13), max_value=10**13)
decimals = st.decimals(
    min_value=Decimal("-99999999999.9999"),
    max_value=Decimal("99999999999.9999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)


def written(value: Decimal, locale: str, grouping: bool) -> str:
    """``value`` as ``locale`` writes it (Babel's CLDR patterns, not our formatter)."""
    pattern = ("#,##0" if grouping else "0") + ".####"
    return format_decimal(value, format=pattern, locale=locale)


@pytest.mark.parametrize("language", list(LOCALES))
@settings(max_examples=150, deadline=None)
@given(value=st.one_of(integers.map(Decimal), decimals), grouping=st.booleans())
def test_any_figure_written_in_a_language_reads_back_as_itself(language, value, grouping):
    convention = numbers.convention_of(language)
    for locale in LOCALES[language]:
        text = written(value, locale, grouping)
        assert numbers.read_number(text, convention) == value, text
        # The whole column written that way never proves the other convention, so the
        # file is read in the language's convention and every cell comes back as itself.
        reading = numbers.decide_number_reading([text], language=language)
        assert reading.convention == convention
        assert numbers.read_number(text, reading.convention) == value


@pytest.mark.parametrize("language", ["fr", "pt"])
@settings(max_examples=100, deadline=None)
@given(value=st.one_of(integers.map(Decimal), decimals), space=st.sampled_from(SPACES))
def test_any_space_groups_thousands_with_a_decimal_comma(language, value, space):
    text = written(value, LOCALES[language][0], True).replace("\u202f", space)
    text = text.replace("\u00a0", space).replace(".", space)
    assert numbers.read_number(text, COMMA) == value


@pytest.mark.parametrize("language", list(LOCALES))
@settings(max_examples=100, deadline=None)
@given(value=st.one_of(integers.map(Decimal), decimals))
def test_format_number_is_read_back_as_itself(language, value):
    """The grid shows a stored figure in the person's language and reads it again."""
    text = numbers.format_number(value, language)
    assert numbers.read_number(text, numbers.convention_of(language)) == value


def test_the_languages_conventions_come_from_cldr():
    assert numbers.convention_of("en") == POINT
    assert numbers.convention_of("en-us") == POINT
    for language in ("es", "fr", "pt", "pt-br", "pt-pt"):
        assert numbers.convention_of(language) == COMMA
    assert numbers.convention_of("") == POINT


@pytest.mark.parametrize(
    ("text", "convention", "expected"),
    [
        ("1,812", POINT, "1812"),  # the grid finding: an English steward's 1,812
        ("1.812", COMMA, "1812"),  # a Spanish steward's 1.812
        ("1.806", COMMA, "1806"),  # the Spanish Excel CSV finding
        ("1.806", POINT, "1.806"),
        ("1,234", COMMA, "1.234"),
        ("1.234,5", COMMA, "1234.5"),
        ("1,234.5", POINT, "1234.5"),
        ("12,50", COMMA, "12.50"),
        ("1 234,5", COMMA, "1234.5"),
        ("1\u00a0234,5", COMMA, "1234.5"),
        ("1\u202f234,5", COMMA, "1234.5"),
        ("1 234 567", POINT, "1234567"),
        ("1.234.567", COMMA, "1234567"),
        ("-1.234,5", COMMA, "-1234.5"),
        ("\u22121\u202f234,5", COMMA, "-1234.5"),
        ("+3", POINT, "3"),
        (" 42 ", COMMA, "42"),
        ("0,5", COMMA, "0.5"),
        (".5", POINT, "0.5"),
        ("1.5E+3", POINT, "1500"),
    ],
)
def test_examples_read_as_written(text, convention, expected):
    assert numbers.read_number(text, convention) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "convention"),
    [
        ("1.234,5.6", COMMA),
        ("1.234,5.6", POINT),
        ("1.5", COMMA),  # a point followed by one digit is no thousands group
        ("12,50", POINT),
        ("1,2345", POINT),
        ("1234,567", POINT),  # a group after four digits
        ("1.23.456", COMMA),
        ("1.234 567", COMMA),  # two grouping marks in one figure
        ("1,234.5", COMMA),
        ("abc", POINT),
        ("", POINT),
        ("-", POINT),
        ("1..2", POINT),
        ("nan", POINT),
        ("inf", POINT),
        ("1_000", POINT),
        ("1.234e5", COMMA),  # grouped and an exponent
    ],
)
def test_what_is_not_a_figure_is_refused(text, convention):
    with pytest.raises(numbers.NumberProblem):
        numbers.read_number(text, convention)


def test_exact_numbers_ignore_the_convention():
    assert numbers.read_number(numbers.ExactNumber("1.5"), COMMA) == Decimal("1.5")
    assert not numbers.is_ambiguous(numbers.ExactNumber("1.806"))


def test_whole_number_hint_is_the_other_reading():
    assert numbers.whole_number_hint("1.806", POINT) == "1806"
    assert numbers.whole_number_hint("1,812", COMMA) == "1812"
    assert numbers.whole_number_hint("2,5", COMMA) == ""
    assert numbers.whole_number_hint("1.5", POINT) == ""


def test_the_column_decides_where_it_can():
    decide = numbers.decide_number_reading
    comma = decide(["1.806", "12,50", "3"], language="en")
    assert (comma.convention, comma.basis, comma.comma_cells) == (COMMA, "column", 1)
    comma = decide(["1.806", "1.234,5"], language="en")
    assert (comma.convention, comma.basis) == (COMMA, "column")
    point = decide(["1,806", "1,234.5"], language="es")
    assert (point.convention, point.basis) == (POINT, "column")
    point = decide(["1,806", "2.5"], language="fr")
    assert (point.convention, point.basis) == (POINT, "column")


def test_without_proof_the_language_decides():
    for language, convention in (("en", POINT), ("es", COMMA), ("fr", COMMA), ("pt", COMMA)):
        reading = numbers.decide_number_reading(["1,234", "1.806"], language=language)
        assert (reading.convention, reading.basis) == (convention, "language")
        assert not reading.refuses_ambiguous
    plain = numbers.decide_number_reading(["1806", "", "12", "1 234"], language="es")
    assert (plain.convention, plain.basis) == (COMMA, "none")


def test_a_column_mixing_both_conventions_refuses_its_ambiguous_figures():
    reading = numbers.decide_number_reading(["1.5", "12,50", "1.806"], language="es")
    assert (reading.basis, reading.point_cells, reading.comma_cells) == ("mixed", 1, 1)
    assert reading.refuses_ambiguous
    assert numbers.is_ambiguous("1.806") and not numbers.is_ambiguous("1806")
    chosen = numbers.decide_number_reading(["1.5", "12,50"], language="es", chosen=POINT)
    assert (chosen.convention, chosen.basis) == (POINT, "chosen")
    assert not chosen.refuses_ambiguous


def test_format_number_in_each_language():
    assert numbers.format_number(Decimal("1812"), "en") == "1,812"
    assert numbers.format_number(Decimal("1812"), "es") == "1.812"
    assert numbers.format_number(Decimal("1812.5"), "fr") == "1\u202f812,5"
    assert numbers.format_number(Decimal("1812.2500"), "pt") == "1.812,25"
    assert numbers.format_number(None, "en") == ""
