"""Hostile links and foreign pages against a real browser and a real server.

A link's compare values, dataset name, lesson id and drawn points are checked against the
server's options and the lessons: unknown ones are dropped, the page says so as text, and no
script of theirs ever runs (the payloads set `window.__pwned` and call alert). The page runs under
its Content-Security-Policy (these contexts keep it, unlike the other browser tests': see
conftest.py) with no violation, its charts still drawn. A page from another site can neither
open the server's WebSocket nor upload to it.

Waits poll from Python (page.evaluate) because Playwright's own wait_for_function uses eval,
which the policy forbids.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from app.main import create_app
from app.settings import Settings
from app.threaded import ThreadedServer
from tests.browser.conftest import Watch

TIMEOUT = 15.0
IMG = "<img src=x onerror=window.__pwned=1;alert(7)>"
SVG = "<svg onload=window.__pwned=1;alert(7)>"
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def poll(page, expression: str, what: str, timeout: float = TIMEOUT):
    """Evaluate `expression` in the page until it is truthy; return it, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def wait_ready(page) -> None:
    """Connected, the run in the diagram, plotly loaded and the boundary drawn by it."""
    expect(page.get_by_test_id("connection-status")).to_have_text("connected")
    diagram = "document.querySelector('[data-testid=network-diagram]')"
    poll(page, f"{diagram}.dataset.run && {diagram}.querySelector('canvas') !== null", "the run")
    poll(page, "!!document.querySelector('[data-testid=boundary-chart]').layout", "plotly")


@pytest.fixture
def strict(browser, server_url):
    """open(path) -> a page under the server's CSP, recording dialogs, errors and violations."""
    contexts = []

    def open_page(path: str, bypass_csp: bool = False):
        context = browser.new_context(bypass_csp=bypass_csp)
        contexts.append(context)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.watch = Watch(page)
        page.response = page.goto(server_url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def assert_nothing_ran(page) -> None:
    assert page.evaluate("window.__pwned") is None, "a payload's script ran"
    assert page.dialogs == []
    assert (
        page.evaluate("document.querySelectorAll('main img, #compare img, svg[onload]').length")
        == 0
    )


def notice_lines(page) -> list[str]:
    notice = page.get_by_test_id("link-notice")
    expect(notice).to_be_visible()
    return notice.locator("li").all_inner_texts()


# --- hostile links ------------------------------------------------------------------------------


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "escaping-alone"])
@pytest.mark.parametrize("payload", [IMG, SVG], ids=["img", "svg"])
def test_compare_values_from_a_link_never_run_and_are_dropped(strict, payload, bypass_csp):
    page = strict(f"/#cmp=opt&vals={quote(payload)},adam", bypass_csp=bypass_csp)
    expect(page.get_by_test_id("compare-view")).to_be_visible()
    poll(page, "window.nnplay.compare.runs.length", "the comparison's figures")
    page.wait_for_timeout(300)  # an onerror would have fired by now
    assert_nothing_ran(page)
    poll(page, "window.nnplay.compare.ready", "the comparison's runs")
    lines = notice_lines(page)
    assert any(line.startswith("ignored unknown value to compare (opt) '<") for line in lines), (
        lines
    )
    assert payload[:12] in lines[0] and lines[0].endswith("from the link")
    # The page kept the known value: one run, labelled as text.
    expect(page.get_by_test_id("compare-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("compare-row-0").locator("th")).to_have_text("adam")
    assert "<" not in page.evaluate("location.hash")
    assert_nothing_ran(page)
    assert page.watch.errors == []


def test_a_dataset_name_from_a_link_is_dropped_with_a_notice(strict):
    page = strict(f"/#dataset={quote(IMG)}")
    wait_ready(page)
    # Long values are cut short in the notice (40 characters).
    assert notice_lines(page) == [f"ignored unknown dataset '{IMG[:40]}…' from the link"]
    expect(page.get_by_test_id("dataset-select")).to_have_value("flower")
    assert_nothing_ran(page)
    assert page.watch.errors == []


def test_a_lesson_id_from_a_link_is_dropped_with_a_notice(strict):
    page = strict(f"/#lesson={quote(SVG)}")
    wait_ready(page)
    assert notice_lines(page) == [f"ignored unknown lesson '{SVG}' from the link"]
    expect(page.get_by_test_id("lesson-card")).to_be_hidden()
    assert "lesson=&" in page.evaluate("location.hash") or page.evaluate(
        "location.hash.endsWith('lesson=')"
    )
    assert_nothing_ran(page)


@pytest.mark.parametrize(
    "pts",
    [quote("<img src=x onerror=alert(7)>"), "!!!!", "AAAAAA", "gAAA", "AAA"],
    ids=["html", "not-base64", "not-whole-points", "off-the-plane", "cut-short"],
)
def test_malformed_drawn_points_from_a_link_are_dropped_with_a_notice(strict, pts):
    page = strict(f"/#dataset=draw&pts={pts}")
    expect(page.get_by_test_id("draw-prompt")).to_be_visible()
    assert notice_lines(page) == ["ignored malformed drawn points from the link"]
    assert page.evaluate("window.nnplay.controller.state.pts.y.length") == 0
    assert_nothing_ran(page)
    assert page.watch.errors == []


def test_drawn_points_of_unknown_classes_are_dropped_and_the_rest_kept(strict):
    # Three points: (0, 0) class 0, (0.05, 0) class 1, (0, 0) class 9 (at most 6 classes).
    page = strict("/#dataset=draw&pts=AAAAAQABAAAJ")
    wait_ready(page)
    assert notice_lines(page) == [
        "ignored drawn points of unknown classes or beyond 500 from the link"
    ]
    assert page.evaluate("window.nnplay.controller.state.pts.y") == [0, 1]


def test_a_link_full_of_unknown_names_still_trains_and_lists_each_one(strict):
    hostile = (
        f"/#dataset=spiral&layers=4:{quote(IMG)},3:relu&init=x&opt=y&output=z"
        f"&features=x1_x2,zz&cmp=nope&lr=abc&upload=..%2Fetc&images=a%2Fb"
    )
    page = strict(hostile)
    wait_ready(page)
    lines = notice_lines(page)
    for expected in (
        "ignored unknown activation '<img",
        "ignored unknown initialization 'x'",
        "ignored unknown optimizer 'y'",
        "ignored unknown output activation 'z'",
        "ignored unknown input feature 'zz'",
        "ignored unknown comparison 'nope'",
        "ignored unreadable learning rate 'abc'",
        "ignored unknown upload '../etc'",
        "ignored unknown upload 'a/b'",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    state = page.evaluate("window.nnplay.controller.state")
    assert state["dataset"] == "spiral" and state["features"] == ["x1_x2"]
    assert [layer["activation"] for layer in state["layers"]] == ["tanh", "relu"]
    page.get_by_test_id("link-notice-close").click()
    expect(page.get_by_test_id("link-notice")).to_be_hidden()
    assert_nothing_ran(page)
    assert page.watch.errors == []


# --- the Content-Security-Policy ------------------------------------------------------------------


def test_the_page_runs_and_draws_under_its_policy_without_a_violation(strict, shots):
    page = strict("/")
    policy = page.response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy
    wait_ready(page)
    page.get_by_test_id("play").click()
    poll(
        page,
        "Number(document.querySelector('[data-testid=iteration]').dataset.value) >= 100",
        "100 iterations",
    )
    poll(
        page,
        "(document.querySelector('[data-testid=cost-chart]').data || [{x: []}])[0].x.length > 5",
        "the cost curve",
    )
    poll(
        page,
        "!!document.querySelector('[data-testid=gradient-chart]').layout",
        "the gradient chart",
    )
    page.get_by_test_id("pause").click()
    assert page.evaluate("document.querySelectorAll('#boundary-chart .main-svg').length") > 0
    page.screenshot(path=shots / "security-main.png", full_page=True)
    # A lesson (compare mode, its charts) under the policy too.
    page.get_by_test_id("lessons-menu").locator("summary").click()
    page.get_by_test_id("lesson-zero-init").click()
    poll(page, "window.nnplay.compare.ready", "the lesson's runs")
    poll(
        page,
        "!!document.querySelector('[data-testid=compare-cost-chart]').layout",
        "compare charts",
    )
    expect(page.get_by_test_id("lesson-title")).to_contain_text("Zero initialization")
    page.screenshot(path=shots / "security-lesson.png", full_page=True)
    assert page.evaluate("window.__violations") == []
    assert page.watch.errors == []


def test_an_injected_inline_script_is_blocked_by_the_policy(strict):
    page = strict("/")
    wait_ready(page)
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__pwned = 1'; document.body.append(s); }"
    )
    poll(page, "window.__violations.length", "the violation report")
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__violations")[0].startswith("script-src")


# --- pages from other sites ---------------------------------------------------------------------

FOREIGN = """<!doctype html><title>homework help</title><script>
const target = new URLSearchParams(location.search).get('target');
window.result = new Promise((resolve) => {
  const ws = new WebSocket(`ws://${target}/ws`);
  ws.onmessage = (e) => resolve('message: ' + JSON.parse(e.data).type);
  ws.onerror = () => resolve('refused');
});
window.upload = fetch(`http://${target}/api/uploads?name=t.csv`, {
  method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'},
  body: 'a,b\\n1,0\\n2,1\\n',
}).then(() => 'sent', () => 'failed');
</script>"""


class ForeignPage(BaseHTTPRequestHandler):
    """Another site, as far as the browser can tell: another port is another origin."""

    def do_GET(self):
        body = FOREIGN.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def foreign_site():
    """The URL of a page on another origin that opens /ws and uploads to `?target=host:port`."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ForeignPage)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def serve():
    """serve(settings) -> (server, app): a server of the test's own, to look inside it."""
    servers = []

    def start(settings: Settings):
        app = create_app(settings)
        servers.append(ThreadedServer(app).start())
        return servers[-1], app

    yield start
    for server in servers:
        server.stop()


def test_a_foreign_page_cannot_open_the_socket_or_upload(browser, foreign_site, serve):
    server, app = serve(Settings(boundary_resolution=20))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{foreign_site}/?target={server.url.removeprefix('http://')}")
        assert page.evaluate("window.result") == "refused"
        assert page.evaluate("window.upload") == "sent"  # sent, and refused: nothing kept
        assert len(app.state.uploads) == 0
    finally:
        context.close()


def test_an_allow_listed_site_may_open_the_socket_and_upload(browser, foreign_site, serve):
    server, app = serve(Settings(boundary_resolution=20, allowed_origins=foreign_site))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{foreign_site}/?target={server.url.removeprefix('http://')}")
        assert page.evaluate("window.result") == "message: hello"
        assert page.evaluate("window.upload") == "sent"
        assert len(app.state.uploads) == 1
    finally:
        context.close()
