"""Column types that behave the same on Postgres and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

SCALE = 10_000  # money is stored exactly, in ten-thousandths

# A Python None is SQL NULL (not the JSON literal null), so "no value" looks the same everywhere.
JsonDoc = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def sortable_text(length: int) -> String:
    """Text that sorts by code point on both databases (Postgres collation "C")."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")  # type: ignore[return-value]


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python; timestamptz on Postgres, UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """None on asyncpg: it reads timestamptz as UTC-aware datetimes already, so the per-value
        call above would hand back each value as it is (a list page reads four per row)."""
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal with up to four places, stored as a scaled integer: never a float."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = value * SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError("more than four decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(int(value)).scaleb(-4)
