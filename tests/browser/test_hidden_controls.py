"""A reduced page (static/js/hiding.js): a link's `hide=` hides the controls it names, out of
sight and out of the keyboard's reach, while the rest of the page works; the share menu makes
such a link; unknown names are said and dropped; a class's join link carries it to a student."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import wait_ready
from tests.browser.page_helpers import address, iteration, wait_iteration

HIDDEN = [
    "learning-rate",
    "optimizer",
    "add-layer",
    "remove-layer",
    "dataset-select",
    "play",
    "step",
]


def hide_of(url: str) -> list[str]:
    values = parse_qs(urlsplit(url).fragment, keep_blank_values=True).get("hide", [""])
    return [name for name in values[0].split(",") if name]


def focused_testids(page, presses: int) -> set[str]:
    """The test ids of every element Tab reaches in `presses` presses from the top."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen = set()
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement?.dataset?.testid || ''"))
    return seen


def test_a_link_hides_the_controls_it_names_and_the_rest_works(page, server_url, watch, shots):
    w = watch(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server_url + "/#hide=lr,opt,layers,dataset,play,bogus")
    wait_ready(page)
    for testid in HIDDEN:
        expect(page.get_by_test_id(testid)).to_be_hidden()
    for testid in ["l2", "batch-size", "noise", "seed", "init-select", "network-diagram"]:
        expect(page.get_by_test_id(testid)).to_be_visible()
    expect(page.get_by_test_id("step-size")).to_be_hidden()  # the step group goes with play
    notice = page.get_by_test_id("link-notice")
    expect(notice).to_contain_text("ignored unknown control to hide 'bogus' from the link")
    assert hide_of(address(page)) == ["lr", "opt", "layers", "dataset", "play"]  # without 'bogus'
    page.screenshot(path=shots / "hidden-controls-1280x800.png")

    # Not by keyboard either: Tab never reaches them, and the shortcuts of play are off.
    reached = focused_testids(page, 60)
    assert not reached & set(HIDDEN), reached & set(HIDDEN)
    assert "l2" in reached  # Tab does go through the controls still shown
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("s")
    page.keyboard.press(" ")
    page.wait_for_timeout(300)  # nothing to wait for: a step or a play would show in the counter
    assert iteration(page) == 0
    assert page.evaluate("window.nnplay.controller.status") == "paused"

    # The rest works: a live change reaches the run, a new network seed makes a new run.
    page.get_by_test_id("l2").fill("0.01")
    page.get_by_test_id("l2").press("Enter")
    page.wait_for_function(
        "window.nnplay.controller.good && window.nnplay.controller.good.l2 === 0.01"
    )
    run = page.evaluate("window.nnplay.controller.runId")
    page.get_by_test_id("seed").fill("7")
    page.get_by_test_id("seed").press("Enter")
    page.wait_for_function(
        "r => window.nnplay.controller.runId && window.nnplay.controller.runId !== r", arg=run
    )
    assert "seed=7" in address(page)
    assert hide_of(address(page)) == ["lr", "opt", "layers", "dataset", "play"]
    for testid in HIDDEN:
        expect(page.get_by_test_id(testid)).to_be_hidden()
    assert w.errors == []


def test_the_share_menu_makes_a_reduced_link(playground, context, shots):
    page = playground
    page.get_by_test_id("share-menu").locator("summary").click()
    page.get_by_test_id("share-hide-toggle").click()
    for name in ["lr", "layers", "insight"]:
        page.get_by_test_id(f"hide-{name}").check()
    link = page.get_by_test_id("share-hide-link").input_value()
    assert hide_of(link) == ["lr", "layers", "insight"]
    page.screenshot(path=shots / "share-hide-menu.png")
    # The page itself hides nothing: the link is for others.
    expect(page.get_by_test_id("learning-rate")).to_be_visible()
    assert hide_of(address(page)) == []
    other = context.new_page()
    other.goto(link)
    wait_ready(other)
    expect(other.get_by_test_id("learning-rate")).to_be_hidden()
    expect(other.get_by_test_id("layer-controls")).to_be_hidden()
    expect(other.get_by_test_id("gradient-chart")).to_be_hidden()
    expect(other.get_by_test_id("optimizer")).to_be_visible()
    other.get_by_test_id("play").click()
    wait_iteration(other, "n > 0")
    # The other page's share menu starts from its own hidden controls.
    other.get_by_test_id("share-menu").locator("summary").click()
    other.get_by_test_id("share-hide-toggle").click()
    expect(other.get_by_test_id("hide-lr")).to_be_checked()
    expect(other.get_by_test_id("hide-opt")).not_to_be_checked()
    expect(other.get_by_test_id("share-hide-class")).to_be_hidden()  # in no class: no join link
    assert page.watch.errors == []


def test_a_class_join_link_with_hide_reduces_the_students_page(browser, server_url, offline):
    teacher_context = browser.new_context(viewport={"width": 1280, "height": 800})
    student_context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        teacher = teacher_context.new_page()
        teacher.goto(server_url + "/")
        wait_ready(teacher)
        teacher.get_by_test_id("class-menu").locator("summary").click()
        teacher.get_by_test_id("class-start").click()
        teacher.wait_for_function(
            "document.querySelector('[data-testid=class-code]').textContent.length >= 4"
        )
        code = teacher.get_by_test_id("class-code").text_content()
        # The teacher's share menu gives the class's join link with the ticked controls hidden.
        teacher.get_by_test_id("share-menu").locator("summary").click()
        teacher.get_by_test_id("share-hide-toggle").click()
        teacher.get_by_test_id("hide-lr").check()
        teacher.get_by_test_id("hide-opt").check()
        link = teacher.get_by_test_id("share-hide-join").input_value()
        assert link == teacher.evaluate("window.nnplay.classroom.info.join_url") + "#hide=lr,opt"
        assert link.endswith(f"/join/{code}#hide=lr,opt")
        teacher.get_by_test_id("share-menu").locator("summary").click()
        student = student_context.new_page()
        errors = []
        student.on("pageerror", lambda error: errors.append(str(error)))
        # The link names the server's LAN address; this machine's student opens it on loopback.
        parts = urlsplit(link)
        student.goto(f"{server_url}{parts.path}#{parts.fragment}")  # the redirect keeps the '#…'
        wait_ready(student)
        student.get_by_test_id("class-join-name").fill("Ada")
        student.get_by_test_id("class-join-submit").click()
        expect(student.get_by_test_id("class-said")).to_contain_text(f"Class {code}")
        run = teacher.evaluate("window.nnplay.controller.ownRunId")
        student.wait_for_function(
            "r => window.nnplay.controller.runId === r && window.nnplay.controller.following",
            arg=run,
        )
        expect(student.get_by_test_id("learning-rate")).to_be_hidden()
        expect(student.get_by_test_id("optimizer")).to_be_hidden()
        expect(student.get_by_test_id("l2")).to_be_visible()
        assert hide_of(address(student)) == ["lr", "opt"]
        # A push of the teacher's setup (which hides nothing) leaves the student's page reduced.
        teacher.get_by_test_id("seed").fill("5")
        teacher.get_by_test_id("seed").press("Enter")
        teacher.wait_for_function("window.nnplay.controller.created?.config.seed === 5")
        teacher.get_by_test_id("class-push-open").click()
        teacher.get_by_test_id("class-push-title").fill("Seed 5")
        teacher.get_by_test_id("class-push-send").click()
        student.wait_for_function("window.nnplay.controller.state.seed === 5")
        expect(student.get_by_test_id("learning-rate")).to_be_hidden()
        assert hide_of(address(student)) == ["lr", "opt"]
        assert errors == []
    finally:
        teacher_context.close()
        student_context.close()
