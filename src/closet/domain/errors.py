"""Domain errors: every rule violation names the field it is about."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base class of every error raised by the domain."""


class InvalidValue(DomainError):
    """One or more values broke a rule; each error names its field."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def of(cls, field: str, message: str) -> InvalidValue:
        return cls([FieldError(field, message)])

    def under(self, prefix: str) -> InvalidValue:
        """The same errors with their field names placed under ``prefix``."""
        return InvalidValue(FieldError(_join(prefix, e.field), e.message) for e in self.errors)


def _join(prefix: str, field: str) -> str:
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


class ErrorCollector:
    """Runs several validations and reports all their errors together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def attempt(self, field: str, build: Callable[[], T]) -> T | None:
        try:
            return build()
        except InvalidValue as exc:
            self.errors.extend(exc.under(field).errors)
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidValue(self.errors)


def bounded_text(value: str, *, field: str, max_len: int, required: bool = False) -> str | None:
    """Trim ``value``; empty becomes None (or an error if required); enforce a length cap."""
    text = " ".join(value.split())
    if not text:
        if required:
            raise InvalidValue.of(field, "must not be empty")
        return None
    if len(text) > max_len:
        raise InvalidValue.of(field, f"must be at most {max_len} characters")
    return text


def enum_value(kind: type[E], value: str, field_name: str) -> E:
    """A member of ``kind`` from its value, case-insensitively; the error lists the choices."""
    try:
        return kind(value.strip().casefold())
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise InvalidValue.of(field_name, f"{value!r} is not one of: {choices}") from None
