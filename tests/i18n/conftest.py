"""The language tests reuse the bulletin tests' world (a source store, a neighbour, other regions and associations)."""

from tests.bulletins.conftest import sharing_world  # noqa: F401
