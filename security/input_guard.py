"""Refuse request input PostgreSQL cannot store or that no person types: NUL bytes and invalid surrogates.

Without this, a NUL byte in any text field reaches the driver and fails the whole request with a 500. Headers too:
the User-Agent is stored with a new sign-in session, so a NUL byte there failed the sign-in with a 500.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, abort, request


def _bad(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(value) -> Iterator[str]:
    """Every key and string of a parsed JSON document (a loop, not recursion: nesting depth is the sender's)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _json_body():
    """The request's JSON body, or None when it is not JSON (the parser's own 400 follows); too deep a nesting
    for the parser is refused here, as a 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, "The JSON body is nested too deeply.")


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_unstorable_input():
        if any(_bad(value) for _name, value in request.headers.items()):
            abort(400, "A request header contains a character that cannot be used (a NUL byte).")
        for source in (request.args, request.form):
            for key, values in source.lists():
                if _bad(key) or any(_bad(v) for v in values):
                    abort(
                        400,
                        "The form contained a character that cannot be stored (a NUL byte). Remove it and try again.",
                    )
        # The JSON API's bodies: the same rule (a body that is not JSON is the parser's 400).
        if request.is_json and any(_bad(v) for v in _strings(_json_body())):
            abort(400, "The request contains a character that cannot be stored (a NUL byte). Remove it and try again.")
        for name in request.view_args or {}:
            value = request.view_args[name]
            if isinstance(value, str) and _bad(value):
                abort(400, "The address contains a character that cannot be used.")
