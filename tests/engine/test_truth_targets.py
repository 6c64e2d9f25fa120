"""Standardized regression targets (issue 11): Y = (Y_raw − μ) / σ with μ, σ of the training
split, recorded as the dataset's `target_scale` so predictions go back to the data's units; with
them the built-in regression sets and a house-price table learn at one learning rate, where the
raw targets diverge."""

import numpy as np
import pytest

from engine import DatasetConfig, NetworkConfig, TargetScale, TrainConfig, Trainer, make_dataset
from engine.loaders import load_csv

REGRESSION_RATE = 0.03  # the playground's default for regression (app/routes/api.py)


def house_price_csv(m=120, seed=4) -> str:
    """Sizes in square feet and prices in dollars, as a student's table would hold them."""
    rng = np.random.default_rng(seed)
    sqft = rng.uniform(500, 4000, m)
    rooms = np.clip(np.rint(sqft / 700 + rng.normal(0, 0.5, m)), 1, 8)
    price = 50_000 + 150 * sqft + 8_000 * rooms + rng.normal(0, 20_000, m)
    rows = [f"{a:.0f},{r:.0f},{p:.0f}" for a, r, p in zip(sqft, rooms, price, strict=True)]
    return "\n".join(["sqft,rooms,price", *rows]) + "\n"


def train(ds, learning_rate=REGRESSION_RATE, iterations=2000, units=4, activation="tanh"):
    net = NetworkConfig(
        layer_dims=(ds.n_x, units, 1), activations=(activation, "linear"), seed=3
    ).build()
    trainer = Trainer(net, ds.X_train, ds.Y_train, TrainConfig(learning_rate=learning_rate))
    return trainer, trainer.run(iterations)


@pytest.mark.parametrize("name", ["plane", "house"])
def test_standardized_targets_have_mean_0_and_std_1_on_the_training_split(name):
    raw = make_dataset(name, seed=5)
    ds = make_dataset(name, seed=5, standardize_targets=True)
    assert raw.target_scale is None
    s = ds.target_scale
    assert s.mean == pytest.approx(raw.Y_train.mean()) and s.std == pytest.approx(raw.Y_train.std())
    assert ds.Y_train.mean() == pytest.approx(0.0, abs=1e-12)
    assert ds.Y_train.std() == pytest.approx(1.0)
    # The test split uses the training statistics, unchanged; inverting gives the raw targets.
    np.testing.assert_allclose(ds.Y_test, (raw.Y_test - s.mean) / s.std)
    np.testing.assert_allclose(s.invert(ds.Y_train), raw.Y_train)
    np.testing.assert_allclose(s.invert(ds.Y_test), raw.Y_test)
    # Inputs, split and plot range stay as generated (the range in the data's units).
    np.testing.assert_array_equal(ds.X_train, raw.X_train)
    assert ds.bounds == raw.bounds
    assert ds.Y_train.shape == (1, ds.m_train) and ds.Y_train.dtype == np.float64


def test_classification_targets_are_never_rescaled():
    for name in ("flower", "blobs"):
        raw = make_dataset(name, seed=2)
        ds = make_dataset(name, seed=2, standardize_targets=True)
        assert ds.target_scale is None
        np.testing.assert_array_equal(ds.Y_train, raw.Y_train)


def test_the_playgrounds_dataset_config_standardizes_regression_targets():
    assert DatasetConfig(name="plane").build().target_scale is not None
    assert DatasetConfig(name="plane", standardize_targets=False).build().target_scale is None


def test_equal_training_targets_are_only_centred():
    s = TargetScale.of(np.full((1, 5), 3.0))
    assert (s.mean, s.std) == (3.0, 1.0)
    np.testing.assert_array_equal(s.apply(np.array([[3.0, 4.0]])), [[0.0, 1.0]])


@pytest.mark.parametrize("name", ["plane", "house"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_built_in_regressions_learn_at_the_default_rate(name, activation):
    ds = DatasetConfig(name=name).build()
    trainer, costs = train(ds, activation=activation)
    assert trainer.diverged is None
    assert costs[-1] < 0.1 * costs[0]


@pytest.mark.parametrize("name", ["plane", "house"])
def test_the_classification_rate_diverges_on_raw_regression_targets(name):
    # Why the page gives regression its own rate: the course's 1.2 diverges here.
    trainer, _ = train(make_dataset(name), learning_rate=1.2)
    assert trainer.diverged is not None


def test_a_house_price_table_learns_with_standardized_targets():
    loaded = load_csv(house_price_csv(), "price", standardize_targets=True)
    ds = loaded.dataset
    assert ds.task == "regression"
    s = ds.target_scale
    assert 200_000 < s.mean < 600_000 and s.std > 50_000  # dollars
    raw = load_csv(house_price_csv(), "price")
    assert raw.dataset.target_scale is None
    np.testing.assert_allclose(s.invert(ds.Y_train), raw.dataset.Y_train)
    assert ds.bounds == raw.dataset.bounds  # the plot's range in dollars
    trainer, costs = train(ds)
    assert trainer.diverged is None and costs[-1] < 0.2 * costs[0]
    # The table in dollars diverges at the classification rate, as the issue saw it.
    trainer, _ = train(raw.dataset, learning_rate=1.2, iterations=500)
    assert trainer.diverged is not None
