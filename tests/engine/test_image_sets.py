"""Tests for engine.image_sets: the course's image-set files (.npz, .h5), from paths and from
uploaded bytes, good, malformed and hostile."""

import io
import sys

import numpy as np
import pytest

import engine
from engine.image_sets import (
    image_set_from_arrays,
    load_image_files,
    load_image_set,
    read_image_arrays,
    save_npz,
    synthetic_images,
)
from engine.loading import LoaderError
from tests.hostile_files import HOSTILE, MARKER, npz_lying_header


def tiny_images():
    """Four 2x3 RGB images with distinct pixels; labels 0, 1, 1, 0."""
    x = np.arange(4 * 2 * 3 * 3, dtype=np.uint8).reshape(4, 2, 3, 3)
    return x, np.array([0, 1, 1, 0])


def test_flattening_follows_the_course_row_column_channel_order():
    x, y = tiny_images()
    loaded = image_set_from_arrays(x, y, x[:2], y[:2])
    ds = loaded.dataset
    assert ds.X_train.shape == (2 * 3 * 3, 4) and ds.Y_train.shape == (1, 4)
    assert ds.X_test.shape == (18, 2) and ds.Y_test.shape == (1, 2)
    # Pixel (row 1, column 2, channel 1) of image 3 is feature (1*3 + 2)*3 + 1 = 16.
    assert ds.X_train[16, 3] == x[3, 1, 2, 1] / 255.0
    np.testing.assert_array_equal(ds.X_train, x.reshape(4, -1).T / 255.0)
    np.testing.assert_array_equal(ds.X_train[:, 2].reshape(loaded.image_shape) * 255, x[2])
    assert loaded.feature_names[16] == "pixel[1,2,1]"
    assert ds.task == "binary" and ds.Y_train.dtype == np.float64
    np.testing.assert_array_equal(ds.Y_train, [[0, 1, 1, 0]])
    assert loaded.pixel_scale == 255.0 and loaded.standardization is None


def test_npz_with_train_and_test_in_one_file(tmp_path):
    arrays = synthetic_images(m_train=10, m_test=6, size=8, seed=2)
    path = tmp_path / "shapes.npz"
    save_npz(path, arrays)
    loaded = load_image_set(path)
    ds = loaded.dataset
    assert ds.X_train.shape == (8 * 8 * 3, 10) and ds.X_test.shape == (192, 6)
    assert ds.Y_train.shape == (1, 10) and ds.Y_test.shape == (1, 6)
    assert ds.X_train.min() >= 0.0 and ds.X_train.max() <= 1.0
    assert loaded.label_names == ("dark centre", "bright centre")
    assert loaded.image_shape == (8, 8, 3)
    np.testing.assert_array_equal(ds.X_test[5, 4], arrays["test_set_x"][4, 0, 1, 2] / 255.0)


def test_npz_train_and_test_files(tmp_path):
    arrays = synthetic_images(m_train=8, m_test=4, size=4)
    np.savez(
        tmp_path / "train.npz", train_set_x=arrays["train_set_x"], train_set_y=arrays["train_set_y"]
    )
    np.savez(
        tmp_path / "test.npz", test_set_x=arrays["test_set_x"], test_set_y=arrays["test_set_y"]
    )
    loaded = load_image_set(tmp_path / "train.npz", tmp_path / "test.npz")
    assert loaded.dataset.m_train == 8 and loaded.dataset.m_test == 4
    assert loaded.label_names == ("0", "1")
    only_train = load_image_set(tmp_path / "train.npz")
    assert only_train.dataset.X_test.shape == (48, 0)


def test_h5_in_the_course_layout(tmp_path):
    h5py = pytest.importorskip("h5py")
    arrays = synthetic_images(m_train=6, m_test=4, size=4, seed=1)
    with h5py.File(tmp_path / "train_shapes.h5", "w") as f:
        f["train_set_x"] = arrays["train_set_x"]
        f["train_set_y"] = arrays["train_set_y"]
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    with h5py.File(tmp_path / "test_shapes.h5", "w") as f:
        f["test_set_x"] = arrays["test_set_x"]
        f["test_set_y"] = arrays["test_set_y"]
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    loaded = load_image_set(tmp_path / "train_shapes.h5", tmp_path / "test_shapes.h5")
    ds = loaded.dataset
    assert ds.X_train.shape == (48, 6) and ds.X_test.shape == (48, 4)
    assert loaded.label_names == ("non-cat", "cat")
    assert ds.X_train[(2 * 4 + 3) * 3 + 0, 5] == arrays["train_set_x"][5, 2, 3, 0] / 255.0
    np.testing.assert_array_equal(ds.Y_test, arrays["test_set_y"].reshape(1, -1))


def test_h5_without_h5py_says_how_to_install_it(tmp_path, monkeypatch):
    path = tmp_path / "train.h5"
    path.write_bytes(b"not really hdf5")
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="pip install h5py"):
        load_image_set(path)


def test_multiclass_images_keep_integer_labels():
    x = np.zeros((6, 2, 2, 3), dtype=np.uint8)
    loaded = image_set_from_arrays(x, np.array([0, 1, 2, 0, 1, 2]))
    assert loaded.dataset.task == "multiclass" and loaded.dataset.n_classes == 3
    assert loaded.dataset.Y_train.dtype == np.int64


@pytest.mark.parametrize(
    ("arrays", "pattern"),
    [
        ({"train_set_y": np.array([0, 1])}, "has no array 'train_set_x'; it holds: train_set_y"),
        (
            {"train_set_x": np.zeros((2, 4, 4), np.uint8), "train_set_y": np.array([0, 1])},
            r"shape \(m, height, width, 3\).*\(2, 4, 4\)",
        ),
        (
            {"train_set_x": np.zeros((2, 4, 4, 3)), "train_set_y": np.array([0, 1])},
            "uint8 .*float64",
        ),
        (
            {"train_set_x": np.zeros((2, 4, 4, 3), np.uint8), "train_set_y": np.array([0, 1, 1])},
            "3 labels but there are 2 images",
        ),
        (
            {"train_set_x": np.zeros((2, 4, 4, 3), np.uint8), "train_set_y": np.array([0.5, 1])},
            "whole-number class labels",
        ),
        (
            {"train_set_x": np.zeros((2, 4, 4, 3), np.uint8), "train_set_y": np.array([-1, 1])},
            "negative label",
        ),
        (
            {"train_set_x": np.zeros((2, 4, 4, 3), np.uint8), "train_set_y": np.array([1, 1])},
            "only one class",
        ),
        (
            {
                "train_set_x": np.zeros((2, 4, 4, 3), np.uint8),
                "train_set_y": np.array([0, 1]),
                "test_set_x": np.zeros((2, 5, 4, 3), np.uint8),
                "test_set_y": np.array([0, 1]),
            },
            "same height, width and channels",
        ),
        (
            {
                "train_set_x": np.zeros((2, 4, 4, 3), np.uint8),
                "train_set_y": np.array([0, 1]),
                "test_set_x": np.zeros((2, 4, 4, 3), np.uint8),
            },
            "test_set_y is missing",
        ),
    ],
)
def test_malformed_image_sets_raise_clear_messages(tmp_path, arrays, pattern):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=pattern):
        load_image_set(path)


def test_image_files_of_unknown_format_or_garbage_are_refused(tmp_path):
    (tmp_path / "cats.zip").write_bytes(b"PK")
    with pytest.raises(ValueError, match=r"unknown image-set format '\.zip'"):
        load_image_set(tmp_path / "cats.zip")
    (tmp_path / "cats.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"not a readable \.npz file"):
        load_image_set(tmp_path / "cats.npz")
    np.savez(tmp_path / "objects.npz", train_set_x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="Python objects"):
        load_image_set(tmp_path / "objects.npz")
    save_npz(tmp_path / "ok.npz", synthetic_images(m_train=4, m_test=2, size=4))
    with pytest.raises(ValueError, match="too large"):
        load_image_set(tmp_path / "ok.npz", max_bytes=100)


def test_synthetic_images_are_seeded_and_in_the_course_layout():
    a, b = synthetic_images(seed=4), synthetic_images(seed=4)
    assert a["train_set_x"].shape == (60, 16, 16, 3) and a["train_set_x"].dtype == np.uint8
    assert a["train_set_y"].shape == (60,) and a["test_set_x"].shape == (20, 16, 16, 3)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["train_set_x"], synthetic_images(seed=5)["train_set_x"])
    # Bright-centre images (label 1) really are brighter in the centre than at the border.
    x, y = a["train_set_x"].astype(float), a["train_set_y"]
    contrast = x[:, 4:12, 4:12].mean(axis=(1, 2, 3)) - x[:, :4].mean(axis=(1, 2, 3))
    assert (contrast[y == 1] > 0).all() and (contrast[y == 0] < 0).all()


def test_logistic_regression_separates_the_synthetic_images():
    loaded = image_set_from_arrays(**synthetic_images(m_train=60, m_test=40, size=12, seed=0))
    ds = loaded.dataset
    net = engine.Network([ds.n_x, 1], ["sigmoid"], init="zeros")
    net.fit(ds.X_train, ds.Y_train, learning_rate=0.05, iterations=300)
    assert net.accuracy(ds.X_train, ds.Y_train) > 0.9
    assert net.accuracy(ds.X_test, ds.Y_test) > 0.9


# ---------------------------------------------------------------------------------------------
# Image sets from uploaded bytes
# ---------------------------------------------------------------------------------------------

COURSE_CLASSES = np.array([b"non-cat", b"cat"])


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def h5_bytes(**arrays):
    h5py = pytest.importorskip("h5py")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for key, value in arrays.items():
            f[key] = value
    return buffer.getvalue()


def split_npz_files(arrays):
    """The train arrays in train.npz and the test arrays in test.npz, as bytes."""
    train = npz_bytes(train_set_x=arrays["train_set_x"], train_set_y=arrays["train_set_y"])
    test = npz_bytes(test_set_x=arrays["test_set_x"], test_set_y=arrays["test_set_y"])
    return train, test


@pytest.mark.parametrize("train_first", [True, False], ids=["train_first", "test_first"])
def test_image_files_pool_train_and_test_npz_given_in_either_order(train_first):
    arrays = synthetic_images(m_train=8, m_test=4, size=4, seed=3)
    train, test = split_npz_files(arrays)
    files = {"train.npz": train, "test.npz": test}
    if not train_first:
        files = {"test.npz": test, "train.npz": train}
    loaded = load_image_files(files)
    ds = loaded.dataset
    assert ds.name == "train" and ds.task == "binary" and ds.n_classes == 2
    assert ds.X_train.shape == (48, 8) and ds.X_test.shape == (48, 4)
    np.testing.assert_array_equal(ds.X_train, arrays["train_set_x"].reshape(8, -1).T / 255.0)
    np.testing.assert_array_equal(ds.X_test, arrays["test_set_x"].reshape(4, -1).T / 255.0)
    np.testing.assert_array_equal(ds.Y_train, arrays["train_set_y"].reshape(1, -1))
    np.testing.assert_array_equal(ds.Y_test, arrays["test_set_y"].reshape(1, -1))
    assert loaded.label_names == ("0", "1") and loaded.image_shape == (4, 4, 3)


def test_image_files_match_load_image_set_on_the_same_file(tmp_path):
    arrays = synthetic_images(m_train=6, m_test=4, size=4, seed=8)
    save_npz(tmp_path / "shapes.npz", arrays)
    from_path = load_image_set(tmp_path / "shapes.npz")
    from_bytes = load_image_files({"shapes.npz": (tmp_path / "shapes.npz").read_bytes()})
    assert from_bytes.dataset.name == from_path.dataset.name == "shapes"
    for field in ("X_train", "Y_train", "X_test", "Y_test"):
        np.testing.assert_array_equal(
            getattr(from_bytes.dataset, field), getattr(from_path.dataset, field)
        )
    assert from_bytes.label_names == from_path.label_names == ("dark centre", "bright centre")


def test_image_files_take_bytearray_and_memoryview():
    arrays = synthetic_images(m_train=4, m_test=2, size=4)
    data = npz_bytes(**arrays)
    for wrapped in (bytearray(data), memoryview(data)):
        loaded = load_image_files({"set.npz": wrapped})
        assert loaded.dataset.m_train == 4 and loaded.dataset.m_test == 2


def test_image_files_without_test_arrays_give_an_empty_test_set():
    arrays = synthetic_images(m_train=6, m_test=2, size=4)
    train, _ = split_npz_files(arrays)
    ds = load_image_files({"train.npz": train}).dataset
    assert ds.m_train == 6 and ds.X_test.shape == (48, 0) and ds.Y_test.shape == (1, 0)


def test_image_files_read_one_h5_holding_all_four_arrays():
    arrays = synthetic_images(m_train=6, m_test=4, size=4, seed=1)
    data = h5_bytes(
        train_set_x=arrays["train_set_x"],
        train_set_y=arrays["train_set_y"],
        test_set_x=arrays["test_set_x"],
        test_set_y=arrays["test_set_y"],
    )
    assert data.startswith(b"\x89HDF\r\n\x1a\n")
    loaded = load_image_files({"shapes.h5": data})
    ds = loaded.dataset
    assert ds.name == "shapes" and ds.X_train.shape == (48, 6) and ds.X_test.shape == (48, 4)
    assert ds.X_train[(2 * 4 + 3) * 3 + 0, 5] == arrays["train_set_x"][5, 2, 3, 0] / 255.0
    np.testing.assert_array_equal(ds.Y_test, arrays["test_set_y"].reshape(1, -1))
    assert loaded.label_names == ("0", "1")


def test_image_files_read_the_course_layout_with_list_classes():
    arrays = synthetic_images(m_train=6, m_test=4, size=4, seed=2)
    data = h5_bytes(
        train_set_x=arrays["train_set_x"],
        train_set_y=arrays["train_set_y"].reshape(1, -1),  # the course stores (1, m) too
        test_set_x=arrays["test_set_x"],
        test_set_y=arrays["test_set_y"],
        list_classes=COURSE_CLASSES,
    )
    loaded = load_image_files({"train_catvnoncat.h5": data})
    assert loaded.dataset.name == "train_catvnoncat"
    assert loaded.label_names == ("non-cat", "cat")
    assert loaded.dataset.m_train == 6 and loaded.dataset.m_test == 4


def test_image_files_mix_an_h5_train_file_and_an_npz_test_file():
    arrays = synthetic_images(m_train=6, m_test=4, size=4, seed=2)
    train = h5_bytes(
        train_set_x=arrays["train_set_x"],
        train_set_y=arrays["train_set_y"],
        list_classes=COURSE_CLASSES,
    )
    _, test = split_npz_files(arrays)
    loaded = load_image_files({"test.npz": test, "train.h5": train})
    assert loaded.dataset.name == "train" and loaded.dataset.m_test == 4
    assert loaded.label_names == ("non-cat", "cat")


def test_image_files_read_the_courses_two_files_each_holding_list_classes():
    arrays = synthetic_images(m_train=6, m_test=4, size=4, seed=2)
    files = {
        "train_catvnoncat.h5": h5_bytes(
            train_set_x=arrays["train_set_x"],
            train_set_y=arrays["train_set_y"],
            list_classes=COURSE_CLASSES,
        ),
        "test_catvnoncat.h5": h5_bytes(
            test_set_x=arrays["test_set_x"],
            test_set_y=arrays["test_set_y"],
            list_classes=COURSE_CLASSES,
        ),
    }
    loaded = load_image_files(files)
    assert loaded.dataset.name == "train_catvnoncat"
    assert loaded.dataset.m_train == 6 and loaded.dataset.m_test == 4
    assert loaded.label_names == ("non-cat", "cat")


def _truncated(data):
    return data[: len(data) // 2]


def _image_arrays(**changes):
    arrays = {
        "train_set_x": np.zeros((2, 4, 4, 3), np.uint8),
        "train_set_y": np.array([0, 1]),
    }
    arrays.update(changes)
    return {key: value for key, value in arrays.items() if value is not None}


MALFORMED_UPLOADS = [
    ({}, r"No file given: upload the training file"),
    (
        {"cats.csv": b"x1,x2,y\n1,2,0\n3,4,1\n"},
        r"cats\.csv is neither a NumPy \.npz archive nor an HDF5 \.h5 file",
    ),
    ({"empty.npz": b""}, r"empty\.npz is neither a NumPy \.npz archive nor an HDF5"),
    (
        {"cut.npz": _truncated(npz_bytes(**_image_arrays()))},
        r"cut\.npz is not a readable \.npz file",
    ),
    (
        {"a.npz": npz_bytes(**_image_arrays()), "b.npz": npz_bytes(train_set_y=np.array([1, 0]))},
        r"Both a\.npz and b\.npz hold an array 'train_set_y'; give each array in one file only",
    ),
    (
        {"y.npz": npz_bytes(train_set_y=np.array([0, 1]), test_set_y=np.array([0]))},
        r"No file holds the array 'train_set_x' \(the files hold: test_set_y, train_set_y\)",
    ),
    (
        {"x.npz": npz_bytes(train_set_x=np.zeros((2, 4, 4, 3), np.uint8))},
        r"No file holds the array 'train_set_y' \(the files hold: train_set_x\)",
    ),
    (
        {"other.npz": npz_bytes(weights=np.zeros(3))},
        r"No file holds the array 'train_set_x' \(the files hold: weights\)",
    ),
    (
        {"objects.npz": npz_bytes(train_set_x=np.array([{"a": 1}], dtype=object))},
        r"objects\.npz holds Python objects; nnplay reads only plain numeric arrays",
    ),
    (
        {"bad.npz": npz_bytes(**_image_arrays(train_set_x=np.zeros((2, 4, 4), np.uint8)))},
        r"train_set_x must have shape \(m, height, width, 3\) \(RGB images\); got \(2, 4, 4\)",
    ),
    (
        {"bad.npz": npz_bytes(**_image_arrays(train_set_x=np.zeros((2, 4, 4, 3))))},
        r"train_set_x must hold uint8 pixel values 0 … 255; got dtype float64",
    ),
    (
        {"bad.npz": npz_bytes(**_image_arrays(train_set_y=np.array([0, 1, 1])))},
        "train_set_y has 3 labels but there are 2 images",
    ),
    (
        {"bad.npz": npz_bytes(**_image_arrays(train_set_y=np.array([1, 1])))},
        r"train_set_y has only one class \(1\)",
    ),
    (
        {
            "train.npz": npz_bytes(**_image_arrays()),
            "test.npz": npz_bytes(test_set_x=np.zeros((2, 4, 4, 3), np.uint8)),
        },
        "The test set is incomplete: test_set_y is missing",
    ),
    (
        {
            "train.npz": npz_bytes(**_image_arrays()),
            "test.npz": npz_bytes(
                test_set_x=np.zeros((1, 5, 4, 3), np.uint8), test_set_y=np.array([0])
            ),
        },
        "both sets must have the same height, width and channels",
    ),
]


@pytest.mark.parametrize(("files", "pattern"), MALFORMED_UPLOADS)
def test_malformed_image_files_raise_one_clear_message(files, pattern):
    with pytest.raises(LoaderError, match=pattern):
        load_image_files(files)


def test_a_truncated_h5_file_is_not_readable():
    arrays = synthetic_images(m_train=4, m_test=2, size=4)
    data = h5_bytes(train_set_x=arrays["train_set_x"], train_set_y=arrays["train_set_y"])
    with pytest.raises(LoaderError, match=r"cut\.h5 is not a readable HDF5 file"):
        load_image_files({"cut.h5": _truncated(data)})


def test_image_files_over_max_bytes_are_refused_before_reading():
    data = npz_bytes(**synthetic_images(m_train=4, m_test=2, size=4))
    limit = len(data) - 1
    with pytest.raises(
        LoaderError,
        match=rf"big\.npz is too large: {len(data)} bytes, over the limit of {limit} bytes",
    ):
        load_image_files({"big.npz": data}, max_bytes=limit)
    assert load_image_files({"big.npz": data}, max_bytes=len(data)).dataset.m_train == 4
    # Even bytes that are not an image file at all are measured first.
    with pytest.raises(LoaderError, match=r"junk is too large: 11 bytes"):
        load_image_files({"junk": b"not a file!"}, max_bytes=10)


@pytest.mark.parametrize("max_bytes", [0, -1, 1.5, True, "100"], ids=repr)
def test_image_files_max_bytes_must_be_a_positive_int(max_bytes):
    data = npz_bytes(**synthetic_images(m_train=4, m_test=2, size=4))
    with pytest.raises(ValueError, match="max_bytes must be a positive int"):
        load_image_files({"ok.npz": data}, max_bytes=max_bytes)


def test_h5_bytes_without_h5py_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="pip install h5py"):
        load_image_files({"train.h5": b"\x89HDF\r\n\x1a\n" + bytes(32)})


def test_load_image_files_is_exported_by_the_package():
    assert engine.load_image_files is load_image_files


# --- Hostile files: refused from their structure, before any data is read -------------------


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_image_files_are_refused_by_rule_before_reading(kind, tmp_path):
    marker = tmp_path / "marker.txt"
    marker.write_bytes(MARKER)
    build, file_name, rule = HOSTILE[kind]
    with pytest.raises(LoaderError) as raised:
        load_image_files({file_name: build(marker)}, max_bytes=10_000_000)
    error = raised.value
    if rule == "limit":
        assert error.limit == 10_000_000
        assert "its arrays take 122880000000 bytes" in str(error)
    else:
        assert error.rule == rule
    assert b"MARKER" not in str(error).encode()


def test_hostile_h5_is_refused_even_when_it_names_a_readable_file(tmp_path):
    # The external storage points at a file the process may read: a naive reader returns its
    # bytes as pixels; this one never opens it.
    marker = tmp_path / "marker.txt"
    marker.write_bytes(MARKER)
    data = HOSTILE["external_storage"][0](marker)
    h5py = pytest.importorskip("h5py")
    with h5py.File(io.BytesIO(data), "r") as f:  # what h5py alone would hand over
        assert f["train_set_x"][()].tobytes()[:48] == MARKER[:48]
    with pytest.raises(LoaderError, match="keeps its data in external files"):
        read_image_arrays(data, name="train.h5")


def test_an_unknown_hdf5_filter_is_refused_rather_than_looked_up_as_a_plugin():
    h5py = pytest.importorskip("h5py")
    from h5py import h5p, h5s, h5t, h5z

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk((2,))
        dcpl.set_filter(32_015, h5z.FLAG_OPTIONAL)  # a plugin's id (zstd), marked optional
        h5py.h5d.create(f.id, b"train_set_y", h5t.STD_I64LE, h5s.create_simple((2,)), dcpl=dcpl)
    with pytest.raises(LoaderError, match="compressed with filter 32015") as raised:
        read_image_arrays(buffer.getvalue(), name="f.h5")
    assert raised.value.rule == "filter"


def test_a_lying_npy_header_is_refused_without_allocating():
    # 114 GiB declared: refused from the header, never a MemoryError.
    with pytest.raises(LoaderError, match="its arrays take 122880000000 bytes") as raised:
        read_image_arrays(npz_lying_header(), name="big.npz", max_bytes=20_000_000)
    assert raised.value.limit == 20_000_000
