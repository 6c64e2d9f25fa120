"""Compare mode, lessons and export in a real browser against a real server: runs that differ
in one thing start from the same weights and stay on the same iteration, lessons load cleanly
and their links reproduce them, and exported parameters rebuild the same network in Python.

Identical initial weights are checked through the server: the page's recorder keeps the first
`detail` message of every run (iteration 0, the flat θ the server encoded from its own network)
exactly as it arrived, and the test reads those arrays. Nothing is recomputed in the page."""

from __future__ import annotations

import json

import numpy as np
import pytest
from playwright.sync_api import expect

from app.schemas import RunConfigModel
from engine import Network
from tests.browser.page_helpers import address

ACTIVATIONS = "/#cmp=activation&vals=sigmoid,tanh,relu"
LESSON_IDS = [
    "logistic-vs-hidden",
    "hidden-size-small",
    "hidden-size-large",
    "zero-init",
    "large-init-tanh",
    "large-init-relu",
    "deep-activations",
    "linear-xor",
    "learning-rate",
    "why-deep",
]


def wait_compare_ready(page, n: int) -> None:
    """Wait until the comparison's n runs are created and their first frames are in."""
    page.wait_for_function(
        "n => { const c = window.nnplay && window.nnplay.compare;"
        " return c && c.ready && c.runs.length === n && c.runs.every(r => {"
        " const rec = window.nnplay.recorder.get(r.id);"
        " return rec && rec.frame && rec.initial; }); }",
        arg=n,
        polling=50,
    )


def iterations(page) -> list[int]:
    return page.evaluate(
        "window.nnplay.compare.runs.map(r => window.nnplay.recorder.get(r.id).frame.iteration)"
    )


def run_until(page, n: int) -> None:
    """Play the group until every run passed iteration n, then pause and let the final frames in."""
    page.get_by_test_id("compare-play").click()
    page.wait_for_function(
        "n => window.nnplay.compare.runs.every("
        "r => window.nnplay.recorder.get(r.id).frame.iteration >= n)",
        arg=n,
        polling=50,
    )
    page.get_by_test_id("compare-pause").click()
    page.wait_for_function(
        "() => window.nnplay.compare.runs.every(r => {"
        " const rec = window.nnplay.recorder.get(r.id);"
        " return rec.frame.status !== 'running' && rec.thetaIteration === rec.frame.iteration; })",
        polling=50,
    )


def run_configs(page) -> list[dict]:
    return page.evaluate("window.nnplay.compare.runs.map(r => r.created.config)")


@pytest.fixture
def compare(page, server_url, watch):
    """The page in compare mode, sigmoid vs tanh vs ReLU, with its three runs created."""
    page.watch = watch(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(server_url + ACTIVATIONS)
    wait_compare_ready(page, 3)
    return page


def test_three_runs_draw_three_boundaries_and_three_curves_in_lockstep(compare, shots):
    page = compare
    expect(page.get_by_test_id("compare-view")).to_be_visible()
    expect(page.get_by_test_id("compare-status")).to_have_text("paused")  # connected: not offline
    for i in range(3):
        figure = page.get_by_test_id(f"compare-boundary-{i}")
        expect(figure.locator(".main-svg").first).to_be_visible()
    expect(page.get_by_test_id("compare-boundary-0")).to_contain_text("sigmoid")
    run_until(page, 300)
    steps = iterations(page)
    assert len(set(steps)) == 1 and steps[0] >= 300
    names = page.evaluate(
        "document.querySelector('[data-testid=compare-cost-chart]').data.map(t => t.name)"
    )
    assert names[:3] == ["sigmoid", "tanh", "relu"]
    page.wait_for_function(  # the charts redraw at most every 200 ms
        "n => document.querySelector('[data-testid=compare-cost-chart]').data.slice(0, 3)"
        ".every(t => t.y.filter(v => v != null).length >= n)",
        arg=steps[0],
        polling=50,
    )
    rows = page.get_by_test_id("compare-table").locator("tbody tr")
    expect(rows).to_have_count(3)
    assert {rows.nth(i).get_attribute("data-iteration") for i in range(3)} == {str(steps[0])}
    page.screenshot(path=shots / "compare-1280x720.png", full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(400)
    page.screenshot(path=shots / "compare-1920x1080.png")
    assert page.watch.errors == []


def test_runs_start_from_the_same_weights_the_server_sent(compare):
    page = compare
    initial = page.evaluate(
        "window.nnplay.compare.runs.map(r => Array.from(window.nnplay.recorder.get(r.id).initial))"
    )
    assert len(initial) == 3
    assert np.abs(initial[0]).max() > 0
    assert initial[0] == initial[1] == initial[2]
    run_until(page, 20)
    trained = page.evaluate(
        "window.nnplay.compare.runs.map(r => Array.from(window.nnplay.recorder.get(r.id).theta))"
    )
    assert trained[0] != trained[2]  # then the activations make them differ


def test_a_run_opens_in_the_single_view_and_comes_back(compare):
    page = compare
    run_until(page, 50)
    page.get_by_test_id("compare-open-2").click()
    expect(page.get_by_test_id("compare-view")).to_be_hidden()
    diagram = page.locator("[data-testid=network-diagram]")
    expect(diagram).to_have_attribute("data-activations", "relu,sigmoid")
    expect(page.get_by_test_id("iteration")).to_have_text(str(iterations(page)[2]))
    assert "open=2" in address(page)
    page.get_by_test_id("compare-toggle").click()  # "Back to comparison"
    expect(page.get_by_test_id("compare-view")).to_be_visible()
    assert "open=" not in address(page)
    assert len(set(iterations(page))) == 1
    assert page.watch.errors == []


def test_relu_cost_falls_faster_than_sigmoid_in_the_deep_network_lesson(page, server_url, watch):
    w = watch(page)
    page.goto(server_url + "/")
    page.get_by_test_id("lessons-menu").locator("summary").click()
    page.get_by_test_id("lesson-deep-activations").click()
    expect(page.get_by_test_id("lesson-title")).to_contain_text("Sigmoid vs tanh vs ReLU")
    wait_compare_ready(page, 3)
    run_until(page, 300)
    costs = page.evaluate(
        "window.nnplay.compare.runs.map(r => window.nnplay.recorder.get(r.id).costs[299])"
    )
    sigmoid, _, relu = costs
    assert sigmoid > 0.68 and relu < 0.35
    norms = page.evaluate(
        "window.nnplay.compare.runs.map(r => window.nnplay.recorder.get(r.id).frame.gradient_norms)"
    )
    assert max(norms[0]) < min(norms[2])  # sigmoid's largest below ReLU's smallest: vanishing
    assert w.errors == []


def test_every_lesson_loads_cleanly_and_its_link_reproduces_it(
    page, context, server_url, watch, shots
):
    w = watch(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(server_url + "/")
    other = context.new_page()
    w2 = watch(other)
    for lesson in LESSON_IDS:
        page.bring_to_front()  # a tab in the background gets no animation frames
        page.get_by_test_id("lessons-menu").locator("summary").click()
        page.get_by_test_id(f"lesson-{lesson}").click()
        expect(page.get_by_test_id("lesson-card")).to_have_attribute("data-lesson", lesson)
        values = page.evaluate("window.nnplay.compare.runs.length")
        wait_compare_ready(page, values)
        if lesson == "deep-activations":
            page.screenshot(path=shots / "lesson-1280x720.png")
            page.set_viewport_size({"width": 1920, "height": 1080})
            page.wait_for_timeout(300)
            page.screenshot(path=shots / "lesson-1920x1080.png")
            page.set_viewport_size({"width": 1280, "height": 720})
        page.get_by_test_id("share-menu").locator("summary").click()
        page.get_by_test_id("copy-link").click()
        link = page.get_by_test_id("share-link").input_value()
        page.get_by_test_id("share-menu").locator("summary").click()
        assert link == address(page)
        other.bring_to_front()
        other.goto(link)
        wait_compare_ready(other, values)
        expect(other.get_by_test_id("lesson-card")).to_have_attribute("data-lesson", lesson)
        assert run_configs(other) == run_configs(page)
    assert w.errors == [] and w2.errors == []


def test_exported_parameters_and_history_reproduce_the_run(compare, tmp_path):
    page = compare
    run_until(page, 200)
    row = page.get_by_test_id("compare-row-1")  # tanh
    with page.expect_download() as download:
        page.get_by_test_id("compare-params-1").click()
    path = tmp_path / "parameters.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text())
    expect(row).to_have_attribute("data-iteration", str(exported["iteration"]))
    net = Network(exported["layer_dims"], exported["activations"])
    net.set_parameters({k: np.array(v) for k, v in exported.items() if k[0] in "Wb"})
    config = RunConfigModel.model_validate(run_configs(page)[1], strict=False)
    data = config.dataset.to_engine().build()
    m = data.X_train.shape[1]
    shown = float(row.get_attribute("data-train-accuracy"))
    assert abs(net.accuracy(data.X_train, data.Y_train) - shown) <= 1 / m
    assert abs(net.cost(data.X_train, data.Y_train) - float(row.get_attribute("data-cost"))) < 1e-4

    with page.expect_download() as download:
        page.get_by_test_id("compare-csv-1").click()
    lines = download.value.path().read_text().splitlines()
    assert lines[0] == "iteration,train_cost,test_cost,train_accuracy,test_accuracy"
    assert len(lines) - 1 == exported["iteration"]

    # The charts' library loads a little after play (static/js/main.js): the menu lists a PNG
    # for each chart already drawn by it.
    page.wait_for_function(
        "() => document.querySelector('[data-png=compare-cost]')"
        "?.classList.contains('js-plotly-plot')"
    )
    page.get_by_test_id("share-menu").locator("summary").click()
    with page.expect_download() as download:
        page.get_by_test_id("png-compare-cost").click()
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.watch.errors == []
