"""Tests for engine.optimization: each update rule against a hand-written reference of the
course's formula, and through Network.step: state kept or reset, and the cost going down."""

import numpy as np
import pytest

from engine.network import Network
from engine.optimization import (
    OPTIMIZERS,
    Adam,
    GradientDescent,
    Hyperparameters,
    Momentum,
    make_optimizer,
)

# Non-default values, so a swapped or ignored hyperparameter shows.
HP = Hyperparameters(learning_rate=0.05, beta=0.8, beta1=0.7, beta2=0.95, epsilon=1e-4)
SIZE = 6
LEARNING_RATES = {"gd": 0.5, "momentum": 0.5, "adam": 0.02}


def _gradients(seed=0, scale=1e-4):
    """Two gradients small enough that ε = 1e-4 matters (inside or outside the √ differs)."""
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale, size=SIZE), rng.normal(scale=scale, size=SIZE)


def _course_adam(gradients, hp):
    """The course's Adam, step by step; returns the last Δθ."""
    v = np.zeros(SIZE)
    s = np.zeros(SIZE)
    for t, g in enumerate(gradients, start=1):
        v = hp.beta1 * v + (1 - hp.beta1) * g
        s = hp.beta2 * s + (1 - hp.beta2) * g**2
        v_hat = v / (1 - hp.beta1**t)
        s_hat = s / (1 - hp.beta2**t)
        delta = hp.learning_rate * v_hat / (np.sqrt(s_hat) + hp.epsilon)
    return delta


def test_registry_holds_gd_momentum_and_adam():
    assert {"gd": GradientDescent, "momentum": Momentum, "adam": Adam} == OPTIMIZERS
    assert set(LEARNING_RATES) == set(OPTIMIZERS)


def test_gradient_descent_step_is_alpha_times_gradient():
    g, _ = _gradients(scale=1.0)
    g_before = g.copy()
    delta = GradientDescent(SIZE).delta(g, HP)
    np.testing.assert_array_equal(delta, HP.learning_rate * g_before)
    np.testing.assert_array_equal(g, g_before)


def test_momentum_after_two_steps_equals_the_hand_computed_average():
    g1, g2 = _gradients(scale=1.0)
    opt = Momentum(SIZE)
    opt.delta(g1, HP)
    delta = opt.delta(g2, HP)

    v1 = (1 - HP.beta) * g1
    v2 = HP.beta * v1 + (1 - HP.beta) * g2
    np.testing.assert_allclose(opt.v, v2, rtol=1e-14)
    np.testing.assert_allclose(delta, HP.learning_rate * v2, rtol=1e-14)


def test_adam_after_two_steps_equals_the_course_reference():
    g1, g2 = _gradients()
    opt = Adam(SIZE)
    first = opt.delta(g1, HP).copy()
    second = opt.delta(g2, HP)

    assert opt.t == 2
    np.testing.assert_allclose(first, _course_adam([g1], HP), rtol=1e-12)
    np.testing.assert_allclose(second, _course_adam([g1, g2], HP), rtol=1e-12)
    np.testing.assert_allclose(opt.v, 0.7 * 0.3 * g1 + 0.3 * g2, rtol=1e-14)
    np.testing.assert_allclose(opt.s, 0.95 * 0.05 * g1**2 + 0.05 * g2**2, rtol=1e-14)


def test_adam_adds_epsilon_outside_the_square_root():
    g1, g2 = _gradients()
    opt = Adam(SIZE)
    opt.delta(g1, HP)
    result = opt.delta(g2, HP)
    # The same rule with ε under the root: differs at this gradient scale, so the test can tell.
    v = 0.7 * 0.3 * g1 + 0.3 * g2
    s = 0.95 * 0.05 * g1**2 + 0.05 * g2**2
    inside = HP.learning_rate * (v / (1 - 0.7**2)) / np.sqrt(s / (1 - 0.95**2) + HP.epsilon)
    assert not np.allclose(result, inside, rtol=1e-3)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_make_optimizer_gives_a_fresh_rule_of_that_name(name):
    opt = make_optimizer(name, SIZE)
    assert isinstance(opt, OPTIMIZERS[name])
    assert opt.name == name
    for state in ("v", "s"):
        if hasattr(opt, state):
            np.testing.assert_array_equal(getattr(opt, state), np.zeros(SIZE))


@pytest.mark.parametrize("bad", ["nope", "Adam", ["gd"]], ids=["unknown", "case", "unhashable"])
def test_make_optimizer_rejects_unknown_names_listing_the_allowed_ones(bad):
    with pytest.raises(ValueError, match="unknown optimizer") as info:
        make_optimizer(bad, SIZE)
    for name in OPTIMIZERS:
        assert name in str(info.value)


# --- through Network.step -----------------------------------------------------------------------


def _problem(seed=0, m=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, m))
    Y = (X[0:1] + 0.5 * X[1:2] > 0).astype(float)
    return X, Y


def _net(seed=1):
    return Network([2, 3, 1], ["tanh", "sigmoid"], init="xavier", seed=seed)


def _flat(params):
    return np.concatenate([params[k].ravel() for k in sorted(params)])


def _flat_gradients(net, X, Y):
    grads = net.gradients(X, Y)
    return np.concatenate([grads["d" + k].ravel() for k in sorted(net.parameters)])


def _applied_delta(net, X, Y, **step):
    before = _flat(net.parameters)
    net.step(X, Y, **step)
    return before - _flat(net.parameters)


def test_network_step_applies_the_gradient_descent_update():
    net = _net()
    X, Y = _problem()
    g = _flat_gradients(net, X, Y)
    delta = _applied_delta(net, X, Y, learning_rate=0.3)
    np.testing.assert_allclose(delta, 0.3 * g, rtol=1e-10, atol=1e-15)


def test_changing_the_learning_rate_keeps_the_momentum_state():
    net = _net()
    X, Y = _problem()
    g1 = _flat_gradients(net, X, Y)
    net.step(X, Y, learning_rate=0.3, optimizer="momentum")
    g2 = _flat_gradients(net, X, Y)

    delta = _applied_delta(net, X, Y, learning_rate=0.1, optimizer="momentum")

    v2 = 0.9 * (0.1 * g1) + 0.1 * g2
    np.testing.assert_allclose(delta, 0.1 * v2, rtol=1e-9, atol=1e-15)


def test_changing_the_optimizer_starts_the_new_rule_from_zero_state():
    net = _net()
    X, Y = _problem()
    for _ in range(3):
        net.step(X, Y, learning_rate=0.3, optimizer="momentum")
    net.step(X, Y, learning_rate=0.3, optimizer="gd")
    g = _flat_gradients(net, X, Y)

    delta = _applied_delta(net, X, Y, learning_rate=0.3, optimizer="momentum")

    # Fresh momentum: v = (1 - β) g, not β v_old + (1 - β) g.
    np.testing.assert_allclose(delta, 0.3 * 0.1 * g, rtol=1e-9, atol=1e-15)


def test_switching_back_to_adam_restarts_its_bias_correction():
    net = _net()
    X, Y = _problem()
    for _ in range(5):
        net.step(X, Y, learning_rate=0.01, optimizer="adam")
    net.step(X, Y, learning_rate=0.01, optimizer="gd")
    g = _flat_gradients(net, X, Y)

    delta = _applied_delta(net, X, Y, learning_rate=0.01, optimizer="adam")

    # First Adam step: v̂ = g, ŝ = g², so Δθ = α g / (|g| + ε).
    np.testing.assert_allclose(delta, 0.01 * g / (np.abs(g) + 1e-8), rtol=1e-9, atol=1e-15)


def test_unknown_optimizer_in_step_raises_and_leaves_the_parameters():
    net = _net()
    X, Y = _problem()
    before = _flat(net.parameters)
    with pytest.raises(ValueError, match="unknown optimizer"):
        net.step(X, Y, learning_rate=0.1, optimizer="nope")
    np.testing.assert_array_equal(_flat(net.parameters), before)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_reduces_the_cost_on_a_separable_problem(name):
    net = _net(seed=2)
    X, Y = _problem(seed=3)
    costs = [net.step(X, Y, learning_rate=LEARNING_RATES[name], optimizer=name) for _ in range(200)]
    final = net.cost(X, Y)
    assert all(np.isfinite(costs))
    assert final < 0.5 * costs[0]
    assert final < 0.3
