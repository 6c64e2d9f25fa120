"""A projector layout that fits one screen (issue 11, section 4), in real Chromium: presenter mode
at 1920×1080 shows the boundary, the cost curve, the network and the controls without scrolling,
no text under the stated minimum (MIN_PRESENTER_PX); the top bar is one row at every laptop width;
an exported chart is slide-sized."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.page_helpers import SMALL_TEXT

#: The smallest text in presenter mode at 1920×1080, as the page states it (presenter button).
MIN_PRESENTER_PX = 18

SHOTS = "/tmp"


# Whether the top bar's groups and their items all cross one horizontal line: one row.
ONE_ROW = """() => {
  const items = [...document.querySelectorAll(
    '.topbar > *, .topbar .transport > *, .topbar .hyper > *, .topbar .meta > *')]
    .filter((el) => el.checkVisibility()).map((el) => el.getBoundingClientRect());
  return { lowestTop: Math.max(...items.map((r) => r.top)),
           highestBottom: Math.min(...items.map((r) => r.bottom)) };
}"""


def wait_iteration(page, predicate: str) -> None:
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=iteration]');"
        f" const n = Number(el.dataset.value || 0); return {predicate}; }}"
    )


def inside_viewport(page, testid: str) -> None:
    box = page.get_by_test_id(testid).bounding_box()
    assert box is not None, testid
    assert box["x"] >= 0 and box["y"] >= 0, (testid, box)
    assert box["x"] + box["width"] <= 1920 and box["y"] + box["height"] <= 1080, (testid, box)


def test_presenter_mode_fits_1920x1080_without_scrolling_and_no_text_under_18px(
    browser, server_url, ready
):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(server_url + "/")
        ready(page)
        page.keyboard.press("p")
        expect(page.locator("body")).to_have_class(re.compile(r"\bpresenter\b"))
        # The page says what it promises.
        expect(page.get_by_test_id("presenter-toggle")).to_have_attribute(
            "title", re.compile(rf"no text under {MIN_PRESENTER_PX} px at 1920×1080")
        )
        page.get_by_test_id("play").click()
        wait_iteration(page, "n >= 300")
        page.get_by_test_id("pause").click()
        page.wait_for_timeout(600)  # the charts redrawn at the large type
        heights = page.evaluate("[document.scrollingElement.scrollHeight, innerHeight]")
        assert heights[0] <= heights[1], heights
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        for testid in (
            "boundary-chart",
            "cost-chart",
            "network-diagram",
            "play",
            "step",
            "reset",
            "learning-rate",
            "speed",
            "dataset-select",
            "add-layer",
            "train-cost",
            "test-accuracy",
        ):
            inside_viewport(page, testid)
        # Big enough to read from the back: the boundary and the diagram are not thumbnails.
        plot = page.locator("[data-testid=boundary-chart] .nsewdrag").first.bounding_box()
        assert plot["width"] >= 400 and plot["height"] >= 400, plot
        diagram = page.get_by_test_id("network-diagram").bounding_box()
        assert diagram["height"] >= 400, diagram
        # Every text drawn, the charts' tick labels too, at the stated minimum or larger.
        expect(page.locator("[data-testid=cost-chart] .ytick text").first).to_be_visible()
        assert page.evaluate(SMALL_TEXT, MIN_PRESENTER_PX) == []
        page.screenshot(path=f"{SHOTS}/nnplay-presenter-1920x1080.png")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1024, 1280, 1440, 1920])
def test_the_top_bar_is_one_row_at_laptop_widths(browser, server_url, ready, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(server_url + "/")
        ready(page)
        row = page.evaluate(ONE_ROW)
        assert row["lowestTop"] < row["highestBottom"], row
        # Nothing of it cut off or pushed off the side.
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        controls = ("play", "learning-rate", "speed", "lessons-menu", "share-menu", "help-button")
        for testid in controls:
            box = page.get_by_test_id(testid).bounding_box()
            assert box["x"] + box["width"] <= width, testid
    finally:
        context.close()


def test_an_exported_chart_is_1600_px_wide(playground):
    page = playground
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 100")
    page.get_by_test_id("pause").click()
    on_screen = page.get_by_test_id("cost-chart").bounding_box()
    page.get_by_test_id("share-menu").locator("summary").click()
    with page.expect_download() as info:
        page.get_by_test_id("png-cost").click()
    png = Path(info.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1600, (width, height)
    # The chart's own proportions, scaled up (not stretched).
    assert height == pytest.approx(1600 * on_screen["height"] / on_screen["width"], rel=0.03)
