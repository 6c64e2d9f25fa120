"""Your own data in a real browser: points drawn on the boundary plot train live, a CSV upload
starts training (and every kind of bad CSV gets its own message), and an image set shows a
gallery of test images with the misclassified ones marked."""

from __future__ import annotations

import io
import re

import numpy as np
from playwright.sync_api import expect

from engine.loaders import synthetic_images
from tests.browser.page_helpers import address

DIAGRAM = "[data-testid=network-diagram]"


def wait_iteration(page, predicate: str) -> None:
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=iteration]');"
        f" const n = Number(el.dataset.value || 0); return {predicate}; }}"
    )


def plot_point(page, x1: float, x2: float) -> tuple[float, float]:
    """Where on the page the plot coordinates (x1, x2) are, once the plot holds still: the same
    position three animation frames running (a run created by the last point can re-lay the page
    out under the next click)."""
    return tuple(
        page.evaluate(
            """async ([x1, x2]) => {
            const el = document.querySelector('[data-testid=boundary-chart]');
            const at = () => {
                const { xaxis, yaxis } = el._fullLayout;
                const rect = el.getBoundingClientRect();
                return [rect.left + xaxis._offset + xaxis.l2p(x1),
                        rect.top + yaxis._offset + yaxis.l2p(x2)];
            };
            let last = at(), same = 0;
            for (let frame = 0; frame < 120 && same < 3; frame += 1) {
                await new Promise(requestAnimationFrame);
                const now = at();
                same = now[0] === last[0] && now[1] === last[1] ? same + 1 : 0;
                last = now;
            }
            return last;
        }""",
            [x1, x2],
        )
    )


def click_points(page, points, shift: bool = False) -> None:
    """Click each plot point in turn (shift-click: the second class), each counted before the
    next is clicked."""
    count = page.get_by_test_id("draw-count")
    for x1, x2 in points:
        shown = re.match(r"\d+", count.text_content() or "")
        before = int(shown.group()) if shown else 0
        x, y = plot_point(page, x1, x2)
        if shift:
            page.keyboard.down("Shift")
        page.mouse.click(x, y)
        if shift:
            page.keyboard.up("Shift")
        expect(count).to_have_text(re.compile(rf"^{before + 1} points?$"))


def drawn_points(page) -> list[list[float]]:
    """The training and test points the plot shows: [x1, x2, colour] each."""
    return page.evaluate(
        """() => {
            const data = document.querySelector('[data-testid=boundary-chart]').data;
            return [1, 2].flatMap((t) => data[t].x.map(
                (x, i) => [x, data[t].y[i], data[t].marker.color[i]]));
        }"""
    )


def choose_drawing(page) -> None:
    page.get_by_test_id("dataset-draw").click()
    expect(page.get_by_test_id("draw-tools")).to_be_visible()
    page.wait_for_function("document.querySelector('[data-testid=boundary-chart]')._fullLayout")


def test_draw_two_classes_and_train_on_them_live(playground, shots):
    page = playground
    choose_drawing(page)
    expect(page.get_by_test_id("draw-prompt")).to_contain_text("Click on the plot")
    # Class 0 on the left, class 1 (shift-click) on the right: a line separates them.
    left = [(-4, -3), (-3.5, 2), (-4.5, 0.5), (-3, -1), (-5, 3), (-2.5, 4)]
    right = [(4, 3), (3.5, -2), (4.5, -0.5), (3, 1), (5, -3), (2.5, -4)]
    click_points(page, left)
    expect(page.get_by_test_id("draw-prompt")).to_contain_text("second class")
    expect(page.locator(DIAGRAM)).not_to_have_attribute("data-dataset", "drawn")
    click_points(page, right, shift=True)
    expect(page.get_by_test_id("draw-count")).to_have_text("12 points")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "drawn")
    shown = sorted((round(x, 2), round(y, 2)) for x, y, _ in drawn_points(page))
    assert shown == sorted((float(x), float(y)) for x, y in left + right)
    # The drawn set travels in the link.
    assert re.search(r"[#&]pts=[A-Za-z0-9_-]{16,}", address(page))
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 200")
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=train-accuracy]').textContent"
        ".replace('%', '')) >= 99"
    )
    # Adding a point while it trains keeps the network: the iteration count carries on.
    before = int(page.get_by_test_id("iteration").get_attribute("data-value"))
    page.mouse.click(*plot_point(page, -1, 5))
    expect(page.get_by_test_id("draw-count")).to_have_text("13 points")
    wait_iteration(page, f"n > {before + 20}")
    page.get_by_test_id("pause").click()
    page.screenshot(path=shots / "drawn-points.png")
    # Erase a point, then clear them all: no run, the prompt asks for points again.
    page.get_by_test_id("draw-erase").click()
    page.mouse.click(*plot_point(page, -1, 5))
    expect(page.get_by_test_id("draw-count")).to_have_text("12 points")
    page.get_by_test_id("draw-clear").click()
    expect(page.get_by_test_id("draw-count")).to_have_text("0 points")
    expect(page.get_by_test_id("draw-prompt")).to_be_visible()
    assert page.watch.errors == []


NEUTRAL_EDGES = """() => [...document.querySelectorAll('[data-testid=network-diagram] path.edge')]
    .every((p) => p.getAttribute('stroke') === '#c8cfd6' && !p.hasAttribute('stroke-width'))"""
EMPTY_MAPS = """() => [...document.querySelectorAll(
    '[data-testid=network-diagram] .unit:not(.input) canvas')]
    .every((c) => c.width === 1 && c.height === 1)"""


def test_while_waiting_for_data_the_diagram_shows_the_network_to_be_built(playground, shots):
    page = playground
    diagram = page.locator(DIAGRAM)
    choose_drawing(page)
    # no points yet: the default network, planned (no run), with no weights
    expect(diagram).to_have_attribute("data-planned", "true")
    expect(diagram).not_to_have_attribute("data-run", re.compile("."))
    expect(diagram).to_have_attribute("data-layer-dims", "2,4,1")
    expect(diagram).to_have_attribute("data-activations", "tanh,sigmoid")
    note = page.get_by_test_id("diagram-waiting")
    expect(note).to_have_text(re.compile(r"^waiting for data: points of two classes"))
    for unit in ("unit-0-0", "unit-0-1", "unit-1-0", "unit-1-3", "unit-2-0"):
        expect(page.get_by_test_id(unit)).to_be_visible()
    expect(diagram.locator("path.edge")).to_have_count(2 * 4 + 4 * 1)
    assert page.evaluate(NEUTRAL_EDGES) and page.evaluate(EMPTY_MAPS)
    # the settings change: the planned network follows
    page.get_by_test_id("add-layer").click()
    expect(diagram).to_have_attribute("data-layer-dims", re.compile(r"^2,4,\d+,1$"))
    page.get_by_test_id("layer-1-activation").select_option("relu")
    expect(diagram).to_have_attribute("data-activations", "tanh,relu,sigmoid")
    page.get_by_test_id("feature-x1_squared").check()
    expect(diagram).to_have_attribute("data-layer-dims", re.compile(r"^3,4,\d+,1$"))
    expect(page.get_by_test_id("unit-0-2")).to_contain_text("x")
    page.get_by_test_id("draw-classes").fill("3")
    page.get_by_test_id("draw-classes").press("Enter")
    expect(diagram).to_have_attribute("data-layer-dims", re.compile(r"^3,4,\d+,3$"))
    expect(diagram).to_have_attribute("data-activations", "tanh,relu,softmax")
    page.evaluate("scrollTo(0, 0)")  # typing the classes scrolled the panel into view
    page.mouse.click(*plot_point(page, -3, -3))  # one class: still waiting, for a second
    expect(page.get_by_test_id("draw-count")).to_have_text("1 point")
    expect(note).to_contain_text("points of a second class")
    expect(diagram).to_have_attribute("data-planned", "true")
    assert page.evaluate(NEUTRAL_EDGES) and page.evaluate(EMPTY_MAPS)
    page.screenshot(path=shots / "diagram-waiting-drawn.png")
    # a second class: the run is built, as planned, and the note goes
    x, y = plot_point(page, 3, 3)
    page.keyboard.down("Shift")
    page.mouse.click(x, y)
    page.keyboard.up("Shift")
    expect(diagram).to_have_attribute("data-run", re.compile("."))
    expect(diagram).not_to_have_attribute("data-planned", "true")
    expect(diagram).to_have_attribute("data-activations", "tanh,relu,softmax")
    expect(diagram).to_have_attribute("data-layer-dims", re.compile(r"^3,4,\d+,3$"))
    expect(note).to_have_count(0)
    # a CSV with no file yet: its inputs and output wait for the file
    page.get_by_test_id("dataset-csv").click()
    expect(diagram).to_have_attribute("data-planned", "true")
    expect(diagram).not_to_have_attribute("data-run", re.compile("."))
    expect(diagram).to_have_attribute("data-layer-dims", re.compile(r"^1,4,\d+,1$"))
    expect(diagram).to_have_attribute("data-activations", "tanh,relu,?")
    expect(note).to_contain_text("waiting for data: a CSV file")
    expect(page.get_by_test_id("unit-0-0")).to_contain_text("features")
    assert page.evaluate(NEUTRAL_EDGES) and page.evaluate(EMPTY_MAPS)
    page.screenshot(path=shots / "diagram-waiting-csv.png")
    upload_csv(page, "boxes.csv", _csv(40))
    expect(diagram).to_have_attribute("data-layer-dims", re.compile(r"^3,4,\d+,1$"))
    expect(diagram).to_have_attribute("data-activations", "tanh,relu,sigmoid")
    expect(note).to_have_count(0)
    assert page.watch.errors == []


def test_drawn_points_come_back_from_the_link(playground, server_url):
    page = playground
    choose_drawing(page)
    click_points(page, [(-3, -3), (-2, 3)])
    click_points(page, [(3, 3), (2, -3)], shift=True)
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "drawn")
    url = address(page)
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function("document.querySelector('[data-testid=network-diagram]').dataset.run")
    expect(page.get_by_test_id("draw-count")).to_have_text("4 points")
    page.wait_for_function("document.querySelector('[data-testid=boundary-chart]').data")
    shown = sorted((round(x, 2), round(y, 2)) for x, y, _ in drawn_points(page))
    assert shown == [(-3.0, -3.0), (-2.0, 3.0), (2.0, -3.0), (3.0, 3.0)]


def _csv(rows: int = 120, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = ["height,width,depth,kind"]
    for i in range(rows):
        label = i % 2
        h, w, d = rng.normal(2.0 * label, 0.6, 3)
        lines.append(f"{h:.3f},{w:.3f},{d:.3f},{'big' if label else 'small'}")
    return "\n".join(lines) + "\n"


def upload_csv(page, name: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    page.get_by_test_id("csv-file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )


def test_upload_a_csv_and_train_on_it(playground, shots):
    page = playground
    page.get_by_test_id("dataset-csv").click()
    expect(page.get_by_test_id("csv-source")).to_be_visible()
    upload_csv(page, "boxes.csv", _csv())
    expect(page.get_by_test_id("csv-name")).to_contain_text("boxes.csv: 120 rows, 4 columns")
    expect(page.get_by_test_id("label-column")).to_have_value("kind")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "boxes")
    # How the features were standardized: μ and σ of the training rows, per feature.
    table = page.get_by_test_id("standardization")
    expect(table).to_contain_text("x′ = (x − μ) / σ")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("small")
    # Three features: no boundary; the confusion tables instead, and the diagram has 3 inputs.
    expect(page.get_by_test_id("boundary-chart")).to_be_hidden()
    expect(page.get_by_test_id("no-boundary")).to_contain_text("3 input features")
    expect(page.locator("[data-testid=unit-0-2]")).to_be_visible()
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 100")
    expect(page.get_by_test_id("confusion-train")).to_be_visible()
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=train-accuracy]').textContent"
        ".replace('%', '')) >= 90"
    )
    caption = page.get_by_test_id("confusion-train").locator("caption").text_content()
    right, total = map(int, re.match(r"train: (\d+) of (\d+) right", caption).groups())
    assert total == 96 and right >= 0.9 * total
    page.get_by_test_id("pause").click()
    page.screenshot(path=shots / "csv-upload.png")
    # Another label column: a feature is text now, and the message says where.
    page.get_by_test_id("label-column").select_option("height")
    expect(page.get_by_test_id("error-message")).to_contain_text("column 4 'kind' is not a number")
    assert page.watch.errors == []


def _ratings(rows: int = 80) -> str:
    """Whole-number labels 1 … 4, a linear function of the features: a guess makes them four
    classes; they can be learnt as a number too."""
    rng = np.random.default_rng(2)
    lines = ["size,age,stars"]
    for _ in range(rows):
        size, age = rng.uniform(0, 1, 2)
        lines.append(f"{size:.3f},{age:.3f},{1 + min(3, int(4 * (0.7 * size + 0.3 * age)))}")
    return "\n".join(lines) + "\n"


def test_the_csv_task_is_chosen_in_the_page_and_an_impossible_one_is_refused(
    playground, context, ready, shots
):
    page = playground
    page.get_by_test_id("dataset-csv").click()
    task = page.get_by_test_id("csv-task")
    expect(task).to_have_value("")  # auto
    upload_csv(page, "boxes.csv", _csv(40))
    diagram = page.locator(DIAGRAM)
    expect(diagram).to_have_attribute("data-dataset", "boxes")
    expect(diagram).to_have_attribute("data-activations", "tanh,sigmoid")
    run = diagram.get_attribute("data-run")
    # "big" / "small" cannot be a number: refused beside the choice, the run stays
    task.select_option("regression")
    error = page.get_by_test_id("error-message")
    expect(error).to_be_visible()
    expect(error).to_contain_text("'kind' is not a number")
    expect(error).to_contain_text("a regression label must be numeric")
    assert error.evaluate("e => e.closest('[data-field=\"dataset.task\"]') !== null")
    expect(task).to_have_value("")
    expect(diagram).to_have_attribute("data-run", run)
    assert "ctask=regression" not in address(page)
    page.get_by_test_id("csv-source").screenshot(path=shots / "csv-task-refused.png")
    # Ratings 1 … 4: four classes by the guess, a number when asked
    upload_csv(page, "ratings.csv", _ratings())
    expect(diagram).to_have_attribute("data-dataset", "ratings")
    expect(diagram).to_have_attribute("data-layer-dims", "2,4,4")
    expect(diagram).to_have_attribute("data-activations", "tanh,softmax")
    expect(error).to_be_hidden()
    task.select_option("regression")
    expect(diagram).to_have_attribute("data-activations", "tanh,linear")
    expect(diagram).to_have_attribute("data-layer-dims", "2,4,1")
    expect(page.get_by_test_id("standardization")).to_contain_text("numeric: regression")
    assert "ctask=regression" in address(page)
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.03")  # a regression's α
    page.get_by_test_id("play").click()
    wait_iteration(page, "n >= 50")
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("train-accuracy")).to_have_text("–")  # no accuracy for a number
    # the choice travels in the link
    other = context.new_page()
    other.goto(address(page))
    ready(other)
    expect(other.get_by_test_id("csv-task")).to_have_value("regression")
    expect(other.locator(DIAGRAM)).to_have_attribute("data-activations", "tanh,linear")
    other.close()
    task.select_option("classes")
    expect(diagram).to_have_attribute("data-activations", "tanh,softmax")
    assert page.watch.errors == []


BAD_CSVS = [
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
    ("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n", "Row 3 has 2 values but the header has 3 columns"),
    ("text.csv", "a,b,y\n1,2,0\n3,oops,1\n5,6,0\n", "row 3, column 2 'b' is not a number: 'oops'"),
    ("one_class.csv", "a,b,y\n1,2,1\n3,4,1\n5,6,1\n", "only one class"),
    ("empty.csv", "", "empty"),
    ("big.csv", "a,b,y\n" + "1.000000,2.000000,0\n" * 120_000, "too large"),
]


def test_each_bad_csv_gets_its_message(playground, shots):
    page = playground
    page.get_by_test_id("dataset-csv").click()
    # No file yet: no run, nothing left of the last one, and the page says what it waits for.
    expect(page.get_by_test_id("no-boundary")).to_contain_text("Choose a CSV file")
    expect(page.locator(DIAGRAM)).not_to_have_attribute("data-run", re.compile("."))
    expect(page.get_by_test_id("boundary-chart")).to_be_hidden()
    expect(page.get_by_test_id("train-cost")).to_have_text("–")
    error = page.get_by_test_id("upload-error")
    for name, content, message in BAD_CSVS:
        upload_csv(page, name, content)
        expect(error).to_be_visible()
        expect(error).to_contain_text(name)
        expect(error).to_contain_text(message)
        if name == "ragged.csv":
            page.screenshot(path=shots / "csv-bad.png")
    # Nothing broke: a good file still trains.
    upload_csv(page, "good.csv", _csv(40))
    expect(error).to_be_hidden()
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "good")
    # The browser logs each refused upload (HTTP 4xx); nothing else went wrong.
    assert all("status of 4" in e for e in page.watch.errors), page.watch.errors


def test_a_csv_with_two_features_draws_its_boundary(playground):
    page = playground
    page.get_by_test_id("dataset-csv").click()
    rng = np.random.default_rng(1)
    rows = ["x,y,label"] + [
        f"{a:.3f},{b:.3f},{int(a * a + b * b < 1.2)}" for a, b in rng.uniform(-2, 2, (150, 2))
    ]
    upload_csv(page, "ring.csv", "\n".join(rows))
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "ring")
    expect(page.get_by_test_id("boundary-chart")).to_be_visible()
    expect(page.get_by_test_id("no-boundary")).to_be_hidden()
    page.wait_for_function(
        "document.querySelector('[data-testid=boundary-chart]').data?.[1].x.length === 120"
    )


def _npz(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_image_set_shows_a_gallery_with_misclassified_images_marked(playground, shots):
    page = playground
    page.get_by_test_id("dataset-images").click()
    # The built-in example first: bright-centre vs dark-centre images.
    expect(page.locator(DIAGRAM)).to_have_attribute(
        "data-dataset", "bright vs dark centre (synthetic)"
    )
    expect(page.get_by_test_id("image-info")).to_contain_text("(768, m)")
    gallery = page.get_by_test_id("gallery")
    expect(gallery.get_by_test_id("gallery-item")).to_have_count(40)
    # Untrained, the network calls every image the same class: half are marked wrong.
    expect(gallery.locator("[data-correct=false]")).to_have_count(20)
    expect(gallery.locator("figure.wrong").first).to_contain_text("✗")
    page.screenshot(path=shots / "gallery-untrained.png")
    # Upload the set as two files, train and test, as the course ships them.
    arrays = synthetic_images(m_train=60, m_test=24, size=12, seed=5)
    train = {k: arrays[k] for k in ("train_set_x", "train_set_y", "list_classes")}
    test = {k: arrays[k] for k in ("test_set_x", "test_set_y")}
    binary = "application/octet-stream"
    page.get_by_test_id("image-files").set_input_files(
        [
            {"name": "train_shapes.npz", "mimeType": binary, "buffer": _npz(train)},
            {"name": "test_shapes.npz", "mimeType": binary, "buffer": _npz(test)},
        ]
    )
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "train_shapes")
    expect(gallery.get_by_test_id("gallery-item")).to_have_count(24)
    expect(page.get_by_test_id("image-info")).to_contain_text(
        "60 training and 24 test images of 12 × 12 × 3"
    )
    page.get_by_test_id("learning-rate").fill("0.01")
    page.get_by_test_id("learning-rate").press("Enter")
    page.get_by_test_id("play").click()
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=test-accuracy]').textContent"
        ".replace('%', '')) >= 90"
    )
    page.get_by_test_id("pause").click()
    wrong = gallery.locator("[data-correct=false]").count()
    right = gallery.locator("[data-correct=true]").count()
    assert right + wrong == 24 and wrong <= 2
    expect(gallery.get_by_test_id("gallery-summary")).to_contain_text(
        f"{24 - wrong} right, {wrong} misclassified"
    )
    caption = gallery.get_by_test_id("gallery-item").first.locator("figcaption").text_content()
    assert re.search(r"(bright|dark) centre \d+%", caption), caption
    expect(page.get_by_test_id("confusion-test")).to_contain_text(f"test: {24 - wrong} of 24 right")
    page.screenshot(path=shots / "gallery-trained.png")
    assert page.watch.errors == []


def test_draw_three_classes_for_a_softmax(playground):
    page = playground
    choose_drawing(page)
    page.get_by_test_id("draw-classes").fill("3")
    page.get_by_test_id("draw-classes").press("Enter")
    expect(page.get_by_test_id("draw-class-2")).to_be_visible()
    for c, spots in enumerate([[(-4, -4), (-3, -4)], [(4, -4), (3, -4)], [(0, 4), (1, 4)]]):
        page.get_by_test_id(f"draw-class-{c}").click()
        click_points(page, spots)
    expect(page.get_by_test_id("draw-count")).to_have_text("6 points")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-layer-dims", "2,4,3")
    expect(page.locator(DIAGRAM)).to_have_attribute("data-activations", "tanh,softmax")
    colours = {colour for _, _, colour in drawn_points(page)}
    assert len(colours) == 3


def test_compare_activations_side_by_side_on_drawn_points(playground, server_url):
    page = playground
    choose_drawing(page)
    for c, spots in enumerate([[(-4, -3), (-3, 2), (-5, 0)], [(4, 3), (3, -2), (5, 0)]]):
        page.get_by_test_id(f"draw-class-{c}").click()
        click_points(page, spots)
    expect(page.locator(DIAGRAM)).to_have_attribute("data-dataset", "drawn")
    pts = re.search(r"[#&](pts=[A-Za-z0-9_-]+)", address(page)).group(1)
    page.goto(f"{server_url}/#dataset=draw&{pts}&cmp=activation&vals=sigmoid,tanh,relu")
    page.wait_for_function(
        "() => { const c = window.nnplay && window.nnplay.compare;"
        " return c && c.ready && c.runs.length === 3 && c.runs.every("
        " r => window.nnplay.recorder.get(r.id)?.frame); }"
    )
    for i in range(3):
        figure = page.get_by_test_id(f"compare-boundary-{i}")
        page.wait_for_function(
            "i => document.querySelector(`[data-testid=compare-boundary-${i}] .chart`).data?.[1]",
            arg=i,
        )
        count = page.evaluate(
            "i => { const d = document.querySelector("
            "`[data-testid=compare-boundary-${i}] .chart`).data;"
            " return d[1].x.length + d[2].x.length; }",
            i,
        )
        assert count == 6
        expect(figure).to_be_visible()
