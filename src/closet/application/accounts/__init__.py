"""Use cases of accounts: registration, sessions, passwords, two-factor, profile, admin."""

from closet.application.accounts.admin import GrantAdmin, ListUsers, SetDisabled, SetRoles, UserAudit
from closet.application.accounts.passwords import (
    ChangePassword,
    RequestPasswordReset,
    ResendVerification,
    ResetPassword,
    VerifyEmail,
)
from closet.application.accounts.profile import GetProfile, Profile, ProfileChanges, UpdateProfile
from closet.application.accounts.registration import RegisterCommand, RegisterUser
from closet.application.accounts.sessions import (
    Credentials,
    CurrentUser,
    ListSessions,
    LogIn,
    LogOut,
    NewSession,
    Refresh,
)
from closet.application.accounts.two_factor import ConfirmTotp, DisableTotp, RenewRecoveryCodes, StartTotp

__all__ = [
    "ChangePassword",
    "ConfirmTotp",
    "Credentials",
    "CurrentUser",
    "DisableTotp",
    "GetProfile",
    "GrantAdmin",
    "ListSessions",
    "ListUsers",
    "LogIn",
    "LogOut",
    "NewSession",
    "Profile",
    "ProfileChanges",
    "Refresh",
    "RegisterCommand",
    "RegisterUser",
    "RenewRecoveryCodes",
    "RequestPasswordReset",
    "ResendVerification",
    "ResetPassword",
    "SetDisabled",
    "SetRoles",
    "StartTotp",
    "UpdateProfile",
    "UserAudit",
    "VerifyEmail",
]
