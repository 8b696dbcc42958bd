"""`flask serve`: the development server and the job worker from one command (what `make run` starts).

The worker is a child process (`flask jobs worker`), so the two run side by side as they do in production; Ctrl-C
stops the server, then the worker (SIGTERM: it finishes the jobs in hand), and with both gone the embedded
PostgreSQL stops too (it runs while a process uses it).
"""

from __future__ import annotations

import os
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

WORKER_STOP_SECONDS = 20


def served_base_url(environ, host: str, port: int) -> str | None:
    """The base URL of emailed links for a server on `host:port`, when the environment does not set one
    (PUBLIC_BASE_URL set by the deployment always wins); None to keep the configured one."""
    if environ.get("PUBLIC_BASE_URL"):
        return None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # a link must name an address one can open
    return f"http://{shown}:{port}"


@click.command("serve", help="Serve the app (development server) with a job worker beside it.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve_command(host: str, port: int) -> None:
    app = current_app._get_current_object()
    env = os.environ.copy()
    served = served_base_url(env, host, port)
    if served:
        # Links in emails follow the port served (`make run PORT=8080`), in the worker's emails too.
        env["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"] = served
    click.echo(f"\nServing Loupe at {app.config['PUBLIC_BASE_URL']} (Ctrl-C stops it).")
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    if "dev_sign_in" in app.blueprints:  # registered only in development (blueprints/auth/dev_sign_in.py)
        click.echo(f"Demo accounts: {base}/login lists them under 'Demo sign-in as …' (development only).")
    if "dev" in app.blueprints:  # /dev/outbox: development without MAIL_SERVER
        click.echo(f"No MAIL_SERVER: emails stay in the development outbox, {base}/dev/outbox")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"], env=env)
    click.echo(f"job worker started (pid {worker.pid})")
    try:
        # Werkzeug's server directly: `app.run()` is a no-op under the `flask` command.
        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
    finally:
        worker.terminate()
        try:
            worker.wait(WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        click.echo("job worker stopped")
