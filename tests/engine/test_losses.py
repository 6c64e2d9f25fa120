"""Tests for engine.losses: each cost against the course's formula, each dZ against central
finite differences of J with respect to Z, and the saturated sigmoid that must stay finite."""

import numpy as np
import pytest

from engine.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from engine.losses import LOSSES, loss_for

BCE = LOSSES["binary_cross_entropy"]
CCE = LOSSES["categorical_cross_entropy"]
MSE = LOSSES["mean_squared_error"]

EXPECTED_LOSS = {
    "sigmoid": "binary_cross_entropy",
    "softmax": "categorical_cross_entropy",
    "tanh": "mean_squared_error",
    "relu": "mean_squared_error",
    "leaky_relu": "mean_squared_error",
    "linear": "mean_squared_error",
}


def _sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def _softmax(Z):
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)


def _evaluate(loss, Z, Y, activation, gradients=True):
    """(J, A, dZ) from fresh buffers."""
    A = np.full_like(Z, np.nan)
    dZ = np.full_like(Z, np.nan) if gradients else None
    J = loss.evaluate(Z, Y, ACTIVATIONS[activation], A, dZ)
    return J, A, dZ


def _problem(activation, n=3, m=5, seed=0):
    """Z (n, m) away from rectifier kinks, and labels Y suited to the output's task."""
    rng = np.random.default_rng(seed)
    Z = rng.choice([-1.0, 1.0], size=(n, m)) * rng.uniform(0.2, 2.5, size=(n, m))
    task = loss_for(activation).task
    if task == "binary":
        Y = rng.uniform(0.0, 1.0, size=(n, m))  # soft labels are labels too
    elif task == "multiclass":
        Y = np.eye(n)[:, rng.integers(0, n, size=m)]
    else:
        Y = rng.normal(size=(n, m))
    return Z, Y


# --- the activation -> cost pairing -------------------------------------------------------------


def test_every_output_activation_has_an_expected_loss():
    assert set(EXPECTED_LOSS) == set(OUTPUT_ACTIVATIONS)


@pytest.mark.parametrize("activation", list(EXPECTED_LOSS))
def test_loss_for_pairs_the_output_activation_with_the_course_cost(activation):
    assert loss_for(activation) is LOSSES[EXPECTED_LOSS[activation]]


def test_losses_name_their_task():
    assert (BCE.task, CCE.task, MSE.task) == ("binary", "multiclass", "regression")
    assert all(name == loss.name for name, loss in LOSSES.items())


# --- every loss: dZ is the gradient of J --------------------------------------------------------


@pytest.mark.parametrize("activation", list(OUTPUT_ACTIVATIONS))
def test_dZ_matches_central_finite_differences_of_J(activation):
    loss = loss_for(activation)
    Z, Y = _problem(activation)
    _, _, dZ = _evaluate(loss, Z, Y, activation)

    h = 1e-6
    numeric = np.empty_like(Z)
    for index in np.ndindex(Z.shape):
        Z_plus, Z_minus = Z.copy(), Z.copy()
        Z_plus[index] += h
        Z_minus[index] -= h
        J_plus = _evaluate(loss, Z_plus, Y, activation, gradients=False)[0]
        J_minus = _evaluate(loss, Z_minus, Y, activation, gradients=False)[0]
        numeric[index] = (J_plus - J_minus) / (2 * h)

    np.testing.assert_allclose(dZ, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("activation", list(OUTPUT_ACTIVATIONS))
def test_evaluate_leaves_Z_alone_and_gives_the_same_J_without_gradients(activation):
    loss = loss_for(activation)
    Z, Y = _problem(activation, seed=1)
    Z_before = Z.copy()
    J, A, _ = _evaluate(loss, Z, Y, activation)
    J_only, A_only, _ = _evaluate(loss, Z, Y, activation, gradients=False)
    np.testing.assert_array_equal(Z, Z_before)
    assert J_only == J
    np.testing.assert_array_equal(A_only, A)


@pytest.mark.parametrize("activation", list(OUTPUT_ACTIVATIONS))
def test_A_buffer_receives_the_output_activation(activation):
    Z, Y = _problem(activation, seed=2)
    _, A, _ = _evaluate(loss_for(activation), Z, Y, activation)
    expected = ACTIVATIONS[activation].forward(Z, None)
    np.testing.assert_allclose(A, expected, rtol=1e-13, atol=1e-15)


# --- binary cross-entropy -----------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 7), (2, 5)])
def test_binary_cross_entropy_equals_the_course_formula(shape):
    rng = np.random.default_rng(4)
    Z = rng.uniform(-4.0, 4.0, size=shape)
    Y = rng.integers(0, 2, size=shape).astype(float)
    m = shape[1]
    a = _sigmoid(Z)
    expected = -np.sum(Y * np.log(a) + (1 - Y) * np.log(1 - a)) / m

    J, A, dZ = _evaluate(BCE, Z, Y, "sigmoid")

    assert pytest.approx(expected, rel=1e-12) == J
    np.testing.assert_allclose(A, a, rtol=1e-13)
    np.testing.assert_allclose(dZ, (a - Y) / m, rtol=1e-12, atol=1e-16)


def test_binary_cross_entropy_of_a_saturated_wrong_output_is_large_and_finite():
    # Two examples confidently wrong by |z| = 800 (a == 1.0 or 0.0 exactly in float64),
    # one moderate example right.
    Z = np.array([[800.0, -800.0, 2.0]])
    Y = np.array([[0.0, 1.0, 1.0]])
    m = 3

    J, A, dZ = _evaluate(BCE, Z, Y, "sigmoid")

    assert np.isfinite(J)
    assert pytest.approx((800.0 + 800.0 + np.log1p(np.exp(-2.0))) / m, rel=1e-12) == J
    np.testing.assert_array_equal(A[0, :2], [1.0, 0.0])
    assert np.all(np.isfinite(dZ))
    np.testing.assert_allclose(dZ, (A - Y) / m, rtol=1e-14)
    np.testing.assert_allclose(dZ[0, :2], [1 / 3, -1 / 3], rtol=1e-14)


def test_binary_cross_entropy_of_a_saturated_right_output_is_zero():
    Z = np.array([[800.0, -800.0]])
    Y = np.array([[1.0, 0.0]])
    J, _, dZ = _evaluate(BCE, Z, Y, "sigmoid")
    assert J == 0.0
    np.testing.assert_array_equal(dZ, [[0.0, 0.0]])


# --- categorical cross-entropy ------------------------------------------------------------------


def test_categorical_cross_entropy_equals_minus_mean_y_log_softmax():
    rng = np.random.default_rng(5)
    C, m = 4, 6
    Z = rng.normal(scale=2.0, size=(C, m))
    Y = np.eye(C)[:, rng.integers(0, C, size=m)]
    a = _softmax(Z)
    expected = -np.sum(Y * np.log(a)) / m

    J, A, dZ = _evaluate(CCE, Z, Y, "softmax")

    assert pytest.approx(expected, rel=1e-12) == J
    np.testing.assert_allclose(A, a, rtol=1e-13)
    np.testing.assert_allclose(dZ, (a - Y) / m, rtol=1e-12, atol=1e-16)


def test_categorical_cross_entropy_of_a_saturated_wrong_output_is_large_and_finite():
    Z = np.array([[1000.0, 0.0], [0.0, 0.0]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])  # column 0 is confidently wrong
    J, A, dZ = _evaluate(CCE, Z, Y, "softmax")
    assert pytest.approx((1000.0 + np.log(2.0)) / 2, rel=1e-12) == J
    np.testing.assert_array_equal(A[:, 0], [1.0, 0.0])
    assert np.all(np.isfinite(dZ))


# --- mean squared error -------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_mean_squared_error_equals_mean_of_squared_differences(activation):
    rng = np.random.default_rng(6)
    Z = rng.normal(size=(2, 8))
    Y = rng.normal(size=(2, 8))
    a = np.tanh(Z) if activation == "tanh" else Z
    expected = np.sum((a - Y) ** 2) / 8

    J, A, dZ = _evaluate(MSE, Z, Y, activation)

    assert pytest.approx(expected, rel=1e-13) == J
    np.testing.assert_allclose(A, a, rtol=1e-14)
    g_prime = 1 - np.tanh(Z) ** 2 if activation == "tanh" else 1.0
    np.testing.assert_allclose(dZ, 2 / 8 * (a - Y) * g_prime, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("m", [128, 1000])
def test_binary_cross_entropy_fast_path_matches_the_course_formula(m):
    """From 128 examples the cost takes a log1p/exp route instead of logaddexp: same values."""
    rng = np.random.default_rng(m)
    Z = rng.normal(0.0, 4.0, (1, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    A, dZ = np.empty_like(Z), np.empty_like(Z)
    cost = LOSSES["binary_cross_entropy"].evaluate(Z, Y, ACTIVATIONS["sigmoid"], A, dZ)
    a = 1.0 / (1.0 + np.exp(-Z))
    expected = -np.mean(Y * np.log(a) + (1 - Y) * np.log(1 - a))
    assert cost == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(A, a, rtol=1e-13)
    np.testing.assert_allclose(dZ, (a - Y) / m, rtol=1e-12, atol=1e-18)
    # One saturated output sends the whole row down the logaddexp route: same cost, still finite.
    Z_saturated = Z.copy()
    Z_saturated[0, 0] = -800.0
    Y[0, 0] = 1.0
    cost_saturated = LOSSES["binary_cross_entropy"].evaluate(
        Z_saturated, Y, ACTIVATIONS["sigmoid"], A, dZ
    )
    rest = -np.sum(Y[:, 1:] * np.log(a[:, 1:]) + (1 - Y[:, 1:]) * np.log(1 - a[:, 1:]))
    assert cost_saturated == pytest.approx((rest + 800.0) / m, rel=1e-12)
