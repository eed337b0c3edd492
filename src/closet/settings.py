"""Typed settings from CLOSET_* environment variables, validated once at start."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path


class Profile(StrEnum):
    EMBEDDED = "embedded"  # SQLite file and local files under data_dir: no servers
    POSTGRES = "postgres"  # Postgres for everything; documents in a JSON table
    PRODUCTION = "production"  # Postgres + MongoDB
    MEMORY = "memory"  # in-memory adapters: tests and the harness


class SettingsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid settings:\n  " + "\n  ".join(problems))


@dataclass(frozen=True, kw_only=True)
class Settings:
    profile: Profile = Profile.EMBEDDED
    data_dir: Path = Path("closet-data")
    database_url: str = ""
    db_pool_size: int = 20
    auto_migrate: bool | None = None  # None: migrate by itself on the embedded profile only
    jwt_secret: str = field(default="", repr=False)
    access_token_minutes: int = 15
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = 1_048_576
    log_level: str = "INFO"
    password_time_cost: int = 3
    password_memory_kib: int = 65_536
    docs: bool = True
    mongo_url: str = field(default="", repr=False)
    mongo_database: str = "closet"
    mongo_write_concern: str = "majority"
    mongo_timeout_ms: int = 2000
    relay: bool = True
    relay_interval_seconds: int = 2
    public_url: str = "http://127.0.0.1:8000"
    mail: str = "console"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_sender: str = "closet <no-reply@localhost>"
    smtp_starttls: bool = True
    redis_url: str = ""
    rate_limit_per_minute: int = 600
    login_rate_per_minute: int = 5
    reset_rate_per_minute: int = 3
    cors_origins: str = ""
    blob_dir: Path | None = None  # None: <data_dir>/blobs
    image_max_bytes: int = 20 * 1024 * 1024
    image_max_pixels: int = 50_000_000
    image_max_edge: int = 2048
    image_workers: int = 2
    jobs: bool = True
    job_concurrency: int = 2
    fabrica_url: str = ""
    fabrica_api_key: str = field(default="", repr=False)
    fabrica_timeout_seconds: int = 20
    render_cache_mb: int = 256
    rendered_cache_mb: int = 64
    share_rate_per_minute: int = 60
    import_max_bytes: int = 200 * 1024 * 1024

    @property
    def blobs_path(self) -> Path:
        return self.blob_dir if self.blob_dir is not None else self.data_dir / "blobs"

    @property
    def uses_fabrica(self) -> bool:
        return bool(self.fabrica_url)

    @property
    def uses_sql(self) -> bool:
        return self.profile is not Profile.MEMORY

    @property
    def uses_mongo(self) -> bool:
        return self.profile is Profile.PRODUCTION

    @property
    def allowed_origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


# name → (type, description); the README's configuration table lists the same.
_FIELDS: dict[str, type] = {
    "profile": Profile,
    "data_dir": Path,
    "database_url": str,
    "db_pool_size": int,
    "auto_migrate": bool,
    "jwt_secret": str,
    "access_token_minutes": int,
    "host": str,
    "port": int,
    "workers": int,
    "max_body_bytes": int,
    "log_level": str,
    "password_time_cost": int,
    "password_memory_kib": int,
    "docs": bool,
    "mongo_url": str,
    "mongo_database": str,
    "mongo_write_concern": str,
    "mongo_timeout_ms": int,
    "relay": bool,
    "relay_interval_seconds": int,
    "public_url": str,
    "mail": str,
    "smtp_host": str,
    "smtp_port": int,
    "smtp_username": str,
    "smtp_password": str,
    "smtp_sender": str,
    "smtp_starttls": bool,
    "redis_url": str,
    "rate_limit_per_minute": int,
    "login_rate_per_minute": int,
    "reset_rate_per_minute": int,
    "cors_origins": str,
    "blob_dir": Path,
    "image_max_bytes": int,
    "image_max_pixels": int,
    "image_max_edge": int,
    "image_workers": int,
    "jobs": bool,
    "job_concurrency": int,
    "fabrica_url": str,
    "fabrica_api_key": str,
    "fabrica_timeout_seconds": int,
    "render_cache_mb": int,
    "rendered_cache_mb": int,
    "share_rate_per_minute": int,
    "import_max_bytes": int,
}
_BOUNDS: dict[str, tuple[int, int]] = {
    "db_pool_size": (1, 200),
    "access_token_minutes": (1, 24 * 60),
    "port": (1, 65535),
    "workers": (1, 64),
    "max_body_bytes": (1024, 512 * 1024 * 1024),
    "password_time_cost": (1, 20),
    "mongo_timeout_ms": (100, 60_000),
    "relay_interval_seconds": (1, 3600),
    "smtp_port": (1, 65535),
    "rate_limit_per_minute": (1, 1_000_000),
    "login_rate_per_minute": (1, 10_000),
    "reset_rate_per_minute": (1, 10_000),
    "password_memory_kib": (32, 4 * 1024 * 1024),  # argon2 needs 8 KiB per lane, 4 lanes
    "image_max_bytes": (1024, 200 * 1024 * 1024),
    "image_max_pixels": (10_000, 500_000_000),
    "image_max_edge": (256, 8192),
    "image_workers": (1, 64),
    "job_concurrency": (1, 64),
    "fabrica_timeout_seconds": (1, 300),
    "render_cache_mb": (16, 16_384),
    "rendered_cache_mb": (0, 16_384),
    "share_rate_per_minute": (1, 100_000),
    "import_max_bytes": (1024, 4 * 1024 * 1024 * 1024),
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def load_settings(
    env: Mapping[str, str] | None = None, *, serving: bool = True, **overrides: object
) -> Settings:
    """Read CLOSET_* variables; every problem is reported at once, naming the variable.

    ``serving=False`` is for the commands that serve no HTTP (migrate, relay, doctor): they
    need neither the token-signing secret nor the rate-limit store.
    """
    source = os.environ if env is None else env
    problems: list[str] = []
    values: dict[str, object] = {}
    for name, kind in _FIELDS.items():
        var = "CLOSET_" + name.upper()
        if name in overrides:
            values[name] = overrides[name]
        elif var in source:
            try:
                values[name] = _parse(kind, source[var].strip())
            except ValueError as exc:
                problems.append(f"{var}: {exc}")
    for name, (low, high) in _BOUNDS.items():
        value = values.get(name)
        if isinstance(value, int) and not low <= value <= high:
            problems.append(f"CLOSET_{name.upper()}: must be between {low} and {high}")
            values.pop(name)
    if str(values.get("log_level", "INFO")).upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        problems.append("CLOSET_LOG_LEVEL: use DEBUG, INFO, WARNING or ERROR")
        values.pop("log_level")
    settings, more = _complete(Settings(**values), serving=serving)  # type: ignore[arg-type]
    problems += more
    if problems:
        raise SettingsError(problems)
    return settings


def _parse(kind: type, raw: str) -> object:
    if kind is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ValueError(f"{raw!r} is not a boolean (use true or false)")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a whole number") from None
    if kind is Profile:
        try:
            return Profile(raw.lower())
        except ValueError:
            raise ValueError(f"{raw!r} is not one of {', '.join(Profile)}") from None
    if kind is Path:
        return Path(raw).expanduser()
    return raw


def _complete(s: Settings, *, serving: bool) -> tuple[Settings, list[str]]:
    """Fill the defaults that depend on the profile, and check what each profile needs."""
    problems: list[str] = []
    url, secret, migrate = s.database_url, s.jwt_secret, s.auto_migrate
    servers = s.profile in (Profile.POSTGRES, Profile.PRODUCTION)
    if s.profile is Profile.EMBEDDED:
        url = url or f"sqlite:///{(s.data_dir / 'closet.db').resolve()}"
        if serving:
            secret = secret or _persistent_secret(s.data_dir)
    elif s.profile is Profile.MEMORY:
        secret = secret or secrets.token_urlsafe(48)
    if servers and not url.startswith(("postgresql://", "postgresql+asyncpg://")):
        problems.append(f"CLOSET_DATABASE_URL: the {s.profile} profile needs a postgresql:// URL")
    if s.profile is Profile.PRODUCTION and not s.mongo_url.startswith(("mongodb://", "mongodb+srv://")):
        problems.append("CLOSET_MONGO_URL: the production profile needs a mongodb:// URL")
    if not (s.mongo_write_concern.isdigit() or s.mongo_write_concern == "majority"):
        problems.append("CLOSET_MONGO_WRITE_CONCERN: use majority or a number of nodes")
    if s.mail not in ("console", "smtp"):
        problems.append("CLOSET_MAIL: use console or smtp")
    elif s.mail == "smtp" and not s.smtp_host:
        problems.append("CLOSET_SMTP_HOST: required when CLOSET_MAIL=smtp")
    if serving and s.profile is Profile.PRODUCTION and not s.redis_url.startswith(("redis://", "rediss://")):
        problems.append("CLOSET_REDIS_URL: the production profile keeps rate limits in Redis (redis://...)")
    if not s.public_url.startswith(("http://", "https://")):
        problems.append("CLOSET_PUBLIC_URL: must start with http:// or https://")
    if any(not o.startswith(("http://", "https://")) for o in s.allowed_origins):
        problems.append("CLOSET_CORS_ORIGINS: comma-separated origins like https://app.example.com")
    problems += _fabrica_problems(s)
    if migrate is None:
        migrate = not servers
    if serving and len(secret) < 32:
        problems.append("CLOSET_JWT_SECRET: required (at least 32 characters) outside the embedded profile")
    return replace(s, database_url=url, jwt_secret=secret, auto_migrate=migrate), problems


def _fabrica_problems(s: Settings) -> list[str]:
    if s.fabrica_url and not s.fabrica_url.startswith(("http://", "https://")):
        return ["CLOSET_FABRICA_URL: must start with https:// (or http://)"]
    if s.fabrica_url and not s.fabrica_api_key:
        return ["CLOSET_FABRICA_API_KEY: required when CLOSET_FABRICA_URL is set"]
    return []


def _persistent_secret(data_dir: Path) -> str:
    """The embedded default makes its signing key on first run and keeps it (mode 0600)."""
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
