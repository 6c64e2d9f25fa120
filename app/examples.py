"""One example followed through a run's network, as the `example` answer (docs/protocol.md).

Built in the training thread (a `Run` is touched only there) from `engine.tracing`: the forward
pass of one training or test point (with its label: the loss, the backward dz[l] and that
example's share of the current batch's dW[l], db[l]) or of any spot of the input plane (no
label: the forward pass and ŷ only). Numbers are float64, as the engine computed them.

Every layer's vectors z[l], a[l], dz[l] travel whole (a layer has at most `max_units` units);
matrices only over the units shown: all of a layer of at most MAX_SHOWN units, else the
MAX_SHOWN whose contributions |a[l]_k| · Σ_i |W[l+1]_ik| to the next layer are largest (the
output layer: the largest |a[L]_k|). `edges` names each layer's strongest terms W[l]_kj a[l-1]_j.
"""

from __future__ import annotations

import math

import numpy as np

from engine.features import expand_features
from engine.tracing import ExampleTrace

from .errors import RequestError

MAX_SHOWN = 8
"""Units of a layer whose numbers the answer's matrices hold; a wider layer's largest."""
MAX_EDGES = 12
"""Strongest edges W[l]_kj a[l-1]_j named per layer (the diagram emphasizes them)."""
SPLITS = ("train", "test")


def example_message(run, point: list[float] | None, split: str | None, index: int | None) -> dict:
    """The `example` answer for a run (training thread): of `point` (raw inputs, as many as the
    dataset has) or of example `index` of `split`. RequestError for a point or index that does
    not fit the run's data."""
    d, net, trainer = run.dataset, run.net, run.trainer
    m_train = d.X_train.shape[1]
    batch = trainer.config.batch_size
    m = m_train if batch is None else min(batch, m_train)
    label = None
    if point is not None:
        if len(point) != d.n_inputs or d.n_inputs > 2:
            raise RequestError(
                "point",
                "inputs",
                f"this run's data has {d.n_inputs} input{'s' if d.n_inputs != 1 else ''}: "
                f"a point is [{', '.join(f'x{i + 1}' for i in range(min(d.n_inputs, 2)))}]"
                if d.n_inputs <= 2
                else "this run's data is not a plane: name an example by split and index",
            )
        raw = np.array(point, dtype=np.float64).reshape(-1, 1)
        x = expand_features(raw, d.features) if d.n_inputs == 2 else raw
        trace = net.trace_example(x, None, m)
        source = {"kind": "point", "point": [float(v) for v in point]}
    else:
        X, Y = (d.X_train, d.Y_train) if split == "train" else (d.X_test, d.Y_test)
        if index >= X.shape[1]:
            raise RequestError(
                "index",
                "range",
                f"the {split} set has {X.shape[1]} examples: index 0 … {X.shape[1] - 1}",
            )
        y = Y[:, index : index + 1]
        trace = net.trace_example(X[:, index : index + 1], y, m)
        label = float(y[0, 0]) if d.target_scale is None else float(d.target_scale.invert(y)[0, 0])
        source = {"kind": split, "index": index}
    return {
        "type": "example",
        "run": run.id,
        "iteration": trainer.iteration,
        "source": source,
        "task": d.task,
        "loss_name": net.loss.name,
        "m": m,
        "m_train": m_train,
        "l2": trainer.config.l2,
        "label": label,
        "target_scale": None
        if d.target_scale is None
        else {"mean": d.target_scale.mean, "std": d.target_scale.std},
        "loss": _number(trace.loss),
        "y": None if trace.y is None else _column(trace.y),
        "y_hat": _column(trace.y_hat),
        **_layers(net, trace, _input_names(d)),
    }


def _input_names(d) -> list[str]:
    raw = ["x1", "x2"][: d.n_inputs] if d.n_inputs <= 2 else []
    names = [*raw, *d.features]
    return names if len(names) == d.n_x else [f"x{i + 1}" for i in range(d.n_x)]


def _layers(net, trace: ExampleTrace, names: list[str]) -> dict:
    """The input and each layer l = 1 … L: vectors, the shown units' matrices, strongest edges."""
    weights, biases, acts = net.weights, net.biases, net.activations
    L = len(weights)
    values = [trace.x, *trace.A]  # a[0] = x … a[L]
    shown = []
    for l, a in enumerate(values):
        strength = np.abs(a[:, 0])
        if l < L:  # how much it moves the next layer
            strength = strength * np.abs(weights[l]).sum(axis=0)
        shown.append(_largest(strength, MAX_SHOWN))
    x_units = shown[0]
    layers = []
    for l in range(1, L + 1):
        rows, cols = shown[l], shown[l - 1]
        W = weights[l - 1]
        terms = W * values[l - 1][:, 0]  # W[l]_kj a[l-1]_j
        flat = _largest(np.abs(terms).ravel(), MAX_EDGES)
        k_of, j_of = np.unravel_index(flat, terms.shape)
        layer = {
            "l": l,
            "activation": acts[l - 1],
            "n": W.shape[0],
            "units": rows.tolist(),
            "z": _column(trace.Z[l - 1]),
            "a": _column(trace.A[l - 1]),
            "W": _matrix(W[np.ix_(rows, cols)]),
            "b": _column(biases[l - 1][rows]),
            "edges": [
                [int(k), int(j), _number(terms[k, j])] for k, j in zip(k_of, j_of, strict=True)
            ],
            "dz": None,
            "dW": None,
            "db": None,
        }
        if trace.dZ is not None:
            layer["dz"] = _column(trace.dZ[l - 1])
            layer["dW"] = _matrix(trace.dW[l - 1][np.ix_(rows, cols)])
            layer["db"] = _column(trace.db[l - 1][rows])
        layers.append(layer)
    return {
        "input": {
            "n": trace.x.shape[0],
            "units": x_units.tolist(),
            "names": [names[j] for j in x_units],
            "x": _column(trace.x[x_units]),
        },
        "layers": layers,
    }


def _largest(values: np.ndarray, most: int) -> np.ndarray:
    """Indices of the `most` largest values (NaN last), ascending; all of them if few."""
    n = values.shape[0]
    if n <= most:
        return np.arange(n)
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")[:most]
    return np.sort(order)


def _number(v) -> float | None:
    """A float, or None where JSON has no number (a diverging network's inf or NaN)."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _column(a: np.ndarray) -> list[float | None]:
    return [_number(v) for v in np.ravel(a)]


def _matrix(a: np.ndarray) -> list[list[float | None]]:
    return [_column(row) for row in a]
