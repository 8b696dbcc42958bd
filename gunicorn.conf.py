"""Gunicorn settings for the web process (Dockerfile CMD, Procfile `web`), read from the environment.

gunicorn reads this file from its working folder, or `gunicorn --config gunicorn.conf.py`. A command-line flag or
GUNICORN_CMD_ARGS still wins over what is set here. The worker process type (`flask --app app jobs worker`) does
not use gunicorn and ignores this file.

- WEB_CONCURRENCY: web worker processes (default 4). Each holds its own database pool (DATABASE_POOL_SIZE +
  DATABASE_MAX_OVERFLOW connections), so workers x that must stay under the server's max_connections.
- PORT: the port to listen on, all interfaces (default 8000).
- GUNICORN_TIMEOUT: seconds a request may run before its worker is restarted (default 30).
"""

import os


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, got {value}")
    return value


wsgi_app = "app:create_app()"
workers = _positive_int("WEB_CONCURRENCY", 4)
bind = [f"0.0.0.0:{_positive_int('PORT', 8000)}"]
timeout = _positive_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = timeout
# No access log: the app writes one JSON line per request (logger loupe.request, request id, signed tokens masked);
# gunicorn's plain-text line does not escape the path or the User-Agent it prints (docs/operations.md, "Logs").
accesslog = None
# No gunicornc control socket: nothing in the container needs to resize or reload the server at run time, and it
# would need a writable home or runtime folder.
control_socket_disable = True
# Worker heartbeat files on tmpfs when there is one (Docker has /dev/shm): a slow or read-only /tmp can make a
# healthy worker look stuck.
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"
