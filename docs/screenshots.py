"""The README's screenshots, made by driving the real page: run by hand after a visible change.

    .venv/bin/python docs/screenshots.py

Starts nnplay in a thread on a free port, opens it in Debian's Chromium (/usr/bin/chromium,
with the browser tests' launch arguments) at 1280 × 800, and writes

- docs/playground.png: the default flower run, trained for a few seconds;
- docs/compare.png: compare mode, sigmoid vs tanh vs ReLU, trained side by side.

Nothing is drawn by hand: rerun it and commit the new PNGs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.threaded import ThreadedServer  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
TRAIN_SECONDS = 4.0
COMPARE = "/#cmp=activation&vals=sigmoid,tanh,relu"


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Poll `expression` in the page (from Python: the page's CSP forbids eval) until truthy."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page never showed: {expression}")
        time.sleep(0.05)


def playground(page, url: str, path: Path) -> None:
    page.goto(url + "/")
    page.get_by_test_id("connection-status").filter(has_text="connected").wait_for()
    wait_until(page, "!!document.querySelector('[data-testid=boundary-chart]').layout")
    page.get_by_test_id("play").click()
    time.sleep(TRAIN_SECONDS)
    page.get_by_test_id("pause").click()
    time.sleep(0.5)  # the last frames drawn
    page.screenshot(path=path)


def compare(page, url: str, path: Path) -> None:
    page.goto(url + COMPARE)
    wait_until(
        page,
        "(() => { const c = window.nnplay && window.nnplay.compare;"
        " return c && c.ready && c.runs.length === 3; })()",
    )
    page.get_by_test_id("compare-play").click()
    time.sleep(TRAIN_SECONDS)
    page.get_by_test_id("compare-pause").click()
    time.sleep(0.5)
    page.screenshot(path=path)


def main() -> int:
    server = ThreadedServer(create_app(Settings())).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            # As a returning visitor sees it: the first-visit card dismissed.
            context.add_init_script(
                "try { localStorage.setItem('nnplay.welcome', 'dismissed') } catch (e) {}"
            )
            page = context.new_page()
            playground(page, server.url, ROOT / "docs" / "playground.png")
            compare(page, server.url, ROOT / "docs" / "compare.png")
            browser.close()
    finally:
        server.stop()
    print("wrote docs/playground.png and docs/compare.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
