"""Tests for engine.features: derived input rows for 2-D inputs."""

import dataclasses

import numpy as np
import pytest

from engine.features import FEATURES, expand_features, feature_labels, feature_names

X_SMALL = np.array([[1.0, 2.0, -3.0, 0.5], [0.5, -1.0, 2.0, 4.0]])
x1, x2 = X_SMALL[0], X_SMALL[1]
EXPECTED_ROWS = {
    "x1_squared": [1.0, 4.0, 9.0, 0.25],
    "x2_squared": [0.25, 1.0, 4.0, 16.0],
    "x1_x2": [0.5, -2.0, -6.0, 2.0],
    "sin_x1": np.sin(x1),
    "sin_x2": np.sin(x2),
}


def test_registry_lists_the_five_playground_features_in_display_order():
    assert list(FEATURES) == ["x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]
    assert [f.label for f in FEATURES.values()] == ["x₁²", "x₂²", "x₁x₂", "sin(x₁)", "sin(x₂)"]
    assert all(name == feature.name for name, feature in FEATURES.items())


def test_feature_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        FEATURES["x1_squared"].name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("name", list(EXPECTED_ROWS))
def test_each_feature_row_equals_its_hand_computed_formula(name):
    out = expand_features(X_SMALL, [name])
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out[:2], X_SMALL)
    np.testing.assert_allclose(out[2], EXPECTED_ROWS[name], rtol=0, atol=1e-15)


def test_raw_rows_come_first_then_derived_rows_in_requested_order():
    names = ["sin_x2", "x1_x2", "x1_squared"]
    out = expand_features(X_SMALL, names)
    assert out.shape == (5, 4)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[:2], X_SMALL)
    for row, name in enumerate(names, start=2):
        np.testing.assert_allclose(out[row], EXPECTED_ROWS[name], rtol=0, atol=1e-15)

    reversed_out = expand_features(X_SMALL, names[::-1])
    np.testing.assert_array_equal(reversed_out[2:], out[2:][::-1])


def test_expand_features_does_not_modify_its_input():
    X = X_SMALL.copy()
    expand_features(X, list(FEATURES))
    np.testing.assert_array_equal(X, X_SMALL)


def test_no_features_returns_the_raw_inputs_as_float64():
    out = expand_features(X_SMALL, [])
    assert out.shape == (2, 4) and out.dtype == np.float64
    np.testing.assert_array_equal(out, X_SMALL)

    ints = np.array([[1, 2], [3, 4]])
    out_int = expand_features(ints, ())
    assert out_int.dtype == np.float64
    np.testing.assert_array_equal(out_int, ints)


def test_float32_inputs_stay_float32():
    grid = X_SMALL.astype(np.float32)
    assert expand_features(grid, []).dtype == np.float32
    out = expand_features(grid, ["x1_x2", "sin_x1"])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[2], EXPECTED_ROWS["x1_x2"], rtol=1e-6)
    np.testing.assert_allclose(out[3], np.sin(x1), rtol=1e-6)


def test_integer_inputs_give_float64_rows():
    out = expand_features(np.array([[2, -3], [5, 7]]), ["x1_x2", "x2_squared"])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[2, -3], [5, 7], [10, -21], [25, 49]])


def test_zero_examples_give_zero_columns():
    out = expand_features(np.zeros((2, 0)), ["x1_squared", "sin_x1"])
    assert out.shape == (4, 0)


def test_unknown_feature_is_named_and_allowed_names_are_listed():
    with pytest.raises(ValueError, match="cos_x1") as info:
        expand_features(X_SMALL, ["x1_squared", "cos_x1"])
    for name in FEATURES:
        assert name in str(info.value)


def test_duplicate_feature_is_rejected():
    with pytest.raises(ValueError, match=r"Duplicate.*x1_x2"):
        expand_features(X_SMALL, ["x1_x2", "sin_x1", "x1_x2"])


def test_a_single_string_is_not_taken_as_a_list_of_letters():
    with pytest.raises(ValueError, match="features"):
        expand_features(X_SMALL, "x1_squared")


@pytest.mark.parametrize("shape", [(3, 4), (1, 4), (4,), (2, 4, 1), (4, 2)])
def test_inputs_not_shaped_two_by_m_are_rejected_with_the_shape_seen(shape):
    with pytest.raises(ValueError, match=r"\(2, m\)") as info:
        expand_features(np.zeros(shape), ["x1_squared"])
    assert str(shape) in str(info.value)


def test_complex_inputs_are_rejected():
    with pytest.raises(ValueError, match="real"):
        expand_features(np.zeros((2, 3), dtype=complex), [])


def test_feature_names_and_labels_describe_the_rows():
    assert feature_names([]) == ["x1", "x2"]
    assert feature_names(["sin_x2", "x1_squared"]) == ["x1", "x2", "sin_x2", "x1_squared"]
    assert feature_labels(["x1_x2"]) == ["x₁", "x₂", "x₁x₂"]
    with pytest.raises(ValueError, match="nope"):
        feature_names(["nope"])
