"""Backpropagation against two-sided finite differences, across every activation and cost."""

import zlib

import numpy as np
import pytest

from engine import HIDDEN_ACTIVATIONS, Network, gradient_check
from engine import activations as activations_module

OUTPUTS = {
    "sigmoid": lambda rng, n, m: (rng.random((n, m)) > 0.5).astype(float),
    "softmax": lambda rng, n, m: rng.integers(0, n, (1, m)),
    "linear": lambda rng, n, m: rng.standard_normal((n, m)),
    "tanh": lambda rng, n, m: rng.uniform(-0.9, 0.9, (n, m)),
}


def _random_architecture(rng, hidden_activation, output):
    depth = int(rng.integers(1, 4))
    n_out = int(rng.integers(2, 4)) if output == "softmax" else int(rng.integers(1, 3))
    dims = [int(rng.integers(1, 5))] + [int(rng.integers(2, 6)) for _ in range(depth)] + [n_out]
    return dims, [hidden_activation] * depth + [output]


@pytest.mark.parametrize("l2", [0.0, 0.5])
@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_backprop_matches_finite_differences(hidden, output, l2):
    rng = np.random.default_rng(zlib.crc32(f"{hidden}-{output}-{l2}".encode()))
    for trial in range(2):
        dims, acts = _random_architecture(rng, hidden, output)
        net = Network(dims, acts, init="xavier", seed=trial)
        # Non-zero biases: with all-zero biases a layer of dead ReLUs feeds the next layer
        # Z = 0 exactly, a kink where a two-sided difference is not the derivative.
        params = net.parameters
        for l in range(1, len(dims)):
            params[f"b{l}"] = rng.uniform(0.1, 0.5, (dims[l], 1))
        net.set_parameters(params)
        m = 7
        X = rng.standard_normal((dims[0], m))
        Y = OUTPUTS[output](rng, dims[-1], m)
        check = gradient_check(net, X, Y, l2=l2)
        assert check.difference < 1e-7, (dims, acts, check.difference)


@pytest.mark.parametrize("l2", [0.0, 0.5])
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_l1_subgradient_matches_finite_differences_away_from_zero(hidden, output, l2):
    rng = np.random.default_rng(zlib.crc32(f"l1-{hidden}-{output}-{l2}".encode()))
    dims, acts = _random_architecture(rng, hidden, output)
    net = Network(dims, acts, init="xavier", seed=4)
    params = net.parameters
    for l in range(1, len(dims)):
        # every weight at least 0.1 from 0: |w| is smooth there, far beyond ε = 1e-7
        W = params[f"W{l}"]
        params[f"W{l}"] = np.sign(W + (W == 0)) * (0.1 + np.abs(W))
        params[f"b{l}"] = rng.uniform(0.1, 0.5, (dims[l], 1))
    net.set_parameters(params)
    X = rng.standard_normal((dims[0], 7))
    Y = OUTPUTS[output](rng, dims[-1], 7)
    check = gradient_check(net, X, Y, l2=l2, l1=0.8)
    assert check.difference < 1e-7, (dims, acts, check.difference)
    without = gradient_check(net, X, Y, l2=l2)  # the penalty moved the gradient, it was checked
    assert np.abs(check.grad - without.grad).max() > 0.01


def test_gradient_check_restores_parameters(rng):
    net = Network([3, 4, 1], ["relu", "sigmoid"], init="he", seed=2)
    before = net.parameters
    gradient_check(net, rng.standard_normal((3, 5)), np.ones((1, 5)))
    after = net.parameters
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_gradient_check_catches_a_wrong_derivative(monkeypatch, rng):
    """The check must be able to fail: break tanh's backward and it must say so."""
    tanh = activations_module.ACTIVATIONS["tanh"]

    def wrong_backward(dA, Z, A, scratch=None):
        dA *= 1.0 - A  # should be 1 - A²
        return dA

    monkeypatch.setitem(
        activations_module.ACTIVATIONS,
        "tanh",
        activations_module.Activation(
            "tanh", "Tanh", tanh.forward, tanh.derivative, wrong_backward, saturating=True
        ),
    )
    net = Network([2, 5, 1], ["tanh", "sigmoid"], init="xavier", seed=0)
    X = rng.standard_normal((2, 9))
    Y = (rng.random((1, 9)) > 0.5).astype(float)
    assert gradient_check(net, X, Y).difference > 1e-3


def test_gradient_check_leaves_a_training_run_as_it_was(rng):
    """Checking mid-run changes nothing the next update depends on (θ, the optimizer's state,
    the iteration count): the run goes on exactly as the one that was not checked."""
    X = rng.standard_normal((3, 8))
    Y = (rng.random((1, 8)) > 0.5).astype(float)
    checked, plain = (Network([3, 4, 1], ["tanh", "sigmoid"], init="xavier", seed=6) for _ in "ab")
    for net in (checked, plain):
        for _ in range(3):
            net.step(X, Y, learning_rate=0.3, optimizer="adam")
    gradient_check(checked, X, Y, l2=0.2)
    assert checked.iterations == plain.iterations == 3
    for net in (checked, plain):
        net.step(X, Y, learning_rate=0.3, optimizer="adam")
    np.testing.assert_array_equal(checked.flat_parameters(), plain.flat_parameters())
