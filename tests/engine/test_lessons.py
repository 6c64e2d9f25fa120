"""Every number a lesson's text states is what the engine gives with that lesson's configuration.

The lessons live in static/lessons.json, which the page loads (static/js/lessons.js): each is a
patch over `base` in the page's state keys, and a text whose numbers are either claims (checked
here, at the stated iteration, within the tolerance the wording implies) or givens of the
configuration ("2000 iterations", "× 0.01"). The run is built as the server builds it
(app/schemas.py RunConfigModel → DatasetConfig, NetworkConfig, TrainConfig, Trainer with the
config's seed) and scored as a frame is (Trainer.evaluate), so the numbers are the page's.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from engine import DatasetConfig, NetworkConfig, TrainConfig, Trainer
from engine.losses import DEFAULT_OUTPUT

LESSONS_FILE = Path(__file__).parents[2] / "static" / "lessons.json"
DOC = json.loads(LESSONS_FILE.read_text())
LESSONS = DOC["lessons"]
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")  # 10,000 is one number
RULES = ("about", "within", "between", "below", "above", "equals")
SCORES = ("train_cost", "test_cost", "train_accuracy", "test_accuracy")


def vary(state: dict, kind: str, value: str) -> dict:
    """A comparison's run: the state with one value applied, as static/js/compare.js VARY does."""
    s = dict(state)
    if kind == "activation":
        s["layers"] = [{**layer, "activation": value} for layer in s["layers"]]
    elif kind == "init":
        name, _, scale = value.partition(":")
        s["init"], s["scale"] = name, float(scale) if scale else 0.01
    elif kind == "lr":
        s["lr"] = float(value)
    elif kind == "opt":
        s["opt"] = value
    elif kind == "depth":
        s["layers"] = [dict(s["layers"][0]) for _ in range(int(value))]
    elif kind == "width":
        s["layers"] = [{**layer, "units": int(value)} for layer in s["layers"]]
    else:
        raise ValueError(f"unknown comparison {kind!r}")
    return s


def trainer(s: dict) -> Trainer:
    """The run a page state describes, built as app/runs.py builds it from the run config."""
    d = DatasetConfig(
        name=s["dataset"],
        n_samples=s["size"],
        noise=s["noise"],
        seed=s["dseed"],
        train_fraction=s["train"],
        features=tuple(s["features"]),
        n_classes=s["classes"],
    ).build()
    output = s["output"] or DEFAULT_OUTPUT[d.task]
    n_out = (d.n_classes or 2) if output == "softmax" else 1
    net = NetworkConfig(
        layer_dims=(d.n_x, *(layer["units"] for layer in s["layers"]), n_out),
        activations=(*(layer["activation"] for layer in s["layers"]), output),
        init=s["init"],
        init_scale=s["scale"],
        seed=s["seed"],
    ).build()
    config = TrainConfig(
        learning_rate=s["lr"], optimizer=s["opt"], batch_size=s["batch"], l2=s["l2"]
    )
    return Trainer(
        net, d.X_train, d.Y_train, config, seed=s["seed"], X_test=d.X_test, Y_test=d.Y_test
    )


def measure(state: dict, kind: str, value: str, claims: list[dict]) -> dict:
    """The value of each claim's metric for one run, keyed by the claim's index."""
    t = trainer(vary(state, kind, value))
    costs: list[float] = []
    wanted = sorted({c["at"][-1] if isinstance(c["at"], list) else c["at"] for c in claims})
    seen: dict[int, dict] = {}
    for at in wanted:
        costs.extend(t.run(at - t.iteration))
        assert t.iteration == at, f"{value}: stopped at {t.iteration} ({t.diverged})"
        seen[at] = {**t.evaluate(), "max_gradient_norm": max(t.net.gradient_norms())}
    result = {}
    for i, claim in enumerate(claims):
        metric, at = claim["metric"], claim["at"]
        if metric in ("cost_min", "cost_max"):
            first, last = at
            window = np.array(costs[first - 1 : last])
            result[i] = float(window.min() if metric == "cost_min" else window.max())
        else:
            result[i] = seen[at][metric]
    return result


def holds(claim: dict, value: float) -> bool:
    if value is None or not math.isfinite(value):
        return False
    if "about" in claim:
        return abs(value - claim["about"]) <= claim["within"]
    if "between" in claim:
        low, high = claim["between"]
        return low <= value <= high
    if "below" in claim:
        return value < claim["below"]
    if "above" in claim:
        return value > claim["above"]
    return value == claim["equals"]


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson["id"] for lesson in LESSONS])
def test_every_number_of_the_text_is_a_claim_or_a_given(lesson):
    text = lesson["text"]
    spans = []
    for phrase in [c["says"] for c in lesson["claims"]] + lesson.get("givens", []):
        assert phrase in text, f"{phrase!r} is not in the text of {lesson['id']}"
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text)]
    for number in NUMBER.finditer(text):
        covered = any(a <= number.start() and number.end() <= b for a, b in spans)
        assert covered, f"{lesson['id']}: {number.group()!r} is neither checked nor a given"
    assert lesson["claims"], "a lesson states at least one result"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson["id"] for lesson in LESSONS])
def test_every_claim_holds_in_the_engine(lesson):
    state = {**DOC["base"], **lesson["state"]}
    kind = state["cmp"]
    by_run: dict[str, list[dict]] = {}
    for claim in lesson["claims"]:
        assert claim["metric"] in (*SCORES, "max_gradient_norm", "cost_min", "cost_max")
        by_run.setdefault(claim["run"], []).append(claim)
    wrong = []
    for value, claims in by_run.items():
        for i, got in measure(state, kind, value, claims).items():
            claim = claims[i]
            if not holds(claim, got):
                rule = {k: claim[k] for k in RULES if k in claim}
                where = f"{value}, {claim['metric']} at {claim['at']}"
                wrong.append(f"{claim['says']!r} ({where}): {got} vs {rule}")
    assert not wrong, f"{lesson['id']}: " + "; ".join(wrong)


def test_lessons_are_complete_runs_over_the_base():
    """Each lesson fixes every run setting through `base` (not the server's defaults, which
    may change), names a comparison and its values, and has a unique id."""
    run_keys = {"dataset", "noise", "size", "train", "dseed", "features", "classes", "output"}
    run_keys |= {"init", "scale", "seed", "lr", "opt", "batch", "l2"}
    assert run_keys <= DOC["base"].keys()
    ids = [lesson["id"] for lesson in LESSONS]
    assert len(set(ids)) == len(ids)
    for lesson in LESSONS:
        assert lesson["state"]["cmp"] and 1 <= len(lesson["state"]["vals"]) <= 4
        assert lesson["state"]["layers"] is not None


@pytest.mark.parametrize("units", [2, 4, 8])
@pytest.mark.parametrize("init", ["random", "xavier", "he"])
def test_relu_comes_last_on_the_shallow_flower_as_the_compare_note_says(units, init):
    """static/js/compareView.js comparisonNote: on the flower with one hidden layer of 2 to 8
    units and gradient descent, ReLU ends with the highest cost of sigmoid, tanh and ReLU, from
    × 0.01, Xavier or He weights alike (at the default α and a smaller one)."""
    for lr in (1.2, 0.3):
        state = {**DOC["base"], "layers": [{"units": units, "activation": "tanh"}]}
        state.update(init=init, lr=lr)
        costs = {}
        for activation in ("sigmoid", "tanh", "relu"):
            t = trainer(vary(state, "activation", activation))
            t.run(2000)
            costs[activation] = t.evaluate()["train_cost"]
        assert max(costs, key=costs.get) == "relu", (lr, costs)
