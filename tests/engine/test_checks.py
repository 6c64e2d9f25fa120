"""The engine's argument checks (engine.checks): values come back in the form the engine
computes with, and bad ones raise a ValueError that names the argument and what is allowed."""

import numpy as np
import pytest

from engine.checks import (
    check_activations,
    check_finite,
    check_int,
    check_layer_dims,
    check_real,
    check_X,
    check_Y,
    make_hyperparameters,
)


def test_layer_dims_become_a_tuple_of_ints():
    assert check_layer_dims([2, np.int64(4), 1]) == (2, 4, 1)
    for bad, match in (([3], "at least an input"), ([2, 0, 1], r"layer_dims\[1\]"), (5, "list")):
        with pytest.raises(ValueError, match=match):
            check_layer_dims(bad)


def test_activations_are_one_name_a_layer_with_softmax_only_last():
    assert check_activations(["relu", "softmax"], 2) == ("relu", "softmax")
    with pytest.raises(ValueError, match="only allowed in the output layer"):
        check_activations(["softmax", "sigmoid"], 2)
    with pytest.raises(ValueError, match="one activation per layer"):
        check_activations(["tanh"], 2)
    with pytest.raises(ValueError, match="the string"):
        check_activations("tanh", 1)


def test_numbers_are_checked_finite_and_in_range():
    assert check_finite("l2", 0, allow_equal=True) == 0.0
    for bad in (0.0, -1.0, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match="learning_rate"):
            check_finite("learning_rate", bad)
    assert check_int("seed", np.int32(3), 0) == 3
    with pytest.raises(ValueError, match=r"n_samples must be an int in \[10, 20\]; got 21"):
        check_int("n_samples", 21, 10, 20)
    with pytest.raises(ValueError, match="noise must be"):
        check_real("noise", np.True_, "a number ≥ 0")


def test_X_is_float64_examples_in_columns_with_a_hint_when_transposed():
    X = check_X(np.ones((2, 5), dtype=np.int32), 2)
    assert X.dtype == np.float64 and X.shape == (2, 5)
    with pytest.raises(ValueError, match=r"transposed\? the course puts examples in columns"):
        check_X(np.ones((5, 2)), 2)
    with pytest.raises(ValueError, match="X_test contains NaN or inf"):
        check_X(np.array([[1.0, np.nan]]), 1, "X_test")


def test_Y_of_a_softmax_takes_labels_and_returns_one_hot():
    np.testing.assert_array_equal(
        check_Y(np.array([[2, 0, 1]]), 3, 3, "softmax"), np.eye(3)[:, [2, 0, 1]]
    )
    with pytest.raises(ValueError, match="whole numbers 0 … 2"):
        check_Y(np.array([[3, 0, 1]]), 3, 3, "softmax")
    with pytest.raises(ValueError, match=r"rank-1 array; reshape it to \(1, m\)"):
        check_Y(np.zeros(3), 3, 1, "sigmoid")
    with pytest.raises(ValueError, match=r"labels in \[0, 1\] for a sigmoid output"):
        check_Y(np.array([[0.0, 2.0]]), 2, 1, "sigmoid")
    assert check_Y(np.array([[-5.0, 2.0]]), 2, 1, "linear").dtype == np.float64


def test_hyperparameters_are_checked_by_name_and_range():
    hp = make_hyperparameters(0.1, beta=0.5, epsilon=1e-6)
    assert (hp.learning_rate, hp.beta, hp.epsilon) == (0.1, 0.5, 1e-6)
    with pytest.raises(ValueError, match="unknown hyperparameter 'gamma'"):
        make_hyperparameters(0.1, gamma=0.5)
    with pytest.raises(ValueError, match=r"beta1 must be in \[0, 1\)"):
        make_hyperparameters(0.1, beta1=1.0)
