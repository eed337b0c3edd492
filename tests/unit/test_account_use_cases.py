"""Accounts on the memory adapters: log-in, lock-out, two-factor, sessions, passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.mail import MemoryMailer
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.adapters.security.passwords import Argon2PasswordHasher
from closet.application.accounts import (
    ChangePassword,
    ConfirmTotp,
    Credentials,
    CurrentUser,
    DisableTotp,
    ListSessions,
    LogIn,
    LogOut,
    Refresh,
    RegisterCommand,
    RegisterUser,
    RequestPasswordReset,
    ResetPassword,
    StartTotp,
    VerifyEmail,
)
from closet.application.accounts import profile as profile_module
from closet.application.accounts.common import AccountKit
from closet.application.accounts.passwords import PasswordChange
from closet.application.accounts.profile import ProfileChanges, UpdateProfile
from closet.application.background import Background
from closet.application.documents import DocumentSync
from closet.application.errors import AuthenticationFailed, SecondFactorRequired, StaleVersion
from closet.application.notify import Links, Notifier
from closet.domain.errors import InvalidValue
from closet.domain.totp import STEP_SECONDS, code_at, step_at
from closet.domain.users import LONGEST_LOCK, User
from tests.unit.test_concurrent_writes import both_after

PASSWORD = "correct horse battery"


@dataclass
class World:
    store: MemoryStore
    clock: FixedClock
    mailer: MemoryMailer
    notifier: Notifier
    kit: AccountKit
    docs: MemoryDocuments

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def register(self, email: str = "ann@example.com") -> User:
        await RegisterUser(self.uow(), self.kit)(
            RegisterCommand(email=email, password=PASSWORD, display_name="Ann")
        )
        user = next((u for u in self.store.users.values() if u.email == email.casefold()), None)
        assert user is not None
        return user

    async def login(self, **creds: str):  # type: ignore[no-untyped-def]
        values = {"email": "ann@example.com", "password": PASSWORD, **creds}
        return await LogIn(self.uow(), self.kit)(Credentials(**values))

    async def mailed_token(self) -> str:
        await self.kit.background.flush()
        match = re.search(r"token=([\w-]+)", self.mailer.sent[-1].text)
        assert match
        return match.group(1)

    async def audit(self) -> list[tuple[str, str]]:
        await self.kit.sync.flush()  # audit entries are written behind the response
        entries = sorted(self.docs.audit.values(), key=lambda e: e.at)
        return [(e.action, e.outcome) for e in entries]


@pytest.fixture
def world() -> World:
    store, docs, clock, mailer = MemoryStore(), MemoryDocuments(), FixedClock(), MemoryMailer()
    sync = DocumentSync(
        lambda: MemoryUnitOfWork(store), MemoryDocumentStore(docs), MemoryAuditStore(docs), clock
    )
    background = Background()
    notifier = Notifier(mailer, Links("https://closet.test"), background)
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost_kib=64)
    kit = AccountKit(hasher=hasher, clock=clock, sync=sync, notifier=notifier, background=background)
    return World(store, clock, mailer, notifier, kit, docs)


async def test_register_mails_a_verification_link_that_works_once(world: World) -> None:
    user = await world.register()
    token = await world.mailed_token()
    assert world.mailer.sent[-1].to == "ann@example.com"
    await VerifyEmail(world.uow(), world.kit)(token)
    assert world.store.users[user.id].verified
    with pytest.raises(InvalidValue):
        await VerifyEmail(world.uow(), world.kit)(token)
    await RegisterUser(world.uow(), world.kit)(
        RegisterCommand(email="ANN@example.com", password="another passphrase", display_name="Eve")
    )  # taken: no error, no second account, a note to the owner
    await world.kit.background.flush()
    assert len(world.store.users) == 1 and world.mailer.sent[-1].subject.startswith("Someone tried")


async def test_lock_out_grows_then_ends_by_itself_and_success_resets_it(world: World) -> None:
    user = await world.register()
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            await world.login(password="wrong password!")
    locked = world.store.users[user.id]
    assert locked.locked(world.clock.now())
    with pytest.raises(AuthenticationFailed):
        await world.login()  # the right password, but locked: the same answer
    world.clock.advance(LONGEST_LOCK)
    opened = await world.login()
    assert opened.user.failed_logins == 0 and opened.user.locked_until is None
    for _ in range(30):  # never longer than the cap
        with pytest.raises(AuthenticationFailed):
            await world.login(password="wrong password!")
    until = world.store.users[user.id].locked_until
    assert until is not None and until - world.clock.now() <= LONGEST_LOCK
    audit = await world.audit()
    assert ("auth.login", "failure") in audit and ("auth.login", "success") in audit


async def test_refresh_rotates_and_a_replayed_token_revokes_the_session(world: World) -> None:
    await world.register()
    opened = await world.login(device="phone")
    refresh = Refresh(world.uow(), world.kit)
    second = await refresh(opened.refresh_token)
    assert second.session_id == opened.session_id and second.refresh_token != opened.refresh_token
    with pytest.raises(AuthenticationFailed):
        await refresh(opened.refresh_token)  # replayed: someone else had it
    with pytest.raises(AuthenticationFailed):
        await refresh(second.refresh_token)  # the whole family is gone
    assert await CurrentUser(world.uow())(opened.user.id, opened.session_id) is None
    assert ("auth.refresh_reuse", "failure") in await world.audit()


async def test_logout_and_password_change_end_sessions(world: World) -> None:
    await world.register()
    phone, laptop, tablet = [await world.login(device=d) for d in ("phone", "laptop", "tablet")]
    user_id = phone.user.id
    await LogOut(world.uow(), world.kit).one(user_id, phone.session_id)
    with pytest.raises(AuthenticationFailed):
        await Refresh(world.uow(), world.kit)(phone.refresh_token)
    await ChangePassword(world.uow(), world.kit)(
        PasswordChange(user_id=user_id, session_id=laptop.session_id, current_password=PASSWORD,
                       new_password="a brand new passphrase")
    )  # fmt: skip
    sessions = await ListSessions(world.uow())(user_id)
    assert [s.device for s in sessions] == ["laptop"]  # the others were signed out
    assert await CurrentUser(world.uow())(user_id, tablet.session_id) is None
    with pytest.raises(InvalidValue):
        await ChangePassword(world.uow(), world.kit)(
            PasswordChange(user_id=user_id, session_id=laptop.session_id, current_password="not it at all",
                           new_password="another passphrase")
        )  # fmt: skip


async def test_reset_tokens_are_single_use_expire_and_never_reveal_accounts(world: World) -> None:
    await world.register()
    reset = RequestPasswordReset(world.uow(), world.kit)
    await reset("nobody@example.com")
    await reset("not an email")
    await world.kit.background.flush()
    await world.kit.background.flush()
    assert len(world.mailer.sent) == 1  # only the verification mail: nothing for unknown addresses
    await reset("ann@example.com")
    token = await world.mailed_token()
    opened = await world.login()
    await ResetPassword(world.uow(), world.kit)(token, "the new passphrase")
    assert await CurrentUser(world.uow())(opened.user.id, opened.session_id) is None
    with pytest.raises(InvalidValue):
        await ResetPassword(world.uow(), world.kit)(token, "again a passphrase")
    await world.login(password="the new passphrase")
    await reset("ann@example.com")
    late = await world.mailed_token()
    world.clock.advance(timedelta(minutes=31))
    with pytest.raises(InvalidValue):
        await ResetPassword(world.uow(), world.kit)(late, "too late passphrase")


async def test_totp_with_clock_skew_replays_and_recovery_codes(world: World) -> None:
    user = await world.register()
    enrolment = await StartTotp(world.uow(), world.kit)(user.id)
    secret = enrolment.secret
    assert enrolment.otpauth_uri.startswith("otpauth://totp/closet:ann%40example.com?secret=")
    now_step = step_at(world.clock.now())
    codes = await ConfirmTotp(world.uow(), world.kit)(user.id, code_at(secret, now_step))
    assert len(codes) == 10
    with pytest.raises(SecondFactorRequired):
        await world.login()
    world.clock.advance(timedelta(seconds=2 * STEP_SECONDS))  # (the confirming code is spent)
    behind = code_at(secret, step_at(world.clock.now()) - 1)  # the phone is one step slow
    await world.login(otp=behind)
    with pytest.raises(AuthenticationFailed):
        await world.login(otp=behind)  # the same code twice: refused
    ahead = code_at(secret, step_at(world.clock.now()) + 1)
    await world.login(otp=ahead)  # one step fast: fine
    too_far = code_at(secret, step_at(world.clock.now()) + 3)
    with pytest.raises(AuthenticationFailed):
        await world.login(otp=too_far)
    await world.login(recovery_code=codes[0].upper())
    with pytest.raises(AuthenticationFailed):
        await world.login(recovery_code=codes[0])  # single use
    await DisableTotp(world.uow(), world.kit)(user.id, PASSWORD, None, codes[1])
    await world.login()
    actions = [a for a, _ in await world.audit()]
    assert {"2fa.enabled", "2fa.recovery_code_used", "2fa.disabled"} <= set(actions)


@pytest.mark.parametrize("versioned", [False, True])
async def test_two_profile_changes_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch, versioned: bool
) -> None:
    """Both load the user, then the first saves: without a version the second is applied on top of
    it (a retry), with one it answers 412 and changes nothing."""
    user = await world.register()
    version = user.version if versioned else None
    change, again = (UpdateProfile(world.uow(), world.kit) for _ in range(2))
    first, second = await both_after(
        monkeypatch,
        profile_module,
        "load_user",
        change(user.id, ProfileChanges(display_name="First"), version),
        again(user.id, ProfileChanges(display_name="Second"), version),
    )
    assert not isinstance(first, Exception)
    stored = world.store.users[user.id]
    if versioned:
        assert isinstance(second, StaleVersion) and stored.display_name == "First"
    else:
        assert not isinstance(second, Exception) and stored.display_name == "Second"
