"""`nnplay train` and `nnplay serve`: they train, report, write JSON, and answer bad arguments,
bad settings, a busy port and Ctrl+C in one line, never with a traceback."""

import json
import os
import pty
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from fcntl import ioctl

import numpy as np
import pytest

from app.cli import main
from app.threaded import free_port
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
        (["--size", "3"], "argument --size: '3' is not a whole number ≥ 10 and ≤ 5000"),
        (["--size", "3000"], "argument --size: at most 2000 points per dataset, got 3000"),
        (["--layers", "100"], "argument --layers: at most 64 units per layer, got 100"),
        (["--layers", "2000"], "argument --layers: '2000' is not a layer size"),
        (["--output", "linear"], "argument --output: output 'linear' does not fit a binary"),
        (["--output", "tanh"], "argument --output: invalid choice: 'tanh'"),
        (["--learning-rate", "101"], "argument --learning-rate: '101' is not a number > 0"),
        (["--dataset", "flower", "--classes", "3"], "argument --classes: n_classes must be"),
        (["--features", "x1_x2,x1_x2"], "argument --features: features must not repeat"),
        (["--noise", "99"], "argument --noise:"),
        (["--layers", "4,4", "--activations", "relu,relu,relu"], "one activation for all"),
        (["--features", "x3"], "argument --features: unknown feature 'x3'"),
        (["--dataset", "house", "--features", "x1_squared"], "argument --features:"),
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
    from app import workers

    monkeypatch.setenv("NNPLAY_UPLOAD_DIR", "")  # unset for the CLI; restored after the test
    seen = {}

    def fake_run(supervisor):
        seen["dir"] = os.environ["NNPLAY_UPLOAD_DIR"]
        seen["exists"] = os.path.isdir(seen["dir"])
        seen["workers"], seen["options"] = supervisor.n_workers, supervisor.options
        return 0

    monkeypatch.setattr(workers.Supervisor, "run", fake_run)
    assert main(["serve", "--workers", "2", "--port", str(free_port())]) == 0
    assert seen["exists"] and seen["workers"] == 2
    assert seen["options"]["ws_per_message_deflate"] is False
    assert seen["options"]["log_level"] == "info"
    assert not os.path.exists(seen["dir"])  # removed when the server stops


def test_serve_with_workers_exits_with_the_supervisor_s_status(monkeypatch):
    from app import workers

    monkeypatch.setenv("NNPLAY_UPLOAD_DIR", "")  # restored after the test
    monkeypatch.setattr(workers.Supervisor, "run", lambda supervisor: 3)  # a worker failed
    assert main(["serve", "--workers", "2", "--port", str(free_port())]) == 3


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
    assert main(["serve", "--port", str(free_port())]) == 0
    assert seen["http"] is HTTP_PROTOCOL and seen["ws"] is WebSocketProtocol
    assert seen["timeout_keep_alive"] == 7


def _nnplay(*args: str, env: dict | None = None, timeout: float = 60):
    """`python -m app.cli ARGS` in a subprocess, as the console script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_json_into_a_missing_directory_is_refused_before_training(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--iterations", "100000", "--json", str(tmp_path / "nowhere" / "run.json")])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert "Training" not in captured.out
    assert captured.err.count("\n") == 1 and "argument --json:" in captured.err
    assert "nowhere" in captured.err and "does not exist" in captured.err


def test_ctrl_c_stops_a_training_cleanly_with_what_it_did_and_exit_130(tmp_path):
    path = tmp_path / "run.json"
    args = ["train", "--iterations", "10000000", "--print-every", "1000", "--no-progress"]
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args, "--json", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:  # training has started once a cost is printed
            if line.startswith("Cost after iteration"):
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "Interrupted (Ctrl+C) after" in out and "of 10000000 iterations" in out
    assert "Train cost:" in out and "Test cost:" in out
    report = json.loads(path.read_text())
    assert report["status"] == "interrupted"
    assert 1000 <= report["iterations"] < 10_000_000


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("NNPLAY_MAX_UNITS", "lots", "a whole number ≥ 1 and ≤ 1024"),
        ("NNPLAY_FRAME_RATE", "500", "a number > 0 and ≤ 120"),
        ("NNPLAY_ALLOWED_ORIGINS", "ftp://x", "is not an origin like"),
    ],
)
def test_a_bad_setting_gets_one_line_naming_variable_value_and_what_is_allowed(
    variable, value, allowed
):
    result = _nnplay("serve", "--port", str(free_port()), env={variable: value})
    assert result.returncode == 2
    assert result.stdout == ""  # nothing about opening a page that will not be served
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"nnplay serve: error: {variable}={value!r}")
    assert allowed in result.stderr


def test_serve_on_a_busy_port_says_so_first_and_suggests_another():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _nnplay("serve", "--port", str(port), timeout=30)
    assert result.returncode == 2
    assert result.stdout == "", result.stdout  # no "open http://…", no "startup complete"
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"argument --port: port {port} is already in use" in result.stderr
    assert "try --port " in result.stderr


def _network_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback, as `ip` lists them (the oracle)."""
    listed = subprocess.run(
        ["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=True
    ).stdout
    found = {line.split()[3].split("/")[0] for line in listed.splitlines()}
    return {address for address in found if not address.startswith("127.")}


@pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2's ip as the oracle")
def test_serve_on_every_address_prints_the_addresses_students_open(monkeypatch, capsys):
    import uvicorn

    monkeypatch.setenv("NNPLAY_UPLOAD_DIR", "")  # restored after the test
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: None)
    port = free_port()
    assert main(["serve", "--host", "0.0.0.0", "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert f"open http://127.0.0.1:{port}/ in a browser" in out
    expected = _network_addresses()
    if expected:
        line = next(l for l in out.splitlines() if "other computers on this network" in l)
        shown = {part.split("//")[1].split(":")[0] for part in line.split() if "//" in part}
        assert shown == expected
    else:
        assert "no network address found" in out


def test_progress_bar_in_a_terminal_leaves_one_clean_line(tmp_path):
    """The run's screen, as a terminal emulator (pyte) draws it: each cost line once, exactly as
    printed, and a single finished bar below them, with nothing left of the earlier frames."""
    import pyte

    columns, rows = 100, 40
    leader, follower = pty.openpty()
    ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "train",
            "--iterations",
            "30000",
            "--print-every",
            "3000",
        ],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0
    screen = pyte.Screen(columns, rows)
    pyte.ByteStream(screen).feed(output)
    lines = [line.rstrip() for line in screen.display if line.strip()]
    costs = [line for line in lines if "Cost after" in line]
    assert [line.split(":")[0] for line in costs] == [
        f"Cost after iteration {i}" for i in range(3000, 30001, 3000)
    ]
    assert all(re.fullmatch(r"Cost after iteration \d+: \d+\.\d{6}", line) for line in costs)
    bars = [line for line in lines if "it/s" in line or "%|" in line]
    assert len(bars) == 1, "\n".join(lines)
    assert re.fullmatch(r"100%\|█+\| 30000/30000 \[[^\]]*it/s, cost \d+\.\d{6}\]", bars[0])
    assert lines.index(bars[0]) == lines.index(costs[-1]) + 1


def test_test_data_with_a_csv_or_without_data_is_refused(tmp_path, capsys):
    table = tmp_path / "points.csv"
    table.write_text("x1,x2,label\n" + "".join(f"{i},{-i},{i % 2}\n" for i in range(20)))
    cases = [
        (["--data", str(table), "--label", "label", "--test-data", str(table)], "a CSV's test"),
        (["--data", str(table), "--label", "label", "--test-data", "missing.csv"], "a CSV's"),
        (["--test-data", "test.h5"], "only with --data"),
        (["--data", str(tmp_path / "train.npz"), "--test-data", "missing.h5"], "no such file"),
    ]
    for args, message in cases:
        with pytest.raises(SystemExit) as exit_info:
            main(["train", *args])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "argument --test-data:" in err and message in err, err


def test_softmax_output_on_two_classes_trains_one_unit_per_class(tmp_path):
    path = tmp_path / "run.json"
    args = ["--output", "softmax", "--iterations", "2000", "--print-every", "0", "--no-progress"]
    assert main(["train", *args, "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert report["config"]["layer_dims"] == [2, 4, 2]
    assert report["config"]["activations"] == ["tanh", "softmax"]
    assert report["train_accuracy"] > 0.8
