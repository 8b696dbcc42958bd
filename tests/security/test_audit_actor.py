"""The audit actor has one home, read from the source tree so that new code is covered without anyone remembering.

- `audit.Actor` is the only Actor type; `blueprints.web.current_actor` is the only place a request's actor is built.
- Audit rows are written by `audit.record` only (no `AuditEntry(...)`, no insert into `audit_log` elsewhere).
- Views parse, call one domain function and render: the domain function writes the audit, never the view.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Tests build their own rows; migrations create the table.
SKIPPED = {"tests", "migrations", "node_modules", "static", "templates", "docs"}
ACTOR_HELPER = "blueprints/web.py"
_INSERT_SQL = re.compile(r"insert\s+into\s+[\w.\"]*audit_log", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def source_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIPPED or any(p.startswith(".") for p in parts):
            continue
        files.append(path)
    return files


def is_view_module(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path.startswith("blueprints/") and (name == "views.py" or name.endswith("_views.py"))


def _name(node: ast.AST) -> str | None:
    """`x` for `x` and `a.b.x`, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_audit_record(func: ast.AST, record_aliases: set[str]) -> bool:
    if isinstance(func, ast.Attribute) and func.attr == "record":
        return isinstance(func.value, ast.Name) and func.value.id == "audit"
    return isinstance(func, ast.Name) and func.id in record_aliases


def findings(path: str, source: str) -> list[Finding]:
    """What breaks the rules in one module (`path` relative to the repository root, with forward slashes)."""
    tree = ast.parse(source, filename=path)
    inside_audit = path.startswith("audit/")
    view = is_view_module(path)
    record_aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "audit"
        for alias in node.names
        if alias.name == "record"
    }
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ClassDef) and node.name == "Actor" and not inside_audit:
            found.append(Finding(path, line, "defines its own Actor class (use audit.Actor)"))
        elif (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name in ("_actor", "current_actor")
            and path != ACTOR_HELPER
        ):
            found.append(Finding(path, line, f"builds the actor itself in {node.name}() (use current_actor)"))
        elif isinstance(node, ast.Call):
            if not inside_audit and _name(node.func) == "AuditEntry":
                found.append(Finding(path, line, "creates an AuditEntry (use audit.record)"))
            elif (
                not inside_audit
                and _name(node.func) in ("insert", "Insert")
                and any(_name(arg) == "AuditEntry" for arg in node.args)
            ):
                found.append(Finding(path, line, "inserts into AuditEntry (use audit.record)"))
            elif view and _is_audit_record(node.func, record_aliases):
                found.append(Finding(path, line, "a view writes the audit (move it into the domain function)"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and not inside_audit
            and _INSERT_SQL.search(node.value)
        ):
            found.append(Finding(path, line, "inserts into audit_log in SQL (use audit.record)"))
    return found


def test_the_audit_actor_has_one_home_and_views_leave_the_audit_to_the_domain():
    files = source_files()
    assert any(p.relative_to(ROOT).as_posix() == ACTOR_HELPER for p in files)  # the scan does see the tree
    assert sum(is_view_module(p.relative_to(ROOT).as_posix()) for p in files) > 10
    problems = [
        str(finding)
        for path in files
        for finding in findings(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("path", "source", "what"),
    [
        ("blueprints/x/services.py", "class Actor:\n    pass\n", "Actor class"),
        ("blueprints/x/views.py", "def _actor():\n    return 1\n", "_actor()"),
        ("digest/x.py", "from models import AuditEntry\nAuditEntry(action='a')\n", "creates an AuditEntry"),
        ("digest/x.py", "import sqlalchemy as sa\nsa.insert(AuditEntry).values()\n", "inserts into AuditEntry"),
        ("cli/x.py", "q = 'INSERT INTO public.audit_log (action) VALUES (1)'\n", "in SQL"),
        ("blueprints/x/views.py", "import audit\naudit.record(db(), 'x')\n", "a view writes"),
        ("blueprints/x/thing_views.py", "from audit import record as r\nr(db(), 'x')\n", "a view writes"),
    ],
)
def test_the_scan_catches_each_way_around(path, source, what):
    [finding] = findings(path, source)
    assert what in finding.what


def test_the_scan_allows_the_audit_package_and_domain_modules():
    assert findings("audit/actor.py", "class Actor:\n    pass\n") == []
    assert findings("audit/__init__.py", "sa.insert(AuditEntry).values()\n") == []
    assert findings("blueprints/x/services.py", "import audit\naudit.record(session, 'x')\n") == []
    assert findings("blueprints/web.py", "def current_actor():\n    return 1\n") == []
