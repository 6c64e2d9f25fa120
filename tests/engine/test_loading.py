"""What the loaders share (engine.loading), and engine.loaders, the one name that re-exports
the CSV and image-set loaders."""

import pytest

import engine
import engine.csv_tables
import engine.image_sets
import engine.loaders
import engine.loading
from engine.loading import LoaderError, check_limit, check_size


def test_engine_loaders_re_exports_the_same_objects():
    for name in engine.loaders.__all__:
        owners = [
            m
            for m in (engine.csv_tables, engine.image_sets, engine.loading)
            if getattr(m, name, None) is getattr(engine.loaders, name)
        ]
        assert owners, name
    for name in ("LoaderError", "LoadedData", "Standardization", "load_csv", "load_image_set"):
        assert getattr(engine, name) is getattr(engine.loaders, name)


def test_both_loaders_raise_the_one_loader_error():
    with pytest.raises(LoaderError):
        engine.csv_tables.load_csv("", "y")
    with pytest.raises(LoaderError):
        engine.image_sets.load_image_files({"x.npz": b"not a zip"})


def test_limits_are_positive_ints():
    assert check_limit("max_rows", 3) == 3
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError, match="max_rows must be a positive int"):
            check_limit("max_rows", bad)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 11)
    check_size(path, 11, "The file")
    with pytest.raises(LoaderError, match="The file is too large: 11 bytes") as info:
        check_size(path, 10, "The file")
    assert info.value.limit == 10
    with pytest.raises(LoaderError, match="Cannot read"):
        check_size(tmp_path / "missing.csv", 10, "The file")
