"""The WebSocket protocol through FastAPI's TestClient: every message type, frames, groups."""

import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.main import create_app
from app.protocol import PROTOCOL_VERSION
from app.runs import Run
from app.schemas import RunConfigModel
from app.settings import Settings
from engine import Network
from tests.app.conftest import Peer

SMALL = {"dataset": {"name": "flower", "size": 200}, "layers": [{"units": 4, "activation": "tanh"}]}


def test_hello_announces_protocol_and_limits(peer, settings):
    assert peer.hello["type"] == "hello"
    assert peer.hello["protocol"] == PROTOCOL_VERSION
    assert peer.hello["limits"]["max_runs_per_session"] == settings.max_runs_per_session


def test_create_describes_the_run_and_sends_a_first_frame(peer):
    created = peer.create(**SMALL)
    assert len(created["run"]) >= 16
    assert created["network"] == {
        "layer_dims": [2, 4, 1],
        "activations": ["tanh", "sigmoid"],
        "inputs_shown": 2,
    }
    assert created["dataset"]["task"] == "binary"
    assert len(created["dataset"]["train"]["x1"]) + len(created["dataset"]["test"]["x1"]) == 200
    header, arrays = peer.frame(created["run"])
    assert header["iteration"] == 0 and header["status"] == "paused"
    assert arrays["boundary"].shape == (40, 40) and arrays["boundary"].dtype == np.uint8
    _detail, blobs = peer.frame(created["run"], kind="detail")
    assert blobs["maps"].shape == (4, 10, 10)
    assert blobs["parameters"].shape == (4 * 2 + 4 + 4 + 1,)


def test_initial_parameters_are_the_engine_s_for_the_same_seed(peer):
    created = peer.create(**SMALL, seed=11)
    _, blobs = peer.frame(created["run"], kind="detail")
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="random", init_scale=0.01, seed=11)
    theta = np.concatenate([*(W.ravel() for W in net.weights), *(b.ravel() for b in net.biases)])
    np.testing.assert_allclose(blobs["parameters"], theta.astype(np.float32))


def test_step_advances_by_n_and_streams_every_cost(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="step", runs=[run], n=37, ref="s1")
    ack = peer.reply()
    assert ack == {
        "type": "ack",
        "ref": "s1",
        "action": "step",
        "runs": [run],
        "iterations": [0],
        "n": 37,
    }
    seen = {}
    while 37 not in seen:
        header, arrays = peer.frame(run)
        for i, cost in enumerate(arrays["costs"]):
            assert header["costs_from"] + i not in seen  # each cost arrives once
            seen[header["costs_from"] + i] = cost
    assert header["iteration"] == 37 and header["status"] == "paused"
    assert sorted(seen) == list(range(1, 38))


def test_costs_arrive_complete_and_in_order(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="speed", runs=[run], iterations_per_frame=7)
    peer.reply()
    peer.send(type="play", runs=[run])
    peer.reply()
    seen = {}
    while len(seen) < 200:
        header, arrays = peer.frame(run)
        for i, cost in enumerate(arrays["costs"]):
            seen[header["costs_from"] + i] = float(cost)
    peer.send(type="pause", runs=[run])
    assert sorted(seen)[:200] == list(range(1, 201))
    values = [seen[i] for i in range(1, 201)]
    assert values[-1] < values[0]  # the flower's cost falls


def test_play_then_pause_stops_the_counter(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="play", runs=[run])
    peer.reply()
    peer.frame(run, until=lambda h: h["iteration"] >= 50)
    peer.send(type="pause", runs=[run])
    _, (header, _) = peer.expect("pause", run, until=lambda h: h["status"] == "paused")
    stopped = header["iteration"]
    peer.send(type="ping", ref="p")
    assert peer.reply()["type"] == "pong"
    peer.send(type="step", runs=[run], n=1)
    header, _ = peer.frame(
        run, until=lambda h: h["status"] == "paused" and h["iteration"] != stopped
    )
    assert header["iteration"] == stopped + 1


def test_reset_returns_to_the_same_start(peer):
    run = peer.create(**SMALL)["run"]
    _, first = peer.frame(run)
    peer.send(type="step", runs=[run], n=100)
    peer.frame(run, until=lambda h: h["iteration"] == 100)
    peer.send(type="reset", runs=[run])
    ack, (_header, arrays) = peer.expect("reset", run, until=lambda h: h["iteration"] == 0)
    assert ack["iterations"] == [0]
    np.testing.assert_array_equal(arrays["boundary"], first["boundary"])


def test_update_changes_the_learning_rate_without_reset(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="step", runs=[run], n=20)
    peer.frame(run, until=lambda h: h["iteration"] == 20)
    peer.send(type="update", runs=[run], learning_rate=0.05, batch_size=32)
    ack = peer.reply()
    assert ack["changed"] == {"learning_rate": 0.05, "batch_size": 32}
    peer.send(type="step", runs=[run], n=5)
    header, _ = peer.frame(run, until=lambda h: h["status"] == "paused" and h["iteration"] > 20)
    assert header["iteration"] == 25


def test_update_reaches_the_trainer_whole_the_optimizer_included(client):
    """Every field of a live update gets from the message into the run's trainer: the costs
    after it are those of the engine's trainer given the same change at the same iteration."""
    with client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        run = peer.create(**SMALL)["run"]
        peer.send(type="step", runs=[run], n=5)
        peer.frame(run, until=lambda h: h["iteration"] == 5)
        peer.send(type="update", runs=[run], optimizer="adam", learning_rate=0.01, l2=0.1, l1=0.05)
        ack = peer.reply()
        changed = {"optimizer": "adam", "learning_rate": 0.01, "l2": 0.1, "l1": 0.05}
        assert ack["changed"] == changed
        peer.send(type="step", runs=[run], n=10)
        costs = []
        while len(costs) < 10:
            header, arrays = peer.frame(run)
            if header["costs_from"] > 5:
                costs += arrays["costs"].tolist()
        (served,) = [s.runs[run] for s in client.app.state.sessions if run in s.runs]
    oracle = Run(RunConfigModel.model_validate(SMALL), served.settings)  # the same start
    oracle.train(5)
    oracle.trainer.update(optimizer="adam", learning_rate=0.01, l2=0.1, l1=0.05)
    expected = oracle.trainer.run(10).astype(np.float32)
    np.testing.assert_array_equal(np.array(costs, dtype=np.float32), expected)
    assert served.trainer.config.optimizer == "adam" and served.config.optimizer == "adam"
    assert served.trainer.config.l1 == 0.05 == served.config.l1


def test_group_commands_keep_runs_on_the_same_iteration(peer):
    runs = [
        peer.create(**{**SMALL, "layers": [{"units": 4, "activation": a}]})["run"]
        for a in ("sigmoid", "tanh", "relu")
    ]
    peer.send(type="play", runs=runs)
    peer.reply()
    latest = {}
    while len(latest) < 3 or min(latest.values()) < 100:
        header, _ = peer.frame()
        latest[header["run"]] = header["iteration"]
    peer.send(type="pause", runs=runs)
    final = {}
    while len(final) < 3:
        message = peer.receive()
        if isinstance(message, tuple) and message[0].get("status") == "paused":
            final[message[0]["run"]] = message[0]["iteration"]
    assert len(set(final.values())) == 1, final


def test_delete_frees_the_run(peer, client):
    run = peer.create(**SMALL)["run"]
    assert client.get("/api/health").json()["runs"] == 1
    peer.send(type="delete", runs=[run])
    assert peer.reply()["action"] == "delete"
    assert client.get("/api/health").json()["runs"] == 0
    peer.send(type="play", runs=[run])
    error = peer.reply()
    assert error["type"] == "error" and error["code"] == "unknown_run"


def test_diverging_run_reports_diverged_and_the_session_carries_on(peer):
    run = peer.create(
        dataset={"name": "plane"}, layers=[{"units": 4, "activation": "linear"}], learning_rate=50.0
    )["run"]
    peer.send(type="play", runs=[run])
    peer.reply()
    header, _ = peer.frame(run, until=lambda h: h["status"] == "diverged")
    assert header["diverged_at"] >= 1 and "diverged at iteration" in header["message"]
    peer.send(type="ping")
    assert peer.reply()["type"] == "pong"
    other = peer.create(**SMALL)["run"]
    peer.send(type="step", runs=[other], n=3)
    assert peer.frame(other, until=lambda h: h["iteration"] == 3)[0]["status"] == "paused"


def test_speed_max_trains_as_fast_as_possible(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="speed", runs=[run], iterations_per_frame="max")
    assert peer.reply()["iterations_per_frame"] == "max"
    peer.send(type="play", runs=[run])
    peer.reply()
    _header, _ = peer.frame(run, until=lambda h: h["iteration"] > 1000)
    peer.send(type="pause", runs=[run])


def test_limits_are_enforced_with_clear_errors(peer, settings):
    peer.send(type="create", config={"layers": [{"units": settings.max_units + 1}]}, ref="x")
    error = peer.reply()
    assert error["code"] == "limit" and error["ref"] == "x"
    assert error["errors"][0]["field"] == "config.layers.0.units"  # its path in the message
    assert error["errors"][0]["limit"] == settings.max_units
    runs = [peer.create(**SMALL)["run"] for _ in range(settings.max_runs_per_session)]
    peer.send(type="create", config=SMALL)
    error = peer.reply()
    assert error["code"] == "limit" and str(settings.max_runs_per_session) in error["message"]
    peer.send(type="step", runs=runs[:1], n=settings.max_step_iterations + 1)
    assert peer.reply()["errors"][0]["field"] == "n"


def test_two_sessions_cannot_reach_each_other_s_runs(client):
    with client.websocket_connect("/ws") as a_ws, client.websocket_connect("/ws") as b_ws:
        from tests.app.conftest import Peer

        a, b = Peer(a_ws), Peer(b_ws)
        run = a.create(**SMALL)["run"]
        for kind in ("play", "pause", "reset", "delete"):
            b.send(type=kind, runs=[run])
            error = b.reply()
            assert error["code"] == "unknown_run"
        b.send(type="update", runs=[run], learning_rate=0.1)
        assert b.reply()["code"] == "unknown_run"
        a.send(type="step", runs=[run], n=2)
        assert a.frame(run, until=lambda h: h["iteration"] == 2)


def test_closing_the_socket_frees_its_runs(client):
    with client.websocket_connect("/ws") as ws:
        from tests.app.conftest import Peer

        peer = Peer(ws)
        run = peer.create(**SMALL)["run"]
        peer.send(type="play", runs=[run])
        peer.reply()
        assert client.get("/api/health").json()["runs"] == 1
    import time

    for _ in range(100):
        health = client.get("/api/health").json()
        if health["runs"] == 0 and health["sessions"] == 0:
            break
        time.sleep(0.02)
    assert health == {**health, "runs": 0, "sessions": 0}


@pytest.mark.parametrize("output", ["softmax"])
def test_multiclass_boundary_packs_class_and_confidence(peer, output):
    run = peer.create(
        dataset={"name": "blobs", "n_classes": 3},
        output=output,
        layers=[{"units": 8, "activation": "relu"}],
        init={"name": "he"},
        learning_rate=0.1,
    )["run"]
    peer.send(type="step", runs=[run], n=300)
    header, arrays = peer.frame(run, until=lambda h: h["iteration"] == 300)
    entry = next(b for b in header["blobs"] if b["name"] == "boundary")
    assert entry["encoding"] == "class-confidence" and entry["classes"] == 3
    classes = arrays["boundary"] // entry["levels"]
    assert set(np.unique(classes)) == {0, 1, 2}


def test_costs_restart_at_iteration_one_after_reset(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="step", runs=[run], n=30)
    peer.frame(run, until=lambda h: h["iteration"] == 30)
    peer.send(type="reset", runs=[run])
    peer.frame(run, until=lambda h: h["iteration"] == 0)
    peer.send(type="step", runs=[run], n=5)
    header, arrays = peer.frame(run, until=lambda h: h["iteration"] == 5)
    assert header["costs_from"] + len(arrays["costs"]) - 1 == 5


def test_binary_data_with_a_softmax_output_draws_p_of_class_one(peer):
    run = peer.create(**SMALL, output="softmax")["run"]
    header, arrays = peer.frame(run)
    entry = next(b for b in header["blobs"] if b["name"] == "boundary")
    assert arrays["boundary"].shape == (40, 40) and entry["encoding"] == "linear"


def test_stepping_a_diverged_run_answers_with_its_state(peer):
    run = peer.create(
        dataset={"name": "plane"}, layers=[{"units": 4, "activation": "linear"}], learning_rate=50.0
    )["run"]
    peer.send(type="play", runs=[run])
    diverged, _ = peer.frame(run, until=lambda h: h["status"] == "diverged")
    peer.send(type="step", runs=[run], n=5)
    ack, (header, _) = peer.expect("step", run, until=lambda h: h["seq"] > diverged["seq"])
    assert ack["iterations"] == [diverged["iteration"]]
    assert header["status"] == "diverged" and header["iteration"] == diverged["iteration"]


def test_null_hyperparameters_are_refused_naming_the_field(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="update", runs=[run], learning_rate=None)
    error = peer.reply()
    assert error["code"] == "invalid" and error["errors"][0]["field"] == "learning_rate"
    peer.send(type="update", runs=[run], batch_size=None)  # null batch size: full batch
    assert peer.reply()["changed"] == {"batch_size": None}


def test_error_paths_name_fields_without_union_tags(peer):
    run = peer.create(**SMALL)["run"]
    peer.send(type="speed", runs=[run], iterations_per_frame=0)
    error = peer.reply()
    assert {item["field"] for item in error["errors"]} == {"iterations_per_frame"}


def test_a_session_with_one_run_gets_as_much_training_as_one_with_four(client):
    """Fair by person, not by run: four `max`-speed runs of one session share one session's
    time, so the other session's single run trains about four times as many iterations as
    each of them (with a share per run it would train as many)."""
    small = SMALL
    with client.websocket_connect("/ws") as ws_a, client.websocket_connect("/ws") as ws_b:
        a, b = Peer(ws_a), Peer(ws_b)
        runs_a = [a.create(**small, seed=s)["run"] for s in range(4)]
        run_b = b.create(**small)["run"]
        for peer, runs in ((a, runs_a), (b, [run_b])):
            peer.send(type="speed", runs=runs, iterations_per_frame="max")
            peer.reply()
        for run in runs_a:  # four groups of one run each
            a.send(type="play", runs=[run])
            assert a.reply()["type"] == "ack"
        b.send(type="play", runs=[run_b])
        assert b.reply()["type"] == "ack"
        time.sleep(1.5)
        b.send(type="pause", runs=[run_b])
        a.send(type="pause", runs=runs_a)
        (b_iterations,) = b.reply()["iterations"]
        a_iterations = a.reply()["iterations"]
    assert b_iterations > 2 * max(a_iterations), (b_iterations, a_iterations)


def test_a_client_address_holds_at_most_max_sessions_per_client():
    settings = Settings(max_sessions_per_client=2, boundary_resolution=40, map_resolution=10)
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect("/ws") as first, client.websocket_connect("/ws") as second:
            for ws in (first, second):
                assert ws.receive_json()["type"] == "hello"
            with client.websocket_connect("/ws") as third:
                refusal = third.receive_json()
                with pytest.raises(WebSocketDisconnect) as closed:
                    third.receive_json()
            assert refusal["type"] == "error" and refusal["code"] == "too_many_sessions"
            assert refusal["limit"] == 2
            assert closed.value.code == 1008
            assert "too many sessions" in closed.value.reason
        with client.websocket_connect("/ws") as again:  # the two closed: room again
            assert again.receive_json()["type"] == "hello"


def test_a_wide_network_s_maps_are_coarser_so_a_detail_stays_small(peer):
    """128 hidden units at map_resolution 10: at most 64 units' worth of 10² values a detail,
    so 7² each; the run's `created` says so."""
    created = peer.create(
        dataset={"name": "flower", "size": 200}, layers=[{"units": 64, "activation": "tanh"}] * 2
    )
    assert created["map_resolution"] == 7
    _detail, blobs = peer.frame(created["run"], kind="detail")
    assert blobs["maps"].shape == (128, 7, 7)
    assert blobs["maps"].size <= 64 * 10 * 10
