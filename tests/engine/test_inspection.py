"""Tests for engine.inspection, through the Network methods the server calls: grids against
Network.forward on independently built grid points, hidden maps against a naive forward pass,
and the gradient, activation and symmetry statistics against hand-computed values."""

import math
import threading

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.features import expand_features
from engine.inspection import MAX_RESOLUTION, grid_tile_points
from engine.metrics import SATURATION_THRESHOLD, confusion_matrix
from engine.network import Network
from tests.engine.naive import G

BOUNDS = (-1.5, 2.0, -1.0, 0.5)
GRID_RTOL, GRID_ATOL = 1e-4, 1e-5  # the grids are float32 on purpose
RECTIFIERS = [name for name, a in ACTIVATIONS.items() if a.rectifier]
SATURATING = [name for name, a in ACTIVATIONS.items() if a.saturating]


def _random_network(layer_dims, activations, seed=0):
    """A network with N(0, 1) weights and biases, so every output is far from trivial."""
    net = Network(layer_dims, activations, seed=seed)
    rng = np.random.default_rng(seed)
    net.set_parameters({key: rng.normal(size=value.shape) for key, value in net.parameters.items()})
    return net


def _grid_points(bounds, resolution):
    """(2, r·r) points; column i·r + j is (x1_j, x2_i): x1 along columns, x2 along rows."""
    x1 = np.linspace(bounds[0], bounds[1], resolution)
    x2 = np.linspace(bounds[2], bounds[3], resolution)
    return np.vstack([np.tile(x1, resolution), np.repeat(x2, resolution)])


def _as_grid(values, resolution):
    """(n, r·r) -> (r, r) for one unit, else (n, r, r)."""
    grid = values.reshape(values.shape[0], resolution, resolution)
    return grid[0] if values.shape[0] == 1 else grid


def _naive_hidden_activations(net, X):
    A, maps = X, []
    for l in range(1, net.L):
        A = G[net.activations[l - 1]](net.parameters[f"W{l}"] @ A + net.parameters[f"b{l}"])
        maps.append(A)
    return maps


# --- the output grid ----------------------------------------------------------------------------

GRID_NETS = {
    "sigmoid": ([2, 5, 1], ["tanh", "sigmoid"]),
    "softmax": ([2, 6, 3], ["relu", "softmax"]),
    "linear": ([2, 4, 1], ["tanh", "linear"]),
    "deep_with_linear_hidden": ([2, 3, 4, 1], ["linear", "leaky_relu", "sigmoid"]),
}


def _tiles(layer_dims, resolution):
    """The tile sizes `output_grid` cuts a grid of `resolution` into for this network."""
    n = resolution**2
    count = -(-n // grid_tile_points(layer_dims))
    tile = -(-n // count)
    return [min(tile, n - start) for start in range(0, n, tile)]


def _partial_tiles_resolution(layer_dims):
    """The smallest resolution whose grid takes several tiles, the last one shorter."""
    resolution = math.isqrt(grid_tile_points(layer_dims))
    while len(set(_tiles(layer_dims, resolution))) < 2:
        resolution += 1
    return resolution


@pytest.mark.parametrize("tiling", ["one_tile", "partial_last_tile"])
@pytest.mark.parametrize("case", list(GRID_NETS))
def test_output_grid_equals_forward_on_the_grid_points(case, tiling):
    layer_dims, activations = GRID_NETS[case]
    net = _random_network(layer_dims, activations, seed=1)
    resolution = 30 if tiling == "one_tile" else _partial_tiles_resolution(layer_dims)
    assert (len(_tiles(layer_dims, resolution)) > 1) == (tiling == "partial_last_tile")

    grid = net.predict_proba_grid(BOUNDS, resolution)

    n_L = layer_dims[-1]
    expected_shape = (resolution, resolution) if n_L == 1 else (n_L, resolution, resolution)
    assert grid.shape == expected_shape
    assert grid.dtype == np.float32
    expected = _as_grid(net.forward(_grid_points(BOUNDS, resolution)), resolution)
    np.testing.assert_allclose(grid, expected, rtol=GRID_RTOL, atol=GRID_ATOL)


def test_output_grid_rows_follow_x2_and_columns_follow_x1():
    net = Network([2, 1], ["linear"])
    net.set_parameters({"W1": [[1.0, 10.0]], "b1": [[0.0]]})  # value = x1 + 10 x2
    grid = net.predict_proba_grid((0.0, 1.0, 0.0, 1.0), 3)
    expected = [[0.0, 0.5, 1.0], [5.0, 5.5, 6.0], [10.0, 10.5, 11.0]]
    np.testing.assert_allclose(grid, expected, rtol=1e-6)


def test_output_grid_is_right_across_resolutions_on_one_network():
    # The tile buffers are kept on the network between calls; they must not go stale.
    net = _random_network([2, 5, 1], ["tanh", "sigmoid"], seed=2)
    tiled = _partial_tiles_resolution([2, 5, 1])
    for resolution in (101, 30, tiled, 101, tiled, 2):
        expected = _as_grid(net.forward(_grid_points(BOUNDS, resolution)), resolution)
        np.testing.assert_allclose(
            net.predict_proba_grid(BOUNDS, resolution), expected, rtol=GRID_RTOL, atol=GRID_ATOL
        )


def test_output_grid_follows_the_parameters_after_a_training_step():
    net = _random_network([2, 5, 1], ["tanh", "sigmoid"], seed=3)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 20))
    Y = (X[0:1] > 0).astype(float)
    before = net.predict_proba_grid(BOUNDS, 20)
    net.step(X, Y, learning_rate=5.0)

    after = net.predict_proba_grid(BOUNDS, 20)

    assert not np.allclose(after, before, rtol=GRID_RTOL, atol=GRID_ATOL)
    expected = _as_grid(net.forward(_grid_points(BOUNDS, 20)), 20)
    np.testing.assert_allclose(after, expected, rtol=GRID_RTOL, atol=GRID_ATOL)


def test_output_grid_with_derived_features_equals_forward_on_expanded_points():
    features = ("x1_squared", "x1_x2")
    net = _random_network([4, 5, 1], ["tanh", "sigmoid"], seed=4)

    grid = net.predict_proba_grid(BOUNDS, 101, features=features)

    X = expand_features(_grid_points(BOUNDS, 101), features)
    np.testing.assert_allclose(grid, _as_grid(net.forward(X), 101), rtol=GRID_RTOL, atol=GRID_ATOL)


def test_output_grid_fills_and_returns_the_out_buffer():
    net = _random_network([2, 6, 3], ["relu", "softmax"], seed=5)
    out = np.full((3, 40, 40), np.nan, np.float32)

    result = net.predict_proba_grid(BOUNDS, 40, out=out)

    assert result is out
    np.testing.assert_array_equal(out, net.predict_proba_grid(BOUNDS, 40))
    np.testing.assert_allclose(out.sum(axis=0), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "out",
    [np.empty((40, 40), np.float32), np.empty((3, 40, 40), np.float64)],
    ids=["wrong_shape", "wrong_dtype"],
)
def test_output_grid_rejects_an_out_buffer_of_the_wrong_kind(out):
    net = _random_network([2, 6, 3], ["relu", "softmax"])
    with pytest.raises(ValueError, match="out must be float32 of shape"):
        net.predict_proba_grid(BOUNDS, 40, out=out)


def test_output_grid_fills_a_non_contiguous_out_buffer():
    net = _random_network([2, 5, 1], ["tanh", "sigmoid"])
    out = np.zeros((40, 40), np.float32).T  # right shape and dtype, Fortran order
    result = net.predict_proba_grid(BOUNDS, 40, out=out)
    assert result is out
    np.testing.assert_array_equal(out, net.predict_proba_grid(BOUNDS, 40))


@pytest.mark.parametrize("n_L", [1, 3])
def test_one_input_network_gives_a_line_along_x1(n_L):
    output = "linear" if n_L == 1 else "softmax"
    net = _random_network([1, 4, n_L], ["tanh", output], seed=6)

    line = net.predict_proba_grid((-2.0, 3.0), 50)

    expected = net.forward(np.linspace(-2.0, 3.0, 50).reshape(1, -1))
    assert line.shape == ((50,) if n_L == 1 else (n_L, 50))
    np.testing.assert_allclose(line, expected[0] if n_L == 1 else expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "bounds",
    [
        (1.0, 0.0, 0.0, 1.0),
        (0.0, 1.0, 1.0, 1.0),
        (0.0, 1.0, 0.0),
        (0.0, 1.0, 0.0, math.inf),
        (-math.inf, 1.0, 0.0, 1.0),
        (0.0, math.nan, 0.0, 1.0),
    ],
    ids=["x1_reversed", "x2_empty", "three_values", "inf", "minus_inf", "nan"],
)
def test_grids_reject_bad_bounds(bounds):
    net = _random_network([2, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="bounds"):
        net.predict_proba_grid(bounds, 10)
    with pytest.raises(ValueError, match="bounds"):
        net.hidden_activation_grids(bounds, 10)


@pytest.mark.parametrize("bounds", [(1.0, 0.0), (0.0, math.nan)], ids=["reversed", "nan"])
def test_line_rejects_bad_bounds(bounds):
    net = _random_network([1, 3, 1], ["tanh", "linear"])
    with pytest.raises(ValueError, match="bounds"):
        net.predict_proba_grid(bounds, 10)


def test_line_rejects_infinite_bounds():
    net = _random_network([1, 3, 1], ["tanh", "linear"])
    with pytest.raises(ValueError, match="finite"):
        net.predict_proba_grid((0.0, math.inf), 10)


@pytest.mark.parametrize("resolution", [1, 0, MAX_RESOLUTION + 1, 2.5, True, "10"], ids=repr)
def test_grids_reject_bad_resolutions(resolution):
    net = _random_network([2, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="resolution"):
        net.predict_proba_grid(BOUNDS, resolution)
    with pytest.raises(ValueError, match="resolution"):
        net.hidden_activation_grids(BOUNDS, resolution)


@pytest.mark.parametrize(
    ("n_x", "features", "match"),
    [
        (2, ("x1_squared",), "n_x"),
        (4, (), "n_x"),
        (3, ("x1_x2", "x2_squared"), "n_x"),
        (3, ("nope",), "Unknown feature"),
    ],
    ids=["too_few_inputs", "too_many_inputs", "one_feature_too_many", "unknown_feature"],
)
def test_grids_reject_features_that_do_not_fit_the_network(n_x, features, match):
    net = _random_network([n_x, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match=match):
        net.predict_proba_grid(BOUNDS, 10, features=features)
    with pytest.raises(ValueError, match=match):
        net.hidden_activation_grids(BOUNDS, 10, features=features)


# --- hidden activation maps ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer_dims", "activations", "features"),
    [
        ([2, 4, 3, 1], ["tanh", "relu", "sigmoid"], ()),
        ([2, 3, 5, 2], ["linear", "sigmoid", "softmax"], ()),
        ([4, 3, 2, 1], ["leaky_relu", "tanh", "linear"], ("x1_squared", "x1_x2")),
    ],
    ids=["tanh_relu", "linear_sigmoid", "with_features"],
)
def test_hidden_activation_grids_equal_a_naive_forward_pass(layer_dims, activations, features):
    net = _random_network(layer_dims, activations, seed=7)

    maps = net.hidden_activation_grids(BOUNDS, 101, features=features)

    X = expand_features(_grid_points(BOUNDS, 101), features)
    expected = _naive_hidden_activations(net, X)
    assert len(maps) == len(layer_dims) - 2
    for l, (grid, A) in enumerate(zip(maps, expected, strict=True), start=1):
        assert grid.shape == (layer_dims[l], 101, 101)
        assert grid.dtype == np.float32
        np.testing.assert_allclose(
            grid, A.reshape(layer_dims[l], 101, 101), rtol=GRID_RTOL, atol=GRID_ATOL
        )


def test_hidden_activation_grids_of_a_one_input_network_are_lines():
    net = _random_network([1, 4, 1], ["tanh", "linear"], seed=8)
    (line,) = net.hidden_activation_grids((-2.0, 3.0), 50)
    expected = _naive_hidden_activations(net, np.linspace(-2.0, 3.0, 50).reshape(1, -1))[0]
    assert line.shape == (4, 50)
    np.testing.assert_allclose(line, expected, rtol=GRID_RTOL, atol=GRID_ATOL)


def test_network_without_hidden_layers_has_no_hidden_maps():
    assert _random_network([2, 1], ["sigmoid"]).hidden_activation_grids(BOUNDS, 10) == []


# --- gradient norms -----------------------------------------------------------------------------


def _xy(n_x=2, m=30, seed=9):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    return X, Y


def test_gradient_norms_are_zero_before_any_backward_pass():
    net = _random_network([2, 4, 3, 1], ["tanh", "relu", "sigmoid"])
    assert net.gradient_norms() == [0.0, 0.0, 0.0]


def test_gradient_norms_are_the_frobenius_norms_of_dW():
    net = _random_network([2, 4, 3, 1], ["tanh", "relu", "sigmoid"], seed=10)
    X, Y = _xy()
    grads = net.gradients(X, Y)

    norms = net.gradient_norms()

    expected = [math.sqrt(np.sum(grads[f"dW{l}"] ** 2)) for l in range(1, 4)]
    assert all(n > 0 for n in expected)
    assert norms == pytest.approx(expected, rel=1e-12)


def test_gradient_norms_after_a_step_are_those_of_the_gradient_it_used():
    net = _random_network([2, 4, 1], ["tanh", "sigmoid"], seed=11)
    X, Y = _xy()
    grads = net.gradients(X, Y)
    net.step(X, Y, learning_rate=0.1)
    expected = [np.linalg.norm(grads[f"dW{l}"]) for l in (1, 2)]
    assert net.gradient_norms() == pytest.approx(expected, rel=1e-12)


# --- activation statistics ----------------------------------------------------------------------


def _one_hidden_layer(activation, W1, b1):
    n_h = len(W1)
    net = Network([2, n_h, 1], [activation, "sigmoid"])
    net.set_parameters(
        {"W1": W1, "b1": np.reshape(b1, (n_h, 1)), "W2": np.ones((1, n_h)), "b2": [[0.0]]}
    )
    return net


def _positive_X(m=20, seed=12):
    return np.random.default_rng(seed).uniform(0.5, 1.0, size=(2, m))


@pytest.mark.parametrize("activation", SATURATING)
@pytest.mark.parametrize(
    ("big_units", "expected"), [(4, 1.0), (2, 0.5), (0, 0.0)], ids=["all", "half", "none"]
)
def test_saturated_fraction_counts_units_pushed_into_the_flat_tails(
    activation, big_units, expected
):
    # With x in [0.5, 1]², big rows put |z| ≥ 50 for every example (g' ≈ 0); rows of 0.01 keep
    # z near 0, where g' is at its peak.
    big = [[100.0, 100.0], [-100.0, -100.0], [100.0, 50.0], [-50.0, -100.0]]
    W1 = big[:big_units] + [[0.01, -0.01]] * (4 - big_units)
    (stats,) = _one_hidden_layer(activation, W1, np.zeros(4)).activation_stats(_positive_X())
    assert stats.saturated == expected
    assert stats.dead is None


@pytest.mark.parametrize("activation", RECTIFIERS)
@pytest.mark.parametrize(
    ("b1", "expected"),
    [([-100.0] * 4, 1.0), ([-100.0, -100.0, 100.0, 100.0], 0.5), ([100.0] * 4, 0.0)],
    ids=["all_dead", "half_dead", "none_dead"],
)
def test_dead_fraction_counts_units_off_for_every_example(activation, b1, expected):
    W1 = np.full((4, 2), 0.1)
    (stats,) = _one_hidden_layer(activation, W1, b1).activation_stats(_positive_X())
    assert stats.dead == expected
    assert stats.saturated is None


@pytest.mark.parametrize("activation", RECTIFIERS)
def test_a_unit_on_for_a_single_example_is_not_dead(activation):
    X = np.vstack([np.linspace(-1.0, 1.0, 21), np.zeros(21)])
    net = _one_hidden_layer(activation, [[1.0, 0.0], [1.0, 0.0]], [-0.95, -5.0])
    (stats,) = net.activation_stats(X)  # unit 1: z > 0 only at x1 = 1; unit 2: never
    assert stats.dead == 0.5


def test_activation_stats_mean_std_and_saturation_equal_independent_values():
    net = _random_network([2, 5, 4, 1], ["tanh", "sigmoid", "sigmoid"], seed=13)
    net.set_parameters({**net.parameters, "W1": 3.0 * net.parameters["W1"]})
    X = np.random.default_rng(13).normal(size=(2, 40))
    A1, A2 = _naive_hidden_activations(net, X)

    stats = net.activation_stats(X)

    assert [(s.layer, s.activation) for s in stats] == [(1, "tanh"), (2, "sigmoid")]
    for s, A, peak, slope in (
        (stats[0], A1, 1.0, 1.0 - A1**2),
        (stats[1], A2, 0.25, A2 * (1.0 - A2)),
    ):
        assert s.mean == pytest.approx(A.mean(), rel=1e-12)
        assert s.std == pytest.approx(A.std(), rel=1e-12)
        assert s.saturated == pytest.approx(np.mean(slope < SATURATION_THRESHOLD * peak))
        assert s.dead is None
    assert 0.0 < stats[0].saturated < 1.0  # the case is not degenerate


def test_activation_stats_check_X():
    net = _random_network([2, 3, 1], ["relu", "sigmoid"])
    with pytest.raises(ValueError, match="rows"):
        net.activation_stats(np.zeros((3, 5)))


# --- symmetry -----------------------------------------------------------------------------------


def test_zero_initialization_is_perfectly_symmetric():
    assert Network([2, 4, 1], ["tanh", "sigmoid"], init="zeros").symmetry() == [0.0]
    assert Network([2, 4, 3, 1], ["relu", "tanh", "sigmoid"], init="zeros").symmetry() == [0.0, 0.0]


def test_identical_units_set_by_hand_have_symmetry_zero():
    net = Network([2, 3, 1], ["tanh", "sigmoid"])
    net.set_parameters(
        {**net.parameters, "W1": np.tile([[0.1, 0.7]], (3, 1)), "b1": np.full((3, 1), 0.3)}
    )
    # Rows are identical; the layer mean can differ from them by an ulp, hence abs=1e-12.
    assert net.symmetry()[0] == pytest.approx(0.0, abs=1e-12)


def test_symmetry_is_the_relative_rms_distance_from_the_mean_unit():
    net = Network([2, 2, 1], ["tanh", "sigmoid"])
    net.set_parameters({**net.parameters, "W1": [[1.0, 0.0], [3.0, 0.0]], "b1": [[0.0], [0.0]]})
    # mean unit (2, 0, 0): spread √((1 + 1)/2) = 1; size √((1 + 9)/2) = √5.
    assert net.symmetry() == [pytest.approx(1 / math.sqrt(5), rel=1e-14)]


@pytest.mark.parametrize("init", ["random", "xavier", "he"])
def test_random_initialization_breaks_symmetry(init):
    values = Network([2, 8, 6, 1], ["tanh", "relu", "sigmoid"], init=init, seed=14).symmetry()
    assert len(values) == 2
    assert all(v > 0.5 for v in values)


def test_single_unit_layer_has_no_symmetry_value():
    net = Network([2, 1, 3, 1], ["tanh", "tanh", "sigmoid"], init="he", seed=15)
    values = net.symmetry()
    assert values[0] is None
    assert values[1] > 0.5


# --- confusion matrix ---------------------------------------------------------------------------


def test_confusion_matrix_counts_actual_rows_against_predicted_columns():
    actual = np.array([0, 0, 1, 1, 2, 2, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0, 2, 1])
    counts = confusion_matrix(predicted, actual, 3)
    expected = np.array([[1, 1, 0], [0, 2, 0], [1, 1, 2]])
    np.testing.assert_array_equal(counts, expected)
    assert counts.dtype == np.int64 and counts.shape == (3, 3)
    assert counts.sum() == 8 and np.trace(counts) == 5
    # Swapping the arguments transposes the matrix: rows really are the actual classes.
    np.testing.assert_array_equal(confusion_matrix(actual, predicted, 3), expected.T)


def test_confusion_matrix_takes_rows_and_bools_and_unseen_classes():
    counts = confusion_matrix(
        np.array([[1, 1, 0, 0]]), np.array([True, False, False, True]), n_classes=4
    )
    expected = np.zeros((4, 4), dtype=np.int64)
    expected[1, 1] = expected[0, 1] = expected[0, 0] = expected[1, 0] = 1
    np.testing.assert_array_equal(counts, expected)


def test_confusion_matrix_of_no_examples_is_all_zeros():
    counts = confusion_matrix(np.zeros(0, dtype=int), np.zeros((1, 0), dtype=int), 3)
    np.testing.assert_array_equal(counts, np.zeros((3, 3), dtype=np.int64))


@pytest.mark.parametrize(
    ("predicted", "actual", "n_classes", "pattern"),
    [
        ([0, 1, 1], [0, 1], 2, r"predicted \(3,\) and actual \(2,\) differ in shape"),
        ([[0, 1], [1, 0]], [0, 1], 2, r"predicted \(4,\) and actual \(2,\) differ"),
        ([0, 2], [0, 1], 2, "classes must lie in 0 … 1"),
        ([0, 1], [0, 3], 3, "classes must lie in 0 … 2"),
        ([0, -1], [0, 1], 2, "classes must lie in 0 … 1"),
        ([0, 1], [-1, 1], 2, "classes must lie in 0 … 1"),
        ([0, 0], [0, 0], 0, "classes must lie in 0 … -1"),
    ],
)
def test_confusion_matrix_rejects_mismatched_shapes_and_classes_out_of_range(
    predicted, actual, n_classes, pattern
):
    with pytest.raises(ValueError, match=pattern):
        confusion_matrix(np.array(predicted), np.array(actual), n_classes)


def test_network_confusion_of_a_hand_set_logistic_regression():
    net = Network([1, 1], ["sigmoid"])
    net.set_parameters({"W1": np.array([[1.0]]), "b1": np.zeros((1, 1))})  # predicts x > 0
    X = np.array([[-2.0, -1.0, 1.0, 2.0, 3.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    counts = net.confusion(X, Y)
    np.testing.assert_array_equal(counts, [[1, 1], [1, 2]])


def test_network_confusion_of_a_hand_set_softmax_takes_labels_or_one_hot():
    net = Network([2, 3], ["softmax"])
    W = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])  # class argmax(x1, x2, 0)
    net.set_parameters({"W1": W, "b1": np.zeros((3, 1))})
    X = np.array([[5.0, 0.0, -5.0, 5.0, -5.0], [0.0, 5.0, -5.0, 0.0, -6.0]])
    labels = np.array([[0, 1, 2, 1, 0]])
    expected = [[1, 0, 1], [1, 1, 0], [0, 0, 1]]
    np.testing.assert_array_equal(net.confusion(X, labels), expected)
    one_hot = np.eye(3)[:, labels[0]]
    np.testing.assert_array_equal(net.confusion(X, one_hot), expected)


@pytest.mark.parametrize(
    ("layer_dims", "activations", "n_classes"),
    [([2, 5, 1], ["tanh", "sigmoid"], 2), ([2, 5, 4], ["relu", "softmax"], 4)],
    ids=["binary", "softmax"],
)
def test_network_confusion_diagonal_over_m_is_the_accuracy(layer_dims, activations, n_classes):
    net = _random_network(layer_dims, activations, seed=4)
    X, _ = _xy(m=200, seed=5)
    rng = np.random.default_rng(6)
    Y = rng.integers(0, n_classes, (1, 200))
    Y = Y.astype(np.float64) if n_classes == 2 else Y
    counts = net.confusion(X, Y)
    assert counts.shape == (n_classes, n_classes) and counts.sum() == 200
    accuracy = net.accuracy(X, Y)
    assert 0.0 < accuracy < 1.0  # a real mix of right and wrong predictions
    assert np.trace(counts) / 200 == pytest.approx(accuracy)
    # Row sums are the actual class counts, column sums the predicted ones.
    actual = Y[0].astype(np.int64)
    np.testing.assert_array_equal(counts.sum(axis=1), np.bincount(actual, minlength=n_classes))
    predicted = net.predict(X)[0]
    np.testing.assert_array_equal(counts.sum(axis=0), np.bincount(predicted, minlength=n_classes))


@pytest.mark.parametrize(
    ("layer_dims", "activations"),
    [([2, 3, 1], ["tanh", "linear"]), ([2, 2], ["sigmoid"])],
    ids=["regression", "multi_label"],
)
def test_network_confusion_is_none_without_single_label_classes(layer_dims, activations):
    net = _random_network(layer_dims, activations)
    X, _ = _xy(m=10)
    Y = np.zeros((layer_dims[-1], 10))
    assert net.confusion(X, Y) is None


def test_network_confusion_checks_its_inputs():
    net = _random_network([2, 3, 1], ["tanh", "sigmoid"])
    X, Y = _xy(m=10)
    with pytest.raises(ValueError, match="X has 3 rows"):
        net.confusion(np.zeros((3, 10)), Y)
    with pytest.raises(ValueError, match="Y has 9 examples"):
        net.confusion(X, Y[:, :9])


def test_networks_of_one_shape_share_a_threads_grid_buffers_and_draw_their_own_grids():
    """The grid passes' buffers (0.9 MB for the default network at 100 × 100) are the thread's,
    one set per network shape: two networks of one shape drawn in turn share them and each
    still gets its own picture; another thread has its own."""
    a = _random_network([2, 5, 1], ["tanh", "sigmoid"], seed=1)
    b = _random_network([2, 5, 1], ["tanh", "sigmoid"], seed=2)
    c = _random_network([2, 6, 1], ["tanh", "sigmoid"], seed=3)
    assert a.grid_workspace(100) is b.grid_workspace(100)
    assert a.grid_workspace(100) is not c.grid_workspace(100)
    other = []
    thread = threading.Thread(target=lambda: other.append(a.grid_workspace(100)))
    thread.start()
    thread.join()
    assert other[0] is not a.grid_workspace(100)
    grid_a = a.predict_proba_grid(BOUNDS, 30)
    grid_b = b.predict_proba_grid(BOUNDS, 30)
    for net, grid in ((a, grid_a), (b, grid_b)):
        expected = _as_grid(net.forward(_grid_points(BOUNDS, 30)), 30)
        np.testing.assert_allclose(grid, expected, rtol=GRID_RTOL, atol=GRID_ATOL)
