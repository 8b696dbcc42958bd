"""TOTP secrets sealed at rest: users.totp_secret widened for Fernet tokens, existing secrets encrypted

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28

The keys are the app's (`security.secretbox`, the same as the Stripe secrets'): this revision seals the existing
secrets when it runs inside the app, as `flask db upgrade` does. Run without the app (a bare `alembic upgrade`) it
only widens the column and logs how many secrets stay plain; `security.secretbox.seal_plain_totp_secrets(conn,
box)` seals them later (idempotent). The app reads both meanwhile and writes only sealed ones.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def _app_box():
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    from security.secretbox import TOTP_LABEL, SecretBox

    return SecretBox.for_purpose(current_app.config, TOTP_LABEL)


def upgrade() -> None:
    op.alter_column(
        "users",
        "totp_secret",
        type_=sa.String(255),
        existing_type=sa.String(64),
        existing_nullable=True,
        schema="loupe",
    )
    box = _app_box()
    from security.secretbox import seal_plain_totp_secrets

    if box is None:
        plain = op.get_bind().scalar(sa.text("SELECT count(*) FROM loupe.users WHERE totp_secret IS NOT NULL"))
        if plain:
            log.warning("0013: %s TOTP secret(s) left plain: no app keys outside `flask db upgrade`", plain)
        return
    sealed = seal_plain_totp_secrets(op.get_bind(), box)
    if sealed:
        log.info("0013: sealed %s TOTP secret(s)", sealed)


def downgrade() -> None:
    box = _app_box()
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, totp_secret FROM loupe.users WHERE totp_secret IS NOT NULL")).all()
    from security.secretbox import looks_sealed

    sealed = [(user_id, value) for user_id, value in rows if looks_sealed(value)]
    if sealed and box is None:
        raise RuntimeError("0013 downgrade needs the app's keys to open the TOTP secrets: run `flask db` commands")
    for user_id, value in sealed:
        bind.execute(
            sa.text("UPDATE loupe.users SET totp_secret = :v WHERE id = :i"), {"v": box.open(value), "i": user_id}
        )
    op.alter_column(
        "users",
        "totp_secret",
        type_=sa.String(64),
        existing_type=sa.String(255),
        existing_nullable=True,
        schema="loupe",
    )
