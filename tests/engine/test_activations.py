"""Tests for engine.activations: each g against an independent formula, each g' against finite
differences of g, each fused backward against dA * g'."""

import numpy as np
import pytest

from engine.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    LEAKY_SLOPE,
    OUTPUT_ACTIVATIONS,
    get_activation,
    sigmoid,
    softmax,
)

# Elementwise activations are exactly those allowed in hidden layers (softmax is neither).
ELEMENTWISE = HIDDEN_ACTIVATIONS
RECTIFIERS = tuple(name for name, a in ACTIVATIONS.items() if a.rectifier)


def _softmax_formula(Z):
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)


# Written from the textbook formulas, not from the engine; valid for moderate |z|.
ORACLES = {
    "sigmoid": lambda Z: 1.0 / (1.0 + np.exp(-Z)),
    "tanh": lambda Z: (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z)),
    "relu": lambda Z: np.where(Z > 0, Z, 0.0),
    "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
    "linear": lambda Z: Z.copy(),
    "softmax": _softmax_formula,
}


def _moderate_Z(name, shape=(4, 7), seed=0):
    """Z in [-3, 3]; for rectifiers kept at least 0.1 away from the kink at 0."""
    rng = np.random.default_rng(seed)
    if name in RECTIFIERS:
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 3.0, size=shape)
    return rng.uniform(-3.0, 3.0, size=shape)


def test_every_registered_activation_has_an_independent_oracle():
    assert set(ACTIVATIONS) == set(ORACLES)


def test_registry_names_match_their_entries():
    assert all(name == a.name for name, a in ACTIVATIONS.items())


def test_hidden_activations_are_all_but_softmax():
    assert "softmax" not in HIDDEN_ACTIVATIONS
    assert set(HIDDEN_ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear"}
    assert set(OUTPUT_ACTIVATIONS) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", list(ORACLES))
def test_forward_matches_the_textbook_formula(name):
    Z = _moderate_Z(name)
    np.testing.assert_allclose(
        ACTIVATIONS[name].forward(Z, None), ORACLES[name](Z), rtol=1e-13, atol=1e-15
    )


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_finite_differences_of_forward(name):
    act = ACTIVATIONS[name]
    Z = _moderate_Z(name)
    h = 1e-6
    numeric = (act.forward(Z + h, None) - act.forward(Z - h, None)) / (2 * h)
    analytic = act.derivative(Z, act.forward(Z, None))
    assert analytic.shape == Z.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("with_scratch", [False, True], ids=["own_temporaries", "scratch"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backward_equals_dA_times_derivative_in_place(name, with_scratch):
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    Z = _moderate_Z(name)
    A = act.forward(Z, np.empty_like(Z))
    Z_before, A_before = Z.copy(), A.copy()
    dA = rng.standard_normal(Z.shape)
    expected = dA * act.derivative(Z, A)

    buffer = dA.copy()
    scratch = np.full_like(Z, np.nan) if with_scratch else None
    dZ = act.backward(buffer, Z, A, scratch)

    assert dZ is buffer
    np.testing.assert_allclose(buffer, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(Z, Z_before)
    np.testing.assert_array_equal(A, A_before)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_into_out_buffer_returns_it_with_the_same_values(name):
    act = ACTIVATIONS[name]
    Z = _moderate_Z(name)
    Z_before = Z.copy()
    expected = act.forward(Z, None)

    out = np.full_like(Z, np.nan)
    result = act.forward(Z, out)

    assert result is out
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(Z, Z_before)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_in_place_on_Z_gives_the_same_values(name):
    # The grid passes in inspection.py overwrite Z with g(Z).
    act = ACTIVATIONS[name]
    Z = _moderate_Z(name)
    expected = act.forward(Z.copy(), None)
    result = act.forward(Z, Z)
    assert result is Z
    np.testing.assert_array_equal(Z, expected)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_keeps_float32(name):
    act = ACTIVATIONS[name]
    Z = _moderate_Z(name)
    A32 = act.forward(Z.astype(np.float32), None)
    assert A32.dtype == np.float32
    np.testing.assert_allclose(A32, ORACLES[name](Z), rtol=1e-5, atol=1e-6)


# --- sigmoid ------------------------------------------------------------------------------------


def test_sigmoid_is_monotone_and_within_zero_one_over_a_wide_range():
    z = np.linspace(-1000.0, 1000.0, 200_001)
    a = sigmoid(z)
    assert np.all(np.diff(a) >= 0)
    assert a.min() >= 0.0
    assert a.max() <= 1.0
    assert a[0] == 0.0
    assert a[-1] == 1.0
    assert a[100_000] == 0.5  # z = 0


def test_sigmoid_is_finite_at_plus_minus_1000_without_warnings():
    a = sigmoid(np.array([[-1000.0, 1000.0]]))
    np.testing.assert_array_equal(a, [[0.0, 1.0]])


def test_sigmoid_is_exact_to_one_rounding_everywhere():
    # The contract (see activations.sigmoid): absolute error within a few ulps of 1 (~1e-16)
    # against a reference that keeps full precision in both tails; exactly 0 or 1 far out.
    z = np.linspace(-60, 60, 24_001)
    reference = np.where(
        z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z)))
    )
    a = sigmoid(z.reshape(1, -1))[0]
    assert np.abs(a - reference).max() <= 4.5e-16
    assert sigmoid(np.array([[-40.0]]))[0, 0] < 1e-17
    assert sigmoid(np.array([[40.0]]))[0, 0] == 1.0


def test_sigmoid_derivative_is_a_times_one_minus_a_with_peak_one_quarter():
    act = ACTIVATIONS["sigmoid"]
    Z = np.array([[0.0, 2.0, -2.0]])
    A = act.forward(Z, None)
    s = 1.0 / (1.0 + np.exp(-2.0))
    np.testing.assert_allclose(act.derivative(Z, A), [[0.25, s * (1 - s), s * (1 - s)]], rtol=1e-14)


# --- rectifiers ---------------------------------------------------------------------------------


def test_leaky_relu_slope_is_one_hundredth():
    assert LEAKY_SLOPE == 0.01
    act = ACTIVATIONS["leaky_relu"]
    Z = np.array([[-2.0, -0.5, 0.0, 3.0]])
    np.testing.assert_allclose(act.forward(Z, None), [[-0.02, -0.005, 0.0, 3.0]], rtol=1e-15)


@pytest.mark.parametrize(
    ("name", "negative_slope"), [("relu", 0.0), ("leaky_relu", 0.01)], ids=["relu", "leaky_relu"]
)
def test_rectifier_derivative_is_one_for_positive_and_small_for_negative_z(name, negative_slope):
    act = ACTIVATIONS[name]
    Z = np.array([[-3.0, -1e-3, 1e-3, 5.0]])
    np.testing.assert_array_equal(
        act.derivative(Z, act.forward(Z, None)),
        [[negative_slope, negative_slope, 1.0, 1.0]],
    )


@pytest.mark.parametrize("name", RECTIFIERS)
def test_rectifier_derivative_at_zero_is_the_left_slope(name):
    # The course takes g'(0) from the flat side.
    act = ACTIVATIONS[name]
    zero, minus_one = np.zeros((1, 1)), -np.ones((1, 1))
    at_zero = act.derivative(zero, act.forward(zero, None))
    on_left = act.derivative(minus_one, act.forward(minus_one, None))
    np.testing.assert_array_equal(at_zero, on_left)


def test_rectifiers_are_flagged_and_saturating_ones_too():
    assert set(RECTIFIERS) == {"relu", "leaky_relu"}
    assert {n for n, a in ACTIVATIONS.items() if a.saturating} == {"sigmoid", "tanh"}


# --- softmax ------------------------------------------------------------------------------------


def test_softmax_columns_sum_to_one():
    Z = np.random.default_rng(2).normal(scale=5.0, size=(4, 9))
    A = softmax(Z)
    assert np.all(A > 0)
    np.testing.assert_allclose(A.sum(axis=0), np.ones(9), rtol=1e-14)


def test_softmax_is_invariant_to_adding_a_constant_per_column():
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(3, 6))
    shift = rng.uniform(-100.0, 100.0, size=(1, 6))
    np.testing.assert_allclose(softmax(Z + shift), softmax(Z), rtol=1e-12, atol=1e-15)


def test_softmax_does_not_overflow_for_large_z():
    Z = np.array([[1000.0, -1000.0], [999.0, -1000.0], [-1000.0, -1000.0]])
    A = softmax(Z)
    e = np.exp(-1.0)
    np.testing.assert_allclose(A[:, 0], [1 / (1 + e), e / (1 + e), 0.0], rtol=1e-14, atol=0)
    np.testing.assert_allclose(A[:, 1], [1 / 3, 1 / 3, 1 / 3], rtol=1e-14)


def test_softmax_has_no_elementwise_derivative_or_backward():
    act = ACTIVATIONS["softmax"]
    Z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="softmax"):
        act.derivative(Z, Z)
    with pytest.raises(ValueError, match="softmax"):
        act.backward(Z.copy(), Z, Z)


# --- registry lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_get_activation_returns_the_registered_entry(name):
    assert get_activation(name) is ACTIVATIONS[name]


@pytest.mark.parametrize("bad", ["nope", "ReLU", ["relu"]], ids=["unknown", "case", "unhashable"])
def test_get_activation_rejects_unknown_names_listing_the_allowed_ones(bad):
    with pytest.raises(ValueError, match="unknown activation") as info:
        get_activation(bad)
    for name in ACTIVATIONS:
        assert name in str(info.value)
