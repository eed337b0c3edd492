"""The logged-in user: profile and settings, password, sessions, two-factor."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import UNSET

from closet.application.accounts import (
    ChangePassword,
    ConfirmTotp,
    DisableTotp,
    GetProfile,
    ListSessions,
    LogOut,
    Profile,
    ProfileChanges,
    RenewRecoveryCodes,
    ResendVerification,
    StartTotp,
    UpdateProfile,
)
from closet.application.accounts.passwords import PasswordChange
from closet.domain.sessions import SessionId
from closet.domain.users import User
from closet.entrypoints.http.auth import session_of
from closet.entrypoints.http.controllers.accounts import user_read
from closet.entrypoints.http.controllers.items import parse_id
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.accounts import (
    Accepted,
    CodeIn,
    MePatch,
    MeRead,
    PasswordChangeIn,
    RecoveryCodesRead,
    SessionRead,
    SettingsPatch,
    SettingsRead,
    TotpDisableIn,
    TotpEnrolmentRead,
)

Me = Request[User, Any, Any]


def me_read(profile: Profile) -> MeRead:
    base, s = user_read(profile.user), profile.user.settings
    settings = SettingsRead(
        default_sort=s.default_sort,
        notifications=s.notification_map,
        appearance=s.appearance.value,
        units=s.units.value,
        currency=s.currency,
        hemisphere=s.hemisphere.value,
        time_zone=s.time_zone,
    )
    return MeRead(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        settings=settings,
        two_factor=profile.user.totp_enabled,
        counts=profile.counts,
        version=profile.user.version,
    )


def _given(value: Any) -> Any:
    return None if value is UNSET else value


def profile_changes(data: MePatch) -> ProfileChanges:
    settings = data.settings if data.settings is not UNSET else SettingsPatch()
    return ProfileChanges(
        display_name=_given(data.display_name),
        default_sort=_given(settings.default_sort),
        notifications=_given(settings.notifications) or {},
        appearance=_given(settings.appearance),
        units=_given(settings.units),
        currency=_given(settings.currency),
        hemisphere=_given(settings.hemisphere),
        time_zone=_given(settings.time_zone),
    )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get("/", operation_id="Me", summary="Profile, settings and counts", responses=problem_responses(401))
    async def me(self, request: Me, get_profile: NamedDependency[GetProfile]) -> MeRead:
        return me_read(await get_profile(request.user.id))

    @patch("/", operation_id="UpdateMe", responses=problem_responses(400, 401, 412, 422))
    async def update_me(
        self, request: Me, data: JSONBody[MePatch], update_profile: NamedDependency[UpdateProfile]
    ) -> MeRead:
        profile = await update_profile(request.user.id, profile_changes(data), _given(data.version))
        return me_read(profile)

    @post(
        "/password",
        operation_id="ChangePassword",
        status_code=204,
        responses=problem_responses(400, 401, 422),
    )
    async def change_password(
        self, request: Me, data: JSONBody[PasswordChangeIn], change_password: NamedDependency[ChangePassword]
    ) -> None:
        await change_password(
            PasswordChange(
                user_id=request.user.id,
                session_id=session_of(request),
                current_password=data.current_password,
                new_password=data.new_password,
            )
        )

    @post(
        "/verify-email", operation_id="ResendVerification", status_code=202, responses=problem_responses(401)
    )
    async def resend_verification(
        self, request: Me, resend_verification: NamedDependency[ResendVerification]
    ) -> Accepted:
        await resend_verification(request.user.id)
        return Accepted("if the address is not verified yet, a new link is on its way")

    @get("/sessions", operation_id="ListSessions", responses=problem_responses(401))
    async def sessions(self, request: Me, list_sessions: NamedDependency[ListSessions]) -> list[SessionRead]:
        current = session_of(request)
        return [
            SessionRead(
                id=s.id,
                device=s.device,
                created_at=s.created_at,
                last_used_at=s.last_used_at,
                current=s.id == current,
            )
            for s in await list_sessions(request.user.id)
        ]

    @delete(
        "/sessions/{session_id:str}", operation_id="RevokeSession", responses=problem_responses(401, 404, 422)
    )
    async def revoke_session(
        self, request: Me, session_id: FromPath[str], log_out: NamedDependency[LogOut]
    ) -> None:
        await log_out.one(
            request.user.id, SessionId(parse_id(session_id, "session_id")), "revoked by the user"
        )

    @post("/2fa/totp", operation_id="StartTotp", responses=problem_responses(401, 409))
    async def start_totp(self, request: Me, start_totp: NamedDependency[StartTotp]) -> TotpEnrolmentRead:
        enrolment = await start_totp(request.user.id)
        return TotpEnrolmentRead(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)

    @post(
        "/2fa/totp/confirm",
        operation_id="ConfirmTotp",
        status_code=200,
        responses=problem_responses(400, 401, 409, 422),
    )
    async def confirm_totp(
        self, request: Me, data: JSONBody[CodeIn], confirm_totp: NamedDependency[ConfirmTotp]
    ) -> RecoveryCodesRead:
        return RecoveryCodesRead(await confirm_totp(request.user.id, data.code))

    @post(
        "/2fa/totp/disable",
        operation_id="DisableTotp",
        status_code=204,
        responses=problem_responses(400, 401, 409, 422),
    )
    async def disable_totp(
        self, request: Me, data: JSONBody[TotpDisableIn], disable_totp: NamedDependency[DisableTotp]
    ) -> None:
        await disable_totp(request.user.id, data.password, data.code, data.recovery_code)

    @post(
        "/2fa/recovery-codes",
        operation_id="RenewRecoveryCodes",
        status_code=200,
        responses=problem_responses(400, 401, 409, 422),
    )
    async def renew_codes(
        self, request: Me, data: JSONBody[CodeIn], renew_recovery_codes: NamedDependency[RenewRecoveryCodes]
    ) -> RecoveryCodesRead:
        return RecoveryCodesRead(await renew_recovery_codes(request.user.id, data.code))
