"""Canonical quantities: exactly what apimachinery's ParseQuantity + Quantity.String() give.

Every table row names its source: an observation on a real API server, a doc comment or example
in apimachinery's pkg/api/resource, one of its Go tests, or (for the quirks no Go test pins down)
the output of that Go package run on the input.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import failing_rows
from webapp_constructs._quantity import QuantityError, canonical_quantity, is_canonical, parse_quantity

SERVER = "observed on an API server"
GO_DOC = "quantity.go doc comment"
GO_EXAMPLE = "quantity_example_test.go"
GO_STRING = "quantity_test.go TestQuantityString"
GO_EMIT = "quantity_test.go TestQuantityParseEmit"
GO_PARSE = "quantity_test.go TestParseQuantity"
GO_QPARSE = "quantity_test.go TestQuantityParse"
GO_ZERO = "quantity_test.go TestQuantityParseZero"
GO_NEG = "quantity_test.go TestQuantityNeg"
GO_SCAN = "quantity_test.go TestParseQuantityString"
GO_RUN = "apimachinery ParseQuantity + String, run in Go"

MAX_INT64 = 2**63 - 1

CANONICAL: list[tuple[str, str, str]] = [
    # What a real API server stored and returned.
    ("1000m", "1", SERVER),
    ("4000m", "4", SERVER),
    ("0.5", "500m", SERVER),
    ("1", "1", SERVER),
    ("1024Mi", "1Gi", SERVER),
    ("1048576Ki", "1Gi", SERVER),
    ("1000000", "1M", SERVER),
    ("1500m", "1500m", SERVER),
    ("2000Mi", "2000Mi", SERVER),
    ("1e3", "1e3", SERVER),
    ("1e9", "1e9", SERVER),
    # The Quantity doc comment's examples.
    ("1.5", "1500m", GO_DOC),
    ("1.5Gi", "1536Mi", GO_DOC),
    ("5Gi", "5Gi", GO_EXAMPLE),
    ("5G", "5G", GO_EXAMPLE),
    ("5300m", "5300m", GO_EXAMPLE),
    # TestQuantityString: each canonical string parses back to itself ...
    ("1Gi", "1Gi", GO_STRING),
    ("300Mi", "300Mi", GO_STRING),
    ("6Ki", "6Ki", GO_STRING),
    ("1001Gi", "1001Gi", GO_STRING),
    ("1Ti", "1Ti", GO_STRING),
    ("5", "5", GO_STRING),
    ("500m", "500m", GO_STRING),
    ("1G", "1G", GO_STRING),
    ("1m", "1m", GO_STRING),
    ("80m", "80m", GO_STRING),
    ("1080m", "1080m", GO_STRING),
    ("300M", "300M", GO_STRING),
    ("1T", "1T", GO_STRING),
    ("1234567M", "1234567M", GO_STRING),
    ("1234567m", "1234567m", GO_STRING),
    ("3k", "3k", GO_STRING),
    ("1025", "1025", GO_STRING),
    ("1e12", "1e12", GO_STRING),
    ("1e-3", "1e-3", GO_STRING),
    ("1e-9", "1e-9", GO_STRING),
    ("80e-3", "80e-3", GO_STRING),
    ("300e6", "300e6", GO_STRING),
    ("3e3", "3e3", GO_STRING),
    ("1n", "1n", GO_STRING),
    ("80n", "80n", GO_STRING),
    ("1080n", "1080n", GO_STRING),
    ("1u", "1u", GO_STRING),
    ("80u", "80u", GO_STRING),
    ("1080u", "1080u", GO_STRING),
    # ... and each alternate spelling canonicalizes to it.
    ("307200Ki", "300Mi", GO_STRING),
    ("1025024Mi", "1001Gi", GO_STRING),
    ("1024Gi", "1Ti", GO_STRING),
    ("5000m", "5", GO_STRING),
    ("1000M", "1G", GO_STRING),
    ("0.001T", "1G", GO_STRING),
    ("1000u", "1m", GO_STRING),
    ("1.08", "1080m", GO_STRING),
    ("1080000000n", "1080m", GO_STRING),
    (".001e12", "1e9", GO_STRING),
    ("0.001e0", "1e-3", GO_STRING),
    ("1000e-12", "1e-9", GO_STRING),
    ("00", "0", GO_STRING),
    ("-9.01", "-9010m", GO_NEG),
    # TestQuantityParseEmit, including values between -1 and 1 with a binary suffix (emitted as DecimalSI).
    ("1Ki", "1Ki", GO_EMIT),
    ("1Mi", "1Mi", GO_EMIT),
    ("1000M", "1G", GO_EMIT),
    (".001Ki", "1024m", GO_EMIT),
    (".000001Ki", "1024u", GO_EMIT),
    (".000000001Ki", "1024n", GO_EMIT),
    (".000000000001Ki", "2n", GO_EMIT),
    ("-1Ki", "-1Ki", GO_EMIT),
    ("-1024Mi", "-1Gi", GO_EMIT),
    ("-1000M", "-1G", GO_EMIT),
    ("-.001Ki", "-1024m", GO_EMIT),
    ("-.000000000001Ki", "-2n", GO_EMIT),
    # TestParseQuantity: values around and beyond int64.
    ("999999999999999999", "999999999999999999", GO_PARSE),
    ("-999999999999999999", "-999999999999999999", GO_PARSE),
    ("999999999999999999.0", "999999999999999999", GO_PARSE),
    ("999999999999999999.1", "999999999999999999100m", GO_PARSE),
    ("-999999999999999999.1", "-999999999999999999100m", GO_PARSE),
    ("9999999999999999999", "9999999999999999999", GO_PARSE),
    ("1E", "1E", GO_PARSE),
    ("-1E", "-1E", GO_PARSE),
    ("1000000000000000000", "1E", GO_PARSE),
    ("-1000000000000000000", "-1E", GO_PARSE),
    ("1.0E", "1E", GO_PARSE),
    ("9999999999999999999000m", "9999999999999999999", GO_PARSE),
    ("1.0000000000000000001E", "1000000000000000000100m", GO_PARSE),
    ("1.000000000000000001E", "1000000000000000001", GO_PARSE),
    ("10E", "10E", GO_PARSE),
    ("10000000000000000000", "10E", GO_PARSE),
    ("-10000000000000000000000m", "-10E", GO_PARSE),
    ("10.0000000000000000001E", "10000000000000000000100m", GO_PARSE),
    ("9223372036854775807", "9223372036854775807", GO_PARSE),
    ("9223372036854775807000m", "9223372036854775807", GO_PARSE),
    ("9223372036854775808", "9223372036854775808", GO_PARSE),
    ("-9223372036854775809.1", "-9223372036854775809100m", GO_PARSE),
    # Zero never keeps a suffix or a sign.
    ("0", "0", GO_ZERO),
    ("0Mi", "0", SERVER),
    ("0m", "0", SERVER),
    ("0n", "0", GO_RUN),
    ("0Ki", "0", GO_RUN),
    ("0T", "0", GO_RUN),
    ("0e5", "0", GO_RUN),
    ("-0", "0", GO_RUN),
    ("+0", "0", GO_RUN),
    ("0.000", "0", GO_RUN),
    # Sub-nano values round up, away from zero, to a whole nano-unit.
    ("3.001n", "4n", GO_RUN),
    ("0.1n", "1n", GO_RUN),
    ("-0.1n", "-1n", GO_RUN),
    ("0.0000000001", "1n", GO_RUN),
    ("0.00000012345", "124n", GO_RUN),
    ("1.1E-9", "2e-9", GO_RUN),
    ("1e-10", "1e-9", GO_RUN),
    # Binary fractions: a whole number stays binary, anything else is emitted as DecimalSI.
    ("0.5Mi", "512Ki", GO_RUN),
    ("2.5Mi", "2560Ki", GO_RUN),
    ("1.5Ki", "1536", GO_RUN),
    ("0.5Ki", "512", GO_RUN),
    ("0.1Ki", "102400m", GO_RUN),
    ("100.035Ki", "102435840m", GO_RUN),
    ("0.05Gi", "53687091200m", GO_RUN),
    ("-1.5Gi", "-1536Mi", GO_RUN),
    ("0.0009765625Ki", "1", GO_RUN),
    # BinarySI is capped at the largest int64; DecimalSI is not.
    ("9Ei", "9223372036854775807", GO_RUN),
    ("-9.5Ei", "-9223372036854775807", GO_RUN),
    ("9223372036854775807Ki", "9223372036854775807", GO_RUN),
    ("12E", "12E", GO_RUN),
    # Exponents: the exponent is a multiple of 3 and the mantissa has no fraction.
    ("1E3", "1E3", GO_RUN),
    ("12e6", "12e6", GO_RUN),
    ("1E6", "1E6", GO_RUN),
    ("1e13", "10e12", GO_RUN),
    ("1e14", "100e12", GO_RUN),
    ("1.2e3", "1200", GO_RUN),
    ("1.3E+6", "1300e3", GO_RUN),
    ("1.40e9", "1400e6", GO_RUN),
    ("0.5e0", "500e-3", GO_RUN),
    ("0.5e-1", "50e-3", GO_RUN),
    ("-1e3", "-1e3", GO_RUN),
    ("1e0", "1e0", GO_RUN),
    ("1000e0", "1e3", GO_RUN),
    # Everyday values.
    ("100m", "100m", GO_RUN),
    ("250m", "250m", GO_RUN),
    ("128Mi", "128Mi", GO_RUN),
    ("512Mi", "512Mi", GO_RUN),
    ("1024Ki", "1Mi", GO_RUN),
    ("1024", "1024", GO_RUN),
    ("1000", "1k", GO_RUN),
    ("2000", "2k", GO_RUN),
    ("1500", "1500", GO_RUN),
    ("0.25", "250m", GO_RUN),
    ("0.1", "100m", GO_RUN),
    ("2.0", "2", GO_RUN),
    ("-1", "-1", GO_RUN),
    ("-0.5", "-500m", GO_RUN),
    # ParseQuantity keeps text its int64 fast path finds canonical, exactly as written.
    ("+1", "+1", GO_RUN),
    ("+1Ki", "+1Ki", GO_RUN),
    ("01", "01", GO_RUN),
    ("1.500", "1.500", GO_RUN),
    ("1.", "1.", GO_RUN),
    ("1.G", "1.G", GO_RUN),
    ("1E-3", "1E-3", GO_RUN),
    ("1e+3", "1e+3", GO_RUN),
    # The scanner is laxer than the documented grammar: no digits at all is 0.
    (".", "0", GO_SCAN),
    ("-.", "0", GO_SCAN),
    ("+", "0", GO_RUN),
    ("m", "0", GO_RUN),
    ("Ki", "0", GO_RUN),
    # DecimalSI has no suffix beyond E (10**18): Go then emits the digits with none.
    ("1000E", "1", GO_RUN),
    ("10000E", "10", GO_RUN),
]

VALUES: list[tuple[str, Decimal | int, str]] = [
    ("500m", Decimal("0.5"), SERVER),
    ("1Gi", 2**30, SERVER),
    ("5Gi", 5 * 2**30, GO_EXAMPLE),
    ("5G", 5_000_000_000, GO_EXAMPLE),
    ("5300m", Decimal("5.3"), GO_EXAMPLE),
    ("5.4", Decimal("5.4"), GO_EXAMPLE),
    ("0", 0, GO_QPARSE),
    ("0n", 0, GO_QPARSE),
    ("0Ti", 0, GO_QPARSE),
    ("1", 1, GO_QPARSE),
    ("1Ki", 1024, GO_QPARSE),
    ("8Ki", 8 * 1024, GO_QPARSE),
    ("7Mi", 7 * 2**20, GO_QPARSE),
    ("6Gi", 6 * 2**30, GO_QPARSE),
    ("5Ti", 5 * 2**40, GO_QPARSE),
    ("4Pi", 4 * 2**50, GO_QPARSE),
    ("3Ei", 3 * 2**60, GO_QPARSE),
    ("100Ti", 100 * 2**40, GO_QPARSE),
    ("5n", Decimal("5E-9"), GO_QPARSE),
    ("4u", Decimal("4E-6"), GO_QPARSE),
    ("3m", Decimal("0.003"), GO_QPARSE),
    ("50k", 50_000, GO_QPARSE),
    ("7M", 7_000_000, GO_QPARSE),
    ("300T", 300 * 10**12, GO_QPARSE),
    ("2P", 2 * 10**15, GO_QPARSE),
    ("1E", 10**18, GO_QPARSE),
    ("1E-3", Decimal("0.001"), GO_QPARSE),
    ("1e3", 1000, GO_QPARSE),
    ("1E18", 10**18, GO_QPARSE),
    ("1e13", 10**13, GO_QPARSE),
    ("100.035k", 100_035, GO_QPARSE),
    ("0.0005k", Decimal("0.5"), GO_QPARSE),
    ("0.00500", Decimal("0.005"), GO_QPARSE),
    ("0.5e-2", Decimal("0.005"), GO_QPARSE),
    ("10.035M", 10_035_000, GO_QPARSE),
    ("1.2e3", 1200, GO_QPARSE),
    ("1.3E+6", 1_300_000, GO_QPARSE),
    ("1.53E12", 153 * 10**10, GO_QPARSE),
    ("1.7E18", 17 * 10**17, GO_QPARSE),
    ("9.01", Decimal("9.01"), GO_QPARSE),
    ("7.123456M", 7_123_456, GO_QPARSE),
    ("6.987654321G", 6_987_654_321, GO_QPARSE),
    ("1.01E", 101 * 10**16, GO_QPARSE),
    ("3.001n", Decimal("4E-9"), GO_QPARSE),
    ("1.1E-9", Decimal("2E-9"), GO_QPARSE),
    ("0.0000000005", Decimal("1E-9"), GO_QPARSE),
    ("0.5e-9", Decimal("1E-9"), GO_QPARSE),
    ("0.9n", Decimal("1E-9"), GO_QPARSE),
    ("0.00000012354", Decimal("124E-9"), GO_QPARSE),
    ("9Ei", MAX_INT64, GO_QPARSE),
    ("9223372036854775807Ki", MAX_INT64, GO_QPARSE),
    ("12E", 12 * 10**18, GO_QPARSE),
    ("100.035Ki", Decimal("102435.84"), GO_QPARSE),
    ("0.5Mi", 2**19, GO_QPARSE),
    ("0.05Gi", Decimal("53687091.2"), GO_QPARSE),
    ("0.025Ti", Decimal("27487790694.4"), GO_QPARSE),
    ("0.000000000001Ki", Decimal("2E-9"), GO_QPARSE),
    (".001", Decimal("0.001"), GO_QPARSE),
    (".0001k", Decimal("0.1"), GO_QPARSE),
    ("1.", 1, GO_QPARSE),
    ("1.G", 10**9, GO_QPARSE),
    ("9223372036854775808.1", Decimal("9223372036854775808.1"), GO_PARSE),
    ("-9223372036854775809", -(2**63) - 1, GO_PARSE),
    ("10.000000000000000001E", 10**19 + 1, GO_PARSE),
    ("-0.1n", Decimal("-1E-9"), GO_RUN),
    ("1000E", 10**21, GO_RUN),
]

INVALID: list[tuple[str, str]] = [
    ("", GO_QPARSE),
    ("1.1.M", GO_QPARSE),
    ("1+1.0M", GO_QPARSE),
    ("0.1mi", GO_QPARSE),
    ("0.1am", GO_QPARSE),
    ("aoeu", GO_QPARSE),
    (".5i", GO_QPARSE),
    ("1i", GO_QPARSE),
    ("-3.01i", GO_QPARSE),
    ("-3.01e-", GO_QPARSE),
    (" 1", GO_QPARSE),
    ("1 ", GO_QPARSE),
    ("invalid", "quantity_test.go TestQuantityValueSet"),
    ("12x", GO_RUN),
    ("1e", GO_RUN),
    ("1ee5", GO_RUN),
    ("1Mi5", GO_RUN),
    ("1KiB", GO_RUN),
    ("1 Gi", GO_RUN),
    ("--1", GO_RUN),
    ("1_000", GO_RUN),
    ("0x10", GO_RUN),
    ("1,5", GO_RUN),
    ("\u0661", GO_RUN),  # ARABIC-INDIC DIGIT ONE: a digit to Python, not to Go
    ("NaN", GO_RUN),
    ("Infinity", GO_RUN),
    (".e-10", GO_RUN),  # no digits, and a scale finer than nano: inf.Dec finds no number
    ("1e9223372036854775808", GO_RUN),  # the exponent overflows int64
]

NUMBERS: list[tuple[int | float, str, str]] = [
    (1, "1", SERVER),
    (0.5, "500m", SERVER),
    (4, "4", GO_RUN),
    (0, "0", GO_RUN),
    (-1, "-1", GO_RUN),
    (1000, "1k", GO_RUN),
    (1024, "1024", GO_RUN),
    (10**20, "100E", GO_RUN),
    (1.5, "1500m", GO_RUN),
    (0.1, "100m", GO_RUN),
    (2.0, "2", GO_RUN),
    (-0.0, "0", GO_RUN),
    (1e-05, "10e-6", GO_RUN),  # repr gives "1e-05"
    (1e16, "10e15", GO_RUN),  # repr gives "1e+16"
]


# Each table is one test that reports every failing row (tests.helpers.failing_rows).


def test_canonical_quantity() -> None:
    def check(text: str, expected: str, source: str) -> None:
        assert canonical_quantity(text) == expected, source

    assert failing_rows(CANONICAL, check) == []


def test_canonical_form_is_stable() -> None:
    def check(text: str, expected: str, source: str) -> None:
        assert canonical_quantity(expected) == expected, source
        assert is_canonical(expected), source
        assert is_canonical(text) == (text == expected), source

    assert failing_rows(CANONICAL, check) == []


def test_canonical_form_keeps_the_value() -> None:
    # Go drops the suffix of a DecimalSI value beyond E, and so the value: "1000E" -> "1".
    def check(text: str, expected: str, source: str) -> None:
        assert parse_quantity(expected) == parse_quantity(text), source

    assert failing_rows([row for row in CANONICAL if row[0] not in {"1000E", "10000E"}], check) == []


def test_parse_quantity() -> None:
    def check(text: str, expected: Decimal | int, source: str) -> None:
        value = parse_quantity(text)
        assert isinstance(value, Decimal), source
        assert value == expected, source

    assert failing_rows(VALUES, check) == []


def test_sign_applies_to_everything() -> None:
    # TestQuantityParse also parses every row with a leading "-" and a leading "+".
    def check(text: str, expected: Decimal | int, source: str) -> None:
        assert parse_quantity("-" + text) == -expected, source
        assert parse_quantity("+" + text) == expected, source
        assert canonical_quantity("-" + text) in {"0", "-" + canonical_quantity(text)}, source

    assert failing_rows([row for row in VALUES if not row[0].startswith("-")], check) == []


def test_parse_quantity_spells_values_plainly() -> None:
    assert str(parse_quantity("500m")) == "0.5"
    assert str(parse_quantity("1Gi")) == "1073741824"
    assert str(parse_quantity("1k")) == "1000"
    assert str(parse_quantity("-0")) == "0"
    assert str(parse_quantity("1.500")) == "1.5"


def test_invalid() -> None:
    def check(text: str, source: str) -> None:
        for function in (canonical_quantity, parse_quantity, is_canonical):
            with pytest.raises(QuantityError, match="is not a Kubernetes quantity"):
                function(text)

    assert failing_rows(INVALID, check) == []


def test_error_message() -> None:
    with pytest.raises(QuantityError) as caught:
        canonical_quantity("12x")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "'12x' is not a Kubernetes quantity (a number with an optional suffix such as 500m, 128Mi or 1G)"
    assert caught.value.text == "12x"


def test_numbers() -> None:
    def check(value: int | float, expected: str, source: str) -> None:
        assert canonical_quantity(value) == expected, source

    assert failing_rows(NUMBERS, check) == []


@pytest.mark.parametrize("value", [True, False, float("nan"), float("inf"), float("-inf")])
def test_rejected_numbers(value: int | float) -> None:
    with pytest.raises(QuantityError, match="is not a Kubernetes quantity"):
        canonical_quantity(value)


def test_the_table_runner_reports_every_failing_row() -> None:
    def check(text: str, expected: str, source: str) -> None:
        assert canonical_quantity(text) == expected, source

    rows = [("1000m", "1", "ok"), ("2000m", "3", "wrong: 2"), ("1x", "1", "invalid")]
    with pytest.raises(QuantityError):
        failing_rows(rows, check)  # an error other than a failed check is no failing row: it is raised
    (failure,) = failing_rows(rows[:2], check)
    assert failure.startswith("('2000m', '3', 'wrong: 2'): wrong: 2")


_digits = st.text("0123456789", min_size=0, max_size=4)
_suffix = st.sampled_from(["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"])
_exponent = st.builds(lambda e, n: f"{e}{n}", st.sampled_from(["e", "E", "e-", "e+"]), st.integers(0, 30))
_quantities = st.builds(
    lambda sign, whole, fraction, suffix: f"{sign}{whole}{fraction}{suffix}",
    st.sampled_from(["", "-", "+"]),
    st.text("0123456789", min_size=1, max_size=3),
    st.one_of(st.just(""), _digits.map(lambda d: "." + d)),
    st.one_of(_suffix, _exponent),
)


@given(_quantities)
def test_canonical_is_idempotent_and_keeps_the_value(text: str) -> None:
    canonical = canonical_quantity(text)
    assert canonical_quantity(canonical) == canonical
    assert is_canonical(canonical)
    assert parse_quantity(canonical) == parse_quantity(text)
