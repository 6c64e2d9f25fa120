"""Tests for engine.datasets: seeded generators, the train/test split and argument checking."""

import dataclasses
import math

import numpy as np
import pytest

from engine.datasets import DATASETS, TASKS, make_dataset, points_dataset

ALL = list(DATASETS)
BINARY = [name for name, spec in DATASETS.items() if spec.task == "binary"]
MULTICLASS = [name for name, spec in DATASETS.items() if spec.task == "multiclass"]
REGRESSION = [name for name, spec in DATASETS.items() if spec.task == "regression"]
CLASSIFICATION = BINARY + MULTICLASS


def all_points(ds):
    """Train and test examples side by side: X (n_x, m), Y (1, m)."""
    return np.hstack([ds.X_train, ds.X_test]), np.hstack([ds.Y_train, ds.Y_test])


def sorted_columns(A):
    """Columns of A in lexicographic order, to compare point sets regardless of order."""
    return A[:, np.lexsort(A[::-1])]


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


def test_registry_holds_every_documented_dataset_in_display_order():
    from engine.datasets import dataset_names

    expected = ["flower", "circles", "moons", "xor", "gaussians", "spiral", "quantiles"]
    expected += ["sine", "cubic", "abs", "blobs", "spirals", "plane", "house"]
    assert dataset_names() == ALL == expected


@pytest.mark.parametrize("name", ALL)
def test_spec_defaults_lie_within_the_specs_own_limits(name):
    spec = DATASETS[name]
    assert spec.name == name
    assert spec.task in TASKS
    assert spec.n_inputs == (1 if name == "house" else 2)
    assert spec.min_size <= spec.default_size <= spec.max_size
    assert 0.0 <= spec.default_noise <= spec.max_noise
    assert spec.title and spec.description.endswith(".")
    if spec.task == "multiclass":
        assert spec.default_classes is not None and spec.max_classes is not None
        assert 2 <= spec.default_classes <= spec.max_classes
    else:
        assert spec.default_classes is None and spec.max_classes is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.default_size = 1  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Properties every dataset must have
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_shapes_and_dtypes_follow_the_course_layout(name):
    spec = DATASETS[name]
    ds = make_dataset(name, seed=1)
    m = spec.default_size
    n_x = spec.n_inputs
    assert ds.name == name and ds.task == spec.task and ds.features == ()
    assert ds.X_train.shape == (n_x, ds.m_train) and ds.X_test.shape == (n_x, ds.m_test)
    assert ds.Y_train.shape == (1, ds.m_train) and ds.Y_test.shape == (1, ds.m_test)
    assert ds.m_train + ds.m_test == m
    assert ds.m_train == round(0.8 * m)
    assert ds.n_x == ds.n_inputs == n_x
    assert ds.X_train.dtype == ds.X_test.dtype == np.float64
    expected_y = np.int64 if spec.task == "multiclass" else np.float64
    assert ds.Y_train.dtype == ds.Y_test.dtype == expected_y
    expected_classes = {"binary": 2, "multiclass": spec.default_classes, "regression": None}
    assert ds.n_classes == expected_classes[spec.task]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("n_samples", [10, 11, 137])
def test_train_and_test_sizes_add_up_to_n_samples(name, n_samples):
    ds = make_dataset(name, n_samples=n_samples, seed=2)
    assert ds.m_train + ds.m_test == n_samples
    assert ds.m_train == round(0.8 * n_samples)


@pytest.mark.parametrize("name", ALL)
def test_same_seed_gives_bit_identical_arrays(name):
    a = make_dataset(name, seed=7, noise=DATASETS[name].max_noise / 2)
    b = make_dataset(name, seed=7, noise=DATASETS[name].max_noise / 2)
    for field in ("X_train", "Y_train", "X_test", "Y_test"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert a.bounds == b.bounds


@pytest.mark.parametrize("name", ALL)
def test_different_seeds_give_different_data(name):
    a = make_dataset(name, seed=0)
    b = make_dataset(name, seed=1)
    assert not np.array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("noise_level", ["zero", "default", "max"])
def test_all_values_are_finite(name, noise_level):
    spec = DATASETS[name]
    noise = {"zero": 0.0, "default": spec.default_noise, "max": spec.max_noise}[noise_level]
    X, Y = all_points(make_dataset(name, noise=noise, seed=3))
    assert np.isfinite(X).all() and np.isfinite(Y).all()


@pytest.mark.parametrize("name", BINARY)
def test_binary_labels_are_exactly_zero_and_one_with_both_present(name):
    _, Y = all_points(make_dataset(name, seed=4))
    assert set(np.unique(Y).tolist()) == {0.0, 1.0}


@pytest.mark.parametrize("name", MULTICLASS)
@pytest.mark.parametrize("n_classes", [2, 3, 4, 5, 6])
def test_multiclass_labels_cover_every_class(name, n_classes):
    ds = make_dataset(name, n_samples=10, n_classes=n_classes, seed=5)
    _, Y = all_points(ds)
    assert ds.n_classes == n_classes
    assert np.unique(Y).tolist() == list(range(n_classes))
    # Classes are as balanced as possible.
    counts = np.bincount(Y[0], minlength=n_classes)
    assert counts.max() - counts.min() <= 1


def test_multiclass_defaults_to_three_classes():
    for name in MULTICLASS:
        _, Y = all_points(make_dataset(name))
        assert np.unique(Y).tolist() == [0, 1, 2]


@pytest.mark.parametrize("name", ALL)
def test_bounds_contain_every_point_with_a_margin(name):
    spec = DATASETS[name]
    ds = make_dataset(name, noise=spec.max_noise, seed=6)
    X, Y = all_points(ds)
    x1_min, x1_max, x2_min, x2_max = ds.bounds
    assert all(isinstance(b, float) for b in ds.bounds)
    horizontal = X[0]
    vertical = X[1] if spec.n_inputs == 2 else Y[0]
    for values, lo, hi in ((horizontal, x1_min, x1_max), (vertical, x2_min, x2_max)):
        margin = 0.1 * (values.max() - values.min())
        assert lo <= values.min() - margin and values.max() + margin <= hi
        # Not absurdly wide either: the rounding adds at most a small step.
        assert hi - lo <= 1.5 * (values.max() - values.min()) + 1e-9


# ---------------------------------------------------------------------------------------------
# Train/test split
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_split_is_a_permutation_of_the_generated_points(name):
    whole = make_dataset(name, seed=8, train_fraction=1.0)
    half = make_dataset(name, seed=8, train_fraction=0.5)
    assert whole.m_test == 0 and whole.X_test.shape == (whole.n_x, 0)
    assert whole.Y_test.shape == (1, 0)
    X_half, Y_half = all_points(half)
    # Same generated points and the same permutation: the split only moves the cut.
    assert np.array_equal(X_half, whole.X_train) and np.array_equal(Y_half, whole.Y_train)
    # No example is used twice.
    points = np.vstack([X_half, Y_half.astype(np.float64)])
    assert np.unique(points, axis=1).shape[1] == points.shape[1]


@pytest.mark.parametrize("fraction", [0.001, 0.05, 0.25, 0.5, 0.55, 0.8, 0.95, 0.99, 1.0])
def test_m_train_is_the_rounded_fraction_and_never_zero(fraction):
    ds = make_dataset("moons", n_samples=10, train_fraction=fraction)
    assert ds.m_train == max(1, round(fraction * 10))
    assert ds.m_train >= 1 and ds.m_train + ds.m_test == 10


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_noise_level_does_not_change_labels_or_split(name):
    spec = DATASETS[name]
    quiet = make_dataset(name, noise=0.0, seed=9)
    loud = make_dataset(name, noise=spec.max_noise, seed=9)
    assert np.array_equal(quiet.Y_train, loud.Y_train)
    assert np.array_equal(quiet.Y_test, loud.Y_test)


def test_arrays_are_read_only():
    ds = make_dataset("flower")
    for field in ("X_train", "Y_train", "X_test", "Y_test"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(ds, field)[0, 0] = 1.0


# ---------------------------------------------------------------------------------------------
# Individual datasets
# ---------------------------------------------------------------------------------------------


def course_flower(m, noise, seed):
    """The course's load_planar_dataset, np.random.randn replaced by a seeded generator,
    followed by the split permutation drawn from the same generator."""
    rng = np.random.default_rng(seed)
    N = m // 2
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1))
    a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.standard_normal(N) * noise
        r = a * np.sin(4 * t) + rng.standard_normal(N) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    X = X.T
    Y = Y.T
    perm = rng.permutation(m)
    return X[:, perm], Y[:, perm]


@pytest.mark.parametrize(("m", "noise", "seed"), [(400, 0.2, 0), (400, 0.2, 1), (50, 0.5, 3)])
def test_flower_matches_course_construction(m, noise, seed):
    ds = make_dataset("flower", n_samples=m, noise=noise, seed=seed, train_fraction=1.0)
    X, Y = course_flower(m, noise, seed)
    np.testing.assert_array_equal(ds.X_train, X)
    np.testing.assert_array_equal(ds.Y_train, Y)


def test_flower_defaults_are_the_courses():
    spec = DATASETS["flower"]
    assert (spec.default_size, spec.default_noise) == (400, 0.2)
    assert spec.title == "Flower (course, planar)"


def test_flower_without_noise_lies_on_the_rose_curve():
    X, _ = all_points(make_dataset("flower", noise=0.0, seed=10))
    # x = (r sin t, r cos t) with r = 4 sin 4t, so |x| = |4 sin 4θ| for θ = atan2(x1, x2)
    # (a negative r turns θ by π, which leaves |sin 4θ| unchanged).
    theta = np.arctan2(X[0], X[1])
    np.testing.assert_allclose(np.hypot(X[0], X[1]), np.abs(4 * np.sin(4 * theta)), atol=1e-12)


def test_flower_with_odd_size_gives_class_zero_the_extra_point():
    _, Y = all_points(make_dataset("flower", n_samples=11))
    assert (Y == 0).sum() == 6 and (Y == 1).sum() == 5


def test_xor_labels_agree_with_the_sign_of_x1_times_x2_away_from_the_axes():
    X, Y = all_points(make_dataset("xor", n_samples=2000, seed=11))
    away = (np.abs(X[0]) > 1.5) & (np.abs(X[1]) > 1.5)
    assert away.sum() > 1000
    np.testing.assert_array_equal(Y[0, away], (X[0, away] * X[1, away] > 0).astype(float))


def test_xor_without_noise_keeps_points_off_the_axes_and_labels_exact():
    X, Y = all_points(make_dataset("xor", noise=0.0, seed=12))
    assert np.abs(X).min() >= 0.3
    np.testing.assert_array_equal(Y[0], (X[0] * X[1] > 0).astype(float))


def test_circles_without_noise_are_an_inner_disc_of_ones_in_a_ring_of_zeros():
    X, Y = all_points(make_dataset("circles", noise=0.0, seed=13))
    radius = np.hypot(X[0], X[1])
    assert radius[Y[0] == 1].max() <= 2.0
    outer = radius[Y[0] == 0]
    assert outer.min() >= 3.5 and outer.max() <= 5.0


def test_moons_without_noise_lie_on_two_unit_half_circles():
    X, Y = all_points(make_dataset("moons", noise=0.0, seed=14))
    upper, lower = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(np.hypot(upper[0], upper[1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[0] - 1.0, lower[1] - 0.5), 1.0)
    assert upper[1].min() >= -1e-12 and lower[1].max() <= 0.5 + 1e-12


def test_gaussians_are_centred_at_plus_and_minus_two():
    X, Y = all_points(make_dataset("gaussians", n_samples=2000, noise=1.0, seed=15))
    np.testing.assert_allclose(X[:, Y[0] == 1].mean(axis=1), [2.0, 2.0], atol=0.15)
    np.testing.assert_allclose(X[:, Y[0] == 0].mean(axis=1), [-2.0, -2.0], atol=0.15)
    np.testing.assert_allclose(X[:, Y[0] == 1].std(axis=1), [1.0, 1.0], atol=0.1)


def test_spiral_arms_are_point_reflections_of_each_other():
    X, Y = all_points(make_dataset("spiral", n_samples=400, noise=0.0, seed=16))
    arm0, arm1 = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(sorted_columns(-arm0), sorted_columns(arm1), atol=1e-12)
    assert np.hypot(X[0], X[1]).max() < 5.0


def test_quantiles_split_one_cloud_into_balanced_inner_and_outer_halves():
    X, Y = all_points(make_dataset("quantiles", n_samples=301, noise=0.0, seed=17))
    radius = np.hypot(X[0], X[1])
    assert (Y == 0).sum() == 151 and (Y == 1).sum() == 150
    assert radius[Y[0] == 1].max() < radius[Y[0] == 0].min()


CURVE_ORACLES = {
    "sine": lambda x: 3.0 * np.sin(x),
    "cubic": lambda x: 4.0 * (x / 5.0) ** 3,
    "abs": lambda x: np.abs(x) - 2.5,
}


@pytest.mark.parametrize("name", CURVE_ORACLES)
def test_curve_labels_say_whether_x2_lies_above_the_curve_without_noise(name):
    ds = make_dataset(name, n_samples=1000, noise=0.0, seed=18)
    X, Y = all_points(ds)
    assert X.shape == (2, 1000) and Y.shape == (1, 1000) and ds.task == "binary"
    np.testing.assert_array_equal(Y[0], (X[1] > CURVE_ORACLES[name](X[0])).astype(float))
    assert np.abs(X).max() <= 5.0  # the square [-5, 5]², as the other planar sets
    assert 0.3 < Y.mean() < 0.7  # both sides of the curve well filled
    # the curve crosses the square: points above and below it at both ends of x1
    for end in (X[0] < -4.0, X[0] > 4.0):
        assert set(np.unique(Y[0, end])) == {0.0, 1.0}


@pytest.mark.parametrize("name", CURVE_ORACLES)
def test_curve_noise_jitters_the_points_and_keeps_their_labels(name):
    clean = all_points(make_dataset(name, n_samples=500, noise=0.0, seed=19))
    noisy = all_points(make_dataset(name, n_samples=500, noise=0.5, seed=19))
    again = all_points(make_dataset(name, n_samples=500, noise=0.5, seed=19))
    np.testing.assert_array_equal(noisy[1], clean[1])
    np.testing.assert_array_equal(noisy[0], again[0])
    jitter = noisy[0] - clean[0]
    assert jitter.std() == pytest.approx(0.5, rel=0.1)
    # with noise some points cross the curve: their labels no longer follow the rule
    assert (noisy[1][0] != (noisy[0][1] > CURVE_ORACLES[name](noisy[0][0]))).any()


@pytest.mark.parametrize("n_classes", [3, 5])
def test_blobs_without_noise_sit_on_a_circle_of_radius_three(n_classes):
    X, Y = all_points(make_dataset("blobs", noise=0.0, n_classes=n_classes, seed=18))
    for k in range(n_classes):
        angle = 2 * math.pi * k / n_classes
        expected = np.array([[3 * math.cos(angle)], [3 * math.sin(angle)]])
        in_class = X[:, Y[0] == k]
        np.testing.assert_allclose(in_class, np.broadcast_to(expected, in_class.shape))


def test_spirals_without_noise_follow_the_cs231n_arms():
    X, Y = all_points(make_dataset("spirals", n_samples=300, noise=0.0, seed=19))
    for j in range(3):
        arm = X[:, Y[0] == j]
        r = np.linspace(0.0, 1.0, 100)
        t = np.linspace(j * 4, (j + 1) * 4, 100)
        expected = np.vstack([r * np.sin(t), r * np.cos(t)])
        np.testing.assert_allclose(sorted_columns(arm), sorted_columns(expected), atol=1e-12)


def test_plane_without_noise_is_exactly_linear():
    ds = make_dataset("plane", noise=0.0, seed=20)
    X, Y = all_points(ds)
    assert np.abs(X).max() <= 5.0
    np.testing.assert_allclose(Y[0], X[0] / 3 + 2 * X[1] / 3, atol=1e-12)


def test_house_prices_are_a_relu_of_size():
    ds = make_dataset("house", noise=0.0, seed=21)
    X, Y = all_points(ds)
    assert ds.n_x == 1 and ds.n_classes is None
    assert X.min() >= 0.5 and X.max() <= 5.0
    np.testing.assert_allclose(Y[0], np.maximum(0.0, X[0] - 1.0))
    noisy = all_points(make_dataset("house", noise=1.0, seed=21))[1]
    assert noisy.min() >= 0.0


# ---------------------------------------------------------------------------------------------
# Derived features
# ---------------------------------------------------------------------------------------------


def test_features_append_rows_after_the_raw_coordinates():
    raw = make_dataset("xor", seed=22)
    ds = make_dataset("xor", seed=22, features=["x1_x2", "x1_squared"])
    assert ds.features == ("x1_x2", "x1_squared") and ds.n_x == 4 and ds.n_inputs == 2
    for X, X_raw in ((ds.X_train, raw.X_train), (ds.X_test, raw.X_test)):
        np.testing.assert_array_equal(X[:2], X_raw)
        np.testing.assert_array_equal(X[2], X_raw[0] * X_raw[1])
        np.testing.assert_array_equal(X[3], X_raw[0] ** 2)
    np.testing.assert_array_equal(ds.Y_train, raw.Y_train)
    assert ds.bounds == raw.bounds


# ---------------------------------------------------------------------------------------------
# Argument checking
# ---------------------------------------------------------------------------------------------

# (dataset, bad keyword arguments, words the message must contain: the argument, the value
# and what is allowed).
BAD_ARGUMENTS = [
    ("nope", {}, ["dataset name", "'nope'", "flower"]),
    (3, {}, ["dataset name", "3", "flower"]),
    ("flower", {"n_samples": 9}, ["n_samples", "9", "[10, 5000]"]),
    ("flower", {"n_samples": 5001}, ["n_samples", "5001", "[10, 5000]"]),
    ("flower", {"n_samples": 100.0}, ["n_samples", "100.0", "int"]),
    ("flower", {"n_samples": True}, ["n_samples", "True", "int"]),
    ("flower", {"n_samples": "100"}, ["n_samples", "'100'", "int"]),
    ("flower", {"noise": -0.1}, ["noise", "-0.1", "[0, 1.0]"]),
    ("flower", {"noise": 1.01}, ["noise", "1.01", "[0, 1.0]"]),
    ("moons", {"noise": 0.6}, ["noise", "0.6", "[0, 0.5]", "moons"]),
    ("flower", {"noise": float("nan")}, ["noise", "nan", "finite"]),
    ("flower", {"noise": float("inf")}, ["noise", "inf", "finite"]),
    ("flower", {"noise": True}, ["noise", "True"]),
    ("flower", {"noise": "0.1"}, ["noise", "'0.1'"]),
    ("flower", {"seed": -1}, ["seed", "-1", ">= 0"]),
    ("flower", {"seed": 1.5}, ["seed", "1.5", "int"]),
    ("flower", {"seed": None}, ["seed", "None", "int"]),
    ("flower", {"seed": False}, ["seed", "False", "int"]),
    ("flower", {"train_fraction": 0}, ["train_fraction", "0", "(0, 1]"]),
    ("flower", {"train_fraction": -0.5}, ["train_fraction", "-0.5", "(0, 1]"]),
    ("flower", {"train_fraction": 1.01}, ["train_fraction", "1.01", "(0, 1]"]),
    ("flower", {"train_fraction": float("nan")}, ["train_fraction", "nan", "(0, 1]"]),
    ("flower", {"train_fraction": True}, ["train_fraction", "True", "(0, 1]"]),
    ("flower", {"n_classes": 2}, ["n_classes", "2", "multiclass"]),
    ("plane", {"n_classes": 3}, ["n_classes", "3", "multiclass"]),
    ("blobs", {"n_classes": 1}, ["n_classes", "1", "[2, 6]"]),
    ("blobs", {"n_classes": 7}, ["n_classes", "7", "[2, 6]"]),
    ("spirals", {"n_classes": 3.0}, ["n_classes", "3.0", "int"]),
    ("spirals", {"n_classes": True}, ["n_classes", "True", "int"]),
    ("flower", {"features": ["bogus"]}, ["features", "bogus", "x1_squared"]),
    ("flower", {"features": ["sin_x1", "sin_x1"]}, ["features", "Duplicate", "sin_x1"]),
    ("flower", {"features": "sin_x1"}, ["features", "single string"]),
    ("house", {"features": ["x1_squared"]}, ["features", "house", "empty"]),
]


@pytest.mark.parametrize(("name", "kwargs", "words"), BAD_ARGUMENTS)
def test_bad_arguments_raise_value_error_naming_argument_value_and_allowed(name, kwargs, words):
    with pytest.raises(ValueError) as info:
        make_dataset(name, **kwargs)
    for word in words:
        assert word in str(info.value)


def test_unknown_name_lists_the_allowed_names():
    with pytest.raises(ValueError, match="nope") as info:
        make_dataset("nope")
    for name in ALL:
        assert name in str(info.value)


def test_numpy_integers_and_floats_are_accepted():
    ds = make_dataset(
        "blobs",
        n_samples=np.int64(50),
        noise=np.float32(0.5),
        seed=np.int32(3),
        train_fraction=np.float64(0.5),
        n_classes=np.int64(4),
    )
    assert ds.m_train == 25 and ds.n_classes == 4


# ---------------------------------------------------------------------------------------------
# points_dataset: a classification set from given (e.g. hand-drawn) points
# ---------------------------------------------------------------------------------------------


def drawn_points(m=10, n_classes=2):
    """m distinct points (2, m) and int labels (m,) cycling through the classes."""
    x1 = np.arange(m, dtype=np.float64) * 0.5 - 2.0
    x2 = np.sin(np.arange(m, dtype=np.float64))
    return np.vstack([x1, x2]), np.arange(m) % n_classes


@pytest.mark.parametrize(("m", "fraction"), [(10, 0.8), (10, 0.25), (10, 0.55), (10, 1.0)])
@pytest.mark.parametrize("n_extra", [0, 1])
def test_points_dataset_splits_into_round_fraction_train_points(m, fraction, n_extra):
    m += n_extra
    X, y = drawn_points(m)
    ds = points_dataset(X, y, train_fraction=fraction, seed=1)
    m_train = max(1, round(fraction * m))
    assert ds.m_train == m_train and ds.m_test == m - m_train
    assert ds.X_train.shape == (2, m_train) and ds.Y_train.shape == (1, m_train)
    assert ds.X_test.shape == (2, m - m_train) and ds.Y_test.shape == (1, m - m_train)


def test_points_dataset_keeps_at_least_one_training_point():
    X, y = drawn_points(2)
    ds = points_dataset(X, y, train_fraction=0.01)
    assert ds.m_train == 1 and ds.m_test == 1


def test_points_dataset_with_two_classes_is_binary_with_float_labels():
    X, y = drawn_points(12)
    ds = points_dataset(X, y, name="my drawing")
    assert ds.task == "binary" and ds.n_classes == 2 and ds.n_x == 2
    assert ds.name == "my drawing" and ds.features == ()
    for Y in (ds.Y_train, ds.Y_test):
        assert Y.dtype == np.float64
        assert set(np.unique(Y).tolist()) <= {0.0, 1.0}
    assert ds.X_train.dtype == np.float64


@pytest.mark.parametrize("n_classes", [3, 6])
def test_points_dataset_with_more_classes_is_multiclass_with_int_labels(n_classes):
    X, y = drawn_points(24, n_classes)
    ds = points_dataset(X, y, n_classes, train_fraction=1.0)
    assert ds.task == "multiclass" and ds.n_classes == n_classes
    assert ds.Y_train.dtype == np.int64
    assert sorted(np.unique(ds.Y_train).tolist()) == list(range(n_classes))


def test_points_dataset_needs_only_two_of_its_classes_present():
    X, _ = drawn_points(6)
    ds = points_dataset(X, np.array([0, 3, 0, 3, 0, 3]), 4, train_fraction=1.0)
    assert ds.task == "multiclass" and ds.n_classes == 4
    assert sorted(np.unique(ds.Y_train).tolist()) == [0, 3]


def test_points_dataset_takes_labels_as_a_row():
    X, y = drawn_points(8)
    flat = points_dataset(X, y, seed=2)
    row = points_dataset(X, y.reshape(1, -1), seed=2)
    np.testing.assert_array_equal(row.Y_train, flat.Y_train)
    np.testing.assert_array_equal(row.X_test, flat.X_test)


def test_points_dataset_keeps_given_bounds_as_floats():
    X, y = drawn_points(8)
    ds = points_dataset(X, y, bounds=[-6, 6, -4.5, 4.5])
    assert ds.bounds == (-6.0, 6.0, -4.5, 4.5)
    assert all(type(b) is float for b in ds.bounds)


def test_points_dataset_without_bounds_takes_the_points_range_with_a_margin():
    X, y = drawn_points(10)
    X = X * np.array([[3.0], [0.2]]) + np.array([[1.0], [-7.0]])
    ds = points_dataset(X, y)
    x1_min, x1_max, x2_min, x2_max = ds.bounds
    assert all(isinstance(b, float) for b in ds.bounds)
    for values, lo, hi in ((X[0], x1_min, x1_max), (X[1], x2_min, x2_max)):
        margin = 0.1 * (values.max() - values.min())
        assert lo <= values.min() - margin and values.max() + margin <= hi
        assert hi - lo <= 1.5 * (values.max() - values.min()) + 1e-9
    # Every point of both splits lies inside.
    for part in (ds.X_train, ds.X_test):
        assert (x1_min < part[0]).all() and (part[0] < x1_max).all()
        assert (x2_min < part[1]).all() and (part[1] < x2_max).all()


def test_points_dataset_features_append_rows_and_leave_bounds_alone():
    from engine.features import FEATURES

    assert "x1_x2" in FEATURES and "sin_x2" in FEATURES
    X, y = drawn_points(10)
    raw = points_dataset(X, y, seed=3)
    ds = points_dataset(X, y, seed=3, features=["x1_x2", "sin_x2"])
    assert ds.features == ("x1_x2", "sin_x2") and ds.n_x == 4
    for part, raw_part in ((ds.X_train, raw.X_train), (ds.X_test, raw.X_test)):
        np.testing.assert_array_equal(part[:2], raw_part)
        np.testing.assert_array_equal(part[2], raw_part[0] * raw_part[1])
        np.testing.assert_array_equal(part[3], np.sin(raw_part[1]))
    np.testing.assert_array_equal(ds.Y_train, raw.Y_train)
    assert ds.bounds == raw.bounds


def test_points_dataset_split_is_reproducible_and_depends_on_the_seed():
    X, y = drawn_points(20)
    a, b = points_dataset(X, y, seed=5), points_dataset(X, y, seed=5)
    for field in ("X_train", "Y_train", "X_test", "Y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    c = points_dataset(X, y, seed=6)
    assert not np.array_equal(a.X_train, c.X_train)


def test_points_dataset_split_follows_default_rng_permutation():
    X, y = drawn_points(10)
    ds = points_dataset(X, y, seed=7, train_fraction=0.7)
    perm = np.random.default_rng(7).permutation(10)
    np.testing.assert_array_equal(ds.X_train, X[:, perm[:7]])
    np.testing.assert_array_equal(ds.X_test, X[:, perm[7:]])
    np.testing.assert_array_equal(ds.Y_train[0], y[perm[:7]].astype(np.float64))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_points_dataset_puts_every_point_with_its_label_in_exactly_one_split(n_classes):
    X, y = drawn_points(15, n_classes)
    ds = points_dataset(X, y, n_classes, seed=4, train_fraction=0.6)
    X_all, Y_all = all_points(ds)
    assert X_all.shape == (2, 15)
    given = np.vstack([X, y.astype(np.float64)])
    got = np.vstack([X_all, Y_all.astype(np.float64)])
    np.testing.assert_array_equal(sorted_columns(got), sorted_columns(given))


def test_points_dataset_arrays_are_read_only_copies():
    X, y = drawn_points(10)
    ds = points_dataset(X, y, train_fraction=0.5)
    for field in ("X_train", "Y_train", "X_test", "Y_test"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(ds, field)[0, 0] = 1.0
    before = ds.X_train.copy()
    X[:] = 99.0
    y[:] = 0
    np.testing.assert_array_equal(ds.X_train, before)
    assert ds.Y_train.min() == 0.0 and ds.Y_train.max() == 1.0


FOUR_X = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 0.0, 1.0]])
FOUR_Y = np.array([0, 1, 0, 1])

# (X_raw, y, keyword arguments, pattern the message must match)
BAD_POINTS = [
    (np.zeros((3, 4)), FOUR_Y, {}, r"X_raw must have shape \(2, m\); got \(3, 4\)"),
    (FOUR_X.T, FOUR_Y, {}, r"X_raw must have shape \(2, m\); got \(4, 2\)"),
    (np.zeros(4), FOUR_Y, {}, r"X_raw must have shape \(2, m\); got \(4,\)"),
    (FOUR_X, np.array([0, 1, 0]), {}, r"y must have shape \(4,\) to match X_raw; got \(3,\)"),
    (FOUR_X, np.array([[0, 1], [0, 1]]), {}, r"y must have shape \(4,\).*got \(2, 2\)"),
    (FOUR_X, np.array([0, 1, 0, 1, 0]), {}, r"y must have shape \(4,\).*got \(5,\)"),
    (np.array([[0.0, 1.0, np.nan, 3.0], [0, 1, 0, 1]]), FOUR_Y, {}, "finite coordinates"),
    (np.array([[0.0, 1.0, 2.0, 3.0], [0, np.inf, 0, 1]]), FOUR_Y, {}, "finite coordinates"),
    (FOUR_X, np.array([0, 1, 2, 1]), {}, "whole-number classes 0 … 1"),
    (FOUR_X, np.array([0, 1, 3, 1]), {"n_classes": 3}, "whole-number classes 0 … 2"),
    (FOUR_X, np.array([0, -1, 0, 1]), {}, "whole-number classes 0 … 1"),
    (FOUR_X, np.array([0.0, 1.0, 0.0, 1.0]), {}, "whole-number classes 0 … 1"),
    (FOUR_X, np.array(["0", "1", "0", "1"]), {}, "whole-number classes 0 … 1"),
    (np.array([[1.0], [2.0]]), np.array([0]), {}, "at least 2 points are needed; got 1"),
    (np.zeros((2, 0)), np.zeros(0, dtype=int), {}, "at least 2 points are needed; got 0"),
    (FOUR_X, np.array([1, 1, 1, 1]), {}, "at least two different classes"),
    (FOUR_X, np.array([2, 2, 2, 2]), {"n_classes": 3}, "at least two different classes"),
    (FOUR_X, FOUR_Y, {"n_classes": 1}, r"n_classes must be an int in \[2, 6\]; got 1"),
    (FOUR_X, FOUR_Y, {"n_classes": 7}, r"n_classes must be an int in \[2, 6\]; got 7"),
    (FOUR_X, FOUR_Y, {"n_classes": 2.0}, r"n_classes must be an int in \[2, 6\]; got 2\.0"),
    (FOUR_X, FOUR_Y, {"n_classes": True}, r"n_classes must be an int .*True"),
    (FOUR_X, FOUR_Y, {"train_fraction": 0}, r"train_fraction must be a number in \(0, 1\]"),
    (FOUR_X, FOUR_Y, {"train_fraction": -0.2}, r"train_fraction .*\(0, 1\]; got -0\.2"),
    (FOUR_X, FOUR_Y, {"train_fraction": 1.5}, r"train_fraction .*\(0, 1\]; got 1\.5"),
    (FOUR_X, FOUR_Y, {"train_fraction": math.nan}, r"train_fraction .*\(0, 1\]; got nan"),
    (FOUR_X, FOUR_Y, {"train_fraction": "0.5"}, r"train_fraction .*\(0, 1\]; got '0\.5'"),
    (FOUR_X, FOUR_Y, {"train_fraction": True}, r"train_fraction .*\(0, 1\]; got True"),
    (FOUR_X, FOUR_Y, {"seed": -1}, r"seed must be an int >= 0; got -1"),
    (FOUR_X, FOUR_Y, {"features": ["bogus"]}, "Unknown feature 'bogus'"),
    (FOUR_X, FOUR_Y, {"bounds": (1, 0, 0, 1)}, r"bounds must be .*got \(1\.0, 0\.0, 0\.0, 1\.0\)"),
    (
        FOUR_X,
        FOUR_Y,
        {"bounds": (0, 0, 0, 1)},
        r"bounds must be \(x1_min, x1_max, x2_min, x2_max\)",
    ),
    (
        FOUR_X,
        FOUR_Y,
        {"bounds": (0, 1, 2, 2)},
        r"bounds must be \(x1_min, x1_max, x2_min, x2_max\)",
    ),
    (
        FOUR_X,
        FOUR_Y,
        {"bounds": (0, 1, 3, -3)},
        r"bounds must be \(x1_min, x1_max, x2_min, x2_max\)",
    ),
    (FOUR_X, FOUR_Y, {"bounds": (0, 1, math.nan, 1)}, r"bounds must be .*nan"),
    (FOUR_X, FOUR_Y, {"bounds": (0, 1, 0)}, r"bounds must be .*got \(0\.0, 1\.0, 0\.0\)"),
    (FOUR_X, FOUR_Y, {"bounds": (0, 1, 0, 1, 2)}, r"bounds must be \(x1_min, x1_max, x2_min"),
    (FOUR_X, FOUR_Y, {"bounds": ()}, r"bounds must be .*got \(\)"),
]


@pytest.mark.parametrize(("X", "y", "kwargs", "pattern"), BAD_POINTS)
def test_points_dataset_rejects_bad_points_and_arguments(X, y, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        points_dataset(X, y, **kwargs)


def test_points_dataset_is_exported_by_the_package():
    import engine

    assert engine.points_dataset is points_dataset
