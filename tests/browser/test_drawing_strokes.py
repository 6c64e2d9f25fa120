"""Drawing by strokes in a real browser against a real server (static/js/drawTool.js,
strokes.js): a press-and-drag paints points along its path, a stroke is one step of Undo and
Redo (the buttons and Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y), Clear is undoable, the link's `pts` follows
every step, and the network keeps training through them (the same run, its iteration going on)."""

from __future__ import annotations

import base64
import itertools
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.page_helpers import address, wait_iteration
from tests.browser.test_own_data import choose_drawing, plot_point

POINTS = "window.nnplay.controller.state.pts"


def link_points(page) -> list[tuple[float, float, int]]:
    """The drawn points the page's link holds (state.js's codec: x1, x2 in 0.05 steps, class)."""
    text = parse_qs(urlsplit(address(page)).fragment, keep_blank_values=True)["pts"][0]
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    signed = [b - 256 if b > 127 else b for b in raw]
    return [(signed[i] * 0.05, signed[i + 1] * 0.05, raw[i + 2]) for i in range(0, len(raw), 3)]


def shown_points(page) -> list[tuple[float, float, int]]:
    pts = page.evaluate(POINTS)
    return list(zip(pts["x1"], pts["x2"], pts["y"], strict=True))


def same(a, b) -> bool:
    return len(a) == len(b) and all(
        abs(p[0] - q[0]) < 1e-6 and abs(p[1] - q[1]) < 1e-6 and p[2] == q[2]
        for p, q in zip(a, b, strict=True)
    )


# The plot's place and axes, unchanged over a few animation frames (the plane's axes come a
# moment after the dataset is chosen; a drag measured before would land elsewhere).
SETTLED = """async () => {
  const el = document.querySelector('[data-testid=boundary-chart]');
  const place = () => {
    const r = el.getBoundingClientRect();
    const { xaxis, yaxis } = el._fullLayout || {};
    const axes = [xaxis?.range, yaxis?.range, xaxis?._length, yaxis?._length];
    return JSON.stringify([r.left, r.top, ...axes]);
  };
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let last = place();
  for (let same = 0; same < 5;) {
    await frame();
    const now = place();
    same = now === last ? same + 1 : 0;
    last = now;
  }
}"""


def drag(page, start, end, *, shift=False, steps=25) -> None:
    """Press at `start`, move to `end` (plot coordinates) in `steps` moves, release."""
    page.evaluate(SETTLED)
    a, b = plot_point(page, *start), plot_point(page, *end)
    page.mouse.move(*a)
    if shift:
        page.keyboard.down("Shift")
    page.mouse.down()
    page.mouse.move(*b, steps=steps)
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")


def wait_count(page, n: int) -> None:
    expect(page.get_by_test_id("draw-count")).to_have_text(f"{n} point{'' if n == 1 else 's'}")


def test_a_drag_paints_a_stroke_and_undo_redo_step_through_strokes(playground, shots):
    page = playground
    choose_drawing(page)
    expect(page.get_by_test_id("draw-undo")).to_be_disabled()
    drag(page, (-4, -4), (-4, 4))  # class 0, a vertical stroke on the left
    first = shown_points(page)
    assert len(first) >= 10, first  # 8 units of plot, a point every 10 px
    assert all(abs(x1 + 4) < 0.06 and c == 0 for x1, _, c in first), first
    x2s = [x2 for _, x2, _ in first]
    assert x2s == sorted(x2s) and x2s[0] <= -3.9 and x2s[-1] >= 3.0  # along the path, in order
    gaps = [b - a for a, b in itertools.pairwise(x2s)]
    assert max(gaps) < 2 * min(gaps) + 0.1  # evenly spaced
    assert same(link_points(page), first)

    drag(page, (4, 4), (4, -4), shift=True)  # class 1 on the right: now it trains
    page.wait_for_function("window.nnplay.controller.drawnRun")
    both = shown_points(page)
    assert {c for _, _, c in both[len(first) :]} == {1}
    drag(page, (-2, -4), (-2, 4))  # a third stroke, of class 0
    three = shown_points(page)
    assert len(three) > len(both)
    assert same(link_points(page), three)
    page.screenshot(path=shots / "drawn-strokes.png")

    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 50")
    run = page.evaluate("window.nnplay.controller.runId")

    page.get_by_test_id("draw-undo").click()  # the third stroke goes, whole
    wait_count(page, len(both))
    assert same(shown_points(page), both) and same(link_points(page), both)
    expect(page.get_by_test_id("draw-redo")).to_be_enabled()
    before = int(page.get_by_test_id("iteration").get_attribute("data-value"))
    wait_iteration(page, f"n > {before + 20}")  # the same network trains on
    assert page.evaluate("window.nnplay.controller.runId") == run

    page.get_by_test_id("draw-redo").click()
    wait_count(page, len(three))
    assert same(link_points(page), three)

    page.locator("body").click(position={"x": 5, "y": 5})  # the keys go to the page
    page.keyboard.press("Control+z")
    wait_count(page, len(both))
    page.keyboard.press("Control+Shift+z")
    wait_count(page, len(three))
    page.keyboard.press("Control+z")
    wait_count(page, len(both))
    assert same(link_points(page), both)
    page.keyboard.press("Control+y")
    wait_count(page, len(three))
    assert same(link_points(page), three)
    assert page.evaluate("window.nnplay.controller.runId") == run
    wait_iteration(page, f"n > {before + 40}")
    # Back to one class: nothing to train on (no run) until Redo brings the second class back.
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    wait_count(page, len(first))
    assert same(link_points(page), first)
    page.wait_for_function("!window.nnplay.controller.runId")
    page.keyboard.press("Control+y")
    wait_count(page, len(both))
    page.wait_for_function("window.nnplay.controller.drawnRun")
    page.keyboard.press("Control+y")
    wait_count(page, len(three))

    page.get_by_test_id("draw-clear").click()  # Clear is a step too
    wait_count(page, 0)
    page.get_by_test_id("draw-undo").click()
    wait_count(page, len(three))
    assert same(link_points(page), three)
    page.wait_for_function("window.nnplay.controller.drawnRun")
    assert page.watch.errors == []


def test_a_stroke_is_one_entry_of_the_browsers_history(playground):
    page = playground
    choose_drawing(page)
    drag(page, (-4, -4), (-4, 4))
    n = len(shown_points(page))
    assert n >= 10
    length = page.evaluate("history.length")
    drag(page, (4, -4), (4, 4), shift=True)
    assert page.evaluate("history.length") == length + 1  # not one per point
    page.go_back()
    wait_count(page, n)
    assert same(shown_points(page), link_points(page))
    assert page.watch.errors == []


def test_an_eraser_drag_removes_the_points_along_it_in_one_undoable_step(playground):
    page = playground
    choose_drawing(page)
    drag(page, (-4, -4), (-4, 4))
    drag(page, (4, -4), (4, 4), shift=True)
    drawn = shown_points(page)
    page.get_by_test_id("draw-erase").click()
    drag(page, (-5, 0), (-3, 0))  # across the left stroke, at x2 = 0
    left = shown_points(page)
    gone = [p for p in drawn if p not in left]
    assert len(gone) >= 2, gone
    assert all(abs(x1 + 4) < 0.06 and abs(x2) < 1 for x1, x2, _ in gone)
    assert same(link_points(page), left)
    page.get_by_test_id("draw-undo").click()
    wait_count(page, len(drawn))
    assert same(shown_points(page), drawn) and same(link_points(page), drawn)
    assert page.watch.errors == []
