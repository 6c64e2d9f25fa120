"""The network diagram as TensorFlow Playground users reach for it, in a real browser against a
real server: a click on an edge sets its weight (a unit's enlarged map sets its bias, also from
the keyboard) and the server's parameters become the typed values; hovering a hidden unit shows
its map in the big boundary plot, and leaving shows the output again; the input nodes carry every
derived feature with a checkbox that rebuilds the run with it, the data panel agreeing; and a
page that follows someone else's run edits nothing."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.page_helpers import DIAGRAM

# The run's parameters as the server last sent them (a detail's θ: W1 … WL, then b1 … bL).
THETA = "Array.from(window.nnplay.recorder.get(window.nnplay.controller.runId).theta)"
# The default run, 2 → 4 → 1: θ = W1 (8), W2 (4), b1 (4), b2 (1).
W2 = 8
B1 = 12


def theta(page) -> np.ndarray:
    return np.array(page.evaluate(THETA), dtype=np.float32)


def wait_theta(page, index: int, value: float) -> None:
    """Wait until the server's θ[index] (float32) is `value`."""
    page.wait_for_function(
        "([i, v]) => { const t = window.nnplay.recorder.get(window.nnplay.controller.runId)"
        "?.theta; return t && t[i] === Math.fround(v); }",
        arg=[index, value],
    )


def wait_weights(page) -> None:
    """The first detail has come: edges are coloured by sign, the hidden maps painted."""
    page.wait_for_function(
        f"[...document.querySelectorAll('{DIAGRAM} .edge')]"
        ".some(p => p.getAttribute('stroke') !== '#c8cfd6')"
        f" && [...document.querySelectorAll('{DIAGRAM} .unit.hidden canvas')]"
        ".every(c => c.width > 1)"
    )


def edge_middle(page, edge: str) -> tuple[float, float]:
    """The page coordinates of the middle of an edge of the diagram."""
    hit = page.locator(f"{DIAGRAM} [data-edge='{edge}']")
    hit.scroll_into_view_if_needed()
    return hit.evaluate(
        """(p) => { const pt = p.getPointAtLength(p.getTotalLength() / 2);
            const m = p.getScreenCTM(); return [pt.x * m.a + m.e, pt.y * m.d + m.f]; }"""
    )


def test_clicking_an_edge_sets_its_weight_on_the_server_and_escape_cancels(playground, shots):
    page = playground
    wait_weights(page)
    before = theta(page)
    x, y = edge_middle(page, "2,0,1")  # W[2][1,2]: hidden unit 2 → the output
    page.mouse.click(x, y)
    editor = page.get_by_test_id("param-editor")
    expect(editor).to_be_visible()
    expect(editor).to_contain_text("W[2][1,2] =")
    value = page.get_by_test_id("param-value")
    expect(value).to_be_focused()
    assert float(value.input_value()) == pytest.approx(before[W2 + 1], rel=1e-5)
    page.screenshot(path=shots / "diagram-edge-editor.png")
    value.fill("9")
    page.keyboard.press("Escape")  # cancels: nothing sent
    expect(editor).to_be_hidden()
    page.mouse.click(x, y)
    expect(editor).to_be_visible()
    value.fill("1.75")
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    wait_theta(page, W2 + 1, 1.75)
    after = theta(page)
    changed = np.flatnonzero(after != before).tolist()
    assert changed == [W2 + 1], changed  # that weight alone (paused: nothing trained)
    # The edge is drawn at its new width: |w| = 1.75, between the legend's 1 and 2 (once the
    # diagram's next paint, after θ arrived, drew it).
    page.wait_for_function(
        f"i => {{ const w = Number(document.querySelectorAll('{DIAGRAM} path.edge')[i]"
        ".getAttribute('stroke-width')); const l = [...document.querySelectorAll("
        "'[data-testid=edge-legend] .edge-sample')].map(s => Number(s.dataset.width));"
        " return l[1] < w && w < l[2]; }",
        arg=W2 + 1,
    )
    widths = page.evaluate(
        f"[...document.querySelectorAll('{DIAGRAM} path.edge')]"
        ".map(p => Number(p.getAttribute('stroke-width')))"
        ".concat([...document.querySelectorAll('[data-testid=edge-legend] .edge-sample')]"
        ".map(s => Number(s.dataset.width)))"
    )
    legend = dict(zip(["0.1", "1", "2", "4"], widths[-4:], strict=True))
    assert legend["1"] < widths[W2 + 1] < legend["2"], (widths, legend)
    page.mouse.move(x, y)
    expect(page.get_by_test_id("tooltip")).to_contain_text("W[2][1,2] = 1.750")
    # While playing (at a small learning rate, so that training moves it little a frame): the
    # run keeps playing, from the typed value.
    page.get_by_test_id("learning-rate").fill("0.001")
    page.get_by_test_id("learning-rate").press("Enter")
    page.wait_for_function("window.nnplay.controller.good.lr === 0.001")  # the server took it
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("status")).to_have_text("running")
    start = page.evaluate(
        "window.nnplay.recorder.get(window.nnplay.controller.runId).thetaIteration"
    )
    x, y = edge_middle(page, "2,0,1")  # typing α scrolled the page: where the edge is now
    page.mouse.click(x, y)
    value.fill("-3")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(i) => { const r = window.nnplay.recorder.get(window.nnplay.controller.runId);"
        " return Math.abs(r.theta[i] + 3) < 0.05; }",
        arg=W2 + 1,
    )
    page.wait_for_function(
        "(start) => window.nnplay.recorder.get(window.nnplay.controller.runId).thetaIteration"
        " > start + 50",
        arg=start,
    )
    expect(page.get_by_test_id("status")).to_have_text("running")
    assert abs(theta(page)[W2 + 1] + 3) < 0.2  # trained on from −3, not back where it was
    page.get_by_test_id("pause").click()
    assert page.watch.errors == []


def test_a_unit_s_bias_is_set_in_its_enlarged_map_with_the_keyboard_alone(playground, shots):
    page = playground
    wait_weights(page)
    before = theta(page)
    unit = page.get_by_test_id("unit-1-2")
    unit.focus()
    page.keyboard.press("Enter")  # a unit is a button: Enter enlarges it
    zoom = page.get_by_test_id("unit-zoom")
    expect(zoom).to_be_visible()
    bias = page.get_by_test_id("zoom-bias")
    expect(bias).to_be_focused()
    assert float(bias.input_value()) == 0.0  # biases start at zero
    page.keyboard.press("Control+A")
    page.keyboard.type("-0.5")
    page.keyboard.press("Enter")
    wait_theta(page, B1 + 2, -0.5)
    changed = np.flatnonzero(theta(page) != before).tolist()
    assert changed == [B1 + 2], changed
    expect(page.locator("#zoom-values")).to_contain_text("b[1][3] = -0.5000")
    # Its incoming weights are there too: W[1][3,2] set from the same form.
    page.get_by_test_id("zoom-weight-1").fill("2.5")
    page.get_by_test_id("zoom-weight-1").press("Enter")
    wait_theta(page, 2 * 2 + 1, 2.5)  # W1 row 2 (0-based), column 1
    page.screenshot(path=shots / "diagram-unit-zoom-edit.png")
    page.keyboard.press("Escape")
    expect(zoom).to_be_hidden()
    expect(unit).to_be_focused()  # back where the keyboard was
    # A click still enlarges a unit, as before.
    page.get_by_test_id("unit-1-0").click()
    expect(zoom).to_be_visible()
    expect(page.locator("#zoom-title")).to_contain_text("unit 1 of layer 1")
    page.locator("#unit-zoom [data-close]").click()
    expect(zoom).to_be_hidden()
    assert page.watch.errors == []


UNIT_AND_PLOT = """(unit) => {
  const pixels = (c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  const plot = document.querySelector('[data-testid=boundary-canvas]');
  const box = document.querySelector(`[data-testid=network-diagram] [data-unit="${unit}"] canvas`);
  return { plot: pixels(plot), unit: pixels(box), size: [plot.width, box.width] };
}"""


def test_hovering_a_hidden_unit_shows_its_map_in_the_boundary_plot(playground, shots):
    page = playground
    page.get_by_test_id("step").click()  # a trained map: not the initial one
    wait_weights(page)
    # The plot settles after the step's frames (its last one is drawn in full): the same
    # pixels twice, half a second apart.
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=boundary-canvas]').toDataURL();"
        " const same = s === window.settledPlot; window.settledPlot = s; return same; }",
        polling=500,
    )
    chart = page.get_by_test_id("boundary-chart")
    output = page.evaluate(UNIT_AND_PLOT, "1,1")["plot"]
    page.get_by_test_id("unit-1-1").hover()
    expect(chart).to_have_attribute("data-shows", "unit 1,1")
    label = page.get_by_test_id("boundary-unit")
    expect(label).to_be_visible()
    expect(label).to_have_text("layer 1, unit 2: a[1]₂")
    page.wait_for_function(
        "document.querySelector('[data-testid=boundary-canvas]').width"
        " === document.querySelector('[data-testid=unit-1-1] canvas').width"
    )
    shown = page.evaluate(UNIT_AND_PLOT, "1,1")
    assert (
        shown["size"][0]
        == shown["size"][1]
        == page.evaluate("window.nnplay.controller.created.map_resolution")
    )
    assert shown["plot"] == shown["unit"]  # the unit's own map, pixel for pixel
    assert shown["plot"] != output
    page.screenshot(path=shots / "diagram-hover-unit.png")
    other = page.get_by_test_id("unit-1-3")
    other.hover()
    expect(chart).to_have_attribute("data-shows", "unit 1,3")
    expect(label).to_have_text("layer 1, unit 4: a[1]₄")
    page.wait_for_function(
        f"() => {{ const r = ({UNIT_AND_PLOT})('1,3'); return r.plot.join() === r.unit.join(); }}"
    )
    page.mouse.move(2, 2)  # the pointer leaves the diagram: the output again
    expect(chart).to_have_attribute("data-shows", "output")
    expect(label).to_be_hidden()
    page.wait_for_function(
        "window.nnplay.controller.created.boundary_resolution"
        " === document.querySelector('[data-testid=boundary-canvas]').width"
    )
    assert page.evaluate(UNIT_AND_PLOT, "1,1")["plot"] == output
    # Keyboard focus shows a unit too.
    page.get_by_test_id("unit-1-0").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(chart).to_have_attribute("data-shows", "unit 1,0")
    assert page.watch.errors == []


def test_ticking_a_feature_on_the_diagram_rebuilds_the_run_and_the_data_panel_agrees(
    playground, shots
):
    page = playground
    diagram = page.locator(DIAGRAM)
    expect(diagram).to_have_attribute("data-layer-dims", "2,4,1")
    # Every input the data may have is a node: x₁, x₂ and the five derived features, unused greyed.
    names = page.evaluate(
        f"[...document.querySelectorAll('{DIAGRAM} .unit.input')]"
        ".map(u => [u.querySelector('.input-label').textContent, u.classList.contains('unused')])"
    )
    assert names == [
        ["x₁", False], ["x₂", False], ["x₁²", True], ["x₂²", True], ["x₁x₂", True],
        ["sin(x₁)", True], ["sin(x₂)", True],
    ], names  # fmt: skip
    box = page.get_by_test_id("diagram-feature-x1_squared")
    expect(box).not_to_be_checked()
    expect(page.get_by_test_id("diagram-feature-x1")).to_be_disabled()
    page.screenshot(path=shots / "diagram-feature-nodes.png")
    run = diagram.get_attribute("data-run")
    box.check()
    expect(diagram).not_to_have_attribute("data-run", run)
    expect(diagram).to_have_attribute("data-layer-dims", "3,4,1")
    assert page.evaluate("window.nnplay.controller.created.dataset.features") == ["x1_squared"]
    expect(page.get_by_test_id("feature-x1_squared")).to_be_checked()  # the data panel agrees
    assert re.search(r"features=x1_squared", page.evaluate("location.hash"))
    expect(page.get_by_test_id("unit-0-2")).not_to_have_class(re.compile(r"\bunused\b"))
    expect(page.get_by_test_id("diagram-feature-x1_squared")).to_be_checked()
    # x₁²'s node has its edges: W1's third column starts there.
    start = page.evaluate(
        f"document.querySelector('{DIAGRAM} [data-edge=\"1,0,2\"]').getAttribute('d')"
    )
    node = page.get_by_test_id("unit-0-2").bounding_box()
    origin = page.locator(DIAGRAM).bounding_box()
    y0 = float(re.match(r"M[\d.]+,([\d.]+)", start).group(1))
    assert abs(origin["y"] + y0 - (node["y"] + node["height"] / 2)) < 1.5
    # The other view changes it back: the diagram follows.
    page.get_by_test_id("feature-x1_squared").uncheck()
    expect(diagram).to_have_attribute("data-layer-dims", "2,4,1")
    expect(page.get_by_test_id("diagram-feature-x1_squared")).not_to_be_checked()
    expect(page.get_by_test_id("unit-0-2")).to_have_class(re.compile(r"\bunused\b"))
    assert page.watch.errors == []


def test_a_page_following_another_s_run_edits_nothing_on_it(browser, server_url, ready):
    owner_context, viewer_context = browser.new_context(), browser.new_context()
    try:
        owner, viewer = owner_context.new_page(), viewer_context.new_page()
        for page in (owner, viewer):
            page.goto(server_url + "/")
            ready(page)
        run = owner.evaluate("window.nnplay.controller.runId")
        viewer.evaluate("(run) => window.nnplay.controller.follow(run)", run)
        expect(viewer.locator(DIAGRAM)).to_have_attribute("data-run", run)
        wait_weights(viewer)
        expect(viewer.get_by_test_id("diagram-feature-x1_squared")).to_be_disabled()
        x, y = edge_middle(viewer, "2,0,1")
        viewer.mouse.click(x, y)
        expect(viewer.get_by_test_id("tooltip")).to_be_visible()  # its value, read-only
        expect(viewer.get_by_test_id("param-editor")).to_be_hidden()
        viewer.get_by_test_id("unit-1-0").click()
        expect(viewer.get_by_test_id("unit-zoom")).to_be_visible()
        expect(viewer.get_by_test_id("zoom-edit")).to_be_hidden()
    finally:
        owner_context.close()
        viewer_context.close()
