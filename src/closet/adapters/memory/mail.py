from __future__ import annotations

from closet.application.ports.mail import Email, Mailer


class MemoryMailer(Mailer):
    """An outbox tests read."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    async def send(self, email: Email) -> None:
        self.sent.append(email)
