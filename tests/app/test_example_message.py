"""The `example` message over a real WebSocket (uvicorn): one example's forward pass, loss,
dz[l] and share of dW[l] equal engine.Network's own, computed here from the run's parameters
as the server holds them; a spot of the plane gets its forward pass only; a viewer may ask;
malformed requests get a clear error and the session carries on."""

from __future__ import annotations

import numpy as np
import pytest

from engine.features import expand_features
from engine.network import Network
from tests.app.test_server import Client, ServerThread, answer, client_of, the_run, watch

CONFIG = {
    "dataset": {"name": "flower", "size": 120, "features": ["x1_squared"]},
    "layers": [{"units": 12, "activation": "tanh"}],
    "batch_size": 32,
}


@pytest.fixture
def server():
    from app.main import create_app
    from app.settings import Settings

    server = ServerThread(
        create_app(Settings(frame_rate=60, boundary_resolution=40, map_resolution=10))
    ).start()
    yield server
    server.stop()


def ask(client: Client, **fields) -> dict:
    client.send(type="example", ref="e", **fields)
    reply = answer(client, ("example", "error"))
    assert reply["ref"] == "e", reply
    return reply


def engine_copy(run) -> Network:
    """A Network built here with the run's current parameters."""
    net = Network(run.net.layer_dims, run.net.activations)
    net.set_parameters(run.net.parameters)
    return net


def stepped(client: Client, run: str, n: int) -> None:
    client.send(type="step", runs=[run], n=n)
    client.frame(until=lambda h: h["iteration"] == n and h["status"] == "paused")


def test_a_training_point_s_numbers_are_the_engine_s(server):
    with client_of(server) as owner:
        run_id = owner.create(**CONFIG)
        stepped(owner, run_id, 5)
        run = the_run(server, run_id)
        net = engine_copy(run)
        d = run.dataset
        reply = ask(owner, runs=[run_id], split="train", index=7)
        assert reply["type"] == "example", reply
        assert reply["iteration"] == 5 and reply["m"] == 32 and reply["m_train"] == d.m_train
        x, y = d.X_train[:, 7:8], d.Y_train[:, 7:8]
        # The forward pass, layer by layer, as the course writes it.
        a = x
        params = net.parameters
        for layer in reply["layers"]:
            l = layer["l"]
            z = params[f"W{l}"] @ a + params[f"b{l}"]
            a = net.activation_functions[l - 1].forward(z.copy(), np.empty_like(z))
            np.testing.assert_allclose(layer["z"], z[:, 0], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(layer["a"], a[:, 0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(reply["y_hat"], net.forward(x)[:, 0], rtol=1e-12)
        assert reply["loss"] == pytest.approx(net.cost(x, y), rel=1e-12)
        assert reply["label"] == float(y[0, 0])
        # Its share of the batch's gradient is 1/m of one example's gradient.
        one = net.gradients(x, y)
        for layer in reply["layers"]:
            l, rows = layer["l"], layer["units"]
            cols = reply["input"]["units"] if l == 1 else reply["layers"][l - 2]["units"]
            np.testing.assert_allclose(layer["dz"], one[f"db{l}"][:, 0], rtol=1e-10, atol=1e-14)
            share = one[f"dW{l}"][np.ix_(rows, cols)] / 32
            np.testing.assert_allclose(layer["dW"], share, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(layer["db"], one[f"db{l}"][rows, 0] / 32, rtol=1e-10)
            W = params[f"W{l}"][np.ix_(rows, cols)]
            np.testing.assert_allclose(layer["W"], W, rtol=0, atol=0)
        # 12 hidden units: the 8 that move the output most are shown, and said so.
        hidden = reply["layers"][0]
        assert hidden["n"] == 12 and len(hidden["units"]) == 8 and len(hidden["z"]) == 12
        strength = np.abs(np.array(hidden["a"])) * np.abs(params["W2"][0])
        assert set(hidden["units"]) == set(np.argsort(-strength)[:8].tolist())
        assert reply["input"]["names"] == ["x1", "x2", "x1_squared"]


def test_a_spot_of_the_plane_gets_its_forward_pass_only(server):
    with client_of(server) as owner:
        run_id = owner.create(**CONFIG)
        stepped(owner, run_id, 3)
        net = engine_copy(the_run(server, run_id))
        reply = ask(owner, runs=[run_id], point=[0.25, -1.5])
        x = expand_features(np.array([[0.25], [-1.5]]), ["x1_squared"])
        np.testing.assert_allclose(reply["input"]["x"], x[:, 0])
        np.testing.assert_allclose(reply["y_hat"], net.forward(x)[:, 0], rtol=1e-12)
        assert reply["loss"] is None and reply["y"] is None and reply["label"] is None
        assert all(layer["dz"] is None and layer["dW"] is None for layer in reply["layers"])
        assert reply["source"] == {"kind": "point", "point": [0.25, -1.5]}


def test_a_viewer_may_follow_an_example_of_the_run_it_watches(server):
    with client_of(server) as owner, client_of(server) as viewer:
        run_id = owner.create(**CONFIG)
        stepped(owner, run_id, 2)
        watch(viewer, run_id)
        mine = ask(owner, runs=[run_id], split="test", index=0)
        theirs = ask(viewer, runs=[run_id], split="test", index=0)
        assert theirs["type"] == "example"
        assert theirs["layers"] == mine["layers"] and theirs["loss"] == mine["loss"]


@pytest.mark.parametrize(
    ("fields", "code", "says"),
    [
        ({"point": [0.0]}, "invalid", "x1, x2"),
        ({"point": [0.0, 1.0], "split": "train", "index": 0}, "invalid", "either a point"),
        ({"split": "train"}, "invalid", "either a point"),
        ({}, "invalid", "either a point"),
        ({"split": "train", "index": 5000}, "invalid", "index 0"),
        ({"split": "dev", "index": 0}, "invalid", "split"),
        ({"point": [float("1e9"), 0.0]}, "invalid", "point"),
        ({"index": -1, "split": "train"}, "invalid", "index"),
    ],
)
def test_malformed_requests_get_an_error_and_the_session_carries_on(server, fields, code, says):
    with client_of(server) as owner:
        run_id = owner.create(**CONFIG)
        reply = ask(owner, runs=[run_id], **fields)
        assert reply["type"] == "error" and reply["code"] == code, reply
        assert says in reply["message"] + str(reply["errors"]), reply
        assert ask(owner, runs=[run_id], point=[0.0, 0.0])["type"] == "example"


def test_unknown_runs_and_other_sessions_runs_are_refused(server):
    with client_of(server) as owner, client_of(server) as stranger:
        run_id = owner.create(**CONFIG)
        reply = ask(stranger, runs=[run_id], point=[0.0, 0.0])
        assert reply["type"] == "error" and reply["code"] == "unknown_run", reply
        reply = ask(owner, runs=["nope"], point=[0.0, 0.0])
        assert reply["code"] == "unknown_run"
        reply = ask(owner, runs=[run_id, run_id], point=[0.0, 0.0])
        assert reply["code"] == "invalid"


@pytest.mark.parametrize(
    ("config", "point"),
    [
        ({"dataset": {"name": "blobs", "size": 90, "n_classes": 3}}, [0.5, 0.5]),  # softmax
        ({"dataset": {"name": "plane", "size": 80}}, [1.0, -2.0]),  # regression, standardized y
        ({"dataset": {"name": "house", "size": 60}}, [1.5]),  # one input
    ],
)
def test_softmax_and_regression_outputs_too(server, config, point):
    with client_of(server) as owner:
        run_id = owner.create(**config, layers=[{"units": 5, "activation": "relu"}])
        stepped(owner, run_id, 4)
        run = the_run(server, run_id)
        net, d = engine_copy(run), run.dataset
        reply = ask(owner, runs=[run_id], split="train", index=2)
        x, y = d.X_train[:, 2:3], d.Y_train[:, 2:3]
        np.testing.assert_allclose(reply["y_hat"], net.forward(x)[:, 0], rtol=1e-12, atol=1e-15)
        assert reply["loss"] == pytest.approx(net.cost(x, y), rel=1e-12)
        np.testing.assert_allclose(reply["y"], net.check_Y(y, 1)[:, 0])
        grads = net.gradients(x, y)
        for layer in reply["layers"]:
            np.testing.assert_allclose(
                layer["dz"], grads[f"db{layer['l']}"][:, 0], rtol=1e-10, atol=1e-14
            )
        if d.target_scale is not None:
            assert reply["label"] == pytest.approx(float(d.target_scale.invert(y)[0, 0]))
            assert reply["target_scale"] == {"mean": d.target_scale.mean, "std": d.target_scale.std}
        spot = ask(owner, runs=[run_id], point=point)
        assert spot["type"] == "example", spot
        assert spot["loss"] is None and len(spot["y_hat"]) == net.layer_dims[-1]
