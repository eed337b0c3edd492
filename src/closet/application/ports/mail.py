from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    @abstractmethod
    async def send(self, email: Email) -> None:
        """Deliver or raise ServiceUnavailable."""
