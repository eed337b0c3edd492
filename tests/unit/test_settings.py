"""Settings: profile defaults, validation reported at once, the embedded secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from closet.settings import Profile, SettingsError, load_settings


def test_embedded_defaults_make_and_keep_a_secret(tmp_path: Path) -> None:
    env = {"CLOSET_DATA_DIR": str(tmp_path / "data")}
    first = load_settings(env)
    assert first.profile is Profile.EMBEDDED and first.auto_migrate is True
    assert first.database_url == f"sqlite:///{(tmp_path / 'data' / 'closet.db').resolve()}"
    secret_file = tmp_path / "data" / "jwt-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert load_settings(env).jwt_secret == first.jwt_secret == secret_file.read_text()
    assert len(first.jwt_secret) >= 32


def test_postgres_needs_a_url_and_a_secret_and_does_not_migrate_by_itself() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"CLOSET_PROFILE": "postgres", "CLOSET_PORT": "abc", "CLOSET_WORKERS": "0"})
    text = str(caught.value)
    for var in ("CLOSET_PORT", "CLOSET_WORKERS", "CLOSET_DATABASE_URL", "CLOSET_JWT_SECRET"):
        assert var in text  # every problem at once
    ok = load_settings(
        {
            "CLOSET_PROFILE": "postgres",
            "CLOSET_DATABASE_URL": "postgresql://u@db/closet",
            "CLOSET_JWT_SECRET": "s" * 32,
        }
    )
    assert ok.auto_migrate is False
    migrate_only = load_settings(
        {"CLOSET_PROFILE": "postgres", "CLOSET_DATABASE_URL": "postgresql://u@db/closet"}, serving=False
    )
    assert migrate_only.jwt_secret == ""


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("CLOSET_PROFILE", "cloud"),
        ("CLOSET_AUTO_MIGRATE", "maybe"),
        ("CLOSET_LOG_LEVEL", "LOUD"),
        ("CLOSET_PASSWORD_MEMORY_KIB", "16"),
        ("CLOSET_MAX_BODY_BYTES", "1"),
    ],
)
def test_bad_values_name_their_variable(var: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=var):
        load_settings({var: value, "CLOSET_DATA_DIR": str(tmp_path)})
