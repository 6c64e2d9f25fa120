"""What one forward pass over a set of examples tells: its cost, accuracy, confusion matrix and
the statistics of each hidden layer's activations, all read from the same cache.

The live page wants all four every frame, for the training set and the test set. Each used to
take its own pass; `Network.scores` runs one pass per set and hands its `Workspace` (Z[l], A[l]
for the hidden layers, Z[L] for the output) to `scores_from_pass`, which reads the rest:

    accuracy      fraction of examples predicted right (every unit right, for multi-label)
    confusion     (C, C) counts, rows the actual class, columns the predicted one
    layer_stats   per hidden layer l = 1 … L-1: mean, std, saturated and dead fractions of A[l]

Shapes: Y and A[L] are (n_L, m); Z[l] and A[l] are (n[l], m).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .activations import Activation
from .propagation import Workspace

SATURATION_THRESHOLD = 0.1
"""A unit-example counts as saturated where g'(z) is below 10% of g's peak slope (sigmoid:
a < 0.028 or a > 0.972; tanh: |a| > 0.949): there its gradient is all but gone."""


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one hidden layer's activations A[l] (n[l], m) over a set of examples.

    saturated: fraction of unit-examples where g'(z) < 10% of its peak (sigmoid, tanh; else None).
    dead: fraction of units that are off (z ≤ 0) for every example (ReLU family; else None).
    """

    layer: int
    activation: str
    mean: float
    std: float
    saturated: float | None
    dead: float | None


@dataclass(frozen=True)
class Scores:
    """One forward pass's reading of (X, Y).

    cost: J, with the L2 and L1 penalties if asked for (may be inf or NaN near a divergence).
    accuracy: None for regression. confusion: the (C, C) int64 counts if asked, else None (and
    None for regression and multi-label outputs). activation_stats: the hidden layers'
    LayerStats if asked, else None.
    """

    cost: float
    accuracy: float | None
    confusion: np.ndarray | None
    activation_stats: list[LayerStats] | None


def layer_stats(ws: Workspace, activations: Sequence[Activation]) -> list[LayerStats]:
    """LayerStats for the hidden layers l = 1 … L-1 from the cache of a forward pass."""
    stats = []
    for l, act in enumerate(activations[:-1], start=1):
        Z, A = ws.Z[l - 1], ws.A[l - 1]
        saturated = dead = None
        if act.saturating:
            flat = act.derivative(Z, A) < SATURATION_THRESHOLD * _peak_derivative(act)
            saturated = np.count_nonzero(flat) / flat.size
        if act.rectifier:
            alive = (Z > 0).any(axis=1)
            dead = 1.0 - np.count_nonzero(alive) / alive.size
        # np.mean and np.std in fewer calls (the server reads these 30 times a second): the
        # same pairwise sums, so the same values.
        mean = float(np.add.reduce(A, axis=None)) / A.size
        D = A - mean
        np.multiply(D, D, out=D)
        std = math.sqrt(float(np.add.reduce(D, axis=None)) / A.size)
        stats.append(LayerStats(l, act.name, mean, std, saturated, dead))
    return stats


@functools.cache
def _peak_derivative(act: Activation) -> float:
    """g'(0), where a saturating activation's slope peaks."""
    return float(act.derivative(np.zeros(1), act.forward(np.zeros(1), None))[0])


def scores_from_pass(
    J: float,
    ws: Workspace,
    Y: np.ndarray,
    activations: Sequence[Activation],
    task: str,
    confusion: bool = False,
    activation_stats: bool = False,
) -> Scores:
    """Scores of the pass that left `ws` and cost J on Y (n_L, m); `task` is the loss's."""
    stats = layer_stats(ws, activations) if activation_stats else None
    if task == "regression":
        return Scores(J, None, None, stats)
    # A[L] as the cost computed it in this pass (`losses.py` writes g(Z[L]) into ws.A[-1]): the
    # predictions are those of the cost just reported, and need no second output activation.
    A, m = ws.A[-1], Y.shape[1]
    if task == "binary":
        predicted = A > 0.5
        right = predicted == (Y > 0.5)
        accuracy = np.count_nonzero(right.all(axis=0) if len(right) > 1 else right) / m
        counts = None
        if confusion and Y.shape[0] == 1:
            counts = confusion_matrix(predicted[0], Y[0] > 0.5, 2)
        return Scores(J, accuracy, counts, stats)
    predicted, actual = A.argmax(axis=0), Y.argmax(axis=0)
    accuracy = np.count_nonzero(predicted == actual) / m
    counts = confusion_matrix(predicted, actual, Y.shape[0]) if confusion else None
    return Scores(J, accuracy, counts, stats)


def confusion_matrix(predicted: np.ndarray, actual: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (n_classes, n_classes) int64: entry [i, j] is how many examples of class i (the
    actual label, row) were predicted as class j (column). The diagonal holds the right ones.

    predicted, actual: (m,) or (1, m) whole-number classes in 0 … n_classes-1.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise ValueError(f"n_classes must be a whole number; got {n_classes!r}")
    predicted, actual = np.asarray(predicted).reshape(-1), np.asarray(actual).reshape(-1)
    for name, values in (("predicted", predicted), ("actual", actual)):
        if values.dtype.kind == "f" and (values != np.round(values)).any():
            raise ValueError(f"{name} classes must be whole numbers")
    predicted, actual = predicted.astype(np.int64), actual.astype(np.int64)
    if predicted.shape != actual.shape:
        raise ValueError(f"predicted {predicted.shape} and actual {actual.shape} differ in shape")
    if n_classes < 1 or (
        actual.size
        and (
            min(predicted.min(), actual.min()) < 0
            or max(predicted.max(), actual.max()) >= n_classes
        )
    ):
        raise ValueError(f"classes must lie in 0 … {n_classes - 1}")
    counts = np.bincount(actual * n_classes + predicted, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)
