"""The user repository contract on every adapter."""

from __future__ import annotations

import uuid

import pytest

from closet.application.errors import Conflict, StaleVersion
from closet.domain.users import Role, UserSettings
from tests.conftest import UowFactory
from tests.factories import make_user


async def test_add_get_and_find_by_email(uow_factory: UowFactory) -> None:
    user = make_user()
    user.roles = frozenset({Role.USER, Role.ADMIN})
    user.settings = UserSettings.of(
        default_sort="-last_worn_at",
        notifications={"security": False, "product_news": True},
        appearance="dark",
        units="imperial",
        currency="gbp",
        hemisphere="south",
        time_zone="australia/perth",
    )
    assert user.settings.time_zone == "Australia/Perth"
    user.totp_secret, user.totp_enabled, user.totp_last_step = "ABCDEFGH", True, 12345
    user.recovery_codes = ("hash1", "hash2")
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get(user.id) == user
        assert await uow.users.get_by_email(user.email) == user
        assert await uow.users.get_by_email("nobody@example.com") is None


async def test_email_is_unique(uow_factory: UowFactory) -> None:
    first = make_user()
    async with uow_factory() as uow:
        await uow.users.add(first)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.users.add(make_user(email=first.email))


async def test_rollback_discards_a_new_user(uow_factory: UowFactory) -> None:
    user = make_user()
    async with uow_factory() as uow:
        await uow.users.add(user)
    async with uow_factory() as uow:
        assert await uow.users.get(user.id) is None


async def test_update_checks_the_version_and_page_orders_by_email(uow_factory: UowFactory) -> None:
    users = [make_user(email=f"{name}-{uuid.uuid4().hex[:6]}@example.com") for name in ("b", "a", "c")]
    async with uow_factory() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()
    target = users[0]
    target.change(display_name="Bee", failed_logins=3)
    async with uow_factory() as uow:
        await uow.users.update(target, expected_version=1)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get(target.id) == target
        with pytest.raises(StaleVersion):
            await uow.users.update(target, expected_version=1)
        everyone = await uow.users.page(None, 10_000)
    emails = [u.email for u in everyone]
    assert emails == sorted(emails)
    mine = sorted(u.email for u in users)
    async with uow_factory() as uow:
        after_first = await uow.users.page(mine[0], 1)
    assert after_first[0].email > mine[0]
