"""Machinery for the refused-request tests: find the refusal branches in the views, snapshot what is stored.

`refusal_branches(app)` reads the source of every view that accepts POST and lists each `except` clause that catches
a `DomainError` (or a subclass): the places where a service may already have flushed rows when the view renders its
error. `fingerprint` digests every row of the shared schema and of the stores a scenario made (`Ctx.post` takes one
before and one after the refused request), so a test can say "nothing at all changed", not only "no new incident":
an update kept by mistake (an edit saved though the page says it failed) shows as well as an insert.
"""

from __future__ import annotations

import ast
import inspect
import io
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from PIL import Image

from config import JOBS_SCHEMA, SHARED_SCHEMA
from errors import DomainError
from models import Role
from tests.admin.conftest import enrol, sign_in_with_code
from tests.fixtures.web import csrf_token, sign_in

# Columns that change on reads, by design: a session's last activity is refreshed at most once a minute.
VOLATILE_COLUMNS = {("auth_sessions", "last_seen_at")}
# Tables every request to some routes writes in a transaction of its own, refused or not: the rate limits' counters
# (blueprints.rate_limits; tests/security/test_rate_limits.py covers them).
REQUEST_COUNTER_TABLES = {"rate_limit_counters"}


def _caught_types(handler: ast.ExceptHandler) -> list[ast.expr]:
    if handler.type is None:
        return []
    return list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]


def _sources(view) -> list[ast.AST]:
    """The view's code and that of the helpers of its own module it calls (transitively): `_decision(...)` etc."""
    module = sys.modules[view.__module__]
    seen: set[object] = set()
    trees: list[ast.AST] = []
    pending = [view]
    while pending:
        function = pending.pop()
        if function in seen:
            continue
        seen.add(function)
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        trees.append(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called = inspect.unwrap(getattr(module, node.func.id, None) or (lambda: None))
                if inspect.isfunction(called) and called.__module__ == module.__name__:
                    pending.append(called)
    return trees


def refusal_branches(app) -> set[tuple[str, str]]:
    """(endpoint, exception class name) for every `except <DomainError subclass>` in a view that handles POST.

    The view's own helpers (functions of its module it calls) count as the view: a shared `_decision()` that
    catches a domain error is a branch of every view that calls it.
    """
    found: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        module_globals = vars(sys.modules[view.__module__])
        for tree in _sources(view):
            for node in ast.walk(tree):
                if not isinstance(node, ast.ExceptHandler):
                    continue
                for expr in _caught_types(node):
                    # Resolved in the view module's namespace, as Python does when the clause runs.
                    caught = eval(compile(ast.Expression(expr), view.__module__, "eval"), module_globals)  # noqa: S307
                    if isinstance(caught, type) and issubclass(caught, DomainError):
                        found.add((rule.endpoint, caught.__name__))
    return found


def _tables(conn, schema: str) -> list[tuple[str, list[str]]]:
    rows = conn.execute(
        sa.text(
            "SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position) "
            "FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = :schema AND t.table_type = 'BASE TABLE' GROUP BY c.table_name ORDER BY 1"
        ),
        {"schema": schema},
    )
    return [(name, columns) for name, columns in rows]


def fingerprint(engine, schemas: list[str]) -> dict[str, tuple[int, str]]:
    """`schema.table` -> (row count, md5 of every row's text) for every table of these schemas."""
    result: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        parts = []
        for schema in schemas:
            for table, columns in _tables(conn, schema):
                if table in REQUEST_COUNTER_TABLES:
                    continue
                kept = [c for c in columns if (table, c) not in VOLATILE_COLUMNS]
                row = "ROW(" + ", ".join(f't."{c}"' for c in kept) + ")::text"
                parts.append(
                    f"SELECT '{schema}.{table}' AS name, count(*) AS n, "
                    f"md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) AS digest "
                    f'FROM "{schema}"."{table}" t'
                )
        if parts:
            for name, count, digest in conn.execute(sa.text(" UNION ALL ".join(parts))):
                result[name] = (count, digest)
    return result


def changed_tables(before: dict, after: dict) -> dict[str, tuple]:
    return {
        name: (before.get(name), after.get(name))
        for name in before.keys() | after.keys()
        if before.get(name) != after.get(name)
    }


def png(colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A small valid PNG."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def photos(count: int) -> list[tuple[io.BytesIO, str, str]]:
    """`count` distinct PNG uploads, as a multipart form field value."""
    return [(io.BytesIO(png((i * 9 % 256, 100, 200))), f"p{i}.png", "image/png") for i in range(count)]


@dataclass
class Ctx:
    """What a scenario gets: the factories, a client, and `post` which records what was stored around the request."""

    app: object
    engines: object
    make_world: Callable
    make_store: Callable
    make_user: Callable
    in_store: Callable
    client: object
    monkeypatch: object
    stores: list = field(default_factory=list)
    before: dict | None = None
    after: dict | None = None

    def world(self, name: str | None = None):
        return self.make_world(name)

    def store(self, world, name: str | None = None):
        store = self.make_store(world, name)
        self.stores.append(store)
        return store

    def sign_in(self, user) -> None:
        sign_in(self.client, user.email)

    def owner(self, store, role=None):
        """A member of `store` (its owner unless told), signed in."""
        user = self.make_user(store=store, role=role or Role.STORE_OWNER)
        self.sign_in(user)
        return user

    def admin(self, world):
        """An association admin of `world`, signed in with two-step sign-in as admins must."""
        user = self.make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
        sign_in_with_code(self.client, self.engines, user, enrol(self.engines, user))
        return user

    def token(self, page_url: str) -> str:
        page = self.client.get(page_url)
        assert page.status_code == 200, (page_url, page.status_code)
        return csrf_token(page.get_data(as_text=True))

    def snapshot(self) -> dict:
        # The job queue too: a refused request must leave no job behind (jobs are rows of its transaction).
        return fingerprint(self.engines.owner, [SHARED_SCHEMA, JOBS_SCHEMA, *(s.schema_name for s in self.stores)])

    def post(self, url: str, data: dict, *, form_url: str | None = None, token: str | None = None, **kwargs):
        """POST as a browser would (CSRF token from `form_url`), fingerprinting what is stored before and after."""
        if token is None:
            token = self.token(form_url or url)
        self.before = self.snapshot()
        multipart = any(isinstance(v, (tuple, list)) for v in data.values())
        if multipart:
            kwargs.setdefault("content_type", "multipart/form-data")
        response = self.client.post(url, data={**data, "csrf_token": token}, **kwargs)
        self.after = self.snapshot()
        return response


@dataclass(frozen=True)
class Scenario:
    """Provoke one refusal branch over HTTP. `run(ctx)` returns the response of the refused POST (made by ctx.post).

    `status` is what the view answers; `says` must be in the page (for a redirect: in the page it leads to).
    `kept` names the tables a refusal writes on purpose in a transaction of its own (throttle counters and the audit
    of a refused sign-in; a dues checkout attempt reserved before Stripe is called): they may change.
    """

    run: Callable[[Ctx], object]
    status: int
    says: str
    kept: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Unreachable:
    """A branch no HTTP request can reach, with the reason (should be rare: say why, precisely)."""

    reason: str
