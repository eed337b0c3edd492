"""The profile: display name, settings, and what the closet holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from closet.application.accounts.common import AccountKit, audit, load_user, save_user
from closet.application.errors import StaleVersion, unless_versioned
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import ErrorCollector
from closet.domain.users import User, UserId, UserSettings, display_name


@dataclass(frozen=True, slots=True)
class Profile:
    user: User
    counts: dict[str, int]


class GetProfile:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, user_id: UserId) -> Profile:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            return Profile(user, await _counts(uow, user_id))


@dataclass(frozen=True, kw_only=True)
class ProfileChanges:
    """Fields left None keep their value; ``notifications`` merges into the current map."""

    display_name: str | None = None
    default_sort: str | None = None
    notifications: dict[str, bool] = field(default_factory=dict)
    appearance: str | None = None
    units: str | None = None
    currency: str | None = None
    hemisphere: str | None = None
    time_zone: str | None = None


class UpdateProfile:
    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(
        self, user_id: UserId, changes: ProfileChanges, expected_version: int | None
    ) -> Profile:
        return await unless_versioned(
            partial(self._update, user_id, changes, expected_version), expected_version
        )

    async def _update(
        self, user_id: UserId, changes: ProfileChanges, expected_version: int | None
    ) -> Profile:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            if expected_version is not None and expected_version != user.version:
                raise StaleVersion(expected_version, user.version)
            loaded = user.version
            name, settings = _apply(user, changes)
            if (name, settings) != (user.display_name, user.settings):
                user.change(display_name=name, settings=settings)
                await save_user(uow, user, loaded)
                queued = await audit(self.kit, uow, actor_id=user.id, action="account.profile_changed")
                await uow.commit()
                await self.kit.sync.publish(queued)
            return Profile(user, await _counts(uow, user_id))


def _apply(user: User, c: ProfileChanges) -> tuple[str, UserSettings]:
    s = user.settings
    errors = ErrorCollector()
    name = user.display_name
    if c.display_name is not None:
        name = errors.attempt("", lambda: display_name(c.display_name or "")) or name
    settings = errors.attempt(
        "settings",
        lambda: UserSettings.of(
            default_sort=c.default_sort or s.default_sort,
            notifications={**s.notification_map, **c.notifications},
            appearance=c.appearance or s.appearance.value,
            units=c.units or s.units.value,
            currency=c.currency or s.currency,
            hemisphere=c.hemisphere or s.hemisphere.value,
            time_zone=c.time_zone or s.time_zone,
        ),
    )
    errors.raise_if_any()
    assert settings is not None
    return name, settings


async def _counts(uow: UnitOfWork, user_id: UserId) -> dict[str, int]:
    return {"items": await uow.items.count(user_id), "outfits": await uow.outfits.count(user_id)}
