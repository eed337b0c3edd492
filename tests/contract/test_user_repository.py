"""The user repository contract on every adapter."""

from __future__ import annotations

import pytest

from closet.application.errors import Conflict
from closet.domain.users import Role
from tests.conftest import UowFactory
from tests.factories import make_user


async def test_add_get_and_find_by_email(uow_factory: UowFactory) -> None:
    user = make_user()
    user.roles = frozenset({Role.USER, Role.ADMIN})
    user.settings = {"units": "metric"}
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
