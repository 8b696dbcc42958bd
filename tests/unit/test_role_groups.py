"""Role groups have one home (`models.accounts`), and templates ask it instead of comparing role strings.

Read from the source tree itself, so that a new module or template that re-spells a group fails here rather than
drifting from the others when a role is added.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from models import Membership, Role
from models.accounts import MANAGER_ROLES, OWNER_ROLES, STORE_ROLES, is_manager, is_owner

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "models" / "accounts.py"
SKIPPED = {"tests", "migrations", "node_modules", "static", "templates", "docs"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or relative.parts[0] in SKIPPED:
            continue
        yield relative, path


def _is_role_member(node: ast.AST) -> bool:
    """`Role.X` or `Role.X.value`."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"


def _role_groups(tree: ast.AST):
    """Tuple, list and set literals made only of Role members (`frozenset({...})` holds one too): any of two or more
    roles, and any at all that is given a name or passed to a call (`store_view((Role.STORE_OWNER,))`). A single
    role declared as data (a guard's `loupe_access`) is not a group."""
    named_or_passed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            named_or_passed.add(id(node.value))
        elif isinstance(node, ast.Call):
            named_or_passed.update(id(arg) for arg in node.args)
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts and all(map(_is_role_member, node.elts)):
            if len(node.elts) > 1 or id(node) in named_or_passed:
                yield node


def test_no_module_but_the_home_spells_out_a_role_group():
    found = []
    for relative, path in _sources():
        if path == HOME:
            continue
        tree = ast.parse(path.read_text(), filename=str(relative))
        found += [f"{relative}:{node.lineno}: {ast.unparse(node)}" for node in _role_groups(tree)]
    assert found == [], "use the groups of models.accounts (MANAGER_ROLES, OWNER_ROLES, ...):\n" + "\n".join(found)


def test_the_check_finds_a_group_where_there_is_one():
    # The home itself spells its groups out: the scan must see them, or the test above proves nothing.
    groups = [ast.unparse(node) for node in _role_groups(ast.parse(HOME.read_text()))]
    assert "{Role.STORE_OWNER, Role.STORE_MANAGER}" in groups
    for spelled in (
        "MANAGERS = (Role.STORE_OWNER.value, Role.STORE_MANAGER.value)",
        "OWNERS = (Role.STORE_OWNER,)",
        "store_view((Role.STORE_OWNER,))",
        "ok = membership.role in {r.value for r in (Role.STORE_OWNER, Role.STORE_MANAGER)}",
    ):
        assert list(_role_groups(ast.parse(spelled))), spelled
    assert not list(_role_groups(ast.parse('wrapper.loupe_access = {"roles": [Role.POLICE_LIAISON.value]}')))


_JINJA_BLOCK = re.compile(r"\{[{%](.*?)[%}]\}", re.S)
_LITERAL = re.compile(r"""(['"])([a-z_]+)\1""")


def test_templates_compare_no_role_literals():
    """A template block that mentions a role and a role's string value is a role check spelled out by hand."""
    values = {role.value for role in Role}
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if not path.is_file():
            continue
        for block in _JINJA_BLOCK.findall(path.read_text()):
            literals = {m.group(2) for m in _LITERAL.finditer(block)} & values
            if "role" in block and literals:
                found.append(f"{path.relative_to(ROOT)}: {{{block.strip()}}}")
    assert found == [], "use is_manager(membership) / is_owner(membership):\n" + "\n".join(found)


def test_groups_answer_for_stored_role_strings():
    # Memberships store plain strings; the groups hold Role members: both must meet.
    assert "owner" in MANAGER_ROLES and "manager" in MANAGER_ROLES and "staff" not in MANAGER_ROLES
    assert "owner" in OWNER_ROLES and "manager" not in OWNER_ROLES
    assert set(MANAGER_ROLES) < set(STORE_ROLES)
    managers = [is_manager(Membership(role=r)) for r in ("owner", "manager", "staff", "admin")]
    assert managers == [True, True, False, False]
    assert [is_owner(Membership(role=r)) for r in ("owner", "manager", "staff")] == [True, False, False]
    assert not is_manager(None) and not is_owner(None)
