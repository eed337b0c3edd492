"""Share links: an outfit anyone with the link can see (its name, layers and image), nothing else."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from closet.application.errors import NotFound, retries_contention
from closet.application.outfits.common import OutfitRef, owned_items
from closet.application.outfits.crud import OutfitView
from closet.application.ports.clock import Clock
from closet.application.ports.outfits import ShareLink
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import InvalidValue
from closet.domain.users import UserId

TOKEN_BYTES = 24  # 192 random bits
MAX_DAYS = 365


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class CreateShareCommand:
    ref: OutfitRef
    expires_in_days: int | None = None  # None: until revoked


@dataclass(frozen=True, slots=True)
class NewShare:
    share: ShareLink
    token: str  # shown once: only its hash is kept


class CreateShare:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    @retries_contention
    async def __call__(self, cmd: CreateShareCommand) -> NewShare:
        days = cmd.expires_in_days
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise InvalidValue.of(
                "expires_in_days", f"must be between 1 and {MAX_DAYS} (or left out: no expiry)"
            )
        now = self.clock.now()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        share = ShareLink(
            id=uuid.uuid4(),
            token_hash=token_hash(token),
            outfit_id=cmd.ref.outfit_id,
            owner_id=cmd.ref.owner_id,
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        async with self.uow as uow:
            outfit = await uow.outfits.get(cmd.ref.owner_id, cmd.ref.outfit_id)
            if outfit is None or outfit.is_template:
                raise NotFound("outfit", cmd.ref.outfit_id)
            await uow.shares.add(share)
            await uow.commit()
        return NewShare(share, token)


class ListShares:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, ref: OutfitRef) -> list[ShareLink]:
        async with self.uow as uow:
            outfit = await uow.outfits.get(ref.owner_id, ref.outfit_id)
            if outfit is None or outfit.is_template:
                raise NotFound("outfit", ref.outfit_id)
            return await uow.shares.for_outfit(ref.owner_id, ref.outfit_id)


@dataclass(frozen=True, kw_only=True)
class RevokeShareCommand:
    ref: OutfitRef
    share_id: uuid.UUID


class RevokeShare:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    @retries_contention
    async def __call__(self, cmd: RevokeShareCommand) -> None:
        async with self.uow as uow:
            shares = await uow.shares.for_outfit(cmd.ref.owner_id, cmd.ref.outfit_id)
            if not any(s.id == cmd.share_id for s in shares):
                raise NotFound("share link", cmd.share_id)
            await uow.shares.revoke(cmd.ref.owner_id, cmd.share_id, self.clock.now())
            await uow.commit()


@dataclass(frozen=True, slots=True)
class SharedOutfit:
    """What a share shows: the outfit and its items, and the owner's display name only."""

    view: OutfitView
    owner_name: str
    ref: OutfitRef  # for its image


class OpenShare:
    """A link's outfit; an unknown, expired or revoked token reads as missing (404)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, token: str) -> SharedOutfit:
        if not token or len(token) > 100:
            raise NotFound("share link", "")
        async with self.uow as uow:
            share = await uow.shares.by_token_hash(token_hash(token))
            if share is None or not share.usable(self.clock.now()):
                raise NotFound("share link", "")
            outfit = await uow.outfits.get(share.owner_id, share.outfit_id)
            owner = await uow.users.get(share.owner_id)
            if outfit is None or owner is None or owner.disabled:
                raise NotFound("share link", "")
            items = await owned_items(uow, share.owner_id, outfit.details.item_ids)
        ref = OutfitRef(owner_id=UserId(share.owner_id), outfit_id=outfit.id)
        return SharedOutfit(OutfitView(outfit, items), owner.display_name, ref)
