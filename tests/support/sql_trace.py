"""What reaches the server, per query: a psycopg cursor that records every text it sends, and a statement counter.

Used by the Citus guards (tests/tenants/test_citus_guards.py), which run on plain PostgreSQL in ordinary CI: Citus
refuses a multi-statement text on its workers, and a setval/nextval inside a query reading a store table runs on the
store's worker with that worker's sequence range.
"""

from __future__ import annotations

import re

import psycopg
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


def count_statements(text: str) -> int:
    """How many statements a SQL text holds: `;` outside quotes, dollar quotes and comments separates them."""
    count, content, i, n = 0, False, 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = i + 1
            while True:  # a doubled quote is part of the literal
                j = text.find(c, j)
                if j == -1 or not text.startswith(c, j + 1):
                    break
                j += 2
            i, content = (n if j == -1 else j + 1), True
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j == -1 else j + 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j == -1 else j + 2
            continue
        if c == "$" and (m := _DOLLAR.match(text, i)):
            j = text.find(m.group(0), m.end())
            i, content = (n if j == -1 else j + len(m.group(0))), True
            continue
        if c == ";":
            count, content = count + content, False
        elif not c.isspace():
            content = True
        i += 1
    return count + content


def _text(query) -> str:
    if isinstance(query, bytes):
        return query.decode()
    if isinstance(query, str):
        return query
    return repr(query)  # a psycopg.sql.Composable: not used by the paths traced here


def recording_cursor(sent: list[str]) -> type[psycopg.Cursor]:
    """A cursor class that appends every query text it sends to `sent` (the text, before parameters are bound)."""

    class Recording(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            sent.append(_text(query))
            return super().execute(query, params, **kwargs)

        def executemany(self, query, params_seq, **kwargs):
            sent.append(_text(query))
            return super().executemany(query, params_seq, **kwargs)

    return Recording


def traced_engine(url: sa.URL, sent: list[str]) -> sa.Engine:
    """An engine on `url` whose connections record what they send into `sent` (no pool: nothing outlives a test)."""
    return sa.create_engine(url, connect_args={"cursor_factory": recording_cursor(sent)}, poolclass=NullPool)


# A store or pool schema's table, as SQLAlchemy's translate map and the DDL paths name it: store_42.x or "store_42".x
STORE_TABLE = re.compile(r'\b(FROM|JOIN|UPDATE|INTO)\s+"?(store|pool)_\d+"?\.', re.IGNORECASE)
SEQUENCE_CALL = re.compile(r"\b(setval|nextval)\s*\(", re.IGNORECASE)


def multi_statement(sent: list[str]) -> list[str]:
    """The texts that hold more than one statement."""
    return [text for text in sent if count_statements(text) > 1]


def sequence_calls_on_store_tables(sent: list[str]) -> list[str]:
    """The texts that call setval/nextval and read (or write) a store table in the same statement."""
    return [text for text in sent if SEQUENCE_CALL.search(text) and STORE_TABLE.search(text)]
