"""The playground in a real browser against a real server: it loads offline and clean, its
controls reach the server, training shows up live, the URL reproduces a configuration, a dropped
connection comes back with its run, the classroom helpers (presenter mode, keyboard help) work,
tablets get the whole page without sideways scrolling, and a closed page frees its run."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.page_helpers import DIAGRAM, address, iteration, wait_iteration


def diagram(page, key: str) -> str:
    return page.locator(DIAGRAM).get_attribute(f"data-{key}")


COST_POINTS = (
    "document.querySelector('[data-testid=cost-chart]').data?.[0]?.y"
    ".filter(v => v != null).length ?? 0"
)


def costs(page) -> list[float]:
    return page.evaluate(
        "document.querySelector('[data-testid=cost-chart]').data[0].y.filter(v => v != null)"
    )


def boundary(page) -> str:
    """The boundary as drawn: the pixels of the canvas behind the points, as a data URL."""
    return page.evaluate(
        "document.querySelector('[data-testid=boundary-chart] [data-testid=boundary-canvas]')"
        ".toDataURL()"
    )


def font_size(page, selector: str = "body") -> float:
    return page.evaluate(
        f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"
    )


def test_page_loads_offline_without_console_errors(playground, server_url, shots):
    page = playground
    page.wait_for_timeout(300)  # previews and the first frame
    hosts = {urlparse(url).netloc for url in page.watch.requests if not url.startswith("data:")}
    assert hosts == {urlparse(server_url).netloc}
    assert page.watch.errors == []
    expect(page.get_by_test_id("boundary-chart").locator(".main-svg").first).to_be_visible()
    page.screenshot(path=shots / "loaded-1280x720.png")


def test_dataset_layer_and_activation_reach_the_server(playground):
    page = playground
    page.get_by_test_id("dataset-select").select_option("circles")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "circles")
    page.get_by_test_id("add-layer").click()
    expect(page.locator(DIAGRAM)).to_have_attribute("data-layer-dims", "2,4,4,1")
    page.get_by_test_id("layer-0-units-plus").click()
    expect(page.locator(DIAGRAM)).to_have_attribute("data-layer-dims", "2,5,4,1")
    page.get_by_test_id("layer-0-activation").select_option("relu")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-activations", "relu,tanh,sigmoid")
    page.get_by_test_id("remove-layer").click()
    expect(page.locator(DIAGRAM)).to_have_attribute("data-layer-dims", "2,5,1")
    page.get_by_test_id("init-select").select_option("he")
    page.get_by_test_id("noise").fill("0.3")
    page.get_by_test_id("noise").dispatch_event("change")
    expect(page.get_by_test_id("course-panel")).to_contain_text("W[1] (5, 2)")
    assert page.watch.errors == []


def test_training_learns_the_flower_and_pause_step_control_it(playground, shots):
    page = playground
    assert diagram(page, "layer-dims") == "2,4,1"
    assert diagram(page, "activations") == "tanh,sigmoid"
    before = boundary(page)
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 1500")
    # The cost chart redraws a few times a second: it catches up with every iteration's cost.
    page.wait_for_function(f"() => ({COST_POINTS}) > 1000")
    curve = costs(page)
    assert len(curve) > 1000
    assert curve[-1] < 0.8 * curve[0]
    assert boundary(page) != before
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("status")).to_have_text("paused")
    page.wait_for_timeout(200)
    stopped = iteration(page)
    page.wait_for_timeout(400)
    assert iteration(page) == stopped
    page.screenshot(path=shots / "flower-trained-1280x720.png")
    page.get_by_test_id("step-size").select_option("10")
    page.get_by_test_id("step").click()
    wait_iteration(page, f"n === {stopped + 10}")
    page.wait_for_timeout(300)
    assert iteration(page) == stopped + 10
    page.keyboard.press("s")
    wait_iteration(page, f"n === {stopped + 20}")
    page.keyboard.press("r")
    wait_iteration(page, "n === 0")
    assert page.watch.errors == []


def test_learning_rate_applies_live_without_reset(playground):
    page = playground
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 300")
    page.get_by_test_id("learning-rate").fill("0.5")
    page.get_by_test_id("learning-rate").press("Enter")
    page.get_by_test_id("learning-rate").blur()
    at_change = iteration(page)
    wait_iteration(page, f"n >= {at_change + 300}")
    assert "lr=0.5" in address(page)
    expect(page.get_by_test_id("notice")).to_be_hidden()
    # The curve kept its history (the chart catches up within a redraw or two).
    page.wait_for_function(f"n => ({COST_POINTS}) >= n", arg=at_change)
    page.get_by_test_id("learning-rate").fill("500")
    page.get_by_test_id("learning-rate").press("Enter")
    error = page.get_by_test_id("error-message")
    expect(error).to_be_visible()
    expect(error).to_contain_text("100")
    assert error.evaluate("e => e.parentElement.closest('[data-field], .hyper') !== null")
    page.get_by_test_id("pause").click()


def test_link_restores_the_configuration(playground, context, ready, shots):
    page = playground
    page.get_by_test_id("dataset-moons").click()
    page.get_by_test_id("add-layer").click()
    page.get_by_test_id("layer-1-activation").select_option("leaky_relu")
    page.get_by_test_id("seed").fill("11")
    page.get_by_test_id("seed").press("Enter")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-activations", "tanh,leaky_relu,sigmoid")
    link = address(page)
    other = context.new_page()
    other.goto(link)
    ready(other)
    for key in ("dataset", "layer-dims", "activations"):
        assert diagram(other, key) == diagram(page, key)
    expect(other.get_by_test_id("dataset-select")).to_have_value("moons")
    expect(other.get_by_test_id("seed")).to_have_value("11")
    expect(other.get_by_test_id("layer-1-activation")).to_have_value("leaky_relu")
    # back undoes the last changes (the seed, then the activation) and the run follows
    page.go_back()
    expect(page.get_by_test_id("seed")).to_have_value("3")
    page.go_back()
    expect(page.locator(DIAGRAM)).to_have_attribute("data-activations", "tanh,tanh,sigmoid")
    other.set_viewport_size({"width": 3840, "height": 2160})
    other.get_by_test_id("play").click()
    wait_iteration(other, "n >= 400")
    other.keyboard.press(" ")
    expect(other.get_by_test_id("status")).to_have_text("paused")
    other.wait_for_timeout(300)
    other.screenshot(path=shots / "moons-3840x2160.png")
    other.close()


def test_diverging_learning_rate_shows_the_diverged_state(page, server_url, watch, ready, shots):
    watch = watch(page)
    page.goto(server_url + "/#dataset=plane&layers=4:linear&output=linear&lr=50")
    ready(page)
    page.get_by_test_id("play").click()
    banner = page.get_by_test_id("diverged")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Diverged at iteration")
    expect(page.get_by_test_id("status")).to_have_text("diverged")
    expect(page.get_by_test_id("play")).to_be_disabled()
    page.screenshot(path=shots / "diverged-1280x720.png")
    assert watch.errors == []


def test_closing_the_page_frees_its_run(context, server_url, health, ready):
    page = context.new_page()
    page.goto(server_url + "/")
    ready(page)
    assert health()["runs"] >= 1
    page.close()
    deadline = time.monotonic() + 5
    while health()["runs"] != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health()["runs"] == 0


def test_dropped_connection_reconnects_and_recreates_the_run(page, server_url, ready, health):
    sockets = []

    def through_to_server(ws) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/ws$"), through_to_server)
    page.goto(server_url + "/")
    ready(page)
    first_run = diagram(page, "run")
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 100")
    # The retry comes 250 ms after the drop: record the badge's states rather than race it.
    page.evaluate(
        """() => { const el = document.querySelector('[data-testid=connection-status]');
        window.connectionStates = [];
        new MutationObserver(() => window.connectionStates.push([el.dataset.state, el.textContent]))
          .observe(el, {attributes: true, childList: true}); }"""
    )
    sockets[-1].close()  # the page's side; the server's side follows
    status = page.get_by_test_id("connection-status")
    page.wait_for_function(
        "window.connectionStates.some(([state, text]) =>"
        " state === 'reconnecting' && text.includes('offline'))"
    )
    expect(status).to_have_attribute("data-state", "connected")
    expect(status).to_have_text("connected")
    expect(page.locator(DIAGRAM)).not_to_have_attribute("data-run", first_run)
    expect(page.get_by_test_id("notice")).to_contain_text("Reconnected")
    assert len(sockets) >= 2  # connected again (through the route)
    # The new run starts from iteration 0 and trains (it resumes: it was playing).
    wait_iteration(page, "n >= 100")
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("status")).to_have_text("paused")
    page.wait_for_timeout(200)
    stopped = iteration(page)
    page.get_by_test_id("play").click()
    wait_iteration(page, f"n >= {stopped + 200}")
    deadline = time.monotonic() + 5  # the dropped session's run is freed
    while health()["runs"] > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health()["runs"] == 1


def test_presenter_mode_and_keyboard_help(playground, shots):
    page = playground
    page.set_viewport_size({"width": 1920, "height": 1080})
    overlay = page.get_by_test_id("help-overlay")
    expect(overlay).to_be_hidden()
    page.keyboard.press("?")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("presenter mode")
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    page.get_by_test_id("help-button").click()
    expect(overlay).to_be_visible()
    overlay.get_by_role("button", name="Close").click()
    expect(overlay).to_be_hidden()

    body = page.locator("body")
    toggle = page.get_by_test_id("presenter-toggle")
    normal = font_size(page)
    play_normal = font_size(page, "[data-testid=play]")
    heading_normal = font_size(page, "h2")
    chart = "document.querySelector('[data-testid=boundary-chart]').layout.font.size"
    chart_normal = page.evaluate(chart)
    toggle.click()
    expect(body).to_have_class(re.compile(r"\bpresenter\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert font_size(page) >= 1.2 * normal
    assert font_size(page, "[data-testid=play]") >= 1.2 * play_normal  # rem sizes grow too
    assert font_size(page, "h2") >= 1.2 * heading_normal
    page.wait_for_function(f"{chart} > {chart_normal}")  # the charts' type grows too, paused
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 300")
    page.get_by_test_id("pause").click()
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=shots / "presenter-1920x1080.png")
    page.keyboard.press("p")
    expect(body).not_to_have_class(re.compile(r"\bpresenter\b"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert font_size(page) == normal
    assert page.watch.errors == []


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_tablet_shows_play_boundary_and_diagram_without_sideways_scroll(
    browser, server_url, ready, shots, size
):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(server_url + "/")
        ready(page)
        expect(page.get_by_test_id("play")).to_be_in_viewport()
        for testid in ("boundary-chart", "network-diagram"):
            element = page.get_by_test_id(testid)
            expect(element).to_be_visible()
            box = element.bounding_box()
            assert box["width"] > 200 and box["height"] > 200, testid
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, testid
        page.get_by_test_id("play").tap()
        wait_iteration(page, "n >= 200")
        page.get_by_test_id("pause").tap()
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.screenshot(path=shots / f"tablet-{width}x{height}.png", full_page=True)
    finally:
        context.close()
