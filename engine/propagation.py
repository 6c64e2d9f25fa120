"""Forward and backward propagation through an L-layer network, vectorized over the m examples.

The building blocks are the course's, mirrored pairwise:

    linear_forward(A_prev, W, b)          Z = W A_prev + b
    linear_backward(dZ, A_prev, W, ...)   dW = dZ A_prev^T,  db = Σ_i dZ,  dA_prev = W^T dZ
    augmented_forward(X_aug, Wb, ...)     [LINEAR -> g] × L, keeping Z[l] and A[l] as the cache
    augmented_backward(X_aug, Wb, ...)    consumes that cache from layer L down to layer 1
    model_forward(X, weights, biases, …)  the forward pass from separate W[l], b[l] (pictures)

Shapes: A[l], Z[l], dZ[l] are (n[l], m); W[l] and dW[l] are (n[l], n[l-1]); b[l], db[l] (n[l], 1).

Where the code departs from the course (all three are about speed; the arithmetic is the
course's):

- The "cache" is a `Workspace`: buffers for Z[l], A[l] and dZ[l] allocated once for a given m
  and reused by every step, instead of fresh arrays and (A_prev, W, b) tuples each iteration.
- Training uses the bias trick: the network keeps each layer as one matrix Wb[l] = [W[l] | b[l]]
  (n[l], n[l-1] + 1), and the Workspace keeps each hidden A[l] with a row of ones under it,
  A_aug[l] = [A[l]; 1] (n[l] + 1, m). Then Z[l] = W[l] A[l-1] + b[l] = Wb[l] A_aug[l-1] is one
  matrix product, and so is [dW[l] | db[l]] = dZ[l] A_aug[l-1]^T, which gives db[l] = Σ_i dZ[l]
  as the product's last column. That halves the NumPy calls of a small network's step (a
  broadcast `Z += b` costs more than the product itself); the sums are the same, only the
  rounding order of db's may differ.
- dZ[l] is ∂J/∂Z[l] of the mean cost, so it carries the 1/m (see `losses.py`).
- Backward stops at dZ[1]: dA[0], the gradient with respect to the input X, is never needed to
  train, and on wide inputs (64×64×3 images) it is the single largest product of the pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import Activation


def linear_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Z = W A_prev + b.  A_prev (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1) -> Z (n[l], m)."""
    Z = W.dot(A_prev, out=out)
    Z += b
    return Z


def linear_backward(
    dZ: np.ndarray,
    A_prev: np.ndarray,
    W: np.ndarray,
    dW: np.ndarray,
    db: np.ndarray,
    dA_prev: np.ndarray | None = None,
) -> np.ndarray | None:
    """Fill dW = dZ A_prev^T and db = Σ_i dZ[:, i] in place; return dA_prev = W^T dZ if asked.

    dZ (n[l], m), A_prev (n[l-1], m), W and dW (n[l], n[l-1]), db (n[l], 1). Pass a buffer
    (n[l-1], m) as `dA_prev` to get the gradient for the layer below; leave it None at layer 1.
    """
    np.dot(dZ, A_prev.T, out=dW)
    np.add.reduce(dZ, axis=1, keepdims=True, out=db)
    if dA_prev is None:
        return None
    return np.dot(W.T, dZ, out=dA_prev)


class Workspace:
    """The forward cache and backward scratch for one batch size m and one dtype.

    Z[i], A[i] and D[i] are (n[i+1], m) for layer l = i + 1. D[i] holds dA[l] and is turned into
    dZ[l] in place, with S[i] as the activation's scratch (hidden layers). For a hidden layer A[i]
    is the top of A_aug[i] (n[l] + 1, m), whose last row is ones (the bias trick, see the
    module's docstring); a linear hidden layer's A is its Z (no copy). X_aug (n_x + 1, m) is an
    input buffer with the same row of ones, for inputs that are copied in (mini-batches) through
    its top, X (n_x, m).

    `stamp` says which pass the cache holds: the forward functions clear it; `Network._cost`
    sets it to (parameters version, X, Y, cost) after a pass it may reuse. Whoever reads the
    buffers of a pass must not write them.
    """

    __slots__ = ("A", "A_aug", "D", "S", "X", "X_aug", "Z", "dW1", "m", "stamp")

    def __init__(
        self,
        layer_dims: Sequence[int],
        activations: Sequence[Activation],
        m: int,
        dtype: type = np.float64,
    ) -> None:
        self.m = m
        L = len(layer_dims) - 1
        self.A_aug = [_with_ones_row(n, m, dtype) for n in layer_dims[1:L]]
        self.A = [A_aug[:-1] for A_aug in self.A_aug] + [np.empty((layer_dims[L], m), dtype)]
        self.Z = [
            A if i < L - 1 and act.name == "linear" else np.empty_like(A)
            for i, (A, act) in enumerate(zip(self.A, activations, strict=True))
        ]
        self.D = [np.empty_like(Z) for Z in self.Z]
        self.S = [np.empty_like(Z) for Z in self.Z[:-1]]
        self.X_aug = _with_ones_row(layer_dims[0], m, dtype)
        self.X = self.X_aug[:-1]
        self.stamp: tuple | None = None
        self.dW1: np.ndarray | None = None
        """dW[1] (n[1], n_x) for a wide input's backward, made on first use."""


def _with_ones_row(n: int, m: int, dtype: type) -> np.ndarray:
    """An (n + 1, m) buffer whose last row is ones."""
    buffer = np.empty((n + 1, m), dtype)
    buffer[-1] = 1.0
    return buffer


class WorkspacePool:
    """Workspaces for one network, one per (m, dtype) asked for, at most `capacity` kept (the
    oldest is dropped first): a training run reuses the same few batch sizes every step."""

    __slots__ = ("activations", "capacity", "layer_dims", "workspaces")

    def __init__(
        self, layer_dims: Sequence[int], activations: Sequence[Activation], capacity: int
    ) -> None:
        self.layer_dims, self.activations, self.capacity = layer_dims, activations, capacity
        self.workspaces: dict[tuple[int, type], Workspace] = {}

    def get(self, m: int, dtype: type = np.float64) -> Workspace:
        """The Workspace for m examples in dtype, made on first use."""
        ws = self.workspaces.get((m, dtype))
        if ws is None:
            if len(self.workspaces) >= self.capacity:
                del self.workspaces[next(iter(self.workspaces))]
            ws = self.workspaces[(m, dtype)] = Workspace(
                self.layer_dims, self.activations, m, dtype
            )
        return ws


def augmented_forward(
    X_aug: np.ndarray,
    Wb: Sequence[np.ndarray],
    activations: Sequence[Activation],
    ws: Workspace,
    wide: bool = False,
) -> np.ndarray:
    """Run LINEAR -> g for the hidden layers and LINEAR for the output; return Z[L] (n_L, m).

    X_aug (n_x + 1, m) is [X; 1]; Wb[l] (n[l], n[l-1] + 1) is [W[l] | b[l]]. After the call
    ws.Z[i] and ws.A[i] hold Z[l], A[l] for the hidden layers l = 1 … L-1 and ws.Z[L-1] holds
    Z[L]; the output activation is applied by the cost (see `losses.py`), which also needs Z[L].

    wide: X_aug is X itself (n_x, m), and layer 1 is W[1] X + b[1]. For wide inputs (images),
    where putting X on a row of ones would copy more than the broadcast `+ b[1]` costs.
    """
    # ndarray.dot, not np.dot: the same product without np.dot's Python-level dispatch
    # (~0.4 µs a call, a tenth of a small network's step over its five products).
    ws.stamp = None
    A_aug, Zs, As, start = X_aug, ws.Z, ws.A, 0
    if wide:
        Z = linear_forward(X_aug, Wb[0][:, :-1], Wb[0][:, -1:], out=Zs[0])
        if len(Wb) == 1:
            return Z
        if As[0] is not Z:
            activations[0].forward(Z, As[0])
        A_aug, start = ws.A_aug[0], 1
    for i in range(start, len(Wb) - 1):
        Z = Wb[i].dot(A_aug, out=Zs[i])
        if As[i] is not Z:
            activations[i].forward(Z, As[i])
        A_aug = ws.A_aug[i]
    return Wb[-1].dot(A_aug, out=Zs[-1])


def augmented_backward(
    X_aug: np.ndarray,
    weights: Sequence[np.ndarray],
    activations: Sequence[Activation],
    ws: Workspace,
    dZ_L: np.ndarray,
    dWb: Sequence[np.ndarray],
    wide: bool = False,
) -> None:
    """Backpropagate dZ[L] (n_L, m) through the cache of `augmented_forward`; fill dWb[l].

    weights: W[l] (n[l], n[l-1]) (the left part of Wb[l]); dWb[l] (n[l], n[l-1] + 1) receives
    [dW[l] | db[l]]. For l = L … 1: [dW[l] | db[l]] = dZ[l] A_aug[l-1]^T; then
    dA[l-1] = W[l]^T dZ[l] and dZ[l-1] = dA[l-1] * g'(Z[l-1]), in place in ws.D.
    wide: as for `augmented_forward` (X_aug is X): then dW[1] = dZ[1] X^T, db[1] = Σ_i dZ[1].
    """
    dZ = dZ_L
    for i in range(len(weights) - 1, 0, -1):
        dZ.dot(ws.A_aug[i - 1].T, out=dWb[i])
        dA_prev = weights[i].T.dot(dZ, out=ws.D[i - 1])
        dZ = activations[i - 1].backward(dA_prev, ws.Z[i - 1], ws.A[i - 1], ws.S[i - 1])
    if not wide:
        dZ.dot(X_aug.T, out=dWb[0])
        return
    if ws.dW1 is None:
        ws.dW1 = np.empty((dZ.shape[0], X_aug.shape[0]), dZ.dtype)
    dWb[0][:, :-1] = dZ.dot(X_aug.T, out=ws.dW1)  # a product writes only into a C array
    np.add.reduce(dZ, axis=1, keepdims=True, out=dWb[0][:, -1:])


def model_forward(
    X: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activations: Sequence[Activation],
    ws: Workspace,
) -> np.ndarray:
    """`augmented_forward` for separate W[l] (n[l], n[l-1]) and b[l] (n[l], 1), e.g. float32
    copies for a picture; X is (n_x, m). Returns Z[L] (n_L, m), leaving the cache in ws."""
    ws.stamp = None
    A = X
    last = len(weights) - 1
    for i, (W, b, act) in enumerate(zip(weights, biases, activations, strict=True)):
        Z = linear_forward(A, W, b, out=ws.Z[i])
        if i == last:
            return Z
        A = Z if ws.A[i] is Z else act.forward(Z, ws.A[i])
    raise AssertionError("a network has at least one layer")
