"""Tests for engine.csv_tables: CSV tables, good and malformed, and their limits."""

import numpy as np
import pytest

import engine
from engine.csv_tables import load_csv
from engine.loading import LoaderError


def csv_text(header, rows):
    return "\n".join([header, *rows]) + "\n"


def binary_csv(m=40, seed=0):
    """Two features, label 'y' in {0, 1}: y = 1 where x1 + x2 > 10."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, (m, 2))
    y = (x.sum(axis=1) > 10).astype(int)
    rows = [f"{a:.4f},{b:.4f},{c}" for (a, b), c in zip(x, y, strict=True)]
    return csv_text("x1,x2,y", rows), x, y


# ---------------------------------------------------------------------------------------------
# Valid CSV
# ---------------------------------------------------------------------------------------------


def test_binary_csv_gives_course_shapes_and_identity_mapping():
    text, x, y = binary_csv(m=40)
    loaded = load_csv(text, "y", seed=3)
    ds = loaded.dataset
    assert ds.task == "binary" and ds.n_classes == 2
    assert ds.X_train.shape == (2, 32) and ds.X_test.shape == (2, 8)
    assert ds.Y_train.shape == (1, 32) and ds.Y_test.shape == (1, 8)
    assert ds.Y_train.dtype == np.float64
    assert loaded.label_names == ("0", "1")
    assert loaded.feature_names == ("x1", "x2")
    assert loaded.label == "y"
    # Every example survives the split with its own label: undo the standardization.
    std = loaded.standardization
    raw = np.hstack([ds.X_train, ds.X_test]) * np.array(std.std)[:, None]
    raw += np.array(std.mean)[:, None]
    Y = np.hstack([ds.Y_train, ds.Y_test])[0]
    pairs = sorted(zip(map(tuple, np.round(raw.T, 4)), Y, strict=True))
    expected = sorted(zip(map(tuple, np.round(x, 4)), y.astype(float), strict=True))
    assert pairs == expected


def test_standardization_uses_training_statistics_only():
    text, _, _ = binary_csv(m=50)
    loaded = load_csv(text, "y", seed=1)
    ds = loaded.dataset
    np.testing.assert_allclose(ds.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=1), 1.0, rtol=1e-12)
    # The test set is transformed with the training μ and σ, so it is not exactly centred.
    assert np.abs(ds.X_test.mean(axis=1)).max() > 1e-6
    std = loaded.standardization
    assert std.feature_names == ("x1", "x2")
    assert len(std.mean) == len(std.std) == 2
    np.testing.assert_allclose(std.apply(np.array([std.mean]).T), 0.0)


def test_split_is_reproducible_and_depends_on_seed():
    text, _, _ = binary_csv()
    a, b = load_csv(text, "y", seed=5), load_csv(text, "y", seed=5)
    c = load_csv(text, "y", seed=6)
    np.testing.assert_array_equal(a.dataset.X_train, b.dataset.X_train)
    assert not np.array_equal(a.dataset.X_train, c.dataset.X_train)
    assert not a.dataset.X_train.flags.writeable


def test_multiclass_labels_written_as_integers_map_to_zero_based_classes():
    rows = [f"{i},{(i * 7) % 5},{[3, 10, 20][i % 3]}" for i in range(30)]
    loaded = load_csv(csv_text("a,b,kind", rows), "kind", train_fraction=1.0)
    ds = loaded.dataset
    assert ds.task == "multiclass" and ds.n_classes == 3
    # Numeric order, not text order ("10" < "20" < "3" as strings).
    assert loaded.label_names == ("3", "10", "20")
    assert ds.Y_train.dtype == np.int64
    assert set(np.unique(ds.Y_train)) == {0, 1, 2}
    assert ds.X_test.shape == (2, 0)


def test_text_labels_with_two_values_are_binary_in_sorted_order():
    rows = [f"{i},{i % 3},{'spam' if i % 2 else 'ham'}" for i in range(10)]
    loaded = load_csv(csv_text("a,b,mail", rows), "mail", train_fraction=1.0)
    assert loaded.dataset.task == "binary" and loaded.label_names == ("ham", "spam")
    # Row i is spam (1) when i is odd; recover i from the standardized first feature.
    std = loaded.standardization
    i = np.rint(loaded.dataset.X_train[0] * std.std[0] + std.mean[0]).astype(int)
    np.testing.assert_array_equal(loaded.dataset.Y_train[0], i % 2)


def test_many_numeric_labels_are_regression_with_raw_targets():
    rows = [f"{i},{(i * 3) % 7},{0.5 * i + 1.25}" for i in range(20)]
    loaded = load_csv(csv_text("size,rooms,price", rows), "price", train_fraction=1.0)
    ds = loaded.dataset
    assert ds.task == "regression" and ds.n_classes is None and loaded.label_names is None
    assert ds.Y_train.dtype == np.float64
    assert sorted(ds.Y_train[0]) == [0.5 * i + 1.25 for i in range(20)]


def test_task_can_be_forced():
    rows = [f"{i},{i % 4},{i % 3}" for i in range(12)]
    text = csv_text("a,b,y", rows)
    assert load_csv(text, "y").dataset.task == "multiclass"
    assert load_csv(text, "y", task="regression").dataset.task == "regression"
    with pytest.raises(ValueError, match="binary label needs exactly two"):
        load_csv(text, "y", task="binary")
    with pytest.raises(ValueError, match="task must be"):
        load_csv(text, "y", task="ranking")


def test_classes_is_binary_for_two_labels_and_multiclass_for_more():
    # numbers a guess would take for regression (11 distinct non-whole values) or binary
    many = csv_text("a,y", [f"{i},{(i % 3) * 0.5 + 0.25}" for i in range(12)])
    two = csv_text("a,y", [f"{i},{0.5 + (i % 2)}" for i in range(12)])
    loaded = load_csv(many, "y", task="classes")
    assert load_csv(many, "y").dataset.task == "regression"
    assert (loaded.dataset.task, loaded.dataset.n_classes) == ("multiclass", 3)
    assert loaded.label_names == ("0.25", "0.75", "1.25")
    np.testing.assert_array_equal(
        np.sort(np.hstack([loaded.dataset.Y_train, loaded.dataset.Y_test])[0]),
        np.repeat([0, 1, 2], 4),
    )
    assert load_csv(two, "y", task="classes").dataset.task == "binary"


def test_impossible_tasks_are_refused_saying_why():
    text_labels = csv_text("a,y", [f"{i},{'cat' if i % 2 else 'dog'}" for i in range(12)])
    refusal = "row 2, column 2 'y' is not a number: 'dog'; a regression label must be numeric"
    with pytest.raises(LoaderError, match=refusal) as info:
        load_csv(text_labels, "y", task="regression")
    assert (info.value.column, info.value.rule) == ("y", "task")
    with pytest.raises(LoaderError, match="a binary label needs exactly two") as info:
        load_csv(csv_text("a,y", [f"{i},{i % 3}" for i in range(12)]), "y", task="binary")
    assert info.value.rule == "task"
    continuous = csv_text("a,y", [f"{i},{i * 0.37}" for i in range(30)])
    with pytest.raises(LoaderError, match="30 different values, more than the 10 classes"):
        load_csv(continuous, "y", task="classes")
    with pytest.raises(LoaderError, match="can be learnt by regression"):
        load_csv(continuous, "y", task="multiclass")
    with pytest.raises(LoaderError, match="more than the 10 classes") as guessed:
        load_csv(csv_text("a,y", [f"{i},w{i}" for i in range(12)]), "y")
    assert guessed.value.rule is None  # no task asked: the file, not the choice, is at fault


def test_label_column_may_sit_anywhere_and_the_file_may_be_bytes_or_a_path(tmp_path):
    text = csv_text("y,a,b", [f"{i % 2},{i},{i * i}" for i in range(8)])
    path = tmp_path / "houses.csv"
    path.write_text(text)
    from_bytes = load_csv(("\ufeff" + text).encode(), "y")
    for loaded in (load_csv(path, "y"), load_csv(str(path), "y"), from_bytes):
        assert loaded.feature_names == ("a", "b")
        assert loaded.dataset.n_x == 2
    assert load_csv(path, "y").dataset.name == "houses"


def test_csv_bounds_cover_the_standardized_inputs():
    text, _, _ = binary_csv()
    ds = load_csv(text, "y").dataset
    X = np.hstack([ds.X_train, ds.X_test])
    x_lo, x_hi, y_lo, y_hi = ds.bounds
    assert x_lo < X[0].min() and X[0].max() < x_hi
    assert y_lo < X[1].min() and X[1].max() < y_hi


def test_logistic_regression_learns_a_loaded_csv():
    text, _, _ = binary_csv(m=200)
    ds = load_csv(text, "y").dataset
    net = engine.Network([ds.n_x, 1], ["sigmoid"], init="zeros")
    net.fit(ds.X_train, ds.Y_train, learning_rate=1.0, iterations=500)
    assert net.accuracy(ds.X_test, ds.Y_test) > 0.9


# ---------------------------------------------------------------------------------------------
# Malformed CSV: one ValueError saying what and where
# ---------------------------------------------------------------------------------------------

GOOD_ROWS = ["1,2,0", "2,1,1", "3,5,0", "4,3,1"]


@pytest.mark.parametrize(
    ("source", "pattern", "row", "column"),
    [
        ("", "empty", None, None),
        ("\n\n", "empty", None, None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV", None, None),
        (b"a,b,y\n\xff\xfe,1,0\n1,2,1\n", "not valid UTF-8", None, None),
        ("1,2,0\n2,1,1\n3,5,0\n", "No header", 1, None),
        ("a,,y\n" + "\n".join(GOOD_ROWS), "empty name in column 2", 1, None),
        ("a,a,y\n" + "\n".join(GOOD_ROWS), "'a' twice: columns 1 and 2", 1, "a"),
        ("a,b,y\n1,2,0\n2,1\n3,5,0\n", "Row 3 has 2 values but the header has 3", 3, None),
        ("a,b,y\n1,2,0\n2,1,1,7\n3,5,0\n", "Row 3 has 4 values", 3, None),
        ("a,b,y\n1,2,0\n2,abc,1\n3,5,0\n", "row 3, column 2 'b' is not a number: 'abc'", 3, "b"),
        ("a,b,y\n1,2,0\n2,1,1\n3,1_000,0\n", "row 4, column 2 'b' is not a number", 4, "b"),
        ("a,b,y\n1,2,0\n2,,1\n3,5,0\n", "row 3, column 2 'b' has a missing value", 3, "b"),
        ("a,b,y\n1,2,0\nNaN,1,1\n3,5,0\n", "row 3, column 1 'a' has a missing or non", 3, "a"),
        ("a,b,y\n1,2,0\n2,inf,1\n3,5,0\n", "row 3, column 2 'b' .*'inf'", 3, "b"),
        ("a,b,y\n1,2,0\n2,1e999,1\n3,5,0\n", "row 3, column 2 'b' is too large", 3, "b"),
        ("a,b,y\n1,2,0\n2,1,\n3,5,0\n", "row 3, column 3 'y' has a missing value", 3, "y"),
        ("a,b,label\n" + "\n".join(GOOD_ROWS), "No label column 'y'.*'a', 'b', 'label'", 1, "y"),
        ("a;b;y\n1;2;0\n2;1;1\n", "comma-separated", 1, "y"),
        ("a,b,y\n1,2,1\n2,1,1\n3,5,1\n", "'y' has only one class \\('1'\\)", None, "y"),
        ("a,b,y\n1,7,0\n2,7,1\n3,7,0\n4,7,1\n", "column 2 'b' is constant.*σ = 0", None, "b"),
        ("a,b,y\n1,2,0\n", "Too few rows: 1", None, None),
        ("y\n0\n1\n0\n", "no feature columns", 1, None),
        ('a,b,y\n1,2,0\n"2,1,1\n', "not a valid CSV file", None, None),
    ],
)
def test_malformed_csv_raises_one_clear_message(source, pattern, row, column):
    with pytest.raises(ValueError, match=pattern) as info:
        load_csv(source, "y")
    assert isinstance(info.value, LoaderError)
    if row is not None:
        assert info.value.row == row
    if column is not None:
        assert info.value.column == column


def test_non_numeric_regression_label_names_its_cell():
    rows = [f"{i},{i * i},{i}" for i in range(12)] + ["5,3,high"]
    with pytest.raises(ValueError, match="row 14, column 3 'y' is not a number: 'high'"):
        load_csv(csv_text("a,b,y", rows), "y", task="regression")


def test_too_many_text_classes_is_refused():
    rows = [f"{i},{i * i},class{i}" for i in range(12)]
    with pytest.raises(ValueError, match="12 different values"):
        load_csv(csv_text("a,b,y", rows), "y")


def test_a_feature_constant_only_in_the_training_split_is_reported():
    rows = [f"{i},{0 if i < 19 else 1},{i % 2}" for i in range(20)]
    text = csv_text("a,flag,y", rows)
    loaded = load_csv(text, "y", seed=0, train_fraction=1.0)  # varies over all rows: fine
    assert loaded.dataset.n_x == 2
    seed = next(
        s
        for s in range(50)
        if 19 not in np.random.default_rng(s).permutation(20)[: round(0.5 * 20)]
    )
    with pytest.raises(ValueError, match="'flag' is constant"):
        load_csv(text, "y", seed=seed, train_fraction=0.5)


# ---------------------------------------------------------------------------------------------
# Size limits
# ---------------------------------------------------------------------------------------------


def test_size_limits_on_bytes_rows_and_columns(tmp_path):
    text, _, _ = binary_csv(m=30)
    path = tmp_path / "big.csv"
    path.write_text(text)
    n = len(text.encode())
    assert load_csv(text, "y", max_bytes=n, max_rows=30, max_columns=3).dataset.m_train == 24
    for source in (text, text.encode(), path):
        with pytest.raises(ValueError, match=f"too large.*limit of {n - 1} bytes"):
            load_csv(source, "y", max_bytes=n - 1)
    with pytest.raises(ValueError, match="Too many rows: more than the limit of 29") as info:
        load_csv(text, "y", max_rows=29)
    assert info.value.row == 31
    with pytest.raises(ValueError, match=r"Too many columns: the header has 3, over .* 2"):
        load_csv(text, "y", max_columns=2)


@pytest.mark.parametrize("arg", ["max_bytes", "max_rows", "max_columns"])
def test_limits_must_be_positive_ints(arg):
    text, _, _ = binary_csv()
    with pytest.raises(ValueError, match=f"{arg} must be a positive int"):
        load_csv(text, "y", **{arg: 0})


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="Cannot read"):
        load_csv(tmp_path / "nope.csv", "y")
