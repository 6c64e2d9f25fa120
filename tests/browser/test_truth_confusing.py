"""What confused a newcomer (issue 11, section 3), in real Chromium against a real server: a
first-visit card says press ▶, start with Lesson 1 and what the colours mean (dismissed for good);
the boundary has a colour key and the diagram says what an edge's colour and width are; a tap on a
tablet shows an edge's weight; lessons whose costs span decades open on a log axis; the menus
close on an outside click, on Esc and on each other; an upload error goes with its source; every
drawn point is drawn; "iterations to target" counts from where the cost stays below it; speed in
iterations per second; the epoch only where it differs; charts start from 0 before training; log
axes carry a few readable labels; no text under 12 px."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.page_helpers import SMALL_TEXT

SHOTS = "/tmp"
MIN_TEXT_PX = 12


def wait_iteration(page, predicate: str) -> None:
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=iteration]');"
        f" const n = Number(el.dataset.value || 0); return {predicate}; }}"
    )


def tick_labels(page, chart: str, axis: str) -> list[str]:
    """The tick labels Plotly drew on a chart's axis ('x' or 'y')."""
    return page.locator(f"[data-testid={chart}] .{axis}tick text").all_text_contents()


def open_lesson(page, lesson: str) -> None:
    page.get_by_test_id("lessons-menu").locator("summary").click()
    page.get_by_test_id(f"lesson-{lesson}").click()
    expect(page.get_by_test_id("compare-view")).to_be_visible()


def test_first_visit_card_says_press_play_lesson_one_and_the_colours_once(
    browser, server_url, ready
):
    context = browser.new_context(first_visit=True, viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(server_url + "/")
        ready(page)
        card = page.get_by_test_id("welcome")
        expect(card).to_be_visible()
        expect(card).to_contain_text("Press ▶")
        expect(card).to_contain_text("Start with Lesson 1")
        expect(card).to_contain_text("orange is class 0")
        expect(card).to_contain_text("blue class 1")
        expect(card).to_contain_text("edge is a weight w")
        # Not modal: the page works with the card on screen, which covers none of it.
        box = card.bounding_box()
        for testid in ("play", "boundary-chart", "network-diagram"):
            other = page.get_by_test_id(testid).bounding_box()
            below = other["y"] >= box["y"] + box["height"]
            assert below or other["y"] + other["height"] <= box["y"], testid
        page.get_by_test_id("play").click()
        wait_iteration(page, "n >= 20")
        page.get_by_test_id("pause").click()
        page.screenshot(path=f"{SHOTS}/nnplay-first-visit-1440x900.png")
        page.get_by_test_id("welcome-close").click()
        expect(card).to_be_hidden()
        page.reload()
        ready(page)
        page.wait_for_timeout(300)
        expect(card).to_be_hidden()  # remembered
        page.get_by_test_id("help-button").click()
        page.get_by_test_id("welcome-again").click()
        page.keyboard.press("Escape")
        expect(card).to_be_visible()
        page.get_by_test_id("welcome-lesson").click()
        expect(page.get_by_test_id("lesson-title")).to_contain_text("1. Logistic regression")
        expect(card).to_be_hidden()
    finally:
        context.close()


def test_boundary_colour_key_and_edge_key_say_what_the_colours_mean(playground):
    page = playground
    key = page.get_by_test_id("boundary-key")
    expect(key).to_be_visible()
    expect(key).to_contain_text("class 0 (y = 0)")
    expect(key).to_contain_text("class 1 (y = 1)")
    expect(key).to_contain_text("P(y = 1)")
    chart = page.get_by_test_id("boundary-chart").bounding_box()
    box = key.bounding_box()
    assert chart["y"] + chart["height"] - 2 <= box["y"] <= chart["y"] + chart["height"] + 60
    # The key's swatches are the points' own colours.
    dots = page.locator("[data-testid=boundary-key] .dot").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    assert dots[:2] == ["rgb(245, 147, 34)", "rgb(8, 119, 189)"]
    page.get_by_test_id("show-test").check()
    expect(key).to_contain_text("test points")
    page.get_by_test_id("discretize").check()
    expect(key).to_contain_text("ŷ = 1 where P(y = 1) ≥ 0.5")
    edges = page.get_by_test_id("edge-key")
    expect(edges).to_contain_text("blue w > 0")
    expect(edges).to_contain_text("orange w < 0")
    expect(edges).to_contain_text("the wider the larger |w|")


def test_a_tap_on_an_edge_shows_its_weight_on_a_tablet(browser, server_url, ready):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(server_url + "/")
        ready(page)
        page.wait_for_function(  # the weights have arrived: edges are coloured by sign
            "[...document.querySelectorAll('[data-testid=network-diagram] .edge')]"
            ".some(p => p.getAttribute('stroke') !== '#c8cfd6')"
        )
        expect(page.get_by_test_id("edge-key")).to_contain_text("Tap an edge")
        hit = page.locator("[data-testid=network-diagram] [data-edge='1,0,0']")
        hit.scroll_into_view_if_needed()
        x, y = hit.evaluate(
            """(p) => { const pt = p.getPointAtLength(p.getTotalLength() / 2);
                const m = p.getScreenCTM(); return [pt.x * m.a + m.e, pt.y * m.d + m.f]; }"""
        )
        page.touchscreen.tap(x, y)
        tooltip = page.get_by_test_id("tooltip")
        expect(tooltip).to_be_visible()
        expect(tooltip).to_contain_text(re.compile(r"W\[1\]\[1,1\] = -?\d"))
        page.wait_for_timeout(500)
        expect(tooltip).to_be_visible()  # pinned: a finger has no hover to keep it
        box = tooltip.bounding_box()
        assert box["x"] + box["width"] <= 1024
        page.get_by_test_id("boundary-chart").tap()
        expect(tooltip).to_be_hidden()
    finally:
        context.close()


@pytest.mark.parametrize("lesson", ["large-init-tanh", "large-init-relu", "learning-rate"])
def test_lessons_whose_costs_span_decades_open_on_a_log_cost_axis(playground, lesson):
    page = playground
    open_lesson(page, lesson)
    expect(page.get_by_test_id("compare-log")).to_be_checked()
    page.get_by_test_id("compare-play").click()
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=compare-cost-chart]');"
        " return el?._fullLayout?.yaxis?.type === 'log' && el.data[0].x.length > 50; }"
    )
    page.get_by_test_id("compare-pause").click()
    labels = tick_labels(page, "compare-cost-chart", "y")
    assert 2 <= len(labels) <= 8, labels
    # Lesson 1's costs stay within a decade: it keeps the linear axis.
    open_lesson(page, "logistic-vs-hidden")
    expect(page.get_by_test_id("compare-log")).not_to_be_checked()


def test_menus_close_on_outside_click_on_escape_and_on_each_other(playground):
    page = playground
    lessons = page.get_by_test_id("lessons-menu")
    share = page.get_by_test_id("share-menu")
    lessons.locator("summary").click()
    expect(page.get_by_test_id("lessons-list")).to_be_visible()
    share.locator("summary").click()
    expect(page.get_by_test_id("copy-link")).to_be_visible()
    expect(page.get_by_test_id("lessons-list")).to_be_hidden()  # never both, one over the other
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("copy-link")).to_be_hidden()
    lessons.locator("summary").click()
    expect(page.get_by_test_id("lessons-list")).to_be_visible()
    page.get_by_test_id("network-diagram").click(position={"x": 5, "y": 5})
    expect(page.get_by_test_id("lessons-list")).to_be_hidden()


def test_an_upload_error_goes_away_with_its_source(playground):
    page = playground
    page.get_by_test_id("dataset-csv").click()
    page.get_by_test_id("csv-file").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,x\n"}
    )
    error = page.get_by_test_id("upload-error")
    expect(error).to_be_visible()
    page.get_by_test_id("dataset-images").click()
    expect(page.get_by_test_id("image-source")).to_be_visible()
    expect(error).to_be_hidden()


def test_every_drawn_point_is_drawn_test_share_as_diamonds(playground):
    page = playground
    page.get_by_test_id("dataset-draw").click()
    expect(page.get_by_test_id("draw-tools")).to_be_visible()
    page.wait_for_function("document.querySelector('[data-testid=boundary-chart]')._fullLayout")
    points = [(-4 + 0.8 * i, 3 - 0.6 * i) for i in range(10)]
    for i, (x1, x2) in enumerate(points):
        px, py = page.evaluate(
            """([x1, x2]) => { const el = document.querySelector('[data-testid=boundary-chart]');
                const { xaxis, yaxis } = el._fullLayout; const r = el.getBoundingClientRect();
                return [r.left + xaxis._offset + xaxis.l2p(x1),
                        r.top + yaxis._offset + yaxis.l2p(x2)]; }""",
            [x1, x2],
        )
        if i % 2:
            page.keyboard.down("Shift")  # the other class
        page.mouse.click(px, py)
        page.keyboard.up("Shift")
    expect(page.get_by_test_id("draw-count")).to_have_text("10 points")
    page.wait_for_function(  # the server split them: some are test points
        "document.querySelector('[data-testid=boundary-chart]').data[2].x.length > 0"
    )
    page.wait_for_timeout(300)
    shown = page.locator(
        "[data-testid=boundary-chart] .scatterlayer .trace:not([style*='opacity: 0']) path.point"
    ).evaluate_all("els => els.filter(e => e.checkVisibility() && e.getBBox().width > 0).length")
    assert shown == 10
    expect(page.get_by_test_id("show-test")).to_be_checked()
    expect(page.get_by_test_id("boundary-key")).to_contain_text("test points")


def test_iterations_to_target_count_from_where_the_cost_stays_below(playground):
    page = playground
    open_lesson(page, "learning-rate")
    page.get_by_test_id("compare-values").fill("6")
    page.get_by_test_id("compare-values").press("Enter")
    page.get_by_test_id("compare-target").fill("0.3")
    page.get_by_test_id("compare-target").press("Enter")
    expect(page.locator("[data-testid=compare-table] tbody tr")).to_have_count(1)
    page.get_by_test_id("compare-play").click()
    page.wait_for_function(
        "[...window.nnplay.recorder.runs.values()].some(r => r.costs.length >= 400)"
    )
    page.get_by_test_id("compare-pause").click()
    page.wait_for_timeout(500)
    costs = page.evaluate(
        "[...window.nnplay.recorder.runs.values()].find(r => r.costs.length >= 400).costs"
    )
    first_dip = next(i for i, c in enumerate(costs) if c <= 0.3) + 1
    above = [i for i, c in enumerate(costs) if c > 0.3]
    stays = above[-1] + 2
    assert first_dip < stays, "α = 6 oscillates across the target before it settles"
    cell = page.locator("[data-testid=compare-table] tbody tr").first.locator("td").nth(4)
    expect(cell).to_have_text(str(stays))
    header = page.locator("[data-testid=compare-table] thead th").nth(5)
    expect(header).to_have_text("iterations until J stays ≤ 0.3")


def test_speed_reads_in_iterations_per_second_and_epoch_only_when_it_differs(playground):
    page = playground
    speed = page.get_by_test_id("speed")
    texts = speed.locator("option").all_text_contents()
    assert not any("frame" in t for t in texts), texts
    assert texts[:4] == ["auto", "30", "150", "300"]  # auto, the default, first
    expect(page.locator("label[data-field=iterations_per_frame]")).to_contain_text("Iterations/s")
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 50")
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("epoch-count")).to_be_hidden()  # full batch: epoch = iteration
    page.get_by_test_id("batch-size").fill("64")
    page.get_by_test_id("batch-size").press("Enter")
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("epoch-count")).to_be_visible()
    page.get_by_test_id("pause").click()
    page.wait_for_timeout(300)
    epoch = int(page.get_by_test_id("epoch").text_content().replace(",", ""))
    it = int(page.get_by_test_id("iteration").get_attribute("data-value"))
    assert epoch < it


def test_charts_before_training_start_from_zero(playground):
    page = playground
    page.wait_for_function(
        "document.querySelector('[data-testid=cost-chart]').querySelector('.xtick text')"
        " && document.querySelector('[data-testid=gradient-chart]').querySelector('.ytick text')"
    )
    for chart in ("cost-chart", "gradient-chart"):
        xs = tick_labels(page, chart, "x")
        assert xs[0] == "0", (chart, xs)
        assert not any(t.startswith(("−", "-")) for t in xs), (chart, xs)
    ys = tick_labels(page, "cost-chart", "y")
    assert ys[0] == "0" and not any(t.startswith(("−", "-")) for t in ys), ys
    expect(page.get_by_test_id("cost-chart")).to_contain_text("Press ▶ to train")


def gradient_labels(page) -> list[list]:
    """The gradient chart's y tick labels as drawn: [top, bottom, text], top to bottom."""
    boxes = page.locator("[data-testid=gradient-chart] .ytick text").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.top, r.bottom, e.textContent]; })"
    )
    return sorted(boxes)


def readable(boxes: list[list]) -> None:
    texts = [b[2] for b in boxes]
    assert 2 <= len(boxes) <= 8, texts
    assert len(set(texts)) == len(texts), texts  # no label twice
    assert all(a[1] <= b[0] + 0.5 for a, b in itertools.pairwise(boxes)), boxes


@pytest.mark.parametrize(
    "link",
    ["", "#layers=8:sigmoid,8:sigmoid,8:sigmoid,8:sigmoid,8:sigmoid&init=he&lr=0.1"],
    ids=["flower-default", "deep-sigmoid"],
)
def test_log_gradient_axes_have_a_few_distinct_labels_that_do_not_overlap(
    page, server_url, ready, link
):
    page.goto(server_url + "/" + link)
    ready(page)
    page.get_by_test_id("gradient-chart").scroll_into_view_if_needed()  # off screen, it waits
    page.get_by_test_id("step").click()  # one iteration: norms of a narrow range
    page.wait_for_function(
        "document.querySelector('[data-testid=gradient-chart]').data?.[0]?.y.some(v => v > 0)"
    )
    page.wait_for_timeout(700)
    readable(gradient_labels(page))
    page.get_by_test_id("step-size").select_option("100")
    page.get_by_test_id("step").click()
    wait_iteration(page, "n === 101")
    page.wait_for_timeout(700)
    readable(gradient_labels(page))
    # In compare mode too (lesson 5: the gradients of every layer, on one log axis).
    open_lesson(page, "deep-activations")
    page.get_by_test_id("compare-step").click()
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=compare-gradient-chart] .ytick text').length"
    )
    page.wait_for_timeout(500)
    labels = tick_labels(page, "compare-gradient-chart", "y")
    assert 2 <= len(labels) <= 8 and len(set(labels)) == len(labels), labels


@pytest.mark.parametrize("size", [(1440, 900), (1024, 768)], ids=["1440", "1024"])
def test_no_text_under_12px(browser, server_url, ready, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(server_url + "/")
        ready(page)
        page.get_by_test_id("play").click()
        wait_iteration(page, "n >= 100")
        page.get_by_test_id("pause").click()
        page.wait_for_timeout(700)
        assert page.evaluate(SMALL_TEXT, MIN_TEXT_PX) == []
        if width == 1440:
            page.screenshot(path=f"{SHOTS}/nnplay-normal-1440x900.png")
    finally:
        context.close()
