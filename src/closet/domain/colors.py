"""The colour palette, hex parsing, nearest-colour matching and the perceptual sort key."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from closet.domain.errors import InvalidValue

# Named garment colours and a representative sRGB value for each.
PALETTE: dict[str, str] = {
    "black": "#1a1a1a",
    "charcoal": "#36454f",
    "grey": "#8c8c8c",
    "silver": "#c0c0c0",
    "white": "#ffffff",
    "ivory": "#fffff0",
    "cream": "#f3ead3",
    "beige": "#d9c8a9",
    "tan": "#d2b48c",
    "camel": "#c19a6b",
    "khaki": "#bdb076",
    "taupe": "#8b7d6b",
    "brown": "#6f4e37",
    "chocolate": "#3f2a1e",
    "burgundy": "#800020",
    "red": "#c8102e",
    "coral": "#ff7f50",
    "rust": "#b7410e",
    "orange": "#f28c28",
    "mustard": "#e1ad01",
    "gold": "#d4af37",
    "yellow": "#f5d000",
    "olive": "#708238",
    "green": "#2e8b57",
    "mint": "#98e0b0",
    "teal": "#008080",
    "turquoise": "#40e0d0",
    "light-blue": "#9ecbe8",
    "denim": "#4f6d8f",
    "blue": "#1f5fbf",
    "navy": "#1f2a44",
    "lavender": "#b57edc",
    "purple": "#6a0dad",
    "pink": "#f4a6c1",
    "fuchsia": "#c2185b",
}

ALIASES: dict[str, str] = {
    "gray": "grey",
    "light-grey": "silver",
    "light-gray": "silver",
    "dark-grey": "charcoal",
    "dark-gray": "charcoal",
    "off-white": "ivory",
    "maroon": "burgundy",
    "wine": "burgundy",
    "navy-blue": "navy",
    "sky-blue": "light-blue",
    "baby-blue": "light-blue",
    "aqua": "turquoise",
    "violet": "purple",
    "lilac": "lavender",
    "magenta": "fuchsia",
    "rose": "pink",
    "sand": "beige",
    "nude": "beige",
}

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_hex(value: str) -> str:
    """A ``#rrggbb`` string in lower case, from ``#rgb``, ``rrggbb`` or ``#RRGGBB``."""
    match = _HEX.match(value.strip())
    if not match:
        raise InvalidValue.of("hex", f"{value!r} is not a hex colour like #1f2a44")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def canonical_name(value: str) -> str:
    key = "-".join(value.strip().casefold().replace("_", " ").split())
    key = ALIASES.get(key, key)
    if key not in PALETTE:
        raise InvalidValue.of(
            "name", f"unknown colour {value!r}; use one of: {', '.join(PALETTE)} or give a hex"
        )
    return key


@dataclass(frozen=True, slots=True)
class Color:
    """A named palette colour, with the exact shade the user saw (defaults to the palette's)."""

    name: str
    hex: str

    @classmethod
    def of(cls, name: str | None = None, hex: str | None = None) -> Color:
        if name is None and hex is None:
            raise InvalidValue.of("", "give a colour name, a hex value, or both")
        shade = parse_hex(hex) if hex is not None else None
        named = canonical_name(name) if name is not None else nearest_name(shade or "")
        return cls(named, shade or PALETTE[named])


def _srgb_to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


@cache
def hex_to_lab(hex_value: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB hex colour."""
    r, g, b = (_srgb_to_linear(int(hex_value[i : i + 2], 16) / 255) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def hex_to_lch(hex_value: str) -> tuple[float, float, float]:
    lightness, a, b = hex_to_lab(hex_value)
    return lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360


@cache
def nearest_name(hex_value: str) -> str:
    """The palette colour closest to ``hex_value`` (CIE76 distance in Lab)."""
    target = hex_to_lab(hex_value)
    return min(PALETTE, key=lambda name: math.dist(target, hex_to_lab(PALETTE[name])))


# Hue wheel starts just below red, so red → orange → yellow → green → blue → purple → pink.
_HUE_START = 15.0
_NEUTRAL_CHROMA = 10.0
_EARTH_CHROMA = 38.0


@cache
def color_sort_key(hex_value: str) -> int:
    """An integer that orders colours perceptually.

    Neutrals first (black → greys → white), then browns and beiges, then the hues around
    the LCh wheel from red to pink; within a hue family, light to dark.
    """
    lightness, chroma, hue = hex_to_lch(hex_value)
    if chroma < _NEUTRAL_CHROMA:
        return int(lightness * 100)  # 0 … 10_000: dark to light
    if chroma < _EARTH_CHROMA and 20 <= hue <= 100 and lightness < 95:
        return 100_000 + int((100 - lightness) * 100)  # light beige → dark brown
    family = int(((hue - _HUE_START) % 360) // 30)  # twelve hue families
    return 1_000_000 + family * 100_000 + int((100 - lightness) * 100)
