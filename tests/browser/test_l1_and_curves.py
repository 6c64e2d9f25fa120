"""L1 regularization and the curve datasets (`sine`, `cubic`, `abs`) in a real browser: the L1 λ
field reaches the running run live and its cost is the engine's with the L1 term; each curve
dataset is in the picker with a preview, trains, and travels in a link."""

from __future__ import annotations

import json

import numpy as np
from playwright.sync_api import expect

from app.runconfig import RunConfigModel
from engine import Network
from tests.browser.page_helpers import DIAGRAM, address, wait_iteration

CURVES = ("sine", "cubic", "abs")


def pause_settled(page) -> dict:
    """Pause the run and wait until its last frame and its parameters agree; that frame."""
    page.get_by_test_id("pause").click()
    return page.wait_for_function(
        "() => { const c = window.nnplay.controller;"
        " const rec = window.nnplay.recorder.get(c.runId);"
        " return rec && rec.frame.status !== 'running'"
        " && rec.thetaIteration === rec.frame.iteration && rec.frame; }",
        polling=50,
    ).json_value()


def exported_network(page, tmp_path) -> tuple[Network, dict]:
    page.get_by_test_id("share-menu").locator("summary").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-parameters").click()
    page.get_by_test_id("share-menu").locator("summary").click()
    path = tmp_path / "parameters.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text())
    net = Network(exported["layer_dims"], exported["activations"])
    net.set_parameters({k: np.array(v) for k, v in exported.items() if k[0] in "Wb"})
    return net, exported


def test_l1_applies_live_and_the_cost_carries_its_term(playground, tmp_path):
    page = playground
    field = page.get_by_test_id("l1")
    expect(field).to_have_value("0")
    field.fill("0.25")
    field.press("Enter")
    field.blur()
    page.wait_for_function("() => location.hash.includes('l1=0.25')")
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 150")
    frame = pause_settled(page)
    net, exported = exported_network(page, tmp_path)
    assert exported["iteration"] == frame["iteration"]
    config = page.evaluate("window.nnplay.controller.created.config")
    data = RunConfigModel.model_validate(config, strict=False).dataset.to_engine().build()
    X, Y = data.X_train, data.Y_train
    with_l1 = net.cost(X, Y, l1=0.25)
    assert abs(frame["train_cost"] - with_l1) < 1e-5
    assert with_l1 - net.cost(X, Y) > 1e-3  # the term is there, not lost on the way
    # a refused value says the rule beside its field, and the run keeps its λ
    field.fill("-1")
    field.press("Enter")
    error = page.get_by_test_id("error-message")
    expect(error).to_be_visible()
    expect(error).to_contain_text("L1 λ must be between 0 and 100")
    assert error.evaluate("e => e.closest('[data-field=l1]') !== null")
    expect(field).to_have_value("0.25")
    assert "l1=0.25" in address(page)
    assert page.watch.errors == []


def test_a_link_with_l1_restores_it(page, server_url, ready):
    page.goto(server_url + "/#dataset=xor&l1=0.03&seed=5")
    ready(page)
    expect(page.get_by_test_id("l1")).to_have_value("0.03")
    assert page.evaluate("window.nnplay.controller.created.config.l1") == 0.03


def test_curve_datasets_have_previews_train_and_travel_in_links(playground, context, ready, shots):
    page = playground
    for name in CURVES:
        button = page.get_by_test_id(f"dataset-{name}")
        expect(button).to_be_visible()
        # the preview is drawn: its canvas holds both classes' colours, not a blank square
        page.wait_for_function(
            """name => { const c = document.querySelector(`[data-testid=dataset-${name}] canvas`);
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              const colours = new Set();
              for (let i = 0; i < d.length; i += 4) colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
              return colours.size >= 3; }""",
            arg=name,
        )
    page.get_by_test_id("dataset-sine").click()
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "sine")
    expect(page.get_by_test_id("dataset-select")).to_have_value("sine")
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 300")
    frame = pause_settled(page)
    assert frame["train_accuracy"] > 0.6  # it learns (a 4-unit net on one sine period and a half)
    page.screenshot(path=shots / "dataset-sine.png")
    assert "dataset=sine" in address(page)
    other = context.new_page()
    other.goto(address(page).replace("dataset=sine", "dataset=abs"))
    ready(other)
    expect(other.get_by_test_id("dataset-select")).to_have_value("abs")
    assert other.evaluate("window.nnplay.controller.created.config.dataset.name") == "abs"
    other.close()
    assert page.watch.errors == []


def test_a_curve_dataset_compares_activations_side_by_side(page, server_url, watch):
    page.watch = watch(page)
    page.goto(server_url + "/#dataset=cubic&cmp=activation&vals=tanh,relu&l1=0.01")
    page.wait_for_function(
        "() => { const c = window.nnplay && window.nnplay.compare;"
        " return c && c.ready && c.runs.length === 2 && c.runs.every(r => {"
        " const rec = window.nnplay.recorder.get(r.id); return rec && rec.frame; }); }",
        polling=50,
    )
    configs = page.evaluate("window.nnplay.compare.runs.map(r => r.created.config)")
    assert [c["dataset"]["name"] for c in configs] == ["cubic", "cubic"]
    assert [c["layers"][0]["activation"] for c in configs] == ["tanh", "relu"]
    assert [c["l1"] for c in configs] == [0.01, 0.01]  # the penalty goes to every run
    expect(page.get_by_test_id("compare-boundary-1")).to_contain_text("relu")
    assert page.watch.errors == []
