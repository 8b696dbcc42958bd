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


def test_settings_are_read_when_the_app_is_created_not_at_import(monkeypatch, tmp_path):
    """`config` was imported long before this test: what counts is the environment when the app is created."""
    from app import create_app

    monkeypatch.setenv("TENANT_MIGRATION_WORKERS", "7")
    monkeypatch.setenv("MAIL_SERVER", "mail.example.org")
    assert load_config("development")["TENANT_MIGRATION_WORKERS"] == 7
    assert load_config("development")["DEV_OUTBOX"] is False  # a mail server: mail is sent, not kept
    assert create_app("testing", {"EMBEDDED_DB_DIR": str(tmp_path)}).config["TENANT_MIGRATION_WORKERS"] == 7
    monkeypatch.delenv("TENANT_MIGRATION_WORKERS")
    monkeypatch.delenv("MAIL_SERVER")
    assert load_config("development")["TENANT_MIGRATION_WORKERS"] == 2
    assert load_config("development")["DEV_OUTBOX"] is True
    # An override counts as much as the environment for the outbox decision.
    assert load_config("development", {"MAIL_SERVER": "127.0.0.1"})["DEV_OUTBOX"] is False


def test_testing_takes_no_outward_setting_from_the_environment(monkeypatch):
    """A developer's shell pointing at a real mail server, Stripe or the breach API never reaches the tests."""
    shell = {
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_PORT": "587",
        "MAIL_USERNAME": "someone",
        "MAIL_PASSWORD": "hunter2",
        "MAIL_USE_TLS": "1",
        "STRIPE_API_BASE": "https://api.stripe.com",
        "BREACHED_PASSWORDS_URL": "https://api.pwnedpasswords.com/range/",
        "PUBLIC_BASE_URL": "https://loupe.example.org",
    }
    for name, value in shell.items():
        monkeypatch.setenv(name, value)
    development = load_config("development")
    assert development["MAIL_SERVER"] == "smtp.example.org" and development["MAIL_PORT"] == 587
    assert development["STRIPE_API_BASE"] == "https://api.stripe.com"

    testing = load_config("testing")
    assert testing["MAIL_SERVER"] is None and testing["MAIL_PORT"] == 25
    assert testing["MAIL_USERNAME"] is None and testing["MAIL_PASSWORD"] is None and testing["MAIL_USE_TLS"] is False
    assert testing["STRIPE_API_BASE"] is None and testing["BREACHED_PASSWORDS_URL"] is None
    assert testing["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    # What a test passes explicitly still counts.
    explicit = load_config("testing", {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 2525})
    assert (explicit["MAIL_SERVER"], explicit["MAIL_PORT"]) == ("127.0.0.1", 2525)
