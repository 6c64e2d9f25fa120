"""Following one example through the network: its forward pass and its share of the gradient.

For one example x (n_x, 1), and its label y if it has one, `trace_example` runs the course's
forward pass with its cache (the engine's own `model_forward` on a Workspace of m = 1):

    z[l] = W[l] a[l-1] + b[l],   a[l] = g[l](z[l]),   a[0] = x,   ŷ = a[L]

then the loss of that one example, L(ŷ, y) (the cost J of a batch of one), and its backward pass
(the engine's `augmented_backward` on the same cache):

    dz[L] = ∂L/∂z[L],   dz[l] = W[l+1]ᵀ dz[l+1] * g[l]'(z[l])

dz[l] here is the course's per-example derivative (of L, not of the mean cost J: a batch of one
has m = 1, so `losses.py`'s 1/m is 1). In a batch of m examples that contains x, x's part of the
batch's gradient is its share

    dW[l] share = (1/m) dz[l] a[l-1]ᵀ,   db[l] share = (1/m) dz[l]

and the shares of the batch's m examples add up to the batch's dW[l] and db[l] (without L2,
whose λ/m · W[l] belongs to no one example). Everything is float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .activations import Activation
from .losses import Loss
from .propagation import Workspace, augmented_backward, model_forward


class Traceable(Protocol):
    """What a trace reads of a network (`Network` is one): its shape, activations, loss,
    parameters and input checks."""

    layer_dims: tuple[int, ...]
    loss: Loss
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation_functions: tuple[Activation, ...]

    def check_X(self, X: np.ndarray, name: str = "X") -> np.ndarray: ...

    def check_Y(self, Y: np.ndarray, m: int, name: str = "Y") -> np.ndarray: ...


@dataclass(frozen=True)
class ExampleTrace:
    """One example's pass. Lists run over the layers l = 1 … L.

    x (n_x, 1); Z[l], A[l] (n[l], 1); y_hat = A[L]. With a label: y (n_L, 1) (one-hot for
    softmax), loss = L(ŷ, y), dZ[l] (n[l], 1) the per-example dz[l], dW[l] (n[l], n[l-1]) and
    db[l] (n[l], 1) the example's shares of a batch of m; without a label those are None.
    """

    x: np.ndarray
    Z: list[np.ndarray]
    A: list[np.ndarray]
    m: int
    y: np.ndarray | None = None
    loss: float | None = None
    dZ: list[np.ndarray] | None = None
    dW: list[np.ndarray] | None = None
    db: list[np.ndarray] | None = None

    @property
    def y_hat(self) -> np.ndarray:
        """ŷ = A[L] (n_L, 1)."""
        return self.A[-1]


def trace_example(
    net: Traceable, x: np.ndarray, y: np.ndarray | None = None, m: int = 1
) -> ExampleTrace:
    """The forward pass of one example x (n_x, 1), and with its label y (n_L, 1) (softmax also
    takes a class label (1, 1)) the loss and backward pass, with the shares of dW[l] and db[l]
    it contributes to a batch of m examples (m ≥ 1). The network is not changed."""
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 1:
        raise ValueError(f"m must be a whole number ≥ 1, got {m!r}")
    x = net.check_X(x, "x")
    if x.shape[1] != 1:
        raise ValueError(f"x must be one example, shape ({x.shape[0]}, 1); got {x.shape}")
    acts = net.activation_functions
    weights = [np.array(W) for W in net.weights]
    biases = [np.array(b) for b in net.biases]
    ws = Workspace(net.layer_dims, acts, 1)
    ws.X[...] = x
    Z_L = model_forward(ws.X, weights, biases, acts, ws)
    L = len(weights)
    Z = [ws.Z[i].copy() for i in range(L)]
    if y is None:
        A_L = acts[-1].forward(Z_L, np.empty_like(Z_L))
        A = [ws.A[i].copy() for i in range(L - 1)] + [A_L]
        return ExampleTrace(x=x.copy(), Z=Z, A=A, m=int(m))
    Y = net.check_Y(y, 1, "y")
    loss = net.loss.value(Z_L, Y, acts[-1], ws.A[-1], ws.D[-1])
    A = [ws.A[i].copy() for i in range(L)]
    net.loss.gradient(Z_L, Y, acts[-1], ws.A[-1], ws.D[-1])
    dWb = [np.empty((W.shape[0], W.shape[1] + 1)) for W in weights]
    augmented_backward(ws.X_aug, weights, acts, ws, ws.D[-1], dWb)
    # With m = 1, [dW | db] = dz a_aug^T: its last column is dz itself.
    dZ = [block[:, -1:].copy() for block in dWb]
    return ExampleTrace(
        x=x.copy(),
        Z=Z,
        A=A,
        m=int(m),
        y=Y.copy(),
        loss=float(loss),
        dZ=dZ,
        dW=[block[:, :-1] / m for block in dWb],
        db=[dz / m for dz in dZ],
    )
