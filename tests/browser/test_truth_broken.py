"""What issue 11 found broken, in a real browser against a real server: the boundary plot draws
the points of the run it shows (after every data change), a refused value leaves the page on its
last good run with the field marked and the value restored (typed or from a link), comparisons
say which value they refuse and run the others, a comparison is still drawn when one comes back
from one of its runs, and the regression datasets learn on the first ▶ with the defaults."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
    try:
        page.wait_for_function(
            f"() => {{ const c = ({DRAWN_MARKERS})(); return c.drawn === {want} && c.outside === 0; }}", timeout=5000
        )
    except Exception:  # the assertion below says what was drawn instead
        pass
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
