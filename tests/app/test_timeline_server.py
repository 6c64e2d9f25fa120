"""Rewind and replay over a real WebSocket (a uvicorn server): `seek` answers the run as it was,
recomputed from its snapshots, and it is what `engine.Network` trained straight to that iteration
gives; `create` with `fork` and `at` continues from a past iteration's exact parameters (with
changed hyperparameters, if asked); seeks outside the run's past are refused, clearly."""

from __future__ import annotations

import numpy as np
import pytest

from app import frames
from app.runs import TIMELINE_FIRST_STRIDE
from app.settings import Settings
from tests.app.test_server import SMALL, Client, ServerThread
from tests.timeline_oracle import trained

CONFIG = {**SMALL, "batch_size": 40, "optimizer": "momentum", "learning_rate": 0.5}


@pytest.fixture
def settings() -> Settings:
    # A small cap: the timeline thins within a few hundred iterations, so seeks replay.
    return Settings(
        frame_rate=60, boundary_resolution=40, map_resolution=10, max_snapshot_bytes=16_384
    )


@pytest.fixture
def client(settings):
    from app.main import create_app

    server = ServerThread(create_app(settings)).start()
    client = Client(server.ws)
    try:
        yield client
    finally:
        client.close()
        server.stop()


def oracle(settings: Settings, changes_at: dict[int, dict] | None = None, iterations: int = 0):
    """An engine trainer of CONFIG trained straight to `iterations`, with `changes_at`
    {iteration: hyperparameters} applied on the way: what a seek must show."""
    return trained(CONFIG, settings, iterations, changes_at)


def shown_parameters(trainer) -> np.ndarray:
    """θ as frames carry it (float32: every W[l] row by row, then every b[l])."""
    net = trainer.net
    return np.concatenate([*(W.ravel() for W in net.weights), *(b.ravel() for b in net.biases)])


def assert_shows(arrays: dict, trainer) -> None:
    """The answer's parameters are the trainer's, bit for bit (as float32)."""
    np.testing.assert_array_equal(
        arrays["parameters"], shown_parameters(trainer).astype(np.float32)
    )


def paused_at(client: Client, run: str, n: int) -> None:
    """Read frames until `run`'s paused frame at iteration `n`."""
    client.frame(
        until=lambda h: h["run"] == run and h["status"] == "paused" and h["iteration"] == n
    )


def step_to(client: Client, run: str, n: int) -> None:
    client.send(type="step", runs=[run], n=n)
    paused_at(client, run, n)


def seek(client: Client, runs: list[str], iteration: int, ref: str = "s") -> tuple[list, dict]:
    """The seek answers (header, arrays) of each run, then its ack."""
    client.send(type="seek", runs=runs, iteration=iteration, ref=ref)
    answers = []
    while True:
        message = client.receive()
        if isinstance(message, tuple):
            if message[0]["type"] == "seek":
                answers.append(message)
            continue
        if message["type"] in ("ack", "error") and message.get("ref") == ref:
            return answers, message


def test_a_seek_shows_what_the_engine_trained_straight_there_gives(client, settings):
    run = client.create(**CONFIG)
    step_to(client, run, 400)
    for iteration in (0, 1, 137, 400):
        answers, ack = seek(client, [run], iteration, ref=f"seek-{iteration}")
        assert ack["type"] == "ack" and ack["action"] == "seek", ack
        [(header, arrays)] = answers
        assert header["run"] == run and header["ref"] == f"seek-{iteration}"
        assert header["iteration"] == iteration and header["live"] is False
        trainer, dataset = oracle(settings, iterations=iteration)
        assert_shows(arrays, trainer)
        grid = trainer.net.predict_proba_grid(dataset.bounds, settings.boundary_resolution)
        expected = frames.quantize_boundary(grid, "binary")
        assert arrays["boundary"].tobytes() == expected.data
        scores = trainer.evaluate()
        assert header["train_cost"] == pytest.approx(scores["train_cost"], rel=1e-12)
        assert header["epoch"] == trainer.epoch
        assert "maps" in arrays
        timeline = header["timeline"]
        assert timeline["start"] == 0 and timeline["end"] == 400
        assert timeline["bytes"] <= settings.max_snapshot_bytes
        assert timeline["stride"] > TIMELINE_FIRST_STRIDE  # thinned by the cap: seeks replay


def test_a_seek_replays_across_a_change_of_hyperparameters(client, settings):
    run = client.create(**CONFIG)
    step_to(client, run, 150)
    client.send(type="update", runs=[run], learning_rate=0.05, batch_size=60)
    client.reply()
    client.send(type="step", runs=[run], n=250)
    client.frame(until=lambda h: h["status"] == "paused" and h["iteration"] >= 400)
    [(_header, arrays)], _ack = seek(client, [run], 333)
    changes = {150: {"learning_rate": 0.05, "batch_size": 60}}
    trainer, _ = oracle(settings, changes, iterations=333)
    assert_shows(arrays, trainer)


def test_continue_from_here_forks_the_past_iteration_s_exact_parameters(client, settings):
    run = client.create(**CONFIG)
    step_to(client, run, 300)
    client.send(type="create", fork=run, at=120, changes={"learning_rate": 0.1}, ref="fork")
    created = client.reply(("created", "error"))
    assert created["type"] == "created", created
    assert created["forked_from"] == {
        "run": run,
        "iteration": 120,
        "changed": {"learning_rate": 0.1},
    }
    assert created["config"]["learning_rate"] == 0.1
    fork = created["run"]
    # The fork's own first frame is at iteration 120; it trains on from there with α = 0.1.
    client.send(type="step", runs=[fork], n=80)
    paused_at(client, fork, 200)
    [(header, arrays)], _ack = seek(client, [fork], 200)
    trainer, _ = oracle(settings, {120: {"learning_rate": 0.1}}, iterations=200)
    assert_shows(arrays, trainer)
    assert header["timeline"]["start"] == 120  # the fork's past begins where it was forked
    # The source is untouched: it is still at 300, with its own past.
    [(header, arrays)], _ack = seek(client, [run], 300)
    trainer, _ = oracle(settings, iterations=300)
    assert_shows(arrays, trainer)


def test_a_compare_group_seeks_together(client, settings):
    a = client.create(**CONFIG)
    b = client.create(**{**CONFIG, "learning_rate": 0.2})
    client.send(type="step", runs=[a, b], n=90)
    seen = set()
    while seen != {a, b}:
        header, _ = client.frame(until=lambda h: h["status"] == "paused" and h["iteration"] == 90)
        seen.add(header["run"])
    answers, ack = seek(client, [a, b], 45)
    assert ack["runs"] == [a, b] and ack["iteration"] == 45
    assert [h["run"] for h, _ in answers] == [a, b]
    assert all(h["iteration"] == 45 for h, _ in answers)
    assert not np.array_equal(answers[0][1]["parameters"], answers[1][1]["parameters"])


def test_seeks_outside_the_past_and_malformed_ones_are_refused(client):
    run = client.create(**CONFIG)
    step_to(client, run, 20)

    def error_of(**message) -> dict:
        client.send(**message, ref="bad")
        while True:
            answer = client.receive()
            if isinstance(answer, dict) and answer.get("ref") == "bad":
                assert answer["type"] == "error", answer
                return answer

    error = error_of(type="seek", runs=[run], iteration=21)
    assert error["code"] == "out_of_range" and "0 to 20" in error["message"]
    assert error_of(type="seek", runs=[run], iteration=-1)["code"] == "invalid"
    assert error_of(type="seek", runs=[run], iteration="3")["code"] == "invalid"
    assert error_of(type="seek", runs=[run])["code"] == "invalid"
    assert error_of(type="seek", runs=["nope"], iteration=3)["code"] == "unknown_run"
    assert error_of(type="create", fork=run, at=25)["code"] == "out_of_range"
    assert error_of(type="create", at=5)["code"] == "invalid"  # `at` without a run to fork
    bad = error_of(type="create", fork=run, at=5, changes={"learning_rate": -1})
    assert bad["code"] == "invalid"
    # …and the session carries on: a good seek is answered.
    answers, ack = seek(client, [run], 20)
    assert ack["type"] == "ack" and answers[0][0]["iteration"] == 20
