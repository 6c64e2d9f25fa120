"""Argument checks shared by the engine's entry points: each returns the value in the form the
engine computes with, or raises `ValueError` with a message that names the argument, the bad value
and what is allowed (the web UI shows these messages as they are).

    check_layer_dims([2, 4, 1])                    -> (2, 4, 1)
    check_activations(["tanh", "sigmoid"], L=2)    -> ("tanh", "sigmoid")
    check_finite("learning_rate", 1.2)             -> 1.2      (> 0 unless allow_equal)
    check_X(X, n_x)                                -> float64 (n_x, m)
    check_Y(Y, m, n_L, output="sigmoid")           -> float64 (n_L, m), one-hot for softmax
    make_hyperparameters(0.01, beta=0.9)           -> Hyperparameters
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation
from .losses import loss_for
from .optimization import Hyperparameters

HYPERPARAMETERS = ("beta", "beta1", "beta2", "epsilon")
"""The update rules' settings besides the learning rate (see `optimization.py`)."""


def is_bool(value: object) -> bool:
    """Whether value is a bool (Python's or NumPy's): ints by type, but never numbers here."""
    return isinstance(value, (bool, np.bool_))


def check_int(arg: str, value: object, lo: int, hi: int | None = None) -> int:
    """value as an int in [lo, hi] (hi None: no upper bound)."""
    allowed = f"an int in [{lo}, {hi}]" if hi is not None else f"an int >= {lo}"
    if is_bool(value) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{arg} must be {allowed}; got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        raise ValueError(f"{arg} must be {allowed}; got {value}")
    return value


def check_real(arg: str, value: object, allowed: str) -> float:
    """value as a finite float; `allowed` says what was expected, for the message."""
    if is_bool(value) or not isinstance(value, numbers.Real):
        raise ValueError(f"{arg} must be {allowed}; got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{arg} must be {allowed}; got {value}")
    return value


def check_finite(name: str, value: float, low: float = 0.0, allow_equal: bool = False) -> float:
    """value as a finite float > low (≥ low with allow_equal)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < low or (value == low and not allow_equal):
        bound = f"≥ {low}" if allow_equal else f"> {low}"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value


def check_layer_dims(layer_dims: Sequence[int]) -> tuple[int, ...]:
    """[n_x, n[1], …, n[L]] as a tuple of ints ≥ 1, at least two of them."""
    try:
        dims = list(layer_dims)
    except TypeError:
        raise ValueError(
            f"layer_dims must be a list of layer sizes [n_x, n1, …, n_L], got {layer_dims!r}"
        ) from None
    if len(dims) < 2:
        raise ValueError(
            f"layer_dims needs at least an input and an output size [n_x, …, n_L], got {dims}"
        )
    for l, n in enumerate(dims):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(
                f"layer_dims[{l}] must be a whole number ≥ 1 (no empty layers), got {n!r}"
            )
    return tuple(int(n) for n in dims)


def check_activations(activations: Sequence[str], L: int) -> tuple[str, ...]:
    """One registered activation name per layer l = 1 … L; output-only ones (softmax) last."""
    if isinstance(activations, str):
        raise ValueError(
            f"activations must be a list of {L} names, one per layer, got the string "
            f"{activations!r}"
        )
    names = tuple(activations)
    if len(names) != L:
        raise ValueError(
            f"activations must name one activation per layer: layer_dims gives {L} layers, "
            f"got {len(names)} ({list(names)})"
        )
    for l, name in enumerate(names, start=1):
        get_activation(name)  # unknown names raise with the allowed list
        if l < L and not ACTIVATIONS[name].hidden:
            raise ValueError(
                f"activations[{l - 1}] = {name!r} is only allowed in the output layer; "
                f"hidden layers take one of: {', '.join(HIDDEN_ACTIVATIONS)}"
            )
    return names


def check_X(X: np.ndarray, n_x: int, name: str = "X") -> np.ndarray:
    """X as float64 (n_x, m), m ≥ 1, finite; or a ValueError naming what is wrong with it."""
    X = np.asarray(X)
    if X.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_x, m) = ({n_x}, m) with one column per "
            f"example, got shape {X.shape}"
        )
    if X.shape[0] != n_x:
        hint = " (transposed? the course puts examples in columns)"
        hint = hint if X.shape[1] == n_x else ""
        raise ValueError(
            f"{name} has {X.shape[0]} rows but layer_dims[0] = n_x = {n_x}; "
            f"expected shape ({n_x}, m), got {X.shape}{hint}"
        )
    if X.shape[1] < 1:
        raise ValueError(f"{name} has no examples (m = 0)")
    X = np.asarray(X, dtype=np.float64)
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or inf")
    return X


def check_Y(Y: np.ndarray, m: int, n_L: int, output: str, name: str = "Y") -> np.ndarray:
    """Y as float64 (n_L, m) for an output layer of n_L units with activation `output`.

    Softmax outputs also take class labels of shape (1, m) with values 0 … C-1, returned
    one-hot; sigmoid and softmax labels must lie in [0, 1].
    """
    Y = np.asarray(Y)
    if Y.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold numbers, got dtype {Y.dtype}")
    if Y.ndim != 2:
        hint = " — a rank-1 array; reshape it to (1, m)" if Y.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D (n_y, m), got shape {Y.shape}{hint}")
    if Y.shape[1] != m:
        raise ValueError(f"{name} has {Y.shape[1]} examples (columns) but X has {m}")
    if not np.isfinite(Y).all():
        raise ValueError(f"{name} contains NaN or inf")
    task = loss_for(output).task
    if task == "multiclass" and Y.shape[0] == 1 and n_L > 1:
        labels = Y[0]
        if (labels != np.round(labels)).any() or labels.min() < 0 or labels.max() >= n_L:
            raise ValueError(
                f"{name} as class labels must hold whole numbers 0 … {n_L - 1} "
                f"(the softmax has {n_L} units)"
            )
        one_hot = np.zeros((n_L, m))
        one_hot[labels.astype(np.intp), np.arange(m)] = 1.0
        return one_hot
    if Y.shape[0] != n_L:
        raise ValueError(
            f"{name} has {Y.shape[0]} rows but the output layer has n_L = {n_L} units; "
            f"expected shape ({n_L}, m)"
            + (" or class labels (1, m)" if task == "multiclass" else "")
        )
    if task != "regression" and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(f"{name} must hold labels in [0, 1] for a {output} output")
    return np.asarray(Y, dtype=np.float64)


def make_hyperparameters(learning_rate: float, **hyperparameters: float) -> Hyperparameters:
    """Checked `Hyperparameters`: α > 0, 0 ≤ β < 1, ε > 0, names from beta/beta1/beta2/epsilon."""
    for name in hyperparameters:
        if name not in HYPERPARAMETERS:
            raise ValueError(
                f"unknown hyperparameter {name!r}; allowed: learning_rate, "
                f"{', '.join(HYPERPARAMETERS)}"
            )
    checked = {"learning_rate": check_finite("learning_rate", learning_rate)}
    for name, value in hyperparameters.items():
        value = check_finite(name, value, allow_equal=name != "epsilon")
        if name != "epsilon" and value >= 1:
            raise ValueError(f"{name} must be in [0, 1), got {value}")
        checked[name] = value
    return Hyperparameters(**checked)
