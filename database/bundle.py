"""Several independent SELECTs in one round trip (issue #22: the dashboard's attention items).

Each query becomes a scalar subquery that aggregates its rows as JSON arrays in the query's own order; the
bundle is one statement, so a page that needs five small lists waits for PostgreSQL once instead of five times,
and its rows are decoded into plain records instead of ORM entities (nothing to track: these pages only read).

A query selects ORM entities and/or columns, as usual. A row comes back as a tuple with one element per selected
item: an entity becomes a `Record` with the entity's column attributes (same names, same Python types), a column
its value. Named bind parameters (`sa.bindparam("now")`) get their values from the query's `params`; the same
name in two queries stays two parameters.

The statement for a tuple of queries is built once (the queries are module-level, cached selects), so a request
pays for the parameters and the decoding only. Store tables are translated by the Session's
`schema_translate_map` like any other statement.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

__all__ = ["Query", "Record", "fetch", "fetch_one"]


class Record:
    """A read-only row of an entity: its column attributes, nothing tracked, nothing lazy.

    The record of an entity also has the entity class's plain properties (`Bulletin.place_label`), which work as
    long as they read columns only; a relationship is not there (AttributeError, not a hidden query).
    """

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"


@functools.cache
def _record_class(entity: type) -> type[Record]:
    properties = {}
    for klass in reversed(entity.__mro__):
        properties.update({name: value for name, value in vars(klass).items() if isinstance(value, property)})
    return type(f"{entity.__name__}Record", (Record,), properties)


@dataclass(frozen=True)
class Query:
    """One SELECT of a bundle and the values of its named bind parameters."""

    select: sa.Select
    params: Mapping[str, Any] = field(default_factory=dict)


def fetch(session: Session, queries: Sequence[Query]) -> list[list[tuple]]:
    """Run the queries as one statement; for each query its rows, in its order."""
    if not queries:
        return []
    plan = _plan(tuple(q.select for q in queries))
    params = {
        f"{prefix}{name}": value
        for prefix, q in zip(plan.prefixes, queries, strict=True)
        for name, value in q.params.items()
    }
    lists = session.execute(plan.statement, params).one()
    return [decode(rows or ()) for decode, rows in zip(plan.decoders, lists, strict=True)]


def fetch_one(session: Session, query: Query) -> list[tuple]:
    """The rows of one query, decoded as a bundle decodes them (the same records whether bundled or not)."""
    return fetch(session, [query])[0]


# --- building the statement, once per tuple of selects --------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    statement: sa.Select
    prefixes: tuple[str, ...]
    decoders: tuple[Callable[[Sequence[list]], list[tuple]], ...]


@functools.lru_cache(maxsize=256)
def _plan(selects: tuple[sa.Select, ...]) -> _Plan:
    columns, decoders, prefixes = [], [], []
    for i, select in enumerate(selects):
        prefix = f"b{i}_"
        aggregate, decode = _aggregate(_rename_params(select, prefix), f"b{i}")
        columns.append(aggregate)
        decoders.append(decode)
        prefixes.append(prefix)
    return _Plan(sa.select(*columns), tuple(prefixes), tuple(decoders))


def _rename_params(select: sa.Select, prefix: str) -> sa.Select:
    # Named parameters of two queries may share a name ("now") with different values: each gets its own.
    def replace(element, **_kw):
        if isinstance(element, sa.BindParameter) and not element.unique:
            return sa.bindparam(prefix + element.key, type_=element.type)
        return None

    return visitors.replacement_traverse(select, {}, replace)


def _aggregate(select: sa.Select, name: str):
    """The select as one JSON array of row arrays in the select's order, and the function that decodes it."""
    flat: list[sa.ColumnElement] = []
    shapes: list[tuple[type[Record] | None, list[str]]] = []  # per selected item: record class and attributes
    for item in select.column_descriptions:
        entity = item.get("entity") if item.get("expr") is item.get("entity") else None
        if entity is not None and item.get("type") is entity:
            attrs = list(sa.inspect(entity).column_attrs)
            shapes.append((_record_class(entity), [a.key for a in attrs]))
            flat.extend(a.columns[0] for a in attrs)
        else:
            shapes.append((None, [item["name"] or f"col{len(flat)}"]))
            flat.append(item["expr"])
    order = list(select._order_by_clauses)
    inner = select.with_only_columns(
        *[_as_json_safe(c).label(f"c{j}") for j, c in enumerate(flat)],
        sa.func.row_number().over(order_by=order or None).label("pos"),
    ).subquery(name)
    cells = [inner.c[f"c{j}"] for j in range(len(flat))]
    aggregate = (
        sa.select(sa.func.json_agg(aggregate_order_by(sa.func.json_build_array(*cells), inner.c.pos)))
        .scalar_subquery()
        .label(name)
    )
    converters = [_converter(c.type) for c in flat]
    return aggregate, functools.partial(_decode, shapes=shapes, converters=converters)


def _as_json_safe(column: sa.ColumnElement) -> sa.ColumnElement:
    # JSON would turn numerics into floats and bytes into escaped text: send both as text, decode them exactly.
    if isinstance(column.type, sa.Numeric) and not isinstance(column.type, sa.Float):
        return sa.cast(column, sa.Text)
    return column


def _converter(type_: sa.types.TypeEngine) -> Callable[[Any], Any] | None:
    impl = type_.impl if isinstance(type_, sa.TypeDecorator) else type_
    base: Callable[[Any], Any] | None
    if isinstance(impl, sa.DateTime):
        base = dt.datetime.fromisoformat
    elif isinstance(impl, sa.Date):
        base = dt.date.fromisoformat
    elif isinstance(impl, sa.Time):
        base = dt.time.fromisoformat
    elif isinstance(impl, sa.Numeric) and not isinstance(impl, sa.Float):
        base = decimal.Decimal
    elif isinstance(impl, sa.Uuid):
        base = uuid.UUID
    elif isinstance(impl, (sa.Interval, sa.LargeBinary)):
        raise TypeError(f"database.bundle cannot carry a {impl!r} column; select it another way")
    else:
        base = None  # strings, numbers, booleans, JSON and arrays arrive as they are
    if isinstance(type_, sa.TypeDecorator):
        processor = type_.process_result_value
        if base is None:
            return lambda value: processor(value, None)
        return lambda value: processor(base(value), None)
    return base


def _decode(rows: Sequence[list], *, shapes, converters) -> list[tuple]:
    out = []
    for raw in rows:
        values = [v if v is None or conv is None else conv(v) for v, conv in zip(raw, converters, strict=True)]
        row, at = [], 0
        for record_class, names in shapes:
            if record_class is not None:
                row.append(record_class(dict(zip(names, values[at : at + len(names)], strict=True))))
                at += len(names)
            else:
                row.append(values[at])
                at += 1
        out.append(tuple(row))
    return out
