"""What issue 11 found broken, in a real browser against a real server: the boundary plot draws
the points of the run it shows (after every data change), a refused value leaves the page on its
last good run with the field marked and the value restored (typed or from a link), comparisons
say which value they refuse and run the others, a comparison is still drawn when one comes back
from one of its runs, and the regression datasets learn on the first ▶ with the defaults."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.page_helpers import address

DIAGRAM = "[data-testid=network-diagram]"

DRAWN_MARKERS = """() => {
  const el = document.querySelector('[data-testid=boundary-chart]');
  const box = el.getBoundingClientRect();
  const points = [...el.querySelectorAll('.scatterlayer .trace path.point')];
  const outside = points.filter((p) => {
    const r = p.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return x < box.left || x > box.right || y < box.top || y > box.bottom;
  }).length;
  const created = window.nnplay.controller.created;
  return {drawn: points.length, outside, run: created.run,
          train: created.dataset.m_train, test: created.dataset.m_test};
}"""


def markers(page) -> dict:
    """The markers Plotly rendered in the boundary plot, and the counts of the run shown."""
    return page.evaluate(DRAWN_MARKERS)


def run_id(page) -> str:
    return page.locator(DIAGRAM).get_attribute("data-run")


def wait_new_run(page, old: str) -> None:
    expect(page.locator(DIAGRAM)).not_to_have_attribute("data-run", old)


def assert_markers_match(page, test_points: bool) -> dict:
    """Wait (up to 5 s) until the plot draws exactly the run's points, then return the counts."""
    want = "c.train + c.test" if test_points else "c.train"
    drawn = f"() => {{ const c = ({DRAWN_MARKERS})(); return c.drawn === {want} && !c.outside; }}"
    with contextlib.suppress(Exception):  # on a timeout the assertions say what was drawn
        page.wait_for_function(drawn, timeout=5000)
    seen = markers(page)
    expected = seen["train"] + (seen["test"] if test_points else 0)
    assert seen["drawn"] == expected, seen
    assert seen["outside"] == 0, seen
    return seen


def set_range(page, testid: str, value: str) -> None:
    page.get_by_test_id(testid).fill(value)  # a range input takes fill and fires input/change
    page.get_by_test_id(testid).dispatch_event("change")


def test_boundary_draws_the_points_of_the_run_after_every_data_change(playground, shots):
    page = playground
    assert_markers_match(page, test_points=False)
    changes = [
        ("Circle", lambda: page.get_by_test_id("dataset-circles").click()),
        ("Regenerate", lambda: page.get_by_test_id("regenerate").click()),
        ("Points", lambda: set_range(page, "size", "500")),
        ("Noise", lambda: set_range(page, "noise", "0.3")),
        ("Train share", lambda: set_range(page, "train-fraction", "0.5")),
        ("Two moons", lambda: page.get_by_test_id("dataset-moons").click()),
        ("Spiral", lambda: page.get_by_test_id("dataset-spiral").click()),
    ]
    for i, (what, act) in enumerate(changes):
        if i == 3:  # the rest while the run is training
            page.get_by_test_id("play").click()
        if i == 5:
            page.get_by_test_id("show-test").check()
        old = run_id(page)
        act()
        wait_new_run(page, old)
        seen = assert_markers_match(page, test_points=i >= 5)
        print(what, seen)
    page.get_by_test_id("pause").click()
    page.wait_for_timeout(300)
    page.screenshot(path=shots / "truth-spiral-points.png")
    assert page.watch.errors == []


def iteration(page) -> int:
    return int(page.get_by_test_id("iteration").get_attribute("data-value") or 0)


def wait_iteration(page, at_least: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=iteration]').dataset.value || 0) >= n",
        arg=at_least,
    )


def type_value(page, testid: str, value: str) -> None:
    page.get_by_test_id(testid).fill(value)
    page.get_by_test_id(testid).press("Enter")


def test_a_refused_value_leaves_the_page_on_its_last_good_run(playground, shots):
    page = playground
    error = page.get_by_test_id("error-message")
    l2 = page.get_by_test_id("l2")
    type_value(page, "l2", "-1")
    expect(error).to_be_visible()
    expect(error).to_contain_text("L2 λ must be between 0 and 100")
    expect(error).to_contain_text("You typed −1")
    expect(error).not_to_contain_text("Input should")
    assert error.evaluate("e => e.closest('[data-field=l2]') !== null")  # beside its own field
    box, field = error.bounding_box(), l2.bounding_box()
    assert abs(box["x"] - field["x"]) < 40 and box["y"] >= field["y"]  # below it, not elsewhere
    expect(l2).to_have_value("0")  # restored
    expect(l2).to_have_attribute("aria-invalid", "true")
    assert "l2=0&" in address(page)
    page.screenshot(path=shots / "truth-refused-l2.png")

    page.get_by_test_id("add-layer").click()  # the page is not wedged
    expect(page.locator(DIAGRAM)).to_have_attribute("data-layer-dims", "2,4,4,1")
    expect(page.get_by_test_id("layer-count")).to_have_text("2 hidden layers")
    page.get_by_test_id("play").click()
    wait_iteration(page, 50)

    type_value(page, "l2", "0.01")  # fixed: the message and the mark go
    expect(error).to_be_hidden()
    expect(l2).not_to_have_attribute("aria-invalid", "true")
    assert "l2=0.01" in address(page)

    type_value(page, "learning-rate", "0")
    expect(error).to_contain_text("The learning rate α must be more than 0")
    assert error.evaluate("e => e.closest('[data-field=learning_rate]') !== null")
    expect(page.get_by_test_id("learning-rate")).to_have_value("1.2")
    at = iteration(page)
    wait_iteration(page, at + 50)  # still training, at the last good rate
    type_value(page, "learning-rate", "0.5")
    expect(error).to_be_hidden()

    # A value only the server refuses (a link edited by hand: 65 units, the limit is 64): the
    # page stays on its run, the link is put back and the message sits by the layers.
    run = run_id(page)
    page.evaluate("location.hash = location.hash.replace(/layers=[^&]*/, 'layers=65:tanh')")
    expect(error).to_be_visible()
    expect(error).to_contain_text("64")
    assert error.evaluate("e => e.parentElement.closest('[data-field^=layers], .layer-controls')")
    page.wait_for_timeout(300)
    assert run_id(page) == run
    assert "layers=4:tanh,4:tanh" in address(page)
    expect(page.locator(DIAGRAM)).to_have_attribute("data-layer-dims", "2,4,4,1")
    at = iteration(page)
    wait_iteration(page, at + 50)
    page.get_by_test_id("pause").click()
    assert page.watch.errors == []


def test_a_link_with_refused_values_loads_a_working_page(page, server_url, ready, watch, shots):
    watch = watch(page)
    page.goto(server_url + "/#dataset=circles&l2=-1&lr=0&seed=7")
    ready(page)
    notice = page.get_by_test_id("link-notice")
    expect(notice).to_contain_text("L2 λ must be between 0 and 100")
    expect(notice).to_contain_text("The link has −1")
    expect(notice).to_contain_text("The learning rate α must be more than 0")
    expect(page.get_by_test_id("l2")).to_have_value("0")
    expect(page.get_by_test_id("learning-rate")).to_have_value("1.2")
    expect(page.get_by_test_id("seed")).to_have_value("7")  # the rest of the link holds
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "circles")
    page.screenshot(path=shots / "truth-refused-link.png")
    page.get_by_test_id("play").click()
    wait_iteration(page, 100)
    page.get_by_test_id("pause").click()

    page.goto("about:blank")  # a fresh load, not a hash change of this page
    page.goto(server_url + "/#dataset=moons&layers=65:tanh")  # refused by the server itself
    ready(page)
    expect(page.get_by_test_id("link-notice")).to_contain_text("64")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-layer-dims", "2,4,1")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "moons")
    page.get_by_test_id("play").click()
    wait_iteration(page, 100)
    assert watch.errors == []


def house_prices_csv(m: int = 100) -> str:
    """One feature, square feet, and the price in dollars: a student's own table."""
    rng = np.random.default_rng(8)
    sqft = rng.uniform(500, 4000, m)
    price = 50_000 + 150 * sqft + rng.normal(0, 20_000, m)
    return "sqft,price\n" + "".join(f"{a:.0f},{p:.0f}\n" for a, p in zip(sqft, price, strict=True))


@pytest.mark.parametrize("source", ["plane", "house", "csv"])
def test_regression_learns_on_the_first_play_with_the_defaults(playground, source, shots):
    page = playground
    if source == "csv":
        page.get_by_test_id("dataset-csv").click()
        page.get_by_test_id("csv-file").set_input_files(
            {"name": "houses.csv", "mimeType": "text/csv", "buffer": house_prices_csv().encode()}
        )
        expect(page.get_by_test_id("label-column")).to_have_value("price")
        expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "houses")
    else:
        page.get_by_test_id(f"dataset-{source}").click()
        expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", source)
    # The task's own learning rate, from the server's options (the flower's 1.2 diverges).
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.03")
    page.wait_for_function("location.hash.includes('lr=0.03')")
    page.get_by_test_id("play").click()
    wait_iteration(page, 1500)
    page.get_by_test_id("pause").click()
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("diverged")).to_be_hidden()
    expect(page.get_by_test_id("status")).to_have_text("paused")
    first = page.evaluate("document.querySelector('[data-testid=cost-chart]').data[0].y[0]")
    now = float(page.get_by_test_id("train-cost").text_content())
    assert now < 0.2 * first, (first, now)
    # The points are drawn in the data's own units (the network learns them standardized).
    # On the plane the value is each marker's colour; on a line (1 feature) its height.
    ys = page.evaluate(
        "(() => { const t = document.querySelector('[data-testid=boundary-chart]').data[1];"
        " return typeof t.marker.color[0] === 'number' ? t.marker.color : t.y; })()"
    )
    lo, hi = {"plane": (-6, 6), "house": (0, 5), "csv": (50_000, 800_000)}[source]
    assert lo <= min(ys) and max(ys) <= hi and max(ys) - min(ys) > 0.5 * (hi - lo), ys[:5]
    page.screenshot(path=shots / f"truth-regression-{source}.png")
    assert page.watch.errors == []


def wait_compare_ready(page, n: int) -> None:
    page.wait_for_function(
        "n => { const c = window.nnplay && window.nnplay.compare;"
        " return c && c.ready && c.runs.length === n && c.runs.every(r => {"
        " const rec = window.nnplay.recorder.get(r.id); return rec && rec.frame; }); }",
        arg=n,
        polling=50,
    )


def compare_values(page) -> list[str]:
    return page.evaluate("window.nnplay.compare.runs.map(r => r.value)")


def test_compare_says_which_value_it_refuses_and_runs_the_others(page, server_url, ready, watch):
    watch = watch(page)
    page.goto(server_url + "/#cmp=lr&vals=0.1,1000")
    wait_compare_ready(page, 1)
    notice = page.get_by_test_id("link-notice")
    expect(notice).to_contain_text("not compared: '1000'")
    expect(notice).to_contain_text("The learning rate α must be more than 0 and at most 100")
    assert compare_values(page) == ["0.1"]
    page.get_by_test_id("compare-play").click()  # the others run
    page.wait_for_function(
        "window.nnplay.recorder.get(window.nnplay.compare.runs[0].id).frame.iteration >= 100"
    )
    page.get_by_test_id("compare-pause").click()

    values = page.get_by_test_id("compare-values")
    values.fill("0.1, 0.3, 1, 3, 10")  # a fifth value is not dropped silently
    values.press("Enter")
    wait_compare_ready(page, 4)
    expect(notice).to_contain_text("not compared: '10'. A comparison holds at most 4 values.")
    assert compare_values(page) == ["0.1", "0.3", "1", "3"]

    page.get_by_test_id("compare-kind").select_option("activation")
    wait_compare_ready(page, 3)
    values.fill("sigmoid, foo")
    values.press("Enter")
    wait_compare_ready(page, 1)
    expect(notice).to_contain_text("ignored unknown value to compare (activation) 'foo'")
    assert compare_values(page) == ["sigmoid"]
    page.get_by_test_id("compare-play").click()
    page.wait_for_function(
        "window.nnplay.recorder.get(window.nnplay.compare.runs[0].id).frame.iteration >= 100"
    )
    assert watch.errors == []


def test_back_from_an_opened_run_the_comparison_is_drawn_and_described(
    page, server_url, watch, shots
):
    watch = watch(page)
    page.goto(server_url + "/#cmp=lr&vals=0.1,1.2,3")
    wait_compare_ready(page, 3)
    base = page.get_by_test_id("compare-base")
    expect(base).to_contain_text("α = 1.2")
    page.get_by_test_id("compare-play").click()
    page.wait_for_function(
        "window.nnplay.compare.runs.every("
        "r => window.nnplay.recorder.get(r.id).frame.iteration >= 200)"
    )
    page.get_by_test_id("compare-pause").click()
    page.wait_for_timeout(300)
    page.get_by_test_id("compare-open-0").click()  # α = 0.1 in the single-run view
    expect(page.get_by_test_id("compare-view")).to_be_hidden()
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.1")
    page.get_by_test_id("compare-toggle").click()  # back, without pressing ▶
    expect(page.get_by_test_id("compare-view")).to_be_visible()
    expect(base).to_contain_text("α = 1.2")  # the comparison's, not the opened run's α = 0.1
    assert "lr=1.2" in address(page) and "open=" not in address(page)
    m_train = page.evaluate("window.nnplay.compare.runs[0].created.dataset.m_train")
    for i in range(3):  # every boundary drawn again: its points and its trained map
        figure = page.get_by_test_id(f"compare-boundary-{i}")
        expect(figure.locator(".scatterlayer .trace path.point")).to_have_count(m_train)
        expect(figure.get_by_test_id("boundary-canvas")).to_be_visible()
    page.wait_for_function(
        "document.querySelectorAll("
        "'[data-testid=compare-cost-chart] .scatterlayer .trace path.js-line').length >= 3"
    )
    page.screenshot(path=shots / "truth-compare-back.png", full_page=True)
    assert watch.errors == []
