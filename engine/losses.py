"""Costs, each beside its gradient with respect to the output pre-activation Z[L].

The cost follows from the output activation, as in the course:

- sigmoid → binary cross-entropy   J = -(1/m) Σ [y log a + (1 - y) log(1 - a)]
- softmax → categorical cross-entropy   J = -(1/m) Σ_i Σ_k y_ki log a_ki
- anything else (linear for regression) → mean squared error   J = (1/m) Σ_i Σ_k (a_ki - y_ki)²

Cross-entropies are computed from Z, not from A: with softplus(z) = log(1 + e^z),
log a = z - softplus(z) and log(1 - a) = -softplus(z), so a saturated sigmoid (a == 1.0
exactly in float64) still gives the large finite cost it deserves instead of log(0) = -inf
and NaN gradients.

Every loss is two functions, the cost and its gradient, run one after the other on the same
buffers: `value` writes A = g(Z) and returns J; `gradient` then writes dZ[L] = ∂J/∂Z[L] from
that A (and Z). Kept apart so a training step can take the gradient of a pass whose value was
already taken (a frame's evaluation at the same parameters, see `Network._cost`); `evaluate`
runs both. For the two matched pairs dZ[L] is the course's (A - Y)/m.
Beside them, the weight penalties (regularization) with their gradients: L2, the course's
λ/(2m) Σ‖W[l]‖², and L1, λ/m Σ|W[l]|; `Network._cost` adds them to J and dθ.
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

FAST_BCE_MIN_SIZE = 128
"""From this many output values on, binary cross-entropy takes its exp/log1p route (see
`binary_cross_entropy`); below, NumPy's logaddexp is cheaper than the route's extra calls."""

FAST_BCE_MAX_Z = 700.0
"""The exp/log1p route needs e^z finite: every z ≤ 700 (e^700 ≈ 1e304 < float64's 1.8e308)."""


@dataclass(frozen=True)
class Loss:
    """A named cost J(Z[L], Y) and its gradient, for one kind of output.

    Z, Y, A, dZ and `scratch` are (n_L, m) float arrays; A, dZ and scratch are written.
    """

    name: str
    title: str
    task: str
    """"binary", "multiclass" or "regression": how predictions and accuracy are read."""
    value: Callable[[np.ndarray, np.ndarray, Activation, np.ndarray, np.ndarray], float]
    """(Z, Y, act, A, scratch) -> J; writes g(Z) into A; `scratch` is a buffer it may use."""
    gradient: Callable[[np.ndarray, np.ndarray, Activation, np.ndarray, np.ndarray], None]
    """(Z, Y, act, A, dZ): writes ∂J/∂Z into dZ, from the A that `value` left."""

    def evaluate(
        self,
        Z: np.ndarray,
        Y: np.ndarray,
        act: Activation,
        A: np.ndarray,
        dZ: np.ndarray | None,
    ) -> float:
        """J; writes g(Z) into A and, unless dZ is None, ∂J/∂Z into dZ."""
        J = self.value(Z, Y, act, A, np.empty_like(Z) if dZ is None else dZ)
        if dZ is not None:
            self.gradient(Z, Y, act, A, dZ)
        return J


# --- binary cross-entropy (sigmoid output) -------------------------------------------------------


def binary_cross_entropy(
    Z: np.ndarray, Y: np.ndarray, act: Activation, A: np.ndarray, scratch: np.ndarray
) -> float:
    """Sigmoid output; Y holds labels in [0, 1]. J, with A = 1 / (1 + e^-Z) written into A.

    With softplus(z) = log(1 + e^z):  -[y log a + (1-y) log(1-a)] = softplus(z) - y z.
    """
    m = Z.shape[1]
    # Fast route, why: NumPy's logaddexp is not vectorised (~12 ns/element: ~5 µs at m = 400).
    # While every z ≤ 700, u = e^z cannot overflow, so softplus = log1p(u) and
    # a = u / (1 + u) are exact to a rounding or two, with no warning: fewer, faster calls from
    # ~128 values on. Saturated outputs (z > 700), NaN and small batches take logaddexp.
    if Z.size >= FAST_BCE_MIN_SIZE and np.maximum.reduce(Z, axis=None) <= FAST_BCE_MAX_Z:
        u = np.exp(Z, out=A)
        softplus = np.log1p(u, out=scratch)
        J = (np.add.reduce(softplus, axis=None) - np.vdot(Y, Z)) / m
        np.add(u, 1.0, out=scratch)
        np.divide(u, scratch, out=A)  # a = e^z / (1 + e^z) = 1 / (1 + e^-z)
        return float(J)
    softplus = np.logaddexp(0.0, Z, out=scratch)
    J = (np.add.reduce(softplus, axis=None) - np.vdot(Y, Z)) / m
    np.subtract(Z, softplus, out=A)
    np.exp(A, out=A)  # a = e^(log a), log a = z - softplus(z) ≤ 0: no overflow
    return float(J)


def cross_entropy_gradient(
    Z: np.ndarray, Y: np.ndarray, act: Activation, A: np.ndarray, dZ: np.ndarray
) -> None:
    """dZ = (A - Y) / m: the gradient of both cross-entropies through their matched output."""
    np.subtract(A, Y, out=dZ)
    dZ *= 1.0 / Z.shape[1]


# --- categorical cross-entropy (softmax output) --------------------------------------------------


def categorical_cross_entropy(
    Z: np.ndarray, Y: np.ndarray, act: Activation, A: np.ndarray, scratch: np.ndarray
) -> float:
    """Softmax output. Z, A are (C, m); Y is one-hot (C, m). J, with softmax(Z) written into A.

    log a = (z - max z) - log Σ e^(z - max z), column by column, so no exponent overflows.
    """
    m = Z.shape[1]
    log_a = np.subtract(Z, Z.max(axis=0, keepdims=True), out=A)
    np.exp(log_a, out=scratch)
    log_a -= np.log(scratch.sum(axis=0, keepdims=True))
    J = -np.vdot(Y, log_a) / m
    np.exp(log_a, out=A)
    return float(J)


# --- mean squared error (any other output) -------------------------------------------------------


def mean_squared_error(
    Z: np.ndarray, Y: np.ndarray, act: Activation, A: np.ndarray, scratch: np.ndarray
) -> float:
    """Any elementwise output g (linear for regression). J, with g(Z) written into A."""
    A = act.forward(Z, A)
    diff = np.subtract(A, Y, out=scratch)
    return float(np.vdot(diff, diff) / Z.shape[1])


def mean_squared_error_gradient(
    Z: np.ndarray, Y: np.ndarray, act: Activation, A: np.ndarray, dZ: np.ndarray
) -> None:
    """dJ/dA = (2/m)(A - Y), then dZ = dJ/dA * g'(Z) through the activation's backward."""
    np.subtract(A, Y, out=dZ)
    dZ *= 2.0 / Z.shape[1]
    act.backward(dZ, Z, A, None)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "binary_cross_entropy",
            "Binary cross-entropy",
            "binary",
            binary_cross_entropy,
            cross_entropy_gradient,
        ),
        Loss(
            "categorical_cross_entropy",
            "Categorical cross-entropy",
            "multiclass",
            categorical_cross_entropy,
            cross_entropy_gradient,
        ),
        Loss(
            "mean_squared_error",
            "Mean squared error",
            "regression",
            mean_squared_error,
            mean_squared_error_gradient,
        ),
    )
}


# --- weight penalties (regularization) ------------------------------------------------------
# Each penalty of the weights beside its gradient, as the losses are. `weights` is the parameter
# vector θ with its biases zeroed (no penalty touches a bias, as in the course), λ ≥ 0, m the
# number of examples the cost averages over.


def l2_penalty(weights: np.ndarray, lambd: float, m: int) -> float:
    """The course's L2 penalty λ/(2m) Σ‖W[l]‖² (the squared Frobenius norms of the weights)."""
    return lambd / (2 * m) * float(np.dot(weights, weights))


def l2_penalty_gradient(weights: np.ndarray, lambd: float, m: int, grad: np.ndarray) -> None:
    """Adds ∂/∂W of the L2 penalty, (λ/m) W[l], into grad (θ's shape). Overwrites `weights`."""
    weights *= lambd / m
    grad += weights


def l1_penalty(weights: np.ndarray, lambd: float, m: int, scratch: np.ndarray) -> float:
    """The L1 penalty λ/m Σ|W[l]| (TensorFlow Playground's L1), with `scratch` a buffer of
    θ's shape it may overwrite."""
    return lambd / m * float(np.sum(np.abs(weights, out=scratch)))


def l1_penalty_gradient(
    weights: np.ndarray, lambd: float, m: int, grad: np.ndarray, scratch: np.ndarray
) -> None:
    """Adds a subgradient of the L1 penalty, (λ/m) sign(W[l]), into grad (θ's shape): 0 where a
    weight is exactly 0 (|w| has no derivative there; 0 lies in its subdifferential [-1, 1])."""
    np.sign(weights, out=scratch)
    scratch *= lambd / m
    grad += scratch


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
