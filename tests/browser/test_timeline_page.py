"""Rewind and replay in a real browser: scrubbing under the cost curve shows the run as it was
(the boundary the page holds is the one `engine.Network` trained straight to that iteration
draws), the keyboard moves the scrubber, "Live" comes back, "Continue from here" trains a new
run from that moment's exact parameters (with the learning rate asked), and "Replay" animates
the run from iteration 0."""

from __future__ import annotations

import numpy as np
from playwright.sync_api import expect

from app import frames
from app.settings import Settings
from tests.browser.conftest import Watch
from tests.browser.page_helpers import wait_iteration
from tests.timeline_oracle import trained

HELD = "window.nnplay.timeline.shown"
GRID = "Array.from(window.nnplay.controller.v.boundary.grid.data)"


def train_to(page, n: int) -> None:
    """Step the page's run to iteration n (steps of 100 then 10 then 1, as the menu offers)."""
    for size in (100, 10, 1):
        page.get_by_test_id("step-size").select_option(str(size))
        while int(page.get_by_test_id("iteration").get_attribute("data-value") or 0) + size <= n:
            before = int(page.get_by_test_id("iteration").get_attribute("data-value") or 0)
            page.get_by_test_id("step").click()
            wait_iteration(page, f"n === {before + size}")


def run_config(page) -> dict:
    return page.evaluate("window.nnplay.controller.created.config")


def engine_trainer(page, iterations: int, changes_at: dict | None = None, config=None):
    """The page's run config (or `config`) trained by the engine straight to `iterations`, with
    `changes_at` {iteration: hyperparameters} on the way (the oracle)."""
    return trained(config or run_config(page), Settings(), iterations, changes_at)


def step_compare(page, times: int) -> None:
    """Press the comparison's step `times` (10 iterations each: stepn=10), each time until
    every run is paused at its new iteration."""
    for k in range(1, times + 1):
        page.get_by_test_id("compare-step").click()
        page.wait_for_function(
            "n => window.nnplay.compare.runs.every(r => {"
            " const rec = window.nnplay.recorder.get(r.id);"
            " return rec.frame.iteration === n && rec.frame.status === 'paused'; })",
            arg=10 * k,
        )


def expected_grid(trainer, dataset) -> list[int]:
    grid = trainer.net.predict_proba_grid(dataset.bounds, Settings().boundary_resolution)
    return list(frames.quantize_boundary(grid, "binary").data)


def scrub(page, iteration: int) -> None:
    """Drag the scrubber to `iteration` (a range input's value, as a drag sets it)."""
    page.get_by_test_id("scrub").evaluate(
        "(el, v) => { el.value = String(v);"
        " el.dispatchEvent(new Event('input', { bubbles: true })); }",
        iteration,
    )


def test_scrubbing_shows_the_boundary_the_engine_draws_at_that_iteration(playground, shots):
    page = playground
    train_to(page, 120)
    live_grid = page.evaluate(GRID)
    scrub(page, 37)
    page.wait_for_function(f"{HELD} === 37")
    expect(page.get_by_test_id("scrub-at")).to_have_text("iteration 37")
    expect(page.get_by_test_id("iteration")).to_have_attribute("data-value", "37")
    page.wait_for_function(  # marked on the cost curve
        "document.querySelector('[data-testid=cost-chart]').layout?.shapes?.[0]?.x0 === 37"
    )
    trainer, dataset = engine_trainer(page, 37)
    shown = page.evaluate(GRID)
    assert shown == expected_grid(trainer, dataset)
    assert shown != live_grid  # it moved between 37 and 120
    # The diagram's weights are that moment's too (W[1] as the diagram holds it).
    W1 = page.evaluate("Array.from(window.nnplay.controller.v.diagram.params.W[0])")
    np.testing.assert_array_equal(np.float32(W1), trainer.net.weights[0].ravel().astype(np.float32))
    expect(page.get_by_test_id("timeline-note")).to_contain_text("from iteration 0")
    page.screenshot(path=shots / "timeline-scrubbed.png")
    # The keyboard moves it too: Home is the first iteration, → the next.
    page.get_by_test_id("scrub").focus()
    page.keyboard.press("Home")
    page.wait_for_function(f"{HELD} === 0")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{HELD} === 1")
    trainer, dataset = engine_trainer(page, 1)
    assert page.evaluate(GRID) == expected_grid(trainer, dataset)
    # Live: the run as it is now, again.
    page.get_by_test_id("scrub-live").click()
    page.wait_for_function(f"{HELD} === null")
    expect(page.get_by_test_id("scrub-at")).to_have_text("live")
    expect(page.get_by_test_id("iteration")).to_have_attribute("data-value", "120")
    page.wait_for_function(f"JSON.stringify({GRID}) === JSON.stringify({live_grid})")
    assert page.watch.errors == []


def theta_of(trainer) -> np.ndarray:
    """θ as frames carry it: every W[l] row by row, then every b[l], as float32."""
    net = trainer.net
    flat = np.concatenate([*(W.ravel() for W in net.weights), *(b.ravel() for b in net.biases)])
    return flat.astype(np.float32)


def test_continue_from_here_trains_from_that_moment_s_exact_parameters(playground, shots):
    page = playground
    train_to(page, 90)
    scrub(page, 40)
    page.wait_for_function(f"{HELD} === 40")
    source = page.evaluate("window.nnplay.controller.runId")
    config = run_config(page)
    page.get_by_test_id("fork-lr").fill("0.3")
    page.get_by_test_id("fork-here").click()
    # The new run appears beside the original, in compare view.
    expect(page.get_by_test_id("compare-view")).to_be_visible()
    expect(page.get_by_test_id("compare-boundary-0")).to_contain_text("original")
    expect(page.get_by_test_id("compare-boundary-1")).to_contain_text(
        "continued from iteration 40, α = 0.3"
    )
    ids = page.evaluate("window.nnplay.compare.ids")
    assert ids[0] == source and len(ids) == 2
    fork = f"window.nnplay.recorder.get({ids[1]!r})"
    original = f"window.nnplay.recorder.get({source!r})"
    page.wait_for_function(f"{fork}?.thetaIteration === 40")
    created = page.evaluate(f"{fork}.created")
    assert created["forked_from"]["iteration"] == 40 and created["config"]["learning_rate"] == 0.3
    trainer, _ = engine_trainer(page, 40, config=config)
    np.testing.assert_array_equal(
        np.float32(page.evaluate(f"Array.from({fork}.theta)")), theta_of(trainer)
    )
    # Stepped together, each goes on from where it was: the fork with α = 0.3 from 40, the
    # original with its own α from 90; both match the engine bit for bit.
    for _ in range(2):  # the step size chosen last (1)
        page.get_by_test_id("compare-step").click()
        page.wait_for_function(f"{fork}?.frame?.iteration >= 41")
    page.wait_for_function(f"{fork}?.thetaIteration === 42 && {original}?.thetaIteration === 92")
    trainer, _ = engine_trainer(page, 42, {40: {"learning_rate": 0.3}}, config=config)
    np.testing.assert_array_equal(
        np.float32(page.evaluate(f"Array.from({fork}.theta)")), theta_of(trainer)
    )
    trainer, _ = engine_trainer(page, 92, config=config)
    np.testing.assert_array_equal(
        np.float32(page.evaluate(f"Array.from({original}.theta)")), theta_of(trainer)
    )
    page.get_by_test_id("compare-view").screenshot(path=shots / "timeline-fork-beside.png")
    # Opening the fork: the single view shows it, its own past starting at 40.
    page.get_by_test_id("compare-open-1").click()
    expect(page.get_by_test_id("compare-view")).to_be_hidden()
    page.wait_for_function(f"window.nnplay.controller.runId === {ids[1]!r}")
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.3")
    expect(page.get_by_test_id("iteration")).to_have_attribute("data-value", "42")
    expect(page.get_by_test_id("scrub")).to_have_attribute("min", "40")
    scrub(page, 41)
    page.wait_for_function(f"{HELD} === 41")
    trainer, dataset = engine_trainer(page, 41, {40: {"learning_rate": 0.3}}, config=config)
    assert page.evaluate(GRID) == expected_grid(trainer, dataset)
    assert page.watch.errors == []


def test_replay_animates_the_run_from_iteration_zero_then_goes_live(playground):
    page = playground
    train_to(page, 60)
    page.get_by_test_id("replay-speed").select_option("10")
    page.evaluate("window.__shown = []")
    page.get_by_test_id("replay").click()
    expect(page.get_by_test_id("replay")).to_have_text("Stop")
    # Every moment the page holds, in order, until it is back to live.
    page.wait_for_function(
        f"""() => {{
          const s = {HELD};
          const seen = window.__shown;
          if (s !== null && seen[seen.length - 1] !== s) seen.push(s);
          return seen.length >= 3 && s === null;
        }}""",
        polling=10,
        timeout=30_000,
    )
    seen = page.evaluate("window.__shown")
    assert seen[0] == 0 and seen == sorted(seen) and len(set(seen)) >= 3
    assert set(seen) <= {0, 10, 20, 30, 40, 50, 60}
    expect(page.get_by_test_id("replay")).to_have_text("Replay")
    expect(page.get_by_test_id("iteration")).to_have_attribute("data-value", "60")
    assert page.watch.errors == []


def test_compare_mode_scrubs_every_run_of_the_group_to_one_iteration(playground):
    page = playground
    page.get_by_test_id("step-size").select_option("10")
    page.get_by_test_id("compare-toggle").click()
    page.wait_for_function(
        "() => { const c = window.nnplay.compare; return c.ready && c.runs.length === 3"
        " && c.runs.every(r => window.nnplay.recorder.get(r.id)?.frame); }"
    )
    step_compare(page, 3)  # to iteration 30, 10 at a time
    live = page.evaluate("window.nnplay.compare.view.charts.map(c => Array.from(c.grid.data))")
    page.get_by_test_id("compare-scrub").evaluate(
        "(el) => { el.value = '13'; el.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    page.wait_for_function("window.nnplay.compare.past === 13")
    expect(page.get_by_test_id("compare-scrub-at")).to_have_text("iteration 13")
    page.wait_for_function(  # marked on the group's cost curve
        "document.querySelector('[data-testid=compare-cost-chart]').layout?.shapes?.[0]?.x0 === 13"
    )
    # Every run's answer is in (one `seek` for the group, answered run by run, then its ack).
    page.wait_for_function("window.nnplay.compare.seekRef === null")
    ids = page.evaluate("window.nnplay.compare.ids")
    shown = page.evaluate("window.nnplay.compare.view.charts.map(c => Array.from(c.grid.data))")
    for i, run_id in enumerate(ids):
        config = page.evaluate(f"window.nnplay.recorder.get({run_id!r}).created.config")
        trainer, dataset = engine_trainer(page, 13, config=config)
        assert shown[i] == expected_grid(trainer, dataset), i
        assert shown[i] != live[i]
    page.get_by_test_id("compare-scrub-live").click()
    page.wait_for_function("window.nnplay.compare.past === null")
    grids = "window.nnplay.compare.view.charts.map(c => Array.from(c.grid.data))"
    page.wait_for_function(f"live => JSON.stringify({grids}) === JSON.stringify(live)", arg=live)
    assert page.watch.errors == []


COMPARE_GRIDS = "window.nnplay.compare.view.charts.map(c => Array.from(c.grid.data))"


def test_compare_mode_replays_every_run_together_then_goes_live(page, server_url, shots):
    watch = Watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server_url + "/#cmp=activation&vals=sigmoid,tanh,relu&stepn=10")
    page.wait_for_function(
        "() => { const c = window.nnplay && window.nnplay.compare; return c && c.ready"
        " && c.runs.length === 3 && c.runs.every(r => window.nnplay.recorder.get(r.id)?.frame); }"
    )
    step_compare(page, 3)  # to iteration 30, 10 at a time
    live = page.evaluate(COMPARE_GRIDS)
    # Every boundary the compare view draws while a past moment is held: (moment, run, grid).
    page.evaluate(
        """() => {
          const c = window.nnplay.compare;
          const draw = c.view.updateBoundary.bind(c.view);
          window.__drawn = [];
          window.__markers = [];
          c.view.updateBoundary = (i, blob) => {
            draw(i, blob);
            const grid = Array.from(c.view.charts[i].grid.data);
            if (c.past !== null) window.__drawn.push([c.past, i, grid]);
          };
        }"""
    )
    page.get_by_test_id("compare-replay-speed").select_option("10")
    page.get_by_test_id("compare-replay").click()
    expect(page.get_by_test_id("compare-replay")).to_have_text("Stop")
    page.wait_for_function(  # the scrubber and the cost curve's marker follow, until live again
        """() => {
          const c = window.nnplay.compare;
          const chart = document.querySelector('[data-testid=compare-cost-chart]');
          const x = chart.layout?.shapes?.[0]?.x0;
          const seen = window.__markers;
          if (x != null && seen[seen.length - 1] !== x) seen.push(x);
          return c.past === null && !c.replayer.active && window.__drawn.length >= 12;
        }""",
        polling=10,
        timeout=30_000,
    )
    drawn = page.evaluate("window.__drawn")
    moments = [at for at, _, _ in drawn]
    assert moments == sorted(moments) and moments[0] == 0
    assert sorted(set(moments)) == [0, 10, 20, 30]  # every step of 10, to the group's iteration
    markers = page.evaluate("window.__markers")
    assert markers == sorted(markers) and set(markers) <= {0, 10, 20, 30}, markers
    # Each moment every run shows is the one engine.Network trained straight to it draws.
    ids = page.evaluate("window.nnplay.compare.ids")
    configs = [page.evaluate(f"window.nnplay.recorder.get({i!r}).created.config") for i in ids]
    for at, i, grid in drawn:
        trainer, dataset = engine_trainer(page, at, config=configs[i])
        assert grid == expected_grid(trainer, dataset), (at, i)
    assert {i for _, i, _ in drawn} == {0, 1, 2}
    # Live again: the button, the readout, no marker, and the boundaries of now.
    expect(page.get_by_test_id("compare-replay")).to_have_text("Replay")
    expect(page.get_by_test_id("compare-scrub-at")).to_have_text("live")
    expect(page.get_by_test_id("compare-scrub")).to_have_value("30")
    page.wait_for_function(
        "!document.querySelector('[data-testid=compare-cost-chart]').layout?.shapes?.length"
    )
    page.wait_for_function(
        f"live => JSON.stringify({COMPARE_GRIDS}) === JSON.stringify(live)", arg=live
    )
    # Replay one iteration a step, then Live: it stops there, live at once.
    page.get_by_test_id("compare-replay-speed").select_option("1")
    page.get_by_test_id("compare-replay").click()
    page.wait_for_function("window.nnplay.compare.past >= 5")
    expect(page.get_by_test_id("compare-replay")).to_have_text("Stop")
    page.get_by_test_id("compare-timeline").screenshot(path=shots / "timeline-compare-replay.png")
    page.screenshot(path=shots / "timeline-compare-replay-page.png")
    page.get_by_test_id("compare-scrub-live").click()
    page.wait_for_function(
        "window.nnplay.compare.past === null && !window.nnplay.compare.replayer.active"
    )
    expect(page.get_by_test_id("compare-replay")).to_have_text("Replay")
    assert watch.errors == []
