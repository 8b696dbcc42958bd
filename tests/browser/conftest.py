"""Browser tests: the app served by a real HTTP server in a thread, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.support.browser import chromium_launch_args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **chromium_launch_args()}


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The test app on 127.0.0.1, on a free port, for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Overrides pytest-playwright's fallback fixture (deprecated under pytest 9, and warnings are errors)."""
    return live_server
