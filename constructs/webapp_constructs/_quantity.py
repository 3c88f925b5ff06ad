"""Kubernetes resource quantities in the canonical form the API server stores.

The API server parses every ``resource.Quantity`` (CPU, memory, ``emptyDir.sizeLimit``, ...) and
stores and returns its canonical string: ``cpu: 1000m`` comes back as ``"1"``. A manifest that
renders the non-canonical spelling then conflicts with itself under ``kubectl apply --server-side``,
so everything this library renders must already be canonical.

This is a port of apimachinery's ``pkg/api/resource`` (``ParseQuantity``, ``CanonicalizeBytes`` and
``String``), not an approximation of it. In particular it keeps these behaviours of the Go code:

* the scanner is laxer than the documented grammar: ``.``, ``+``, ``m`` or ``Ki`` alone parse as 0;
* values that are not whole nano-units are rounded away from zero to the next nano-unit
  (``0.1n`` is ``1n``), and BinarySI values are capped at 2**63-1 (``9Ei``);
* when ParseQuantity's int64 fast path finds the text already canonical it keeps the text as it
  was written and ``String()`` returns it unchanged: ``1E3``, ``+1``, ``1.500`` and ``1.`` stay;
* a DecimalSI value whose exponent is beyond ``E`` (10**18) loses its suffix: ``1000E`` is
  emitted as ``"1"``;
* exponents are Go ``int32`` values and wrap the way Go wraps them.

One limit is Python's, not Go's: text longer than 4000 characters is rejected (Python refuses to
convert decimal strings of more than 4300 digits to ``int``).
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from typing import Final, Literal

__all__ = ["QuantityError", "canonical_quantity", "is_canonical", "parse_quantity"]

_Format = Literal["DecimalExponent", "BinarySI", "DecimalSI"]

_MAX_INT64: Final = (1 << 63) - 1
_NANO: Final = -9  # the smallest scale a quantity keeps; finer values are rounded up to it
_MAX_INT64_FACTORS: Final = 18  # decimal digits that always fit an int64
_MAX_TEXT: Final = 4000

_DIGITS: Final = frozenset("0123456789")
_SUFFIX_CHARS: Final = frozenset("eEinumkKMGTP")
_EXPONENT: Final = re.compile(r"[+-]?[0-9]+")

_DECIMAL_SI: Final[dict[str, int]] = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SI: Final[dict[str, int]] = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX: Final[dict[int, str]] = {exponent: suffix for suffix, exponent in _DECIMAL_SI.items()}
_BINARY_SUFFIX: Final[dict[int, str]] = {exponent // 10: suffix for suffix, exponent in _BINARY_SI.items()}


class QuantityError(ValueError):
    """Text that is not a Kubernetes quantity."""

    def __init__(self, text: object) -> None:
        super().__init__(f"{text!r} is not a Kubernetes quantity (a number with an optional suffix such as 500m, 128Mi or 1G)")
        self.text = text


class _Quantity:
    """What ParseQuantity holds: the value ``unscaled * 10**exponent``, its format and, when the
    fast path found the text canonical, the text itself (``Quantity.s``)."""

    __slots__ = ("exponent", "format", "text", "unscaled")

    def __init__(self, unscaled: int, exponent: int, format: _Format, text: str | None) -> None:
        self.unscaled = unscaled
        self.exponent = exponent
        self.format = format
        self.text = text


def _int32(value: int) -> int:
    """``int32(value)`` in Go: wraps around."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def _go_mod(value: int, divisor: int) -> int:
    """Go's ``%``: the remainder takes the sign of the dividend."""
    remainder = abs(value) % divisor
    return -remainder if value < 0 else remainder


def _scan(text: str) -> tuple[bool, str, str, str, str] | None:
    """``parseQuantityString``: (positive, value, num, denom, suffix), or None for ErrFormatWrong.

    ``value`` is the signed number as written, ``num`` its integer digits without leading zeros
    (``"0"`` when there are none), ``denom`` its fractional digits.
    """
    positive = True
    pos = 0
    end = len(text)
    if end and text[0] in "+-":
        positive = text[0] == "+"
        pos = 1
    while True:  # strip leading zeros
        if pos >= end:
            return positive, "0", "0", "", ""
        if text[pos] != "0":
            break
        pos += 1
    i = pos
    while i < end and text[i] in _DIGITS:
        i += 1
    if i >= end:
        return positive, text, text[pos:], "", ""
    num = text[pos:i] or "0"
    pos = i
    denom = ""
    if text[pos] == ".":
        pos += 1
        i = pos
        while i < end and text[i] in _DIGITS:
            i += 1
        denom = text[pos:i]
        if i >= end:
            return positive, text, num, denom, ""
        pos = i
    value = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        return None
    return positive, value, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, _Format] | None:
    """``quantitySuffixer.interpret``: (base, exponent, format), or None for ErrSuffix."""
    exponent = _DECIMAL_SI.get(suffix)
    if exponent is not None:
        return 10, exponent, "DecimalSI"
    exponent = _BINARY_SI.get(suffix)
    if exponent is not None:
        return 2, exponent, "BinarySI"
    if len(suffix) > 1 and suffix[0] in "eE" and _EXPONENT.fullmatch(suffix, 1):
        # strconv.ParseInt(suffix[1:], 10, 64), then int32(parsed)
        sign, digits = (suffix[1], suffix[2:]) if suffix[1] in "+-" else ("+", suffix[1:])
        digits = digits.lstrip("0") or "0"
        if len(digits) <= 19:
            parsed = int(digits) if sign == "+" else -int(digits)
            if -_MAX_INT64 - 1 <= parsed <= _MAX_INT64:
                return 10, _int32(parsed), "DecimalExponent"
    return None


def _ceil_div_pow10(value: int, places: int) -> int:
    """``ceil(value / 10**places)`` for ``value > 0``."""
    if places > value.bit_length():  # 10**places > 2**places > value
        return 1
    divisor: int = 10**places
    quotient, remainder = divmod(value, divisor)
    return quotient + 1 if remainder else quotient


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> _Quantity:
    """``ParseQuantity``."""
    if not text or len(text) > _MAX_TEXT:
        raise QuantityError(text)
    if text == "0":
        return _Quantity(0, 0, "DecimalSI", text)
    scanned = _scan(text)
    if scanned is None:
        raise QuantityError(text)
    positive, value, num, denom, suffix = scanned
    interpreted = _interpret(suffix)
    if interpreted is None:
        raise QuantityError(text)
    base, exponent, fmt = interpreted

    # The int64 fast path.
    mantissa = 1
    if fmt == "BinarySI":
        scale = 0
        if exponent >= 0 and not denom:
            mantissa = 1 << exponent
            # int32(float32(exponent)*3/10) is exact for the binary exponents 10, 20, ..., 60
            precision = 15 - len(num) - exponent * 3 // 10 - 1
        else:
            precision = -1
    else:
        scale = exponent
        precision = _MAX_INT64_FACTORS - (len(num) + len(denom))
    if precision >= 0:
        scale = _int32(scale - len(denom))
        if scale >= _NANO:
            shifted = num + denom
            digits_value = int(shifted)
            result = digits_value * mantissa
            if result <= _MAX_INT64:
                if fmt == "BinarySI":
                    canonical = exponent % 10 == 0 and digits_value & 0x07 != 0
                else:
                    canonical = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
                return _Quantity(result if positive else -result, scale, fmt, text if canonical else None)

    # The arbitrary-precision path: inf.Dec.SetString(value) ...
    sign = value[:1]
    integral, _, fraction = value.lstrip("+-").partition(".")
    if not integral and not fraction:
        raise QuantityError(text)  # ErrNumeric: no digits at all
    unscaled = int(integral + fraction)
    dec_scale = len(fraction)  # value == unscaled * 10**-dec_scale
    # ... with the suffix folded in ...
    if base == 10:
        dec_scale = _int32(dec_scale + _int32(-exponent))
    else:
        unscaled <<= exponent
    # ... rounded up (away from zero) to a whole number of nano-units ...
    if unscaled != 0 and dec_scale > -_NANO:
        unscaled = _ceil_div_pow10(unscaled, dec_scale + _NANO)
        dec_scale = -_NANO
    # ... capped, for BinarySI, at the largest int64 ...
    if fmt == "BinarySI":
        # dec_scale is 0..9 here: BinarySI takes no exponent, and anything finer was rounded
        if unscaled > _MAX_INT64 * 10**dec_scale:
            unscaled, dec_scale = _MAX_INT64, 0
        # ... and a BinarySI value strictly between 0 and 1 becomes DecimalSI.
        if 0 < unscaled < 10**dec_scale:
            fmt = "DecimalSI"
    return _Quantity(unscaled if sign != "-" else -unscaled, -dec_scale, fmt, None)


def _decimal_canonical(unscaled: int, exponent: int) -> tuple[str, int]:
    """``AsCanonicalBytes``: the digits and the base-10 exponent, a multiple of 3, as large as can
    be without a fraction."""
    digits = str(abs(unscaled))
    stripped = digits.rstrip("0")
    exponent = _int32(exponent + len(digits) - len(stripped))
    remainder = _go_mod(exponent, 3)
    if remainder in (1, -2):
        stripped += "0"
        exponent = _int32(exponent - 1)
    elif remainder in (2, -1):
        stripped += "00"
        exponent = _int32(exponent - 2)
    return ("-" if unscaled < 0 else "") + stripped, exponent


def _string(quantity: _Quantity) -> str:
    """``Quantity.String``: the kept text, or ``CanonicalizeBytes``."""
    if quantity.text is not None:
        return quantity.text
    unscaled, exponent, fmt = quantity.unscaled, quantity.exponent, quantity.format
    if unscaled == 0:
        return "0"
    if fmt == "BinarySI":
        # exponent is 0..-9 for BinarySI (see _parse)
        denominator = 10 ** -min(exponent, 0)
        numerator = unscaled * 10 ** max(exponent, 0)
        whole, fraction = divmod(abs(numerator), denominator)
        if abs(numerator) < 1024 * denominator or fraction:
            fmt = "DecimalSI"  # emitted without rounding, as DecimalSI
        else:
            power = 0
            while whole >= 1024 and whole % 1024 == 0:
                whole //= 1024
                power += 1
            return ("-" if unscaled < 0 else "") + str(whole) + _BINARY_SUFFIX.get(power, "")
    digits, exponent = _decimal_canonical(unscaled, exponent)
    if fmt == "DecimalSI":
        # Go emits no suffix at all for an exponent it has none for (above E): "1000E" -> "1".
        return digits + _DECIMAL_SUFFIX.get(exponent, "")
    return digits if exponent == 0 else f"{digits}e{exponent}"


@functools.lru_cache(maxsize=4096)
def _canonical_text(text: str) -> str:
    return _string(_parse(text))


def parse_quantity(text: str) -> Decimal:
    """The exact value ParseQuantity holds for ``text``, after its rounding and capping.

    ``parse_quantity("500m") == Decimal("0.5")``, ``parse_quantity("1Gi") == 2**30``,
    ``parse_quantity("0.1n") == Decimal("1E-9")``. Compare the result by value: its exponent
    carries no meaning. Raises QuantityError for text that ParseQuantity rejects.
    """
    if not isinstance(text, str):
        raise QuantityError(text)
    return _value_of(text)


@functools.lru_cache(maxsize=4096)
def _value_of(text: str) -> Decimal:
    parsed = _parse(text)
    unscaled, exponent = parsed.unscaled, parsed.exponent
    if unscaled == 0:
        return Decimal(0)
    digits = str(abs(unscaled))
    if exponent < 0:  # drop the fraction's trailing zeros
        stripped = digits.rstrip("0")
        drop = min(len(digits) - len(stripped), -exponent)
        digits, exponent = digits[: len(digits) - drop], exponent + drop
    elif 0 < exponent <= 64:  # spell modest integers out: Decimal('1000'), not Decimal('1E+3')
        digits, exponent = digits + "0" * exponent, 0
    return Decimal((int(unscaled < 0), tuple(int(digit) for digit in digits), exponent))


def canonical_quantity(text: str | int | float) -> str:
    """The string the API server stores and returns for the quantity ``text``.

    ``"1000m"`` -> ``"1"``, ``"0.5"`` -> ``"500m"``, ``"1024Mi"`` -> ``"1Gi"``; ``"1500m"`` and
    ``"2000Mi"`` stay. A YAML number is accepted too: an int is spelled with ``str`` and a float
    with ``repr`` (so ``0.5`` -> ``"500m"``, ``1e-05`` -> ``"10e-6"``). Raises QuantityError for
    text that is not a quantity, for a bool, and for a NaN or infinite float.
    """
    if isinstance(text, str):
        return _canonical_text(text)
    if isinstance(text, bool):
        raise QuantityError(text)
    if isinstance(text, int):
        try:
            spelled = int.__repr__(text)
        except ValueError:  # more digits than Python converts to str
            raise QuantityError(text) from None
        return _canonical_text(spelled)
    if isinstance(text, float) and math.isfinite(text):
        return _canonical_text(float.__repr__(text))
    raise QuantityError(text)


def is_canonical(text: str) -> bool:
    """Whether the API server would store ``text`` exactly as written.

    Raises QuantityError for text that is not a quantity at all.
    """
    return canonical_quantity(text) == text
