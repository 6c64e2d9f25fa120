"""A CSV's standardized regression targets cross the upload sandbox's process boundary whole
(app/parsing.py), and the page is sent the points and the boundary in the data's own units."""

import numpy as np

from app import parsing
from app.runs import dataset_summary
from engine import DatasetConfig
from engine.loaders import load_csv
from tests.engine.test_truth_targets import house_price_csv


def test_target_scale_survives_the_sandbox_encoding():
    loaded = load_csv(house_price_csv(), "price", standardize_targets=True)
    back = parsing._decode_loaded(parsing._encode_loaded(loaded), 10_000_000)
    assert back.dataset.target_scale == loaded.dataset.target_scale
    np.testing.assert_array_equal(back.dataset.Y_train, loaded.dataset.Y_train)


def test_the_summary_shows_regression_targets_in_their_units():
    ds = DatasetConfig(name="house").build()
    raw = DatasetConfig(name="house", standardize_targets=False).build()
    summary = dataset_summary(ds)
    np.testing.assert_allclose(summary["train"]["y"], raw.Y_train[0], atol=1e-5)
    np.testing.assert_allclose(summary["test"]["y"], raw.Y_test[0], atol=1e-5)
