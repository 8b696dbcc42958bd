"""Run localstripe (a stateful fake Stripe API) for tests, on 127.0.0.1 only.

localstripe's own CLI binds every interface (``::``) and keeps its state in a
hard-coded ``/tmp/localstripe.pickle`` shared by every run on the machine.
This module is both:

* a wrapper script, run in a child process, that serves localstripe's aiohttp
  app on a socket bound to 127.0.0.1 and redirects its pickle to a file of our
  choosing::

      python tests/support/localstripe_server.py --port 8420 --state /tmp/x/ls.pickle

* a Python API for fixtures::

      ls = start_localstripe(tmp_path)  # free port, state + log in tmp_path
      client = stripe.StripeClient(API_KEY, base_addresses={"api": ls.url})
      ls.register_webhook("app", "http://127.0.0.1:5000/stripe/webhook", "whsec_x")
      ls.reset()  # DELETE /_config/data: forget every object
      ls.stop()

The parent binds the listening socket itself and hands the file descriptor to
the child, so there is no window in which another process can take the port.
The child also exits when its stdin closes, so a crashed test run does not
leave a localstripe process behind.

localstripe accepts any secret key of the form ``sk_...`` (more than 5
characters); :data:`API_KEY` is a convenient one.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

#: Any ``sk_`` key works with localstripe; it only checks the prefix.
API_KEY = "sk_test_localstripe"

_HOST = "127.0.0.1"


class LocalStripeError(RuntimeError):
    """localstripe could not be started or did not answer as expected."""


class LocalStripe:
    """A running localstripe child process; see :func:`start_localstripe`."""

    def __init__(self, process: subprocess.Popen, port: int, state_file: Path, log_file: Path):
        self.process = process
        self.pid = process.pid
        self.port = port
        self.url = f"http://{_HOST}:{port}"
        self.state_file = state_file
        self.log_file = log_file

    # -- control API (localstripe's /_config/ routes need no API key) -------

    def reset(self) -> None:
        """Forget every Stripe object (``DELETE /_config/data``).

        Registered webhooks are *not* forgotten (localstripe keeps them
        outside its store), and events created before the reset whose
        delivery is still pending (localstripe waits 1 s before sending)
        are still delivered afterwards.
        """
        self._request("DELETE", "/_config/data")

    def register_webhook(self, id: str, url: str, secret: str, events: list[str] | None = None) -> None:
        """Register or replace endpoint ``id`` (``POST /_config/webhooks/<id>``).

        ``events`` restricts delivery to those event types; ``None`` sends all.
        Deliveries are signed like Stripe's (``Stripe-Signature: t=...,v1=...``
        over ``"<t>.<payload>"`` with ``secret``), sent once about 1 s after
        the event, and never retried.
        """
        if events is not None and not events:
            # An empty list cannot be form-encoded; localstripe would read "all".
            raise ValueError("events=[] would send nothing: use disable_webhook()")
        fields: list[tuple[str, str]] = [("url", url), ("secret", secret)]
        # localstripe reads a list from repeated ``events[]`` fields.
        fields += [("events[]", event) for event in events or []]
        self._request("POST", f"/_config/webhooks/{id}", fields)

    def disable_webhook(self, id: str) -> None:
        """Stop deliveries to endpoint ``id``.

        localstripe has no route to delete a webhook, so this re-registers it
        with an event filter that no real event type matches.
        """
        self.register_webhook(id, "http://127.0.0.1:9/disabled", "disabled", events=["localstripe.disabled"])

    def _request(self, method: str, path: str, fields: list[tuple[str, str]] | None = None) -> bytes:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            # "with": an unclosed HTTPError warns (ResourceWarning) when collected.
            with exc:
                body = exc.read().decode(errors="replace")
            raise LocalStripeError(f"{method} {path} -> {exc.code}: {body}") from None

    # -- lifecycle ----------------------------------------------------------

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the child by its pid (SIGTERM, then SIGKILL) and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        if self.process.stdin is not None:
            self.process.stdin.close()

    def log_tail(self, lines: int = 30) -> str:
        """The end of localstripe's log (access log, webhook delivery results)."""
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> LocalStripe:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LocalStripe {self.url} pid={self.pid}>"


def start_localstripe(tmpdir: str | os.PathLike, timeout: float = 20.0) -> LocalStripe:
    """Start localstripe on 127.0.0.1 (free port) with state and log in ``tmpdir``.

    Returns once it answers HTTP requests; raises :class:`LocalStripeError`
    (with the end of its log) if it exits or does not answer within
    ``timeout`` seconds.
    """
    tmpdir = Path(tmpdir)
    tmpdir.mkdir(parents=True, exist_ok=True)
    state_file = tmpdir / "localstripe.pickle"
    log_file = tmpdir / "localstripe.log"

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((_HOST, 0))
    listener.listen(128)
    port = listener.getsockname()[1]

    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                # -P: do not put tests/support/ first on sys.path in the child.
                "-P",
                os.path.abspath(__file__),
                "--fd",
                str(listener.fileno()),
                "--state",
                str(state_file),
                "--exit-on-stdin-eof",
            ],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    # The child has its own copy of the socket now.
    listener.close()

    server = LocalStripe(process, port, state_file, log_file)
    try:
        _wait_until_ready(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_ready(server: LocalStripe, timeout: float) -> None:
    # The socket already listens (we bound it), so a TCP connect succeeds
    # before the app runs: wait for a real HTTP answer instead. Any status
    # will do; 401 (no API key) is the expected one.
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LocalStripeError(
                f"localstripe exited with status {server.process.returncode} "
                f"before answering; log {server.log_file}:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.url + "/v1/customers", timeout=1):
                return
        except urllib.error.HTTPError as exc:
            exc.close()
            return
        except OSError as exc:
            last_error = exc
            time.sleep(0.05)
    raise LocalStripeError(
        f"localstripe did not answer on {server.url} within {timeout} s "
        f"(last error: {last_error!r}); log {server.log_file}:\n{server.log_tail()}"
    )


# -- the child process ------------------------------------------------------


def _serve(fd: int | None, port: int | None, state: str, exit_on_stdin_eof: bool) -> None:
    import logging
    import pickle

    from aiohttp import web
    from localstripe import resources, server

    # localstripe hard-codes /tmp/localstripe.pickle in these two methods.
    def try_load_from_disk(self):
        try:
            with open(state, "rb") as f:
                old = pickle.load(f)
        except FileNotFoundError:
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self):
        with open(state, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk
    # Continue from the state file if it exists (same as localstripe's CLI
    # without --from-scratch); a fresh tmpdir means a fresh store.
    resources.store.try_load_from_disk()

    if fd is not None:
        sock = socket.socket(fileno=fd)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((_HOST, port))

    if exit_on_stdin_eof:
        # The parent holds the other end of our stdin: EOF means it is gone.
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered
        # reader aborts interpreter shutdown ("could not acquire lock").
        def watch_stdin():
            while os.read(0, 4096):
                pass
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch_stdin, daemon=True).start()

    # localstripe logs webhook delivery results on this logger; keep them.
    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.INFO)
    logger.addHandler(logging.StreamHandler(sys.stdout))

    print(json.dumps({"localstripe": "starting", "socket": sock.getsockname()}), flush=True)
    # A short shutdown_timeout: on SIGTERM, do not wait 60 s for idle
    # keep-alive connections of the app under test.
    web.run_app(server.app, sock=sock, access_log=logger, print=None, shutdown_timeout=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="localstripe bound to 127.0.0.1")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", type=int, help="bind 127.0.0.1:PORT")
    where.add_argument("--fd", type=int, help="serve on this inherited listening socket")
    parser.add_argument("--state", required=True, help="pickle file for localstripe's store")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when stdin closes (parent gone)")
    args = parser.parse_args(argv)
    _serve(args.fd, args.port, args.state, args.exit_on_stdin_eof)


if __name__ == "__main__":
    main()
