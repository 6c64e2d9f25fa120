"""Tests for engine.propagation: the Workspace-based forward and backward passes against a naive
course-style loop that allocates fresh arrays and uses textbook formulas."""

import itertools

import numpy as np
import pytest

from engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from engine.propagation import (
    Workspace,
    WorkspacePool,
    augmented_backward,
    augmented_forward,
    linear_backward,
    linear_forward,
    model_forward,
)
from tests.engine.naive import G

# g′ written independently of the engine, for the naive reference passes (g: tests/engine/naive.py).
G_PRIME = {
    "sigmoid": lambda Z: G["sigmoid"](Z) * (1.0 - G["sigmoid"](Z)),
    "tanh": lambda Z: 1.0 - np.tanh(Z) ** 2,
    "relu": lambda Z: (Z > 0).astype(float),
    "leaky_relu": lambda Z: np.where(Z > 0, 1.0, 0.01),
    "linear": np.ones_like,
}
LAYER_DIMS = [3, 5, 4, 2]
M = 7


def _parameters(layer_dims, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(n, n_prev)) for n_prev, n in itertools.pairwise(layer_dims)]
    biases = [rng.normal(size=(n, 1)) for n in layer_dims[1:]]
    return weights, biases


def _augmented(X, weights, biases):
    """[X; 1] and Wb[l] = [W[l] | b[l]], as new arrays."""
    return np.vstack([X, np.ones((1, X.shape[1]))]), [
        np.hstack([W, b]) for W, b in zip(weights, biases, strict=True)
    ]


def _naive_forward(X, weights, biases, names):
    """Course loop: Z = W A + b, A = g(Z) for hidden layers; returns Zs, As (hidden) and Z[L]."""
    Zs, As = [], []
    A = X
    for W, b, name in zip(weights[:-1], biases[:-1], names[:-1], strict=True):
        Z = W @ A + b
        A = G[name](Z)
        Zs.append(Z)
        As.append(A)
    return Zs, As, weights[-1] @ A + biases[-1]


def test_every_hidden_activation_has_a_reference_formula():
    assert set(G) == set(HIDDEN_ACTIVATIONS)
    assert set(G_PRIME) == set(HIDDEN_ACTIVATIONS)


def test_linear_forward_is_W_A_prev_plus_b():
    rng = np.random.default_rng(1)
    A_prev, W, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    expected = np.array(
        [
            [sum(W[i, k] * A_prev[k, j] for k in range(3)) + b[i, 0] for j in range(4)]
            for i in range(2)
        ]
    )
    np.testing.assert_allclose(linear_forward(A_prev, W, b), expected, rtol=1e-13)
    out = np.empty((2, 4))
    assert linear_forward(A_prev, W, b, out=out) is out
    np.testing.assert_allclose(out, expected, rtol=1e-13)


@pytest.mark.parametrize("augmented", [False, True], ids=["W_and_b", "bias_trick"])
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_forward_passes_match_a_naive_loop(hidden, augmented):
    names = [hidden, hidden, "sigmoid"]
    weights, biases = _parameters(LAYER_DIMS)
    X = np.random.default_rng(2).normal(size=(LAYER_DIMS[0], M))
    ws = Workspace(LAYER_DIMS, [ACTIVATIONS[n] for n in names], M)
    ws.stamp = ("a pass", "that is", "no longer", "there")

    acts = [ACTIVATIONS[n] for n in names]
    if augmented:
        Z_L = augmented_forward(*_augmented(X, weights, biases), acts, ws)
    else:
        Z_L = model_forward(X, weights, biases, acts, ws)

    assert ws.stamp is None  # a forward pass voids what the cache held
    Zs, As, Z_L_expected = _naive_forward(X, weights, biases, names)
    assert Z_L is ws.Z[-1]
    assert Z_L.shape == (LAYER_DIMS[-1], M)
    np.testing.assert_allclose(Z_L, Z_L_expected, rtol=1e-12, atol=1e-13)
    for l in range(len(LAYER_DIMS) - 2):
        np.testing.assert_allclose(ws.Z[l], Zs[l], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(ws.A[l], As[l], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_augmented_backward_matches_naive_course_backpropagation(hidden):
    names = [hidden, "tanh", "sigmoid"]
    acts = [ACTIVATIONS[n] for n in names]
    weights, biases = _parameters(LAYER_DIMS, seed=3)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(LAYER_DIMS[0], M))
    Y = rng.integers(0, 2, size=(LAYER_DIMS[-1], M)).astype(float)

    # Naive: dZ[L] = (A[L] - Y)/m, then dW = dZ A_prev^T, db = Σ dZ, dZ_prev = W^T dZ * g'(Z_prev).
    Zs, As, Z_L = _naive_forward(X, weights, biases, names)
    dZ = (G["sigmoid"](Z_L) - Y) / M
    expected_dW, expected_db = [], []
    for l in range(len(weights) - 1, -1, -1):
        A_prev = As[l - 1] if l > 0 else X
        expected_dW.insert(0, dZ @ A_prev.T)
        expected_db.insert(0, dZ.sum(axis=1, keepdims=True))
        if l > 0:
            dZ = (weights[l].T @ dZ) * G_PRIME[names[l - 1]](Zs[l - 1])

    ws = Workspace(LAYER_DIMS, acts, M)
    X_aug, Wb = _augmented(X, weights, biases)
    augmented_forward(X_aug, Wb, acts, ws)
    dZ_L = ws.D[-1]
    dZ_L[...] = (G["sigmoid"](ws.Z[-1]) - Y) / M
    dWb = [np.full_like(block, np.nan) for block in Wb]
    augmented_backward(X_aug, [block[:, :-1] for block in Wb], acts, ws, dZ_L, dWb)

    for l in range(len(weights)):
        np.testing.assert_allclose(dWb[l][:, :-1], expected_dW[l], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(dWb[l][:, -1:], expected_db[l], rtol=1e-10, atol=1e-14)


def test_linear_backward_gives_the_course_gradients():
    rng = np.random.default_rng(5)
    n, n_prev, m = 3, 4, 6
    dZ, A_prev, W = (
        rng.normal(size=(n, m)),
        rng.normal(size=(n_prev, m)),
        rng.normal(size=(n, n_prev)),
    )
    dW, db, dA_prev = np.empty((n, n_prev)), np.empty((n, 1)), np.empty((n_prev, m))

    result = linear_backward(dZ, A_prev, W, dW, db, dA_prev)

    expected_dW = np.array(
        [[sum(dZ[i, j] * A_prev[k, j] for j in range(m)) for k in range(n_prev)] for i in range(n)]
    )
    np.testing.assert_allclose(dW, expected_dW, rtol=1e-12)
    np.testing.assert_allclose(db[:, 0], [sum(dZ[i]) for i in range(n)], rtol=1e-12)
    assert result is dA_prev
    np.testing.assert_allclose(dA_prev, W.T @ dZ, rtol=1e-12)


def test_linear_backward_returns_none_without_a_dA_prev_buffer():
    rng = np.random.default_rng(6)
    dZ, A_prev, W = rng.normal(size=(2, 5)), rng.normal(size=(3, 5)), rng.normal(size=(2, 3))
    dW, db = np.empty((2, 3)), np.empty((2, 1))
    assert linear_backward(dZ, A_prev, W, dW, db) is None
    np.testing.assert_allclose(dW, dZ @ A_prev.T, rtol=1e-12)
    np.testing.assert_allclose(db, dZ.sum(axis=1, keepdims=True), rtol=1e-12)


def test_workspace_has_course_shapes_for_its_batch_size_and_dtype():
    acts = [ACTIVATIONS[n] for n in ("relu", "tanh", "softmax")]
    ws = Workspace(LAYER_DIMS, acts, 9, np.float32)
    assert ws.m == 9
    for buffers in (ws.Z, ws.A, ws.D):
        assert [a.shape for a in buffers] == [(5, 9), (4, 9), (2, 9)]
        assert all(a.dtype == np.float32 for a in buffers)
        assert all(a.flags.c_contiguous for a in buffers)  # what np.dot(out=) needs
    # Hidden A[l] sit on a row of ones (the bias trick), and so does the input buffer.
    assert [a.shape for a in ws.A_aug] == [(6, 9), (5, 9)]
    for A_aug, A in zip(ws.A_aug, ws.A, strict=False):
        assert np.shares_memory(A_aug, A) and A_aug[:-1].ctypes.data == A.ctypes.data
        np.testing.assert_array_equal(A_aug[-1], np.ones(9, np.float32))
    assert ws.X_aug.shape == (4, 9)
    np.testing.assert_array_equal(ws.X_aug[-1], np.ones(9, np.float32))
    assert ws.stamp is None


def test_workspace_aliases_A_to_Z_for_a_linear_hidden_layer_only():
    acts = [ACTIVATIONS[n] for n in ("linear", "tanh", "linear")]
    ws = Workspace(LAYER_DIMS, acts, 4)
    assert ws.A[0] is ws.Z[0]  # linear hidden layer: A[1] = Z[1], no copy
    assert ws.A[1] is not ws.Z[1]
    # The output's A is written by the cost from Z[L], so it must be its own buffer.
    assert ws.A[2] is not ws.Z[2]
    assert not np.shares_memory(ws.A[2], ws.Z[2])


def test_workspace_pool_keeps_one_workspace_per_batch_size_and_drops_the_oldest():
    acts = [ACTIVATIONS[n] for n in ("relu", "tanh", "softmax")]
    pool = WorkspacePool(LAYER_DIMS, acts, capacity=2)
    first = pool.get(9)
    assert pool.get(9) is first and pool.get(9, np.float32) is not first
    assert pool.get(9, np.float32).Z[0].dtype == np.float32
    pool.get(3)  # a third: the oldest (9, float64) goes
    assert pool.get(9) is not first
    assert len(pool.workspaces) == 2
