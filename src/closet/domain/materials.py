"""Fibre composition, e.g. 95% cotton / 5% elastane; the shares add up to 100."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial

from closet.domain.errors import ErrorCollector, InvalidValue

FIBRES = frozenset(
    [
        "acetate",
        "acrylic",
        "alpaca",
        "bamboo",
        "cashmere",
        "cotton",
        "cupro",
        "down",
        "elastane",
        "feather",
        "fur",
        "hemp",
        "leather",
        "linen",
        "lyocell",
        "merino",
        "modal",
        "mohair",
        "nylon",
        "polyester",
        "polyurethane",
        "rubber",
        "silk",
        "suede",
        "viscose",
        "wool",
        "other",
    ]
)
_ALIASES = {
    "spandex": "elastane",
    "lycra": "elastane",
    "polyamide": "nylon",
    "rayon": "viscose",
    "tencel": "lyocell",
    "flax": "linen",
    "pu": "polyurethane",
    "faux leather": "polyurethane",
    "organic cotton": "cotton",
    "merino wool": "merino",
}
MAX_FIBRES = 10


def canonical_fibre(value: str) -> str:
    key = " ".join(value.strip().casefold().split())
    key = _ALIASES.get(key, key)
    if key not in FIBRES:
        raise InvalidValue.of("fibre", f"unknown fibre {value!r}; use one of: {', '.join(sorted(FIBRES))}")
    return key


@dataclass(frozen=True, slots=True)
class MaterialShare:
    fibre: str
    percent: Decimal


def composition(shares: Iterable[tuple[str, Decimal | int | str]]) -> tuple[MaterialShare, ...]:
    """Validate a composition: known fibres, each share in (0, 100], no repeats, total 100."""
    errors = ErrorCollector()
    result: list[MaterialShare] = []
    for index, (fibre, percent) in enumerate(shares):
        name = errors.attempt(f"[{index}]", partial(canonical_fibre, fibre))
        value = errors.attempt(f"[{index}].percent", partial(_percent, percent))
        if name is not None and any(s.fibre == name for s in result):
            errors.add(f"[{index}].fibre", f"{name} is listed twice")
        elif name is not None and value is not None:
            result.append(MaterialShare(name, value))
    if len(result) > MAX_FIBRES:
        errors.add("", f"at most {MAX_FIBRES} fibres")
    errors.raise_if_any()
    if result and sum(s.percent for s in result) != 100:
        total = sum(s.percent for s in result)
        raise InvalidValue.of("", f"percentages must add up to 100 (they add up to {total})")
    return tuple(result)


def _percent(value: Decimal | int | str) -> Decimal:
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise InvalidValue.of("", f"{value!r} is not a number") from None
    if not number.is_finite() or not (0 < number <= 100):
        raise InvalidValue.of("", "must be more than 0 and at most 100")
    if number != number.quantize(Decimal("0.1")):
        raise InvalidValue.of("", "at most one decimal place")
    return Decimal(int(number)) if number == number.to_integral_value() else number.quantize(Decimal("0.1"))
