from __future__ import annotations

import logging

from closet.application.ports.mail import Email, Mailer

log = logging.getLogger("closet.mail")


class ConsoleMailer(Mailer):
    """The embedded default has no mail server: the message (with its link) goes to the log."""

    async def send(self, email: Email) -> None:
        log.warning("email to %s — %s\n%s", email.to, email.subject, email.text)
