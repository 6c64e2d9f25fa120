"""A first visit, in a real browser against a real server: what the page asks for, and when
(templates/index.html, static/js/main.js).

The page's script is two requests: earlySocket.js (the socket, opened first) and the bundle of
main.js and every module it imports (app/bundle.py), which imports earlySocket.js without
fetching it again. The options and the lessons are requested with the page (its preload links)
rather than once the script has run, and each once: the page's own fetch uses the preloaded
answer. The datasets' thumbnails, which the server computes, are asked
for only after the first boundary is drawn, so they do not compete with the run's creation."""

from __future__ import annotations

import re

from tests.browser.conftest import wait_ready

RESOURCES = """() => performance.getEntriesByType('resource').map((e) => ({
  path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd }))"""


def test_a_first_visit_asks_for_the_bundle_the_options_and_lessons_with_the_page(page, server_url):
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(server_url + "/")  # a fresh context: nothing cached
    wait_ready(page)
    entries = page.evaluate(RESOURCES)
    paths = [e["path"] for e in entries]
    main = next(e for e in entries if e["path"] == "/static/js/main.bundle.js")
    scripts = {e["path"] for e in entries if e["path"].startswith("/static/js/")}
    assert scripts == {"/static/js/main.bundle.js", "/static/js/earlySocket.js"}
    assert re.findall(r'<script type="module"[^>]*src="([^"]+)"', page.content()) == [
        "/static/js/earlySocket.js",
        "/static/js/main.bundle.js",
    ]
    # The bundle shares earlySocket.js's module instance: the socket it opened early is the
    # page's one socket (a copy of the module in the bundle would find none and open another).
    assert len(sockets) == 1, sockets
    for path in ("/api/options", "/static/lessons.json"):
        (entry,) = [e for e in entries if e["path"] == path]  # once: the preload was used
        assert entry["start"] <= main["end"], path
    repeated = {p for p in paths if paths.count(p) > 1 and not p.startswith("/api/datasets")}
    assert repeated == set()


def test_dataset_thumbnails_are_asked_for_after_the_page_start_and_drawn(page, server_url):
    """After the first boundary and Plotly's run (main.js afterStart): a click on play right
    after the first boundary is not held up by drawing them."""
    page.goto(server_url + "/")
    wait_ready(page)
    count = "document.querySelectorAll('#dataset-previews .preview:not(.own)').length"
    page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        f".filter((e) => e.name.endsWith('/api/datasets/preview')).length === {count}"
        " && document.querySelectorAll('#dataset-previews .no-preview').length === 0"
    )
    starts = page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter((e) => e.name.endsWith('/api/datasets/preview')).map((e) => e.startTime)"
    )
    first_boundary = page.evaluate("window.nnplayStats.firstBoundaryAt")
    assert starts and min(starts) >= first_boundary
    (plotly,) = page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter((e) => e.name.endsWith('/vendor/plotly-basic.min.js')).map((e) => e.responseEnd)"
    )
    assert min(starts) >= plotly
