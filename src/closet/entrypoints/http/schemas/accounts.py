from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

Email = Annotated[str, Meta(max_length=320, examples=["ann@example.com"])]
Password = Annotated[str, Meta(max_length=1024)]
Code = Annotated[str, Meta(max_length=32, examples=["123456"])]
Secret = Annotated[str, Meta(max_length=256)]


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    password: Password
    display_name: Annotated[str, Meta(max_length=200, examples=["Ann"])]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    password: Password
    otp: Code | None = None
    recovery_code: Code | None = None
    device: Annotated[str, Meta(max_length=200)] | None = None


class TokenForm(msgspec.Struct, kw_only=True):
    """OAuth2 password grant (form-encoded), what Swagger's Authorize button sends; ``otp``
    carries the second factor when the account has one."""

    username: Email
    password: Password
    otp: Code | None = None
    grant_type: str | None = None
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    refresh_token: Secret


class TokenRead(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class ForgotIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email


class ResetIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    token: Secret
    new_password: Password


class TokenIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    token: Secret


class Accepted(msgspec.Struct):
    status: str


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    current_password: Password
    new_password: Password


class SettingsRead(msgspec.Struct):
    default_sort: str
    notifications: dict[str, bool]
    appearance: str
    units: str
    currency: str
    hemisphere: str
    time_zone: str


class SettingsPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    default_sort: Annotated[str, Meta(max_length=40)] | UnsetType = UNSET
    notifications: (
        Annotated[dict[Annotated[str, Meta(max_length=40)], bool], Meta(max_length=20)] | UnsetType
    ) = UNSET
    appearance: Annotated[str, Meta(max_length=20)] | UnsetType = UNSET
    units: Annotated[str, Meta(max_length=20)] | UnsetType = UNSET
    currency: Annotated[str, Meta(max_length=3)] | UnsetType = UNSET
    hemisphere: Annotated[str, Meta(max_length=10)] | UnsetType = UNSET
    time_zone: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=64,
                description="An IANA time zone name (e.g. Europe/Paris): where a wear's default day is today",
            ),
        ]
        | UnsetType
    ) = UNSET


class MePatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    version: int | UnsetType = UNSET
    display_name: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    settings: SettingsPatch | UnsetType = UNSET


class UserRead(msgspec.Struct):
    id: uuid.UUID
    email: str
    display_name: str
    roles: list[str]
    verified: bool
    created_at: datetime


class MeRead(UserRead):
    settings: SettingsRead
    two_factor: bool
    counts: dict[str, int]
    version: int


class SessionRead(msgspec.Struct):
    id: uuid.UUID
    device: str
    created_at: datetime
    last_used_at: datetime
    current: bool


class TotpEnrolmentRead(msgspec.Struct):
    secret: str
    otpauth_uri: str


class RecoveryCodesRead(msgspec.Struct):
    recovery_codes: list[str]


class CodeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Code


class TotpDisableIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    password: Password
    code: Code | None = None
    recovery_code: Code | None = None


class AdminUserRead(UserRead):
    disabled: bool
    two_factor: bool
    locked_until: datetime | None


class AdminUserList(msgspec.Struct):
    users: list[AdminUserRead]
    next_cursor: str | None


class RolesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    roles: Annotated[list[Annotated[str, Meta(max_length=20)]], Meta(max_length=10)]


class AuditRead(msgspec.Struct):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str
    request_id: str | None
    details: dict[str, object] | None
