"""Opaque secrets handed to clients: random, and stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits: far beyond guessing, so a fast hash is enough to store them


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_recovery_codes(count: int = 10) -> list[str]:
    """Codes like ``k7f3-9qpx-2mzt`` (60 bits each), shown to the user once."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3)) for _ in range(count)
    ]


def recovery_hash(code: str) -> str:
    return token_hash(code.strip().lower().replace(" ", ""))


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets (or their hashes)."""
    return hmac.compare_digest(a.encode(), b.encode())
