"""A run opened from a comparison goes back unchanged (static/js/controller.js fromView, apply;
compare.js): an edit of its network or hyperparameters in the single-run view is refused with a
word on where to make it, so that "← Back to comparison" and the browser's Back both find the
comparison as it was: the same runs on the server (nothing created, deleted or updated), their
progress and their learning rates kept."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.page_helpers import address
from tests.browser.test_compare import iterations, run_until, wait_compare_ready

RATES = "/#cmp=lr&vals=0.1,1.2,3"

# Every message the page sends from now on, kept in the page.
SPY = """() => {
  window.sent = [];
  const socket = window.nnplay.socket;
  const send = socket.send.bind(socket);
  socket.send = (message) => { window.sent.push(message); return send(message); };
}"""


def sent_types(page) -> list[str]:
    return page.evaluate("window.sent.map(m => m.type)")


def run_ids(page) -> list[str]:
    return page.evaluate("window.nnplay.compare.runs.map(r => r.id)")


def open_run(page, i: int) -> None:
    page.get_by_test_id(f"compare-open-{i}").click()
    expect(page.get_by_test_id("compare-view")).to_be_hidden()
    page.wait_for_function(
        "i => window.nnplay.controller.runId === window.nnplay.compare.runs[i].id", arg=i
    )


def test_an_edited_opened_run_goes_back_to_the_comparison_unchanged(page, server_url, watch):
    w = watch(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server_url + RATES)
    wait_compare_ready(page, 3)
    run_until(page, 60)
    ids = run_ids(page)
    reached = iterations(page)
    page.evaluate(SPY)

    open_run(page, 2)  # α = 3
    expect(page.get_by_test_id("learning-rate")).to_have_value("3")
    expect(page.get_by_test_id("layer-count")).to_have_text("1 hidden layer")
    opened = address(page)
    # The edits a student tries: a layer more, a smaller learning rate.
    page.get_by_test_id("add-layer").click()
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("belongs to the comparison and stays as it is")
    expect(page.get_by_test_id("layer-count")).to_have_text("1 hidden layer")
    page.get_by_test_id("learning-rate").fill("0.5")
    page.get_by_test_id("learning-rate").press("Enter")
    expect(page.get_by_test_id("learning-rate")).to_have_value("3")
    assert address(page) == opened  # no edit in the link either
    diagram = page.locator("[data-testid=network-diagram]")
    expect(diagram).to_have_attribute("data-run", ids[2])
    # Nor on the diagram: no weight editor, the input checkboxes off.
    expect(diagram).to_have_class(re.compile(r"\bread-only\b"))
    hit = diagram.locator("[data-edge='2,0,1']")
    hit.scroll_into_view_if_needed()
    box = hit.evaluate(
        "(p) => { const pt = p.getPointAtLength(p.getTotalLength() / 2);"
        " const m = p.getScreenCTM(); return [pt.x * m.a + m.e, pt.y * m.d + m.f]; }"
    )
    page.mouse.click(*box)
    expect(page.get_by_test_id("param-editor")).to_be_hidden()
    features = diagram.locator("input[data-feature]")
    assert features.count() and features.evaluate_all("boxes => boxes.every(b => b.disabled)")
    # The view's own settings still work on the opened run.
    page.get_by_test_id("log-cost").check()
    assert "logcost=1" in address(page)

    page.get_by_test_id("compare-toggle").click()  # "← Back to comparison"
    expect(page.get_by_test_id("compare-view")).to_be_visible()
    assert run_ids(page) == ids
    assert iterations(page) == reached
    assert "open=" not in address(page)
    assert not {"create", "delete", "update", "data"} & set(sent_types(page)), sent_types(page)
    configs = page.evaluate("window.nnplay.compare.runs.map(r => r.created.config)")
    assert [c["learning_rate"] for c in configs] == [0.1, 1.2, 3]
    assert [len(c["layers"]) for c in configs] == [1, 1, 1]
    # The runs go on from where they were, together.
    run_until(page, reached[0] + 30)
    assert len(set(iterations(page))) == 1
    assert w.errors == []


def test_the_browsers_back_from_an_opened_run_finds_the_comparison_as_it_was(
    page, server_url, watch
):
    w = watch(page)
    page.goto(server_url + RATES)
    wait_compare_ready(page, 3)
    run_until(page, 40)
    ids = run_ids(page)
    reached = iterations(page)
    page.evaluate(SPY)
    open_run(page, 0)  # α = 0.1
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.1")
    page.get_by_test_id("remove-layer").click()  # refused: the comparison's run stays
    expect(page.get_by_test_id("notice")).to_contain_text("stays as it is")
    page.go_back()
    expect(page.get_by_test_id("compare-view")).to_be_visible()
    page.wait_for_function("() => !window.nnplay.controller.showsOpenedRun")
    assert "open=" not in address(page)
    assert run_ids(page) == ids and iterations(page) == reached
    # Nothing was sent to the runs: the opened one kept its α = 0.1 (the comparison's base is 1.2).
    assert not {"create", "delete", "update", "data"} & set(sent_types(page)), sent_types(page)
    expect(page.get_by_test_id("compare-base")).to_contain_text("α = 1.2")
    page.go_forward()  # and the same run opens again
    expect(page.get_by_test_id("compare-view")).to_be_hidden()
    page.wait_for_function("id => window.nnplay.controller.runId === id", arg=ids[0])
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.1")
    assert w.errors == []
