"""Browser fixtures: a real uvicorn server in a thread and Debian's Chromium driven by Playwright.

Every asset comes from this server: every context of the session refuses a request that would
leave the machine (anything but loopback), and the test that made one fails.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.main import create_app
from app.settings import Settings
from app.threaded import ThreadedServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():  # fail with the fix, not with Playwright's launch trace
        pytest.fail(
            f"the browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser(browser):
    """The session's browser, whose new contexts start with the first-visit card dismissed
    (unless `first_visit=True`) and ignore the server's Content-Security-Policy
    unless asked not to (`bypass_csp=False`): Playwright polls a predicate
    (page.wait_for_function) with eval, which that policy forbids, as it should. The page under
    the policy is tests/browser/test_page_security.py's, whose contexts keep it."""
    new_context = browser.new_context

    def bypassing(first_visit=False, **kwargs):
        context = new_context(**{"bypass_csp": True, **kwargs})
        if not first_visit:  # the tests start as a returning visitor: no first-visit card
            context.add_init_script(DISMISS_WELCOME)
        return context

    browser.new_context = bypassing
    return browser


# What dismissing the first-visit card leaves (static/js/welcome.js); a context made with
# `first_visit=True` sees the page as a newcomer does (tests/browser/test_truth_confusing.py).
DISMISS_WELCOME = "try { localStorage.setItem('nnplay.welcome', 'dismissed') } catch (e) {}"


def on_this_machine(url: str) -> bool:
    """Whether a request for `url` stays on this machine: loopback, or data:/blob: URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = parts.hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


@pytest.fixture(scope="session")
def offline(browser) -> list[str]:
    """Every browser context of the session, the tests' own included, aborts each request that
    would leave the machine and records its URL here."""
    left: list[str] = []
    new_context = browser.new_context

    def refuse_remote(route) -> None:
        if on_this_machine(route.request.url):
            route.fallback()
        else:
            left.append(route.request.url)
            route.abort("blockedbyclient")

    def guarded(**kwargs):
        context = new_context(**kwargs)
        context.route("**/*", refuse_remote)
        return context

    browser.new_context = guarded
    return left


@pytest.fixture(autouse=True)
def stays_on_the_machine(offline):
    """Fail the test whose pages asked for anything beyond this machine."""
    offline.clear()
    yield
    assert offline == [], f"requests that would have left the machine: {offline}"


@pytest.fixture(scope="session")
def server_url():
    """The address of a real nnplay server, running in a thread for the whole session."""
    server = ThreadedServer(create_app(Settings(frame_rate=30))).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def base_url(server_url):
    """pytest-playwright's base URL: our server (replaces the plugin's own fixture)."""
    return server_url


@pytest.fixture
def health(server_url):
    """GET /api/health as a dict."""

    def read() -> dict:
        with urllib.request.urlopen(f"{server_url}/api/health") as response:
            return json.load(response)

    return read


@pytest.fixture(scope="session")
def shots() -> Path:
    """A directory for the tests' screenshots (printed, to look at them)."""
    path = Path(tempfile.mkdtemp(prefix="nnplay-shots-"))
    print(f"\nscreenshots: {path}")
    return path


class Watch:
    """What a page asked for and complained about."""

    def __init__(self, page) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def watch():
    """Start recording a page's requests and errors: watch(page) -> Watch."""
    return Watch


@pytest.fixture
def ready():
    """ready(page): wait until the page is connected and its run is drawn."""
    return wait_ready


@pytest.fixture
def playground(page, server_url):
    """The playground opened on the default configuration, connected and with its run created."""
    watch = Watch(page)
    page.goto(server_url + "/")
    wait_ready(page)
    page.watch = watch
    return page


def wait_ready(page) -> None:
    """Wait until the socket is connected, the run drawn in the diagram and the charts loaded."""
    page.get_by_test_id("connection-status").filter(has_text="connected").wait_for()
    diagram = "document.querySelector('[data-testid=network-diagram]')"
    page.wait_for_function(f"{diagram}.dataset.run && {diagram}.querySelector('canvas') !== null")
    # Plotly loads after the first boundary (static/js/main.js): then the boundary is its chart.
    page.wait_for_function("document.querySelector('[data-testid=boundary-chart]').layout")
