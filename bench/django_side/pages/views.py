"""The store dashboard and regional feed in Django + django-tenants, for the page comparison (bench measure 11).

Same data: this project runs on Loupe's own database (its store schemas and its shared `loupe` schema), as the
`loupe_app` role. Same queries: the harness records the statements Loupe's page runs (one in-process request,
`bench/measures/m11_peer_pages.py`) and hands them over in the file named by DJ_PAGES_SQL; here they run with the
store schema's prefix removed, so they find the store's tables through django-tenants' binding, `SET search_path`
(`connection.set_schema`), as any django-tenants app does. Who is signed in comes from the same server-side auth
session row (cookie `djsid` carries the token; its sha256 is looked up), and the store from that person's
memberships, exactly as Loupe resolves them; a store the person is not a member of answers 404.
"""

import datetime as dt
import hashlib
import json
import os

from django.db import connection
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import render

with open(os.environ.get("DJ_PAGES_SQL", "/nonexistent")) as _f:
    PAGES = json.load(_f)


def _values(spec: dict, known: dict) -> dict:
    now = dt.datetime.now(dt.UTC)
    out = {}
    for key, (kind, value) in spec.items():
        if key in known:
            out[key] = known[key]
        elif kind == "datetime":
            out[key] = now.replace(hour=0, minute=0, second=0, microsecond=0) if "today" in key else now
        elif kind == "date":
            out[key] = now.date()
        else:
            out[key] = value
    return out


def _rows(cursor) -> tuple[list[str], list[tuple]]:
    return [c.name for c in cursor.description], cursor.fetchall()


def page(request, slug: str, kind: str):
    statements = PAGES[kind]
    token = request.COOKIES.get("djsid")
    if not token:
        return HttpResponseForbidden("not signed in")
    known = {"token_hash": hashlib.sha256(token.encode()).hexdigest()}
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # The session, the person and their memberships in one statement, as Loupe reads them.
        auth = statements[0]
        cursor.execute(auth["sql"], _values(auth["params"], known))
        names, rows = _rows(cursor)
        if not rows:
            return HttpResponseForbidden("not signed in")
        person = dict(zip(names, rows[0], strict=True))
    mine = [dict(zip(names, row, strict=True)) for row in rows]
    membership = next((m for m in mine if m.get(PAGES["store_slug_column"]) == slug), None)
    if membership is None:
        raise Http404("no such store")
    for key, column in PAGES["from_membership"].items():
        known[key] = membership[column]
    connection.set_schema(membership["schema_name"])  # django-tenants: SET search_path on the next cursor
    sections = []
    with connection.cursor() as cursor:
        for statement in statements[1:]:
            cursor.execute(statement["sql"], _values(statement["params"], known))
            names, rows = _rows(cursor)
            # Loupe's feed shows each bulletin's text, its dashboard a line per item: as many cells, so the pages
            # come out about the same size (the harness reports both sizes).
            cells = 5 if statement["store_tables"] else 14
            sections.append({"title": statement["title"], "rows": [r[:cells] for r in rows[:20]]})
    context = {
        "slug": slug,
        "store_name": membership.get(PAGES["store_name_column"]),
        "person": person.get("name"),
        "kind": kind,
        "sections": sections,
        "nav": PAGES["nav"],
    }
    return render(request, "pages/page.html", context)
