"""Account emails, sent off the request path so that timing never tells who is registered."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from closet.application.background import Background
from closet.application.ports.mail import Email, Mailer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Links:
    """Where the pages that take a mailed token live (the web app, later)."""

    base_url: str

    def reset_password(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/reset-password?token={token}"

    def verify_email(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/verify-email?token={token}"


class Notifier:
    def __init__(self, mailer: Mailer, links: Links, background: Background) -> None:
        self.mailer, self.links, self.background = mailer, links, background

    def password_reset(self, to: str, token: str) -> None:
        self._send(
            Email(
                to,
                "Reset your closet password",
                "Someone (hopefully you) asked to reset your closet password.\n\n"
                "Open this link within 30 minutes to choose a new one:\n"
                f"{self.links.reset_password(token)}\n\n"
                "If it was not you, ignore this email: your password stays as it is.",
            )
        )

    def verify_email(self, to: str, token: str) -> None:
        self._send(
            Email(
                to,
                "Confirm your email for closet",
                f"Welcome to closet. Confirm this address by opening:\n{self.links.verify_email(token)}\n",
            )
        )

    def password_changed(self, to: str) -> None:
        self._send(
            Email(
                to,
                "Your closet password was changed",
                "Your password was just changed and your other sessions were signed out.\n"
                "If this was not you, reset your password now.",
            )
        )

    def already_registered(self, to: str) -> None:
        self._send(
            Email(
                to,
                "Someone tried to register with your email",
                "Someone tried to open a closet account with this address, which already has one.\n"
                "If it was you, log in instead (or reset your password). If not, you can ignore this.",
            )
        )

    def _send(self, email: Email) -> None:
        self.background.spawn(self.mailer.send(email), f"mail: {email.subject}")

    async def flush(self) -> None:
        """Wait for the emails on their way (tests, shutdown)."""
        await self.background.flush()
