"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s), stdlib only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def matching_step(
    secret: str, code: str, moment: datetime, *, skew: int = 1, after: int | None = None
) -> int | None:
    """The time step ``code`` belongs to, within ±``skew`` steps of ``moment``; None if none.

    A step at or before ``after`` (the last one used) never matches again: no replays.
    """
    digits = code.strip().replace(" ", "")
    if len(digits) != DIGITS or not digits.isdigit():
        return None
    now = step_at(moment)
    found = None
    for step in range(now - skew, now + skew + 1):
        if hmac.compare_digest(code_at(secret, step), digits) and (after is None or step > after):
            found = step  # keep looping: the same time for every code
    return found


def provisioning_uri(secret: str, account: str, issuer: str = "closet") -> str:
    label = quote(f"{issuer}:{account}", safe=":")  # the colon separates issuer and account
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
