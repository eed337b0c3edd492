"""Garment sizes: a sizing system and a label valid in that system."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from closet.domain.errors import InvalidValue


class SizeSystem(StrEnum):
    LETTER = "letter"
    EU = "eu"
    UK = "uk"
    US = "us"
    IT = "it"
    FR = "fr"
    JEANS = "jeans"
    SHOE_EU = "shoe_eu"
    SHOE_UK = "shoe_uk"
    SHOE_US = "shoe_us"
    ONE_SIZE = "one_size"


LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL")
_LETTER_ALIASES = {"2XS": "XXS", "2XL": "XXL", "XXXL": "3XL", "XXXXL": "4XL"}
_NUMERIC_RANGES: dict[SizeSystem, tuple[int, int]] = {
    SizeSystem.EU: (28, 70),
    SizeSystem.UK: (2, 60),
    SizeSystem.US: (0, 60),
    SizeSystem.IT: (34, 70),
    SizeSystem.FR: (30, 70),
}
_SHOE_RANGES: dict[SizeSystem, tuple[Decimal, Decimal]] = {
    SizeSystem.SHOE_EU: (Decimal(15), Decimal(52)),
    SizeSystem.SHOE_UK: (Decimal(0), Decimal(16)),
    SizeSystem.SHOE_US: (Decimal(0), Decimal(18)),
}
_JEANS = re.compile(r"^w?\s*(\d{2})\s*(?:[x×/]|\s|l)\s*l?\s*(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Size:
    system: SizeSystem
    label: str

    @classmethod
    def of(cls, system: str, label: str) -> Size:
        try:
            sys = SizeSystem(system.strip().casefold())
        except ValueError:
            choices = ", ".join(s.value for s in SizeSystem)
            raise InvalidValue.of("system", f"unknown size system {system!r}; use {choices}") from None
        return cls(sys, _canonical_label(sys, label.strip()))


def _bad(system: SizeSystem, label: str, hint: str) -> InvalidValue:
    return InvalidValue.of("label", f"{label!r} is not a {system.value} size ({hint})")


def _canonical_label(system: SizeSystem, label: str) -> str:
    if system is SizeSystem.ONE_SIZE:
        if label.casefold().replace("-", " ") not in {"", "one size", "os", "onesize"}:
            raise _bad(system, label, "use 'one size'")
        return "one size"
    if system is SizeSystem.LETTER:
        key = label.upper().replace(" ", "")
        key = _LETTER_ALIASES.get(key, key)
        if key not in LETTER_SIZES:
            raise _bad(system, label, "XXS, XS, S, M, L, XL, XXL, 3XL or 4XL")
        return key
    if system is SizeSystem.JEANS:
        match = _JEANS.match(label)
        if not match:
            raise _bad(system, label, "waist × length, e.g. W32 L34 or 32x34")
        waist, length = int(match.group(1)), int(match.group(2))
        if not (22 <= waist <= 50 and 26 <= length <= 40):
            raise _bad(system, label, "waist 22–50, length 26–40")
        return f"W{waist} L{length}"
    if system in _SHOE_RANGES:
        low, high = _SHOE_RANGES[system]
        try:
            value = Decimal(label.replace(",", "."))
        except InvalidOperation:
            raise _bad(system, label, "a number such as 38 or 38.5") from None
        if not (value.is_finite() and low <= value <= high and (value * 2) % 1 == 0):
            raise _bad(system, label, f"{low}–{high} in whole or half sizes")
        return f"{value.normalize():f}"
    low_n, high_n = _NUMERIC_RANGES[system]
    if system is SizeSystem.US and label == "00":
        return "00"
    if not label.isdigit() or not (low_n <= int(label) <= high_n):
        raise _bad(system, label, f"a whole number {low_n}–{high_n}")
    return str(int(label))
