"""Browser tests: the app served by a real HTTP server in a thread, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.fixtures.outbound import expect_outbound
from tests.support.browser import ChromiumMissingError, chromium_launch_args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium. Missing: CI fails (a green CI must have run these); a developer's machine skips."""
    try:
        launch = chromium_launch_args()
    except ChromiumMissingError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{exc} (skipped outside CI)")
    return {**browser_type_launch_args, **launch}


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The test app on 127.0.0.1, on a free port, for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        with expect_outbound("127.0.0.1", server.server_port):
            yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Overrides pytest-playwright's fallback fixture (deprecated under pytest 9, and warnings are errors)."""
    return live_server
