"""A frame built by `Run.build_frame` against the frame building issue 14 started from, written
out here plainly: every scalar from its own float64 pass through the network's public API, the
boundary and the hidden maps from `Network.forward` over independently built grid points in
float64, quantized by the original formulas. Same fields, same values, and every grid code within
one quantization step (the grids are float32 on purpose)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from app import frames
from app.runconfig import RunConfigModel
from app.runs import Run
from app.settings import Settings
from engine.features import expand_features

SETTINGS = Settings(boundary_resolution=60, map_resolution=12)
HEADER_KEYS = {
    "type", "run", "status", "iteration", "epoch", "train_cost", "train_accuracy", "test_cost",
    "test_accuracy", "gradient_norms", "activation_stats", "symmetry", "diverged_at", "message",
    "heavy", "seq", "costs_from", "blobs",
}  # fmt: skip
"""The keys of a frame's header before issue 14 (a run of points in the plane)."""

CASES = {
    "flower_tanh_default": {},
    "moons_relu_two_layers": {
        "dataset": {"name": "moons"},
        "layers": [{"units": 6, "activation": "relu"}, {"units": 3, "activation": "leaky_relu"}],
        "init": {"name": "he"},
        "learning_rate": 0.1,
    },
    "blobs_softmax": {
        "dataset": {"name": "blobs", "n_classes": 4},
        "layers": [{"units": 5, "activation": "sigmoid"}],
        "learning_rate": 0.5,
    },
    "circles_features_linear_hidden": {
        "dataset": {"name": "circles", "features": ["x1_squared", "x2_squared", "x1_x2"]},
        "layers": [{"units": 3, "activation": "linear"}, {"units": 4, "activation": "tanh"}],
        "init": {"name": "xavier"},
        "learning_rate": 0.3,
    },
    "plane_regression": {
        "dataset": {"name": "plane"},
        "layers": [{"units": 4, "activation": "tanh"}],
        "learning_rate": 0.05,
    },
}


# --- the reference: frame building as it was ---------------------------------------------------


def _old_quantize(values, lo, hi):
    span = hi - lo if hi > lo else 1.0
    with np.errstate(invalid="ignore"):
        scaled = (values - np.float32(lo)) * np.float32(255.0 / span)
    np.nan_to_num(scaled, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
    np.clip(scaled, 0, 255, out=scaled)
    return np.rint(scaled, out=scaled).astype(np.uint8)


def _old_boundary(output, task):
    if task == "binary" and output.ndim == 3:
        output = output[1]
    if task == "multiclass":
        C = output.shape[0]
        K = 256 // C
        winner = output.argmax(axis=0)
        confidence = output.max(axis=0)
        level = np.rint((K - 1) * np.clip((confidence - 1 / C) / (1 - 1 / C), 0, 1))
        return (winner * K + level).astype(np.uint8), winner, {"classes": C, "levels": K}
    if task == "regression":
        lo, hi = float(output.min()), float(output.max())
        return _old_quantize(output, lo, hi), None, {"lo": lo, "hi": hi}
    return _old_quantize(output, 0.0, 1.0), None, {"lo": 0.0, "hi": 1.0}


def _grid_points(bounds, resolution, features):
    x1 = np.linspace(bounds[0], bounds[1], resolution)
    x2 = np.linspace(bounds[2], bounds[3], resolution)
    X = np.array([[a, b] for b, a in itertools.product(x2, x1)]).T  # rows: x2, columns: x1
    return expand_features(X, features)


def _hidden(net, X):
    """Every hidden layer's activations over X, by hand from the public parameters."""
    A, layers = X, []
    for W, b, act in zip(
        net.weights[:-1], net.biases[:-1], net.activation_functions[:-1], strict=True
    ):
        A = act.forward(W @ A + b, None)
        layers.append(A)
    return layers


def _old_symmetry(net):
    result = []
    for W, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        if W.shape[0] < 2:
            result.append(None)
            continue
        P = np.hstack([W, b])
        spread = math.sqrt(float(np.mean(np.sum((P - P.mean(axis=0)) ** 2, axis=1))))
        size = math.sqrt(float(np.mean(np.sum(P * P, axis=1))))
        result.append(spread / max(size, 1e-6))
    return result


def _reference(run: Run) -> dict:
    net, d, l2 = run.net, run.dataset, run.config.l2
    ref = {
        "iteration": run.trainer.iteration,
        "epoch": run.trainer.epoch,
        "train_cost": net.cost(d.X_train, d.Y_train, l2),
        "test_cost": net.cost(d.X_test, d.Y_test, l2),
        "train_accuracy": net.accuracy(d.X_train, d.Y_train),
        "test_accuracy": net.accuracy(d.X_test, d.Y_test),
        "gradient_norms": [float(np.linalg.norm(dW)) for dW in net._dW],
        "symmetry": _old_symmetry(net),
        "activation_stats": [
            {k: v for k, v in vars(s).items() if k not in ("layer", "activation")}
            for s in net.activation_stats(d.X_train)
        ],
    }
    r = SETTINGS.boundary_resolution
    output = net.forward(_grid_points(d.bounds, r, d.features))
    output = output.reshape(r, r) if output.shape[0] == 1 else output.reshape(-1, r, r)
    if d.target_scale is not None:
        output = d.target_scale.invert(output)
    ref["boundary"] = _old_boundary(output.astype(np.float32), d.task)
    m = run.map_resolution
    hidden = _hidden(net, _grid_points(d.bounds, m, d.features))
    maps = [A.reshape(A.shape[0], m, m).astype(np.float32) for A in hidden]
    ref["maps"] = frames.quantize_maps(maps, net.activations[:-1])
    ref["parameters"] = np.concatenate(
        [*(W.ravel() for W in net.weights), *(b.ravel() for b in net.biases)]
    ).astype(np.float32)
    return ref


# --- the comparison ----------------------------------------------------------------------------


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("iterations", [0, 7, 300])
def test_a_frame_matches_the_frame_building_it_replaced(case, iterations):
    run = Run(RunConfigModel.model_validate(CASES[case]), SETTINGS)
    run.status = "running"
    run.train(iterations)
    ref = _reference(run)
    run.build_frame(heavy=True)
    _gallery, frame, detail = run.owner_view.take()
    header, blobs = frames.decode(frame)

    assert set(header) == HEADER_KEYS
    assert header["type"] == "frame" and header["run"] == run.id and header["heavy"] is True
    assert (header["iteration"], header["epoch"]) == (ref["iteration"], ref["epoch"])
    for key in ("train_cost", "test_cost", "train_accuracy", "test_accuracy"):
        assert _close(header[key], ref[key]), (key, header[key], ref[key])
    for key in ("gradient_norms", "symmetry"):
        assert len(header[key]) == len(ref[key])
        assert all(_close(a, b) for a, b in zip(header[key], ref[key], strict=True)), key
    assert len(header["activation_stats"]) == len(ref["activation_stats"])
    for got, want in zip(header["activation_stats"], ref["activation_stats"], strict=True):
        assert set(got) == set(want)
        assert all(_close(got[k], want[k]) for k in want), (got, want)
    assert len(blobs["costs"]) == iterations

    codes, winner, meta = ref["boundary"]
    entry = next(e for e in header["blobs"] if e["name"] == "boundary")
    got = blobs["boundary"].astype(int)
    if winner is None:
        assert np.abs(got - codes.astype(int)).max() <= 1
        for key in ("lo", "hi"):
            assert math.isclose(entry[key], meta[key], rel_tol=1e-5, abs_tol=1e-6)
    else:  # class and confidence packed: the class agrees wherever it is not a near tie
        K = meta["levels"]
        assert (entry["classes"], entry["levels"]) == (meta["classes"], K)
        same_class = got // K == winner
        assert same_class.mean() > 0.999
        assert np.abs(got[same_class] - codes.astype(int)[same_class]).max() <= 1

    detail_header, detail_blobs = frames.decode(detail)
    maps = next(e for e in detail_header["blobs"] if e["name"] == "maps")
    want_maps = np.frombuffer(ref["maps"].data, np.uint8).reshape(ref["maps"].meta["shape"])
    assert np.abs(detail_blobs["maps"].astype(int) - want_maps.astype(int)).max() <= 1
    assert np.allclose(maps["lo"], ref["maps"].meta["lo"], atol=1e-5)
    assert np.allclose(maps["hi"], ref["maps"].meta["hi"], atol=1e-5)
    assert detail_blobs["parameters"].tobytes() == ref["parameters"].tobytes()
