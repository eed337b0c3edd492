from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from closet.application.errors import ServiceUnavailable
from closet.application.ports.mail import Email, Mailer


class SmtpMailer(Mailer):
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username or None, password or None
        self.starttls, self.timeout = starttls, timeout

    async def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, email.to, email.subject
        message.set_content(email.text)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ServiceUnavailable(
                f"the mail server did not take the message: {type(exc).__name__}"
            ) from exc
