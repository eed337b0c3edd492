"""Users: identity, normalised email, roles, preferences, and the rules that protect them."""

from __future__ import annotations

import functools
import re
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NewType

from closet.domain.errors import ErrorCollector, InvalidValue, bounded_text, enum_value
from closet.domain.money import CURRENCIES

UserId = NewType("UserId", uuid.UUID)

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 80
PASSWORD_MIN = 12
PASSWORD_MAX = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Progressive lock-out: the FREE_ATTEMPTS-th failure in a row locks the account for FIRST_LOCK,
# and each further failure for twice as long as the last, capped at LONGEST_LOCK: an attacker
# can slow a victim down but never lock them out for long; a lock ends by itself and a success
# resets the count.
FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class Appearance(StrEnum):
    LIGHT = "light"
    DARK = "dark"
    SYSTEM = "system"


class Units(StrEnum):
    METRIC = "metric"
    IMPERIAL = "imperial"


class Hemisphere(StrEnum):
    NORTH = "north"
    SOUTH = "south"


DEFAULT_TIME_ZONE = "UTC"
# The date line's far side: UTC+14 (Kiribati's Line Islands) is the first to reach any calendar day.
EARLIEST_OFFSET = timedelta(hours=14)


def canonical_time_zone(value: str) -> str:
    """An IANA time zone name ("Europe/Paris"), in its canonical spelling whatever the case given."""
    name = _zones().get(value.strip().casefold())
    if name is None:
        raise InvalidValue.of(
            "time_zone", f"{value[:64]!r} is not an IANA time zone name (e.g. Europe/Paris)"
        )
    return name


@functools.cache
def _zones() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def local_date(now: datetime, zone: str) -> date:
    """The calendar day it is at ``now`` (timezone-aware) in ``zone``; in UTC if the zone database
    no longer knows ``zone`` (a setting saved under an older one), rather than failing every read."""
    try:
        where = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        where = zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)
    return now.astimezone(where).date()


def latest_date(now: datetime) -> date:
    """The newest calendar day anywhere on Earth at ``now``: a day after it has not begun anywhere,
    so it is in the future for everyone; any day up to it may already be someone's today."""
    return (now.astimezone(zoneinfo.ZoneInfo("UTC")) + EARLIEST_OFFSET).date()


NOTIFICATION_KINDS = ("security", "wear_reminders", "outfit_suggestions", "product_news")
SORTS = frozenset(
    f"{sign}{name}"
    for sign in ("", "-")
    for name in (
        [
            "created_at",
            "updated_at",
            "name",
            "brand",
            "purchase_date",
            "price",
            "wear_count",
            "last_worn_at",
            "color",
        ]
    )
)


@dataclass(frozen=True, kw_only=True)
class UserSettings:
    default_sort: str = "-created_at"
    notifications: tuple[tuple[str, bool], ...] = tuple((k, k == "security") for k in NOTIFICATION_KINDS)
    appearance: Appearance = Appearance.SYSTEM
    units: Units = Units.METRIC
    currency: str = "EUR"
    hemisphere: Hemisphere = Hemisphere.NORTH
    time_zone: str = DEFAULT_TIME_ZONE  # where "today" is: the default day of a wear

    @property
    def notification_map(self) -> dict[str, bool]:
        return dict(self.notifications)

    @classmethod
    def of(
        cls,
        *,
        default_sort: str,
        notifications: dict[str, bool],
        appearance: str,
        units: str,
        currency: str,
        hemisphere: str,
        time_zone: str = DEFAULT_TIME_ZONE,
    ) -> UserSettings:
        errors = ErrorCollector()
        if default_sort not in SORTS:
            errors.add("default_sort", f"{default_sort!r} is not a sort of the item list")
        unknown = sorted(set(notifications) - set(NOTIFICATION_KINDS))
        if unknown:
            errors.add("notifications", f"unknown kinds {unknown}; use {', '.join(NOTIFICATION_KINDS)}")
        look = errors.attempt("appearance", lambda: enum_value(Appearance, appearance, ""))
        measure = errors.attempt("units", lambda: enum_value(Units, units, ""))
        half = errors.attempt("hemisphere", lambda: enum_value(Hemisphere, hemisphere, ""))
        zone = errors.attempt("", lambda: canonical_time_zone(time_zone))
        if currency.upper() not in CURRENCIES:
            errors.add("currency", f"{currency!r} is not an ISO 4217 currency code")
        errors.raise_if_any()
        assert look is not None and measure is not None and half is not None and zone is not None
        return cls(
            default_sort=default_sort,
            notifications=tuple((k, bool(notifications.get(k, v))) for k, v in cls().notifications),
            appearance=look,
            units=measure,
            currency=currency.upper(),
            hemisphere=half,
            time_zone=zone,
        )


def normalise_email(value: str) -> str:
    """Trimmed and case-folded; the domain part is IDNA-encoded so lookalikes collide."""
    email = value.strip()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise InvalidValue.of("email", "is not a valid email address")
    local, _, domain = email.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidValue.of("email", "has an invalid domain") from None
    return f"{local.casefold()}@{domain.casefold()}"


def check_password(password: str, field_name: str = "password") -> str:
    if len(password) < PASSWORD_MIN:
        raise InvalidValue.of(field_name, f"must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InvalidValue.of(field_name, f"must be at most {PASSWORD_MAX} characters")
    if not password.strip():
        raise InvalidValue.of(field_name, "must not be only whitespace")
    return password


def display_name(value: str) -> str:
    name = bounded_text(value, field="display_name", max_len=DISPLAY_NAME_MAX, required=True)
    assert name is not None
    return name


@dataclass(slots=True)
class User:
    id: UserId
    email: str
    display_name: str
    password_hash: str
    created_at: datetime
    roles: frozenset[Role] = frozenset({Role.USER})
    verified: bool = False
    disabled: bool = False
    settings: UserSettings = field(default_factory=UserSettings)
    totp_secret: str | None = None
    totp_enabled: bool = False
    totp_last_step: int | None = None
    recovery_codes: tuple[str, ...] = ()  # hashes
    failed_logins: int = 0
    locked_until: datetime | None = None
    version: int = 1

    @classmethod
    def register(cls, email: str, name: str, password_hash: str, now: datetime) -> User:
        return cls(UserId(uuid.uuid4()), normalise_email(email), display_name(name), password_hash, now)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    # Security bookkeeping (failed log-ins, used second factors) is saved, but it is not an edit
    # of the account: it leaves ``version`` alone, so a client's next PATCH /me is not refused.

    @property
    def security_state(self) -> tuple[object, ...]:
        return self.failed_logins, self.locked_until, self.totp_last_step, self.recovery_codes

    def login_failed(self, now: datetime) -> None:
        self.failed_logins += 1
        over = self.failed_logins - FREE_ATTEMPTS
        if over >= 0:
            self.locked_until = now + min(LONGEST_LOCK, FIRST_LOCK * 2 ** min(over, 16))

    def login_succeeded(self) -> None:
        self.failed_logins, self.locked_until = 0, None

    def change(self, **fields: object) -> None:
        """Apply attribute changes and bump the version (for the few fields users edit)."""
        for name, value in fields.items():
            setattr(self, name, value)
        self.version += 1
