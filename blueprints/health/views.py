"""GET /healthz: 200 when the database answers and the job queue is reachable, else 503 naming the part that
failed. The body says only "ok"/"unavailable" per part: no version, host, URL or error text (database.health
logs those)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from blueprints.web import access
from database import health
from database.request_scope import engines

bp = Blueprint("health", __name__)


def _word(ok: bool) -> str:
    return "ok" if ok else "unavailable"


@bp.get("/healthz")
@access("public")
def healthz():
    result = health.check(engines().app)
    body = {"status": _word(result.ok), "database": _word(result.database), "queue": _word(result.queue)}
    if result.worker_seen is not None:
        # Informational: the web serves without a worker (jobs wait in the queue), so this never fails the check.
        body["worker"] = "ok" if result.worker_seen else "no recent heartbeat"
    return jsonify(body), 200 if result.ok else 503
