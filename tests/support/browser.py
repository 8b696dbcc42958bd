"""Launch settings for Debian's Chromium under Playwright (pytest-playwright).

Playwright's own browser download does not work on these machines (no
internet), so browser tests drive the Debian package instead
(``apt-get install -y chromium``, ~480 MB). Use it from ``conftest.py``::

    from tests.support.browser import chromium_launch_args

    @pytest.fixture(scope="session")
    def browser_type_launch_args(browser_type_launch_args):
        return {**browser_type_launch_args, **chromium_launch_args()}

``chromium_launch_args()`` raises :class:`ChromiumMissingError` when the
binary is absent, so browser tests *fail* rather than skip (CI must not go
green without running them). pytest-playwright's ``--screenshot`` and
``--tracing`` work with this; ``--video`` does not (it needs Playwright's own
ffmpeg download).
"""

from __future__ import annotations

import os

CHROMIUM_PATH = "/usr/bin/chromium"

CHROMIUM_ARGS = [
    "--headless",
    # Root in a container: Chromium's sandbox needs user namespaces we lack.
    "--no-sandbox",
    "--disable-gpu",
    # No network besides the app under test: keep Chromium from phoning home
    # (and from stalling or logging errors while it tries).
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class ChromiumMissingError(RuntimeError):
    """Debian's Chromium is not installed where the browser tests expect it."""


def require_chromium(path: str = CHROMIUM_PATH) -> str:
    """Return ``path`` if it is an executable file, else raise a clear error."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ChromiumMissingError(
            f"Browser tests need Debian's Chromium at {path}, which is missing. "
            "Install it with: apt-get update && apt-get install -y chromium "
            "(Playwright's own browser download does not work offline)."
        )
    return path


def chromium_launch_args(path: str = CHROMIUM_PATH) -> dict:
    """Keyword arguments for ``playwright.chromium.launch()``.

    Also what pytest-playwright's ``browser_type_launch_args`` fixture should
    return (merged over its own). Raises :class:`ChromiumMissingError` if the
    binary is missing.
    """
    # No "headless" key: Playwright defaults to headless, and --headless in
    # the args keeps Chromium headless even under pytest-playwright's --headed.
    return {"executable_path": require_chromium(path), "args": list(CHROMIUM_ARGS)}


def sign_out(page) -> None:
    """Sign out from the header's account menu (the button is inside the folded menu)."""
    page.locator("details.account-menu > summary").click()
    page.get_by_role("button", name="Sign out").click()


def open_more(page) -> None:
    """Unfold the header's "More" (the less-used sections) on a desktop-sized page."""
    page.locator("details.nav-more > summary").click()
