"""Compare mode's history of gradient norms (static/js/compareView.js): one panel per weight
layer, one trace per run in it, bounded, drawn from the frames the server sent; its first points
are the norms of the gradients at each run's initial weights, recomputed here by the engine."""

from __future__ import annotations

import numpy as np
from playwright.sync_api import expect

from app.schemas import RunConfigModel
from engine import Network
from tests.browser.test_compare import run_until, wait_compare_ready

# Four learning rates on a network of two hidden layers: three panels, four runs each.
FOUR_RATES = "/#cmp=lr&vals=0.01,0.1,1.2,3&layers=4:tanh,3:tanh"
CHART = "document.querySelector('[data-testid=compare-gradient-history-chart]')"

# Every run's initial θ (the first `detail` the server sent) split into W[l], b[l] as the page does.
INITIAL = """async () => {
  const { splitParameters } = await import('/static/js/frames.js');
  return window.nnplay.compare.runs.map((r) => {
    const record = window.nnplay.recorder.get(r.id);
    const dims = record.created.network.layer_dims;
    const { W, b } = splitParameters(record.initial, dims);
    return { dims, activations: record.created.network.activations, config: record.created.config,
      W: W.map((w) => Array.from(w)), b: b.map((v) => Array.from(v)) };
  });
}"""


def traces(page) -> list[dict]:
    return page.evaluate(
        f"{CHART}.data.map(t => ({{name: t.name, layer: t.meta.layer, x: t.x, y: t.y,"
        " color: t.line.color, legend: t.showlegend}))"
    )


def test_the_gradient_history_has_a_panel_per_layer_and_a_trace_per_run(
    page, server_url, watch, shots
):
    w = watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    # 10 iterations a frame: 40 frames to iteration 400, whatever auto would make of this machine
    page.goto(server_url + FOUR_RATES + "&speed=10")
    wait_compare_ready(page, 4)
    page.get_by_test_id("compare-step").click()  # one iteration: the gradients at θ0
    page.wait_for_function(
        "() => window.nnplay.compare.runs.every("
        "r => window.nnplay.recorder.get(r.id).frame.iteration === 1)"
    )
    initial = page.evaluate(INITIAL)
    run_until(page, 400)
    last = page.evaluate(
        "window.nnplay.compare.runs.map(r => window.nnplay.recorder.get(r.id).frame)"
    )
    # Below the fold it waits (drawn while on screen); in view, at most every 250 ms: wait for
    # the drawing of the last frames.
    page.get_by_test_id("compare-gradient-history-chart").scroll_into_view_if_needed()
    page.wait_for_function(
        f"n => {{ const d = {CHART}.data;"
        " return d && d.length === 12 && d.every(t => t.x.at(-1) === n); }",
        arg=last[0]["iteration"],
    )
    shown = traces(page)
    labels = ["α = 0.01", "α = 0.1", "α = 1.2", "α = 3"]
    assert [(t["layer"], t["name"]) for t in shown] == [(l, n) for l in (1, 2, 3) for n in labels]
    assert [t["name"] for t in shown if t["legend"]] == labels  # one legend entry per run
    assert len({t["color"] for t in shown}) == 4
    for t in shown:
        run = labels.index(t["name"])
        assert 10 <= len(t["x"]) <= 400 + 1 and t["x"] == sorted(set(t["x"]))
        assert t["x"][0] == 1  # the first frame after θ0
        assert abs(t["y"][-1] - last[run]["gradient_norms"][t["layer"] - 1]) < 1e-6 * t["y"][-1]

    # The oracle: the engine's gradients at each run's initial weights, on its training set.
    for run, got in enumerate(initial):
        net = Network(got["dims"], got["activations"])
        params = {}
        for l in range(1, len(got["dims"])):
            params[f"W{l}"] = np.array(got["W"][l - 1]).reshape(got["dims"][l], got["dims"][l - 1])
            params[f"b{l}"] = np.array(got["b"][l - 1]).reshape(got["dims"][l], 1)
        net.set_parameters(params)
        config = RunConfigModel.model_validate(got["config"], strict=False)
        data = config.dataset.to_engine().build()
        grads = net.gradients(data.X_train, data.Y_train)
        want = [float(np.linalg.norm(grads[f"dW{l}"])) for l in range(1, len(got["dims"]))]
        first = [t["y"][0] for t in shown if t["name"] == labels[run]]
        np.testing.assert_allclose(first, want, rtol=1e-4)

    # The history shows what the current values alone do not: α = 0.01's norms barely move.
    slow = [t["y"] for t in shown if t["name"] == labels[0]]
    assert all(abs(y[-1] / y[0] - 1) < 0.5 for y in slow)
    expect(page.get_by_test_id("compare-gradient-history-chart")).to_be_visible()
    page.get_by_test_id("compare-gradient-history-chart").scroll_into_view_if_needed()
    page.screenshot(path=shots / "compare-gradient-history.png", full_page=True)
    assert w.errors == []


def test_the_gradient_history_below_the_fold_waits_then_catches_up(page, server_url, watch):
    w = watch(page)
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(server_url + FOUR_RATES)
    wait_compare_ready(page, 4)
    assert page.evaluate(f"{CHART}.getBoundingClientRect().top") > 500 + 200
    page.wait_for_function(f"{CHART}.layout")  # Plotly is in, the history's first drawing made
    run_until(page, 300)
    last = page.evaluate(
        "window.nnplay.recorder.get(window.nnplay.compare.runs[0].id).frame.iteration"
    )
    page.wait_for_function(  # the cost chart, on screen, shows the last frame...
        "n => document.querySelector('[data-testid=compare-cost-chart]')"
        ".data?.[0]?.x.at(-1) >= n - 1",
        arg=last,
    )
    shown = page.evaluate(f"{CHART}.data?.[0]?.x.at(-1) ?? -1")
    assert shown < last  # ...the history, off screen, is not redrawn (bar its first drawing)
    page.get_by_test_id("compare-gradient-history-chart").scroll_into_view_if_needed()
    page.wait_for_function(f"n => {CHART}.data?.[0]?.x.at(-1) === n", arg=last)
    assert w.errors == []
