"""Activation functions g(Z), each beside its derivative g'(Z).

The registry `ACTIVATIONS` names them; those names ("sigmoid", "tanh", "relu", "leaky_relu",
"linear", "softmax") are the vocabulary shared by the engine, the API schemas and the UI menus.

Every activation has three faces:

- `forward(Z, out)`: A = g(Z), written into `out` (same shape as Z, any (n, m)).
- `derivative(Z, A)`: g'(Z) elementwise, the course's formula (tanh: 1 - A², sigmoid: A(1 - A)).
- `backward(dA, Z, A, scratch)`: dZ = dA * g'(Z), computed in place in `dA`; `scratch`, a
  buffer of dA's shape it may overwrite, spares it temporaries (None: it makes its own). This is
  what backpropagation calls; `derivative` is what the tests hold it to.

Softmax is an output activation only: its Jacobian is not elementwise, so its gradient is taken
together with the cross-entropy in `losses.py`, as the course does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01
"""Slope of leaky ReLU for z < 0, as in the course."""


@dataclass(frozen=True)
class Activation:
    """A named activation: g, g' and the fused in-place backward step."""

    name: str
    title: str
    forward: Callable[[np.ndarray, np.ndarray | None], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None], np.ndarray]
    saturating: bool = False
    """Has flat tails where g' vanishes (sigmoid, tanh): report the fraction saturated."""
    rectifier: bool = False
    """Is a rectifier (ReLU family): report the fraction of dead units."""
    hidden: bool = True
    """Allowed in hidden layers (softmax is not)."""


# --- sigmoid -------------------------------------------------------------------------------------


def sigmoid(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = 1 / (1 + e^-Z), computed as 0.5 + 0.5 tanh(Z / 2), which never overflows.

    The textbook formula overflows e^-Z for Z < -709. The tanh form is exact to one rounding
    (~1e-16 absolute), saturates to exactly 0 or 1 beyond |z| ≈ 37, and is 10-100× faster than
    the `logaddexp` route (NumPy's logaddexp is not vectorised). Costs never take log(A): they
    are computed from Z (see `losses.py`), so a saturated A cannot turn into log(0).
    """
    out = np.multiply(Z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def sigmoid_derivative(Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """g'(Z) = A (1 - A)."""
    return A * (1.0 - A)


def sigmoid_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, scratch: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA * A (1 - A) = dA A - (dA A) A, in place in dA."""
    dA *= A
    dA -= np.multiply(dA, A, out=scratch)
    return dA


# --- tanh ----------------------------------------------------------------------------------------


def tanh(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = tanh(Z)."""
    return np.tanh(Z, out=out)


def tanh_derivative(Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """g'(Z) = 1 - A²."""
    return 1.0 - A * A


def tanh_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, scratch: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA * (1 - A²) = dA - (dA * A) * A, in place in dA."""
    dAA = np.multiply(dA, A, out=scratch)
    dAA *= A
    dA -= dAA
    return dA


# --- ReLU ----------------------------------------------------------------------------------------


def relu(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = max(0, Z), as (|Z| + Z) / 2 when writing to a separate buffer (exact, and 2× faster
    than `np.maximum` on large float32 grids)."""
    if out is None or out is Z:
        return np.maximum(Z, 0.0, out=out)
    np.abs(Z, out=out)
    out += Z
    out *= 0.5
    return out


def relu_derivative(Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """g'(Z) = 1 where Z > 0, else 0 (the course takes g'(0) = 0)."""
    return (Z > 0).astype(Z.dtype)


def relu_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, scratch: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA where Z > 0, else 0, in place in dA."""
    dA *= Z > 0
    return dA


# --- leaky ReLU ----------------------------------------------------------------------------------


def leaky_relu(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = max(0.01 Z, Z)."""
    return np.maximum(Z, LEAKY_SLOPE * Z, out=out)


def leaky_relu_derivative(Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """g'(Z) = 1 where Z > 0, else 0.01."""
    return np.where(Z > 0, 1.0, LEAKY_SLOPE).astype(Z.dtype)


def leaky_relu_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, scratch: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA where Z > 0, else 0.01 dA, in place in dA."""
    dA *= np.where(Z > 0, 1.0, LEAKY_SLOPE)
    return dA


# --- linear (identity) ---------------------------------------------------------------------------


def linear(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = Z. Returns Z itself when no buffer is given: nothing to compute."""
    if out is None:
        return Z
    np.copyto(out, Z)
    return out


def linear_derivative(Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """g'(Z) = 1."""
    return np.ones_like(Z)


def linear_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, scratch: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA."""
    return dA


# --- softmax (output only) -----------------------------------------------------------------------


def softmax(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A[:, i] = e^Z[:, i] / Σ_k e^Z[k, i], column by column, shifted by the column max."""
    out = np.subtract(Z, Z.max(axis=0, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=0, keepdims=True)
    return out


def _softmax_not_elementwise(*_: np.ndarray) -> np.ndarray:
    raise ValueError(
        "softmax has no elementwise derivative; it is only used as the output layer, "
        "where its gradient is taken together with the cross-entropy cost"
    )


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid",
            "Sigmoid",
            sigmoid,
            sigmoid_derivative,
            sigmoid_backward,
            saturating=True,
        ),
        Activation("tanh", "Tanh", tanh, tanh_derivative, tanh_backward, saturating=True),
        Activation("relu", "ReLU", relu, relu_derivative, relu_backward, rectifier=True),
        Activation(
            "leaky_relu",
            "Leaky ReLU",
            leaky_relu,
            leaky_relu_derivative,
            leaky_relu_backward,
            rectifier=True,
        ),
        Activation("linear", "Linear", linear, linear_derivative, linear_backward),
        Activation(
            "softmax",
            "Softmax",
            softmax,
            _softmax_not_elementwise,
            _softmax_not_elementwise,
            hidden=False,
        ),
    )
}

HIDDEN_ACTIVATIONS = tuple(name for name, a in ACTIVATIONS.items() if a.hidden)
OUTPUT_ACTIVATIONS = tuple(ACTIVATIONS)


def get_activation(name: str) -> Activation:
    """The registered activation called `name`, or a ValueError listing the allowed names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        allowed = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; allowed: {allowed}") from None
