"""Configuration is validated once, at start-up, and production refuses to run without its secrets."""

import pytest

from config import ConfigError, load_config


def test_production_needs_its_secrets(monkeypatch):
    with pytest.raises(ConfigError, match="SECRET_KEY, DATABASE_URL, BILLING_ENCRYPTION_KEYS"):
        load_config("production", {"SECRET_KEY": None, "DATABASE_URL": None, "BILLING_ENCRYPTION_KEYS": None})
    with pytest.raises(ConfigError, match="at least 32"):
        load_config(
            "production",
            {"SECRET_KEY": "short", "DATABASE_URL": "postgresql+psycopg://x/y", "BILLING_ENCRYPTION_KEYS": "k"},
        )
    settings = load_config(
        "production",
        {"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql+psycopg://x/y", "BILLING_ENCRYPTION_KEYS": "k"},
    )
    assert settings["SESSION_COOKIE_SECURE"] is True and settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["DEV_OUTBOX"] is False


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="unknown LOUPE_ENV"):
        load_config("staging")


def test_creating_the_app_touches_no_database(tmp_path):
    """The factory runs no query and starts no server: the embedded folder is not even created."""
    from app import create_app

    datadir = tmp_path / "never-started"
    app = create_app("testing", {"EMBEDDED_DB_DIR": str(datadir)})
    assert app.extensions["loupe_db"]._engines is None
    assert not datadir.exists()
