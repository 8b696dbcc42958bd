"""Password-reset timing: an address with an account vs one without, over HTTP.

    .venv/bin/python -m bench.forgot_timing [--runs 200] [--workers 1]

Starts the real stack (embedded PostgreSQL, gunicorn as production starts it, on 127.0.0.1), creates one account,
then alternates POST /password/forgot for its address and for unknown addresses (a fresh one each run), timing each
request from the client. The request only writes a job and an audit row for both kinds — the job queue's worker
looks the account up and sends the email later — so the medians should agree; before the job queue, an existing
account paid for rendering the email and an SMTP round trip inside the request. Both must answer 200 with the same
page (tests/jobs/test_console_and_reset.py proves the same work is done); speed is measured here, never in tests.
"""

from __future__ import annotations

from bench import paired_timing


def main() -> None:
    paired_timing.main(
        __doc__,
        path="/password/forgot",
        form={},
        expected_status=200,
        known_label="known_account",
        known_email="timing-forgot@example.org",
    )


if __name__ == "__main__":
    main()
