"""Tests for engine.tracing: one example's forward pass against a naive pass written here, its
dW and db shares against the batch gradient (the shares of a batch add up to it) and its
per-example dz against finite differences of the loss of that example alone."""

import numpy as np
import pytest

from engine.network import Network
from tests.engine.naive import G as HIDDEN_G
from tests.engine.naive import softmax

G = {**HIDDEN_G, "softmax": softmax}

CASES = [  # (layer_dims, activations, labels of a batch of 7: (n_L, 7) or class indices)
    ([2, 4, 1], ["tanh", "sigmoid"], "binary"),
    ([3, 5, 3, 1], ["relu", "leaky_relu", "sigmoid"], "binary"),
    ([2, 6, 4], ["tanh", "softmax"], "multiclass"),
    ([2, 3, 2], ["linear", "linear"], "regression"),
    ([2, 1], ["sigmoid"], "binary"),
]


def _network(layer_dims, activations, seed=0):
    net = Network(layer_dims, activations, seed=seed)
    rng = np.random.default_rng(seed)
    net.set_parameters({k: rng.normal(size=v.shape) for k, v in net.parameters.items()})
    return net


def _batch(layer_dims, task, m=7, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(layer_dims[0], m))
    n_L = layer_dims[-1]
    if task == "binary":
        Y = (rng.random((n_L, m)) > 0.5).astype(float)
    elif task == "multiclass":
        Y = np.eye(n_L)[:, rng.integers(0, n_L, m)]
    else:
        Y = rng.normal(size=(n_L, m))
    return X, Y


@pytest.mark.parametrize(("layer_dims", "activations", "task"), CASES)
def test_forward_matches_a_naive_pass(layer_dims, activations, task):
    net = _network(layer_dims, activations)
    X, Y = _batch(layer_dims, task)
    params = net.parameters
    for i in range(X.shape[1]):
        x = X[:, i : i + 1]
        trace = net.trace_example(x, Y[:, i : i + 1])
        a = x
        for l, g in enumerate(activations, start=1):
            z = params[f"W{l}"] @ a + params[f"b{l}"]
            a = G[g](z)
            np.testing.assert_allclose(trace.Z[l - 1], z, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(trace.A[l - 1], a, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(trace.y_hat, net.forward(x), rtol=1e-12, atol=1e-14)
        # The loss of one example is the cost of a batch of one.
        assert trace.loss == pytest.approx(net.cost(x, Y[:, i : i + 1]), rel=1e-12)


@pytest.mark.parametrize(("layer_dims", "activations", "task"), CASES)
def test_shares_of_a_batch_add_up_to_its_gradient(layer_dims, activations, task):
    net = _network(layer_dims, activations)
    X, Y = _batch(layer_dims, task)
    m = X.shape[1]
    grads = net.gradients(X, Y)
    traces = [net.trace_example(X[:, i : i + 1], Y[:, i : i + 1], m=m) for i in range(m)]
    for l in range(1, len(layer_dims)):
        dW = sum(t.dW[l - 1] for t in traces)
        db = sum(t.db[l - 1] for t in traces)
        np.testing.assert_allclose(dW, grads[f"dW{l}"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(db, grads[f"db{l}"], rtol=1e-10, atol=1e-12)
        for t in traces:  # the share is (1/m) dz a_prevᵀ, in the course's notation
            a_prev = t.x if l == 1 else t.A[l - 2]
            np.testing.assert_allclose(t.dW[l - 1], t.dZ[l - 1] @ a_prev.T / m, rtol=1e-12)


@pytest.mark.parametrize(("layer_dims", "activations", "task"), CASES)
def test_dz_matches_finite_differences_of_the_example_loss(layer_dims, activations, task):
    net = _network(layer_dims, activations, seed=4)
    X, Y = _batch(layer_dims, task, m=1, seed=5)
    trace = net.trace_example(X, Y)
    params = net.parameters
    eps = 1e-6
    for l in range(1, len(layer_dims)):
        # dL/db[l] = dz[l] for one example: perturb each bias, take the cost of that example.
        for k in range(layer_dims[l]):
            costs = []
            for sign in (1, -1):
                p = {key: v.copy() for key, v in params.items()}
                p[f"b{l}"][k, 0] += sign * eps
                net.set_parameters(p)
                costs.append(net.cost(X, Y))
            numeric = (costs[0] - costs[1]) / (2 * eps)
            assert trace.dZ[l - 1][k, 0] == pytest.approx(numeric, rel=1e-5, abs=1e-8)
    net.set_parameters(params)


def test_without_a_label_only_the_forward_pass():
    net = _network([2, 3, 1], ["tanh", "sigmoid"])
    trace = net.trace_example(np.array([[0.5], [-1.0]]))
    assert trace.loss is None and trace.dZ is None and trace.dW is None and trace.y is None
    np.testing.assert_allclose(trace.y_hat, net.forward(np.array([[0.5], [-1.0]])))


def test_softmax_takes_a_class_label():
    net = _network([2, 4, 3], ["relu", "softmax"])
    x = np.array([[0.3], [0.2]])
    by_index = net.trace_example(x, np.array([[2]]))
    one_hot = net.trace_example(x, np.array([[0.0], [0.0], [1.0]]))
    assert by_index.loss == one_hot.loss
    assert by_index.loss == pytest.approx(-np.log(by_index.y_hat[2, 0]))


def test_the_network_is_not_changed():
    net = _network([2, 4, 1], ["tanh", "sigmoid"])
    before = net.parameters
    net.trace_example(np.array([[1.0], [2.0]]), np.array([[1.0]]), m=10)
    for key, value in net.parameters.items():
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize(
    ("x", "m", "message"),
    [
        (np.zeros((2, 2)), 1, "one example"),
        (np.zeros((3, 1)), 1, "x"),
        (np.zeros((2, 1)), 0, "m must be"),
        (np.zeros((2, 1)), True, "m must be"),
    ],
)
def test_bad_arguments_are_refused(x, m, message):
    net = _network([2, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match=message):
        net.trace_example(x, None, m=m)
