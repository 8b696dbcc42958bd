"""Unknown accounts cost a full argon2 verification, like a wrong password: proved by counting, never by timing.

argon2-cffi's `PasswordHasher.verify` hands every verification to `argon2.low_level.verify_secret` (the C library
call). A spy there — the real function still runs — counts what each login POST verifies and against which hash
parameters. Timings themselves are measured by `bench/login_timing.py` (figures in docs/security.md).
"""

from __future__ import annotations

import argon2
import argon2._password_hasher as argon2_hasher
import pytest
from sqlalchemy.orm import Session

from models import User
from security import passwords
from tests.fixtures.factories import unique
from tests.fixtures.web import post_form


@pytest.fixture
def verifications(monkeypatch) -> list[bytes]:
    """Every hash argon2 verifies a password against during the test (the real verification still runs)."""
    seen: list[bytes] = []
    real = argon2_hasher.verify_secret

    def spy(hash: bytes, secret: bytes, type: argon2.Type) -> bool:  # noqa: A002 - argon2's own parameter names
        seen.append(bytes(hash))
        return real(hash, secret, type)

    monkeypatch.setattr(argon2_hasher, "verify_secret", spy)
    return seen


def _parameters(hash: bytes) -> argon2.Parameters:  # noqa: A002
    return argon2.extract_parameters(hash.decode("ascii"))


def test_unknown_account_wrong_password_and_inactive_account_each_run_one_full_verification(
    client, engines, make_user, verifications
):
    known = make_user()
    inactive = make_user()
    with Session(engines.owner) as session, session.begin():
        session.get(User, inactive.id).is_active = False

    answers = {}
    for label, email in (
        ("known, wrong password", known.email),
        ("unknown account", f"{unique('nobody')}@example.org"),
        ("deactivated account", inactive.email),
    ):
        before = len(verifications)
        response = post_form(client, "/login", {"email": email, "password": "not-the-password-at-all-42"})
        answers[label] = response.status_code
        assert len(verifications) == before + 1, f"{label}: expected exactly one argon2 verification"
    assert set(answers.values()) == {401}

    known_hash, unknown_hash, inactive_hash = verifications
    # The unknown account is checked against the stand-in hash, never against nothing or a cheaper hash:
    assert unknown_hash.decode() == passwords._DUMMY_HASH
    assert unknown_hash != known_hash
    # ... with exactly the work factors of a real account's hash (memory, iterations, lanes, lengths, variant).
    assert _parameters(unknown_hash) == _parameters(known_hash) == _parameters(inactive_hash)
    assert _parameters(unknown_hash).type is argon2.Type.ID


def test_the_stand_in_hash_follows_the_hashers_current_parameters():
    """If the hasher's parameters are raised, the stand-in is made with them too (no cheap path left behind)."""
    assert not passwords._hasher.check_needs_rehash(passwords._DUMMY_HASH)
    assert _parameters(passwords._DUMMY_HASH.encode()) == _parameters(passwords.hash_password("x" * 16).encode())
