"""Following one example in a real browser against a real server: a click on a data point opens
the example panel, whose numbers match a forward (and backward) pass computed here from the
run's exported parameters; the diagram traces the example unit by unit; the numbers follow the
run while it trains; a spot of the plane gets its forward pass only; Escape and the close
button put everything away; in drawing mode a click still adds a point."""

from __future__ import annotations

import json
import re

import numpy as np
from playwright.sync_api import expect

from app.runconfig import RunConfigModel
from engine.features import expand_features
from engine.network import Network
from tests.browser.page_helpers import SMALL_TEXT, wait_iteration
from tests.browser.test_presenter import MIN_PRESENTER_PX

# 12 tanh units (wider than the 8 the panel shows), a derived input, mini-batches of 50.
STATE = "/#layers=12:tanh,3:relu&features=x1_squared&batch=50&stepn=20"
CHART = "document.querySelector('[data-testid=boundary-chart]')"
PANEL_NUMBERS = """() => {
  const cells = (id) => document.querySelectorAll(`[data-testid="${id}"] > .ex-cell`);
  const read = (id) => Array.from(cells(id), (c) => ({
    unit: c.dataset.unit === undefined ? null : Number(c.dataset.unit), text: c.textContent }));
  const layers = window.nnplay.example.lastAnswer?.layers.length ?? 0;
  const out = { x: read('ex-x-values'), yhat: read('ex-yhat-values'),
    loss: document.querySelector('[data-testid=ex-loss-value]')?.textContent ?? null, layers: [] };
  for (let l = 1; l <= layers; l++) {
    out.layers.push({ z: read(`ex-z-${l}`), a: read(`ex-a-${l}`), dz: read(`ex-dz-${l}`),
      db: read(`ex-db-${l}`), dW: Array.from(cells(`ex-dW-${l}`), (c) => c.textContent) });
  }
  return out;
}"""


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def close(shown: str, value: float) -> bool:
    """A number the panel shows (4 significant digits) against one computed here (float32
    parameters, as the page exports them)."""
    return abs(number(shown) - value) <= 1e-3 * abs(value) + 1e-6


def client_xy(page, x1: float, x2: float) -> tuple[float, float]:
    return page.evaluate(
        f"""([x1, x2]) => {{ const el = {CHART}; const {{ xaxis, yaxis }} = el._fullLayout;
        const box = el.getBoundingClientRect();
        return [box.left + xaxis._offset + xaxis.l2p(x1),
                box.top + yaxis._offset + yaxis.l2p(x2)]; }}""",
        [x1, x2],
    )


def exported_network(page, tmp_path) -> tuple[Network, int]:
    """The run's parameters as the page exports them (share menu), in an engine Network."""
    page.get_by_test_id("share-menu").locator("summary").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-parameters").click()
    path = tmp_path / "parameters.json"
    download.value.save_as(path)
    page.get_by_test_id("share-menu").locator("summary").click()  # closed again
    exported = json.loads(path.read_text())
    net = Network(exported["layer_dims"], exported["activations"])
    net.set_parameters({k: np.array(v) for k, v in exported.items() if k[0] in "Wb"})
    return net, exported["iteration"]


def settled(page) -> int:
    """Wait until the run is paused with its parameters of the newest frame; its iteration. The
    server's own last frame says so (a pause in flight: the run still trains a few frames)."""
    page.wait_for_function(
        "() => { const c = window.nnplay.controller;"
        " const rec = window.nnplay.recorder.get(c.runId);"
        " return c.status === 'paused' && rec?.frame && rec.frame.status === 'paused'"
        " && rec.thetaIteration === rec.frame.iteration && rec.frame.iteration > 0; }"
    )
    return page.evaluate(
        "window.nnplay.recorder.get(window.nnplay.controller.runId).frame.iteration"
    )


def test_a_clicked_point_s_panel_matches_a_forward_pass_computed_here(
    page, server_url, ready, watch, tmp_path, shots
):
    w = watch(page)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(server_url + STATE)
    ready(page)
    page.get_by_test_id("step").click()
    wait_iteration(page, "n >= 20")
    n = settled(page)
    config = RunConfigModel.model_validate(
        page.evaluate("window.nnplay.controller.created.config"), strict=False
    )
    data = config.dataset.to_engine().build()
    index = 3
    x = data.X_train[:, index : index + 1]
    y = data.Y_train[:, index : index + 1]
    page.mouse.click(*client_xy(page, float(x[0, 0]), float(x[1, 0])))
    panel = page.get_by_test_id("example-panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-iteration", str(n))
    title = page.get_by_test_id("example-title")
    expect(title).to_have_text(f"Following train example {index + 1}")
    expect(page.get_by_test_id("example-mark")).to_be_visible()

    net, exported_at = exported_network(page, tmp_path)
    assert exported_at == n
    shown = page.evaluate(PANEL_NUMBERS)
    # x, with its derived feature x1², then z[l] and a[l] of every unit shown, as the course
    # computes them here: z = W a_prev + b, a = g(z).
    assert [number(c["text"]) for c in shown["x"]] == [
        float(f"{v:.4g}") for v in expand_features(x[:2], ["x1_squared"])[:, 0]
    ]
    params = net.parameters
    a = x
    activations = []
    for l, layer in enumerate(shown["layers"], start=1):
        z = params[f"W{l}"] @ a + params[f"b{l}"]
        a = net.activation_functions[l - 1].forward(z.copy(), np.empty_like(z))
        activations.append(a)
        for cell in layer["z"]:
            assert close(cell["text"], z[cell["unit"], 0]), (l, cell, z[:, 0])
        for cell in layer["a"]:
            assert close(cell["text"], a[cell["unit"], 0]), (l, cell, a[:, 0])
    assert close(shown["yhat"][0]["text"], float(net.forward(x)[0, 0]))
    assert close(shown["loss"], net.cost(x, y))
    # The backward pass of this example: dz[l] = ∂L/∂z[l] = db[l] of a batch of one, and its
    # share of the mini-batch of m = 50: (1/m) dz[l] a[l-1]ᵀ.
    grads = net.gradients(x, y)
    for l, layer in enumerate(shown["layers"], start=1):
        for cell in layer["dz"]:
            assert close(cell["text"], grads[f"db{l}"][cell["unit"], 0]), (l, cell)
        for cell in layer["db"]:
            assert close(cell["text"], grads[f"db{l}"][cell["unit"], 0] / 50), (l, cell)
    expect(panel).to_contain_text("m = 50")
    # 12 hidden units: the panel shows 8 of them and says so.
    assert len(shown["layers"][0]["z"]) == 8
    expect(page.get_by_test_id("ex-forward-1")).to_contain_text("showing 8 of 12 units")

    # The diagram: every unit ringed with its activation for this example, strong edges bold.
    diagram = page.get_by_test_id("network-diagram")
    expect(diagram).to_have_class(re.compile(r"\btracing\b"))
    for k in range(12):
        unit = page.get_by_test_id(f"unit-1-{k}")
        expect(unit).to_have_class(re.compile(r"\btraced\b"))
        assert abs(float(unit.get_attribute("data-activation")) - activations[0][k, 0]) < 1e-5
    # The bold edges are the strongest terms W[l]_kj a[l-1]_j of each layer (within a quarter
    # of its largest), the largest of each layer among them.
    traced = page.eval_on_selector_all(
        "[data-testid=network-diagram] path.traced-edge", "ps => ps.map(p => p.dataset.traced)"
    )
    edges = {tuple(int(i) for i in t.split(",")) for t in traced}
    a_prev = [expand_features(x[:2], ["x1_squared"]), *activations[:-1]]
    for l in range(1, len(activations) + 1):
        terms = np.abs(params[f"W{l}"] * a_prev[l - 1][:, 0])
        k, j = np.unravel_index(np.argmax(terms), terms.shape)
        assert (l, k, j) in edges, (l, terms)
        for _, k, j in (e for e in edges if e[0] == l):
            assert terms[k, j] >= 0.25 * terms.max() * (1 - 1e-4)
    page.screenshot(path=str(shots / "example-panel.png"), full_page=True)

    # Live while training: the panel follows the run's iterations.
    page.get_by_test_id("play").click()
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=example-panel]').dataset.iteration)"
        " > n + 50",
        arg=n,
    )
    page.get_by_test_id("pause").click()
    n = settled(page)
    expect(panel).to_have_attribute("data-iteration", str(n))
    net, _ = exported_network(page, tmp_path)
    shown = page.evaluate(PANEL_NUMBERS)
    assert close(shown["yhat"][0]["text"], float(net.forward(x)[0, 0]))
    assert close(shown["loss"], net.cost(x, y))

    # Escape closes it all.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.get_by_test_id("example-mark")).to_have_count(0)
    expect(diagram).not_to_have_class(re.compile(r"\btracing\b"))
    assert page.locator("[data-testid=network-diagram] .unit.traced").count() == 0
    assert w.errors == []


def test_a_spot_gets_its_forward_pass_only_and_the_close_button_closes(playground):
    page = playground
    settled_at = page.evaluate("window.nnplay.controller.lastIteration")
    bounds = page.evaluate("window.nnplay.controller.created.dataset.bounds")
    spot = (bounds[0] + 0.02 * (bounds[1] - bounds[0]), bounds[3] - 0.02 * (bounds[3] - bounds[2]))
    page.mouse.click(*client_xy(page, *spot))
    panel = page.get_by_test_id("example-panel")
    expect(panel).to_have_attribute("data-iteration", str(settled_at))
    expect(page.get_by_test_id("example-note")).to_contain_text("no label here")
    expect(page.get_by_test_id("ex-backward-1")).to_have_count(0)
    expect(page.get_by_test_id("ex-loss")).to_have_count(0)
    cells = page.get_by_test_id("ex-x-values").locator(".ex-cell").all_text_contents()
    x = [number(c) for c in cells]
    assert all(abs(a - b) <= 1e-3 * abs(b) + 0.02 for a, b in zip(x, spot, strict=True))
    page.get_by_test_id("example-close").click()
    expect(panel).to_be_hidden()
    assert page.watch.errors == []


def test_in_drawing_mode_a_click_adds_a_point_and_follows_nothing(page, server_url, ready):
    page.goto(server_url + "/#dataset=draw")
    page.get_by_test_id("connection-status").filter(has_text="connected").wait_for()
    page.wait_for_function(f"{CHART}.layout")
    box = page.get_by_test_id("boundary-chart").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_test_id("draw-count")).to_have_text("1 point")
    expect(page.get_by_test_id("example-panel")).to_be_hidden()


def test_on_a_projector_the_panel_shares_the_screen_in_large_type(browser, server_url, ready):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(server_url + "/")
        ready(page)
        page.keyboard.press("p")
        expect(page.locator("body")).to_have_class(re.compile(r"\bpresenter\b"))
        page.get_by_test_id("step").click()
        settled(page)
        d = page.evaluate("window.nnplay.controller.created.dataset")
        page.mouse.click(*client_xy(page, d["train"]["x1"][0], d["train"]["x2"][0]))
        panel = page.get_by_test_id("example-panel")
        expect(panel.get_by_test_id("ex-loss")).to_be_visible()
        page.mouse.move(5, 700)  # Plotly's hover label of the point clicked goes
        page.wait_for_function(  # the boundary fits its new size
            f"() => {{ const el = {CHART}; const f = el._fullLayout;"
            " return Math.abs(f.height - el.clientHeight) <= 1"
            " && Math.abs(f.width - el.clientWidth) <= 1; }"
        )
        # One screen: the panel under the three panels, the boundary still a readable plot.
        box = panel.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 1080, box
        assert page.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
        plot = page.locator("[data-testid=boundary-chart] .nsewdrag").first.bounding_box()
        assert plot["height"] >= 200, plot
        assert page.evaluate(SMALL_TEXT, MIN_PRESENTER_PX) == []
        page.screenshot(path="/tmp/nnplay-example-presenter-1920x1080.png")
    finally:
        context.close()
