"""Sessions, refresh tokens and single-use account tokens on every adapter."""

from __future__ import annotations

from datetime import timedelta

from closet.domain.sessions import AccountToken, RefreshToken, Session, TokenPurpose
from closet.domain.users import User
from tests.conftest import UowFactory
from tests.factories import NOW, make_user


async def _user(uow_factory: UowFactory) -> User:
    user = make_user()
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def test_sessions_tokens_and_revocation(uow_factory: UowFactory) -> None:
    user = await _user(uow_factory)
    first = Session.start(user.id, "phone  app", NOW)
    second = Session.start(user.id, None, NOW + timedelta(minutes=1))
    token = RefreshToken("a" * 64, first.id, NOW, NOW + timedelta(days=30))
    async with uow_factory() as uow:
        await uow.sessions.add(first)
        await uow.sessions.add(second)
        await uow.sessions.add_token(token)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.sessions.get(first.id) == first
        assert (first.device, second.device) == ("phone app", "unknown device")
        assert [s.id for s in await uow.sessions.active_of(user.id)] == [second.id, first.id]
        assert await uow.sessions.token("a" * 64) == token
        assert await uow.sessions.use_token("a" * 64, NOW) is True
        assert await uow.sessions.use_token("a" * 64, NOW) is False  # only once
        assert await uow.sessions.token("b" * 64) is None
        await uow.commit()
    async with uow_factory() as uow:
        used = await uow.sessions.token("a" * 64)
        assert used is not None and used.used_at == NOW
        assert await uow.sessions.revoke_all(user.id, "test", NOW, keep=second.id) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert [s.id for s in await uow.sessions.active_of(user.id)] == [second.id]
        revoked = await uow.sessions.get(first.id)
        assert revoked is not None and (revoked.revoked_at, revoked.revoked_reason) == (NOW, "test")


async def test_account_tokens_are_single_use_and_voidable(uow_factory: UowFactory) -> None:
    user = await _user(uow_factory)
    reset = AccountToken("r" * 64, user.id, TokenPurpose.RESET_PASSWORD, NOW, NOW + timedelta(minutes=30))
    older = AccountToken("o" * 64, user.id, TokenPurpose.RESET_PASSWORD, NOW, NOW + timedelta(minutes=30))
    async with uow_factory() as uow:
        await uow.account_tokens.add(older)
        await uow.account_tokens.add(reset)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.account_tokens.get("r" * 64, TokenPurpose.VERIFY_EMAIL) is None
        assert await uow.account_tokens.get("r" * 64, TokenPurpose.RESET_PASSWORD) == reset
        assert await uow.account_tokens.use("r" * 64, NOW) is True
        assert await uow.account_tokens.use("r" * 64, NOW) is False
        await uow.account_tokens.void(user.id, TokenPurpose.RESET_PASSWORD, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        voided = await uow.account_tokens.get("o" * 64, TokenPurpose.RESET_PASSWORD)
        assert voided is not None and not voided.usable(NOW)


async def test_the_signed_in_user_needs_a_live_session_of_their_own(uow_factory: UowFactory) -> None:
    ann, bob = await _user(uow_factory), await _user(uow_factory)
    mine, theirs = Session.start(ann.id, "a", NOW), Session.start(bob.id, "b", NOW)
    async with uow_factory() as uow:
        await uow.sessions.add(mine)
        await uow.sessions.add(theirs)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get_signed_in(ann.id, mine.id) == ann
        assert await uow.users.get_signed_in(ann.id, theirs.id) is None  # someone else's session
        mine.revoke("test", NOW)
        await uow.sessions.save(mine)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get_signed_in(ann.id, mine.id) is None
