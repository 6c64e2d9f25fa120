"""Costs, each beside its gradient with respect to the output pre-activation Z[L].

The cost follows from the output activation, as in the course:

- sigmoid → binary cross-entropy   J = -(1/m) Σ [y log a + (1 - y) log(1 - a)]
- softmax → categorical cross-entropy   J = -(1/m) Σ_i Σ_k y_ki log a_ki
- anything else (linear for regression) → mean squared error   J = (1/m) Σ_i Σ_k (a_ki - y_ki)²

Cross-entropies are computed from Z, not from A: with log a = -log(1 + e^-z) and
log(1 - a) = -z - log(1 + e^-z), a saturated sigmoid (a == 1.0 exactly in float64) still gives
the large finite cost it deserves instead of log(0) = -inf and NaN gradients.

Every loss returns dZ[L] = ∂J/∂Z[L], which for the two matched pairs is the course's (A - Y)/m.
Departure from the course's notation: the course writes dZ for the per-example derivative and
multiplies by 1/m in dW and db; here dZ is the derivative of the mean cost J itself, so it
already carries the 1/m and dW = dZ A_prev^T, db = Σ dZ come out identical with one multiply fewer
per layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import Activation


@dataclass(frozen=True)
class Loss:
    """A named cost J(Z[L], Y) and its gradient, for one kind of output."""

    name: str
    title: str
    task: str
    """"binary", "multiclass" or "regression": how predictions and accuracy are read."""
    evaluate: Callable[..., float]
    """(Z, Y, act, A, dZ) -> J; writes g(Z) into A and, unless dZ is None, ∂J/∂Z into dZ."""


def binary_cross_entropy(
    Z: np.ndarray,
    Y: np.ndarray,
    act: Activation,
    A: np.ndarray,
    dZ: np.ndarray | None,
) -> float:
    """Sigmoid output. Z, Y, A, dZ are (n_L, m); Y holds labels in [0, 1].

    With ℓ = log(1 + e^-z) = -log a:  -[y log a + (1-y) log(1-a)] = ℓ + (1 - y) z.
    """
    m = Z.shape[1]
    # Fast path, why: NumPy's logaddexp is not vectorised (~12 ns/element: ~5 µs of a 23 µs step
    # at m = 400). While every z ≥ -700, t = e^-z ≤ e^700 cannot overflow, so ℓ = log1p(t) and
    # a = 1 / (1 + t) are exact to a rounding or two, with no warning. It costs two more NumPy
    # calls, which only pay off from ~128 values. Saturated outputs (z < -700), NaN and the
    # like take the logaddexp route below.
    if Z.size >= 128 and Z.min() >= -700.0:
        t = np.negative(Z, out=A)
        np.exp(t, out=t)
        ell = np.log1p(t, out=dZ if dZ is not None else np.empty_like(Z))
        J = (ell.sum() + Z.sum() - np.vdot(Y, Z)) / m
        t += 1.0
        np.reciprocal(t, out=A)  # a = 1 / (1 + e^-z), the course's formula
        if dZ is not None:
            np.subtract(A, Y, out=dZ)
            dZ *= 1.0 / m
        return float(J)
    ell = np.negative(Z, out=A)
    np.logaddexp(0.0, ell, out=ell)
    J = (ell.sum() + Z.sum() - np.vdot(Y, Z)) / m
    np.negative(ell, out=A)
    np.exp(A, out=A)  # a = e^-ℓ
    if dZ is not None:
        np.subtract(A, Y, out=dZ)
        dZ *= 1.0 / m
    return float(J)


def categorical_cross_entropy(
    Z: np.ndarray,
    Y: np.ndarray,
    act: Activation,
    A: np.ndarray,
    dZ: np.ndarray | None,
) -> float:
    """Softmax output. Z, A, dZ are (C, m); Y is one-hot (C, m).

    log a = (z - max z) - log Σ e^(z - max z), column by column, so no exponent overflows.
    """
    m = Z.shape[1]
    log_a = np.subtract(Z, Z.max(axis=0, keepdims=True), out=A)
    log_a -= np.log(np.exp(log_a).sum(axis=0, keepdims=True))
    J = -np.vdot(Y, log_a) / m
    np.exp(log_a, out=A)
    if dZ is not None:
        np.subtract(A, Y, out=dZ)
        dZ *= 1.0 / m
    return float(J)


def mean_squared_error(
    Z: np.ndarray,
    Y: np.ndarray,
    act: Activation,
    A: np.ndarray,
    dZ: np.ndarray | None,
) -> float:
    """Any elementwise output g (linear for regression). Z, Y, A, dZ are (n_L, m).

    dJ/dA = (2/m)(A - Y), then dZ = dJ/dA * g'(Z) through the activation's backward.
    """
    m = Z.shape[1]
    A = act.forward(Z, A)
    diff = np.subtract(A, Y, out=dZ)
    J = np.vdot(diff, diff) / m
    if dZ is not None:
        dZ *= 2.0 / m
        act.backward(dZ, Z, A)
    return float(J)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("binary_cross_entropy", "Binary cross-entropy", "binary", binary_cross_entropy),
        Loss(
            "categorical_cross_entropy",
            "Categorical cross-entropy",
            "multiclass",
            categorical_cross_entropy,
        ),
        Loss("mean_squared_error", "Mean squared error", "regression", mean_squared_error),
    )
}


OUTPUTS_FOR_TASK: dict[str, tuple[str, ...]] = {
    "binary": ("sigmoid", "softmax"),
    "multiclass": ("softmax",),
    "regression": ("linear",),
}
"""Output activations that fit each kind of dataset; the first is the default. A binary task may
use a sigmoid unit or a softmax over two classes."""

DEFAULT_OUTPUT: dict[str, str] = {task: outputs[0] for task, outputs in OUTPUTS_FOR_TASK.items()}


def loss_for(output_activation: str) -> Loss:
    """The cost that goes with an output activation (sigmoid, softmax, or any other → MSE)."""
    if output_activation == "sigmoid":
        return LOSSES["binary_cross_entropy"]
    if output_activation == "softmax":
        return LOSSES["categorical_cross_entropy"]
    return LOSSES["mean_squared_error"]
