"""Login timing: a known account with a wrong password vs an account that does not exist, over HTTP.

    .venv/bin/python -m bench.login_timing [--runs 200] [--workers 1]

Starts the real stack (embedded PostgreSQL, gunicorn as production starts it, on 127.0.0.1), creates one account,
raises the failure throttle out of the way (a throttled answer skips the password check for both kinds alike),
then alternates POST /login for the known email with a wrong password and for unknown emails (a fresh one each
run, as an attacker probing a list would), timing each request from the client. Prints the medians, the ratio
unknown/known, and the spread, so that an enumeration-by-timing gap would show. Both must answer 401 (the page is
the same: tests/web/test_auth.py). Speed is measured here, never in timed tests; the code path is proved by
tests/security/test_login_timing.py.
"""

from __future__ import annotations

from bench import paired_timing

WRONG_PASSWORD = "not-the-password-at-all-42"


def _throttle_out_of_the_way(pairs: int) -> dict[str, str]:
    # A locked account (or an address over its limit) is refused before any password check, which would time the
    # refusal, not the check.
    limit = str(10 * pairs + 100)
    return {"LOGIN_MAX_FAILURES_PER_ACCOUNT": limit, "LOGIN_MAX_FAILURES_PER_ADDRESS": limit}


def main() -> None:
    paired_timing.main(
        __doc__,
        path="/login",
        form={"password": WRONG_PASSWORD},
        expected_status=401,
        known_label="known_wrong_password",
        known_email="timing-known@example.org",
        environment=_throttle_out_of_the_way,
    )


if __name__ == "__main__":
    main()
