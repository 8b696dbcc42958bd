"""The audit log in words: every action code the app records has a sentence (audit/wording.py), unknown codes
still read as a sentence, and the audit page shows the sentences with the actor's name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from audit.wording import SENTENCES, describe
from models import User

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
# Functions that take an action code as an argument and write it to the audit log.
RECORDERS = {"record", "_record", "_audit", "record_access"}
# Calls of audit.record whose action is built at run time, and the codes each can produce (a new dynamic call site
# fails the test until its codes are listed here, and so get words).
DYNAMIC = {
    "review/grants.py": set(),  # `_audit(session, "review.…", …)`: its callers' constants are scanned
    "patrols/requests.py": {
        f"patrol.officer.{a}" for a in ("opened", "acknowledged", "declined", "logged_patrol", "completed")
    },
    "briefing/briefing.py": {"briefing.view", "briefing.print"},
    "billing/dues.py": set(),
    "regions/regions.py": set(),
    "members/stores.py": set(),
    "bulletins/moderation.py": set(),
    "people/association.py": set(),
    "logbook/casing_links.py": set(),
}
PACKAGES = [
    p for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"tests", "bench"}
]


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def recorded_codes() -> tuple[set[str], set[str]]:
    """Every constant action code passed to a recorder, and the files with a call whose action is not a constant."""
    codes: set[str] = set()
    dynamic_files: set[str] = set()
    for package in PACKAGES:
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in RECORDERS:
                    continue
                strings = [s for arg in node.args[:4] for s in _strings(arg)]
                found = [s for s in strings if (CODE.match(s) and "." in s) or s == "logout"]
                if found:
                    codes.update(found)
                elif name == "record" and isinstance(node.func, ast.Attribute):
                    dynamic_files.add(str(path.relative_to(ROOT)))
    return codes, dynamic_files


def test_every_recorded_action_has_words():
    codes, dynamic_files = recorded_codes()
    assert len(codes) > 80  # the scan does find the app's calls
    unlisted = dynamic_files - set(DYNAMIC)
    assert not unlisted, f"list the codes of these dynamic audit.record calls: {unlisted}"
    for extra in DYNAMIC.values():
        codes |= extra
    missing = sorted(codes - set(SENTENCES))
    assert not missing, f"audit actions without words in audit/wording.py: {missing}"


def test_sentences_name_the_person_and_unknown_codes_fall_back(app):
    with app.test_request_context():
        sentence = describe("bulletin.approved", "Marie Tremblay", "marie@example.org")
        assert sentence == "Marie Tremblay approved a bulletin"
        assert describe("store.suspend", "", "marie@example.org") == "marie@example.org suspended a member store"
        assert describe("login.throttled") == "Loupe was refused sign-in after too many failures"
        assert describe("made.up_code", "Ann") == "Ann did “made.up_code”"
        for code, sentence in SENTENCES.items():
            assert "%(who)s" in str(sentence), code


def test_audit_page_shows_sentences(admin_client, admin_world, engines):
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(User).where(User.id == admin_world.admin.id).values(name="Marie Tremblay"))
        admin = session.get(User, admin_world.admin.id)
        for code in ("bulletin.approved", "old.code"):
            audit.record(session, code, actor=Actor.for_user(admin), association_id=admin_world.association.id)
    page = admin_client.get(f"{admin_world.url}/audit/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Marie Tremblay approved a bulletin" in html
    assert "Marie Tremblay did “old.code”" in html
    # The action filter lists actions in words too.
    assert '<option value="bulletin.approved">Someone approved a bulletin</option>' in html
