"""`nnplay train` and POST /api/train accept and refuse the same run configs: one table of
configs, each written as the API's JSON and as the CLI's flags, run through both (the CLI with
this machine's `Settings`, the API with the same `Settings`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.main import create_app
from app.settings import Settings

S = Settings()
"""The limits both entrances apply here (the defaults, or this environment's NNPLAY_*)."""
UNITS, LAYERS, SAMPLES = S.max_units, S.max_hidden_layers, S.max_samples
TANH = "tanh"

# (name, run config as the API takes it, the same as `nnplay train` flags, refusing flag or None)
CASES = [
    ("defaults", {}, [], None),
    ("softmax on two classes", {"output": "softmax"}, ["--output", "softmax"], None),
    ("linear on two classes", {"output": "linear"}, ["--output", "linear"], "--output"),
    (
        "sigmoid on several classes",
        {"dataset": {"name": "blobs"}, "output": "sigmoid"},
        ["--dataset", "blobs", "--output", "sigmoid"],
        "--output",
    ),
    (
        "sigmoid on a regression",
        {"dataset": {"name": "plane"}, "output": "sigmoid"},
        ["--dataset", "plane", "--output", "sigmoid"],
        "--output",
    ),
    ("linear regression", {"dataset": {"name": "plane"}}, ["--dataset", "plane"], None),
    ("unknown dataset", {"dataset": {"name": "mnist"}}, ["--dataset", "mnist"], "--dataset"),
    ("learning rate 0", {"learning_rate": 0.0}, ["--learning-rate", "0"], "--learning-rate"),
    ("learning rate 100", {"learning_rate": 100.0}, ["--learning-rate", "100"], None),
    ("learning rate 101", {"learning_rate": 101.0}, ["--learning-rate", "101"], "--learning-rate"),
    ("batch size 0", {"batch_size": 0}, ["--batch-size", "0"], "--batch-size"),
    ("batch size 32", {"batch_size": 32}, ["--batch-size", "32"], None),
    ("negative l2", {"l2": -0.1}, ["--l2", "-0.1"], "--l2"),
    ("l2 0.5", {"l2": 0.5}, ["--l2", "0.5"], None),
    ("negative l1", {"l1": -0.1}, ["--l1", "-0.1"], "--l1"),
    ("l1 0.5", {"l1": 0.5}, ["--l1", "0.5"], None),
    ("adam", {"optimizer": "adam"}, ["--optimizer", "adam"], None),
    ("unknown optimizer", {"optimizer": "sgd"}, ["--optimizer", "sgd"], "--optimizer"),
    ("negative seed", {"seed": -1}, ["--seed", "-1"], "--seed"),
    (
        "he initialization",
        {"init": {"name": "he", "scale": 0.01}},
        ["--init", "he", "--init-scale", "0.01"],
        None,
    ),
    ("negative init scale", {"init": {"scale": -1.0}}, ["--init-scale", "-1"], "--init-scale"),
    ("logistic regression", {"layers": []}, ["--layers", "none"], None),
    (
        "units at the server's limit",
        {"layers": [{"units": UNITS, "activation": TANH}]},
        ["--layers", str(UNITS)],
        None,
    ),
    (
        "units over the server's limit",
        {"layers": [{"units": UNITS + 1, "activation": TANH}]},
        ["--layers", str(UNITS + 1)],
        "--layers",
    ),
    (
        "units over the model's bound",
        {"layers": [{"units": 2000, "activation": TANH}]},
        ["--layers", "2000"],
        "--layers",
    ),
    (
        "layers at the server's limit",
        {"layers": [{"units": 2, "activation": TANH}] * LAYERS},
        ["--layers", ",".join(["2"] * LAYERS)],
        None,
    ),
    (
        "layers over the server's limit",
        {"layers": [{"units": 2, "activation": TANH}] * (LAYERS + 1)},
        ["--layers", ",".join(["2"] * (LAYERS + 1))],
        "--layers",
    ),
    (
        "an activation per layer",
        {"layers": [{"units": 3, "activation": "relu"}, {"units": 2, "activation": "tanh"}]},
        ["--layers", "3,2", "--activations", "relu,tanh"],
        None,
    ),
    (
        "unknown activation",
        {"layers": [{"units": 3, "activation": "swish"}]},
        ["--layers", "3", "--activations", "swish"],
        "--activations",
    ),
    ("size at the limit", {"dataset": {"size": SAMPLES}}, ["--size", str(SAMPLES)], None),
    (
        "size over the limit",
        {"dataset": {"size": SAMPLES + 1}},
        ["--size", str(SAMPLES + 1)],
        "--size",
    ),
    ("size under the bound", {"dataset": {"size": 9}}, ["--size", "9"], "--size"),
    ("noise within the flower's", {"dataset": {"noise": 0.5}}, ["--noise", "0.5"], None),
    ("noise over the flower's", {"dataset": {"noise": 5.0}}, ["--noise", "5"], "--noise"),
    (
        "three classes of blobs",
        {"dataset": {"name": "blobs", "n_classes": 3}},
        ["--dataset", "blobs", "--classes", "3"],
        None,
    ),
    (
        "classes of a binary dataset",
        {"dataset": {"n_classes": 3}},
        ["--classes", "3"],
        "--classes",
    ),
    (
        "too many classes",
        {"dataset": {"name": "blobs", "n_classes": 7}},
        ["--dataset", "blobs", "--classes", "7"],
        "--classes",
    ),
    (
        "a derived input",
        {"dataset": {"features": ["x1_squared"]}},
        ["--features", "x1_squared"],
        None,
    ),
    (
        "a repeated derived input",
        {"dataset": {"features": ["x1_x2", "x1_x2"]}},
        ["--features", "x1_x2,x1_x2"],
        "--features",
    ),
    (
        "derived inputs of one-input data",
        {"dataset": {"name": "house", "features": ["x1_squared"]}},
        ["--dataset", "house", "--features", "x1_squared"],
        "--features",
    ),
    (
        "no training points",
        {"dataset": {"train_fraction": 0.0}},
        ["--train-fraction", "0"],
        "--train-fraction",
    ),
    ("data seed 7", {"dataset": {"seed": 7}}, ["--data-seed", "7"], None),
    ("negative data seed", {"dataset": {"seed": -1}}, ["--data-seed", "-1"], "--data-seed"),
    ("half for training", {"dataset": {"train_fraction": 0.5}}, ["--train-fraction", "0.5"], None),
]


@pytest.fixture(scope="module")
def api():
    with TestClient(create_app(S)) as client:
        yield client


def cli_outcome(args: list[str], capsys) -> tuple[bool, str]:
    """Whether `nnplay train ARGS` trains (exit 0) or refuses (exit 2), and its error line."""
    capsys.readouterr()
    flags = ["--iterations", "1", "--print-every", "0", "--no-progress"]
    try:
        code = main(["train", *args, *flags])
    except SystemExit as refused:
        assert refused.code == 2
        return False, capsys.readouterr().err
    assert code == 0
    return True, ""


@pytest.mark.parametrize(
    ("config", "args", "refused_by"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_cli_and_api_accept_and_refuse_the_same_configs(api, capsys, config, args, refused_by):
    response = api.post("/api/train", json={"config": config, "iterations": 1})
    assert response.status_code in (200, 422), response.text
    cli_accepts, error = cli_outcome(args, capsys)
    api_accepts = response.status_code == 200
    assert (api_accepts, cli_accepts) == (refused_by is None, refused_by is None), (
        response.text,
        error,
    )
    if refused_by is not None:  # one line, naming the flag of the field the API names
        assert error.count("\n") == 1 and f"argument {refused_by}:" in error, error


def test_the_table_covers_every_flag_of_the_run_config():
    from app.cli import RUN_FLAGS

    used = {word for _, _, args, _ in CASES for word in args if word.startswith("--")}
    assert set(RUN_FLAGS.values()) <= used
