from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

Email = Annotated[str, Meta(max_length=320, examples=["ann@example.com"])]
Password = Annotated[str, Meta(max_length=1024)]


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    password: Password
    display_name: Annotated[str, Meta(max_length=200, examples=["Ann"])]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    password: Password


class TokenForm(msgspec.Struct, kw_only=True):
    """OAuth2 password grant (form-encoded), what Swagger's Authorize button sends."""

    username: Email
    password: Password
    grant_type: str | None = None
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class TokenRead(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int


class UserRead(msgspec.Struct):
    id: uuid.UUID
    email: str
    display_name: str
    roles: list[str]
    verified: bool
    created_at: datetime


class MeRead(UserRead):
    item_count: int
