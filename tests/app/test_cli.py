"""`nnplay train`: trains, reports, writes JSON, and answers bad arguments in one line."""

import json
import subprocess
import sys

import numpy as np
import pytest

from app.cli import main
from engine import Network, make_dataset


def test_train_prints_costs_and_accuracies(capsys):
    assert main(["train", "--iterations", "2000", "--print-every", "500", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Cost after iteration 500:" in out and "Cost after iteration 2000:" in out
    assert "train accuracy:" in out and "test accuracy:" in out


def test_json_holds_history_and_parameters_that_reproduce_the_predictions(tmp_path):
    path = tmp_path / "run.json"
    code = main(
        [
            "train",
            "--dataset",
            "moons",
            "--layers",
            "5,3",
            "--activations",
            "relu,tanh",
            "--init",
            "he",
            "--iterations",
            "300",
            "--print-every",
            "0",
            "--json",
            str(path),
            "--no-progress",
        ]
    )
    assert code == 0
    report = json.loads(path.read_text())
    assert report["status"] == "finished" and len(report["costs"]) == 300
    assert report["config"]["layer_dims"] == [2, 5, 3, 1]
    assert report["costs"][-1] < report["costs"][0]
    net = Network(report["config"]["layer_dims"], report["config"]["activations"])
    net.set_parameters({k: np.array(v) for k, v in report["parameters"].items()})
    data = make_dataset("moons", seed=1, train_fraction=0.8)
    assert net.accuracy(data.X_train, data.Y_train) == pytest.approx(report["train_accuracy"])


def test_same_arguments_give_the_same_run(tmp_path):
    args = [
        "train",
        "--iterations",
        "200",
        "--batch-size",
        "16",
        "--print-every",
        "0",
        "--no-progress",
        "--json",
    ]
    main([*args, str(tmp_path / "a.json")])
    main([*args, str(tmp_path / "b.json")])
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    assert a["costs"] == b["costs"] and a["parameters"] == b["parameters"]


def test_diverging_run_is_reported_and_exits_1(capsys):
    code = main(
        [
            "train",
            "--dataset",
            "plane",
            "--layers",
            "4",
            "--activations",
            "linear",
            "--learning-rate",
            "10",
            "--iterations",
            "500",
            "--no-progress",
        ]
    )
    assert code == 1
    assert "Diverged: diverged at iteration" in capsys.readouterr().out


def test_logistic_regression_with_layers_none(capsys):
    assert main(["train", "--layers", "none", "--iterations", "100", "--no-progress"]) == 0
    assert "[2, 1] ['sigmoid']" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--activations", "foo"], "argument --activations: unknown activation 'foo'; allowed:"),
        (["--layers", "4,x"], "argument --layers: 'x' is not a layer size"),
        (["--layers", "0"], "argument --layers: '0' is not a layer size"),
        (["--learning-rate", "-1"], "argument --learning-rate: '-1' is not a number > 0"),
        (["--learning-rate", "nan"], "argument --learning-rate"),
        (["--iterations", "1.5"], "argument --iterations: '1.5' is not a whole number"),
        (["--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
        (["--optimizer", "sgd"], "argument --optimizer: invalid choice: 'sgd'"),
        (["--size", "3"], "argument --size: n_samples must be"),
        (["--noise", "99"], "argument --noise:"),
        (["--layers", "4,4", "--activations", "relu,relu,relu"], "one activation for all"),
        (["--features", "x3"], "argument --features: unknown feature 'x3'"),
        (["--dataset", "house", "--features", "x1_squared"], "argument --features:"),
        (["--output", "softmax"], "a softmax output needs at least 2 units"),
    ],
)
def test_bad_arguments_get_one_line_naming_the_argument(capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("nnplay train: error:") and message in err


def test_console_entry_point_runs_as_a_module():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "train",
            "--iterations",
            "10",
            "--print-every",
            "0",
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["iterations"] == 10


def test_train_on_a_course_layout_image_set(tmp_path, capsys):
    from engine.loaders import save_npz, synthetic_images

    path = tmp_path / "images.npz"
    save_npz(path, synthetic_images(seed=1))
    report = tmp_path / "run.json"
    args = [
        "train",
        "--data",
        str(path),
        "--layers",
        "none",
        "--learning-rate",
        "0.005",
        "--iterations",
        "300",
        "--print-every",
        "0",
        "--no-progress",
        "--json",
        str(report),
    ]
    assert main(args) == 0
    result = json.loads(report.read_text())
    assert result["config"]["layer_dims"][0] == 16 * 16 * 3
    assert result["train_accuracy"] > 0.9 and result["test_accuracy"] > 0.9


def test_train_on_a_csv_file(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 2))
    rows = [f"{a:.5f},{b:.5f},{int(a + b > 0)}" for a, b in X]
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,class\n" + "\n".join(rows) + "\n")
    report = tmp_path / "run.json"
    args = [
        "train",
        "--data",
        str(path),
        "--label",
        "class",
        "--learning-rate",
        "0.5",
        "--iterations",
        "300",
        "--print-every",
        "0",
        "--no-progress",
        "--json",
        str(report),
    ]
    assert main(args) == 0
    assert json.loads(report.read_text())["train_accuracy"] > 0.95


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            "a,b,y\n1,2,0\n3,x,1\n4,5,0\n",
            ["--label", "y"],
            "argument --data: row 3, column 2 'b' is not a number",
        ),
        ("a,b,y\n1,2,0\n3,4,1\n", [], "argument --label: a CSV --data needs"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "z"], "argument --data:"),
    ],
)
def test_bad_data_files_get_one_line_naming_the_problem(tmp_path, capsys, content, extra, message):
    path = tmp_path / "data.csv"
    path.write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--data", str(path), *extra])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_serve_gives_its_workers_one_upload_directory_and_removes_it(monkeypatch):
    import os

    import uvicorn

    from app.cli import main

    monkeypatch.setenv("NNPLAY_UPLOAD_DIR", "")  # unset for the CLI; restored after the test
    seen = {}

    def fake_run(app, **kwargs):
        seen["dir"] = os.environ["NNPLAY_UPLOAD_DIR"]
        seen["exists"] = os.path.isdir(seen["dir"])
        seen["kwargs"] = kwargs

    monkeypatch.setattr(uvicorn, "run", fake_run)
    assert main(["serve", "--workers", "2", "--port", "8123"]) == 0
    assert seen["exists"] and seen["kwargs"]["workers"] == 2
    assert seen["kwargs"]["ws_per_message_deflate"] is False
    assert not os.path.exists(seen["dir"])  # removed when the server stops


def test_serve_starts_uvicorn_with_the_header_timeout_protocols(monkeypatch):
    import uvicorn

    from app.cli import main
    from app.serving import HTTP_PROTOCOL, WebSocketProtocol
    from app.settings import Settings

    monkeypatch.setenv("NNPLAY_UPLOAD_DIR", "")  # restored after the test
    monkeypatch.setenv("NNPLAY_HTTP_KEEP_ALIVE_SECONDS", "7")
    monkeypatch.setattr("app.serving.get_settings", Settings)  # read the environment now
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    assert main(["serve", "--port", "8123"]) == 0
    assert seen["http"] is HTTP_PROTOCOL and seen["ws"] is WebSocketProtocol
    assert seen["timeout_keep_alive"] == 7
