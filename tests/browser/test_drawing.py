"""How the page draws streamed frames, in a real browser against a real server: the boundary is
the newest grid received, painted into its own canvas exactly over Plotly's axes, with no Plotly
call per frame; every frame that arrives in its own animation frame is drawn; a chart off screen
waits and, scrolled into view, shows every point it missed. Correctness only: no timing."""

from __future__ import annotations

from tests.browser.page_helpers import wait_iteration

CHART = "document.querySelector('[data-testid=boundary-chart]')"

# The pixels the boundary canvas must hold for the last grid the page received: the recorder's
# copy of it, painted through the chart's own colour table by the page's own pure module.
EXPECTED_PIXELS = """async () => {
  const { paintGrid } = await import('/static/js/boundaryGrid.js');
  const chart = window.nnplay.controller.v.boundary;
  const grid = window.nnplay.recorder.get(window.nnplay.controller.runId).boundary;
  const r = chart.r;
  const px = new Uint8ClampedArray(r * r * 4);
  paintGrid(px, grid.data, r, chart.lutFor(grid.meta));
  const canvas = chart.canvas;
  const shown = canvas.getContext('2d').getImageData(0, 0, r, r).data;
  let differ = 0;
  for (let i = 0; i < px.length; i++) if (px[i] !== shown[i]) differ += 1;
  return { differ, size: px.length, r, width: canvas.width };
}"""

PLACEMENT = f"""() => {{
  const el = {CHART};
  const {{ xaxis, yaxis }} = el._fullLayout;
  const box = el.getBoundingClientRect();
  const c = el.querySelector('[data-testid=boundary-canvas]').getBoundingClientRect();
  const bg = el.querySelector('rect.nsewdrag').getBoundingClientRect();
  return {{
    canvas: [c.left - box.left, c.top - box.top, c.width, c.height],
    axes: [xaxis._offset, yaxis._offset, xaxis._length, yaxis._length],
    drag: [bg.left - box.left, bg.top - box.top, bg.width, bg.height],
  }};
}}"""

COUNT_PLOTLY = f"""() => {{
  const el = {CHART};
  window.boundaryPlotlyCalls = 0;
  for (const name of ['react', 'relayout', 'restyle', 'newPlot', 'update']) {{
    const original = window.Plotly[name];
    window.Plotly[name] = function (gd, ...rest) {{
      if (gd === el) window.boundaryPlotlyCalls += 1;
      return original.call(this, gd, ...rest);
    }};
  }}
}}"""


def stats(page) -> dict:
    return page.evaluate("({...window.nnplayStats})")


def test_the_boundary_canvas_shows_the_newest_grid_over_the_axes_without_plotly_calls(playground):
    page = playground
    page.evaluate(COUNT_PLOTLY)
    page.get_by_test_id("speed").select_option("10")  # 10 iterations a frame: 60 frames to 600
    before = stats(page)
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 600")
    page.get_by_test_id("pause").click()
    page.wait_for_timeout(500)  # the last frames in and drawn
    after = stats(page)
    assert after["boundaryDraws"] - before["boundaryDraws"] >= 20
    assert page.evaluate("window.boundaryPlotlyCalls") == 0  # a new grid is the canvas alone
    assert after["drawnIteration"] == int(
        page.get_by_test_id("iteration").get_attribute("data-value")
    )
    pixels = page.evaluate(EXPECTED_PIXELS)
    assert pixels["width"] == pixels["r"] == 100
    assert pixels["differ"] == 0, pixels
    place = page.evaluate(PLACEMENT)
    for got, want in zip(place["canvas"], place["axes"], strict=True):
        assert abs(got - want) <= 1, place
    for got, want in zip(place["canvas"], place["drag"], strict=True):
        assert abs(got - want) <= 1, place  # where Plotly takes the pointer: the plot area
    assert page.watch.errors == []


def test_each_frame_that_arrives_alone_is_drawn(playground):
    page = playground
    page.get_by_test_id("step-size").select_option("1")
    for _ in range(12):  # each step: one frame, long before the next
        before = stats(page)
        page.get_by_test_id("step").click()
        page.wait_for_function(
            "n => window.nnplayStats.framesReceived > n", arg=before["framesReceived"]
        )
        page.wait_for_function(
            "n => window.nnplayStats.boundaryDraws > n", arg=before["boundaryDraws"]
        )
        after = stats(page)
        assert after["framesReceived"] - before["framesReceived"] == 1
        assert after["boundaryDraws"] - before["boundaryDraws"] == 1
        assert after["drawnIteration"] == before["drawnIteration"] + 1
    assert page.evaluate(EXPECTED_PIXELS)["differ"] == 0


def test_an_off_screen_chart_waits_and_shows_every_point_once_in_view(playground):
    page = playground  # 1280 x 720: the gradient chart is below the fold
    gradient = "document.querySelector('[data-testid=gradient-chart]')"
    assert page.evaluate(f"{gradient}.getBoundingClientRect().top") > 720 + 200
    page.get_by_test_id("speed").select_option("10")  # 10 iterations a frame: 90 frames to 900
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 900")
    page.get_by_test_id("pause").click()
    page.wait_for_timeout(500)
    shown = page.evaluate(f"({gradient}.data?.[0]?.x ?? []).at(-1) ?? -1")
    last = page.evaluate(
        "window.nnplay.recorder.get(window.nnplay.controller.runId).frame.iteration"
    )
    assert shown < 100 <= last, "an off-screen chart is not redrawn (bar its first frames)"
    page.get_by_test_id("gradient-chart").scroll_into_view_if_needed()
    page.wait_for_function(f"n => {gradient}.data?.[0]?.x.at(-1) === n", arg=last)
    x = page.evaluate(f"{gradient}.data[0].x")
    assert len(x) >= 30 and x == sorted(set(x))  # every frame's point, once each, in order
