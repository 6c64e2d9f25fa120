"""Tests for engine.initializations: the spread of each rule, zero biases, the documented draw
order, and bit-for-bit reproducibility from a seed."""

import math

import numpy as np
import pytest

from engine.initializations import (
    DEFAULT_RANDOM_SCALE,
    INITIALIZATIONS,
    get_initialization,
    initialize_weights,
)
from engine.network import Network

# Standard deviation of W[l]'s entries from the course: (n[l-1], scale) -> std.
EXPECTED_STD = {
    "zeros": lambda fan_in, scale: 0.0,
    "random": lambda fan_in, scale: scale,
    "xavier": lambda fan_in, scale: math.sqrt(1.0 / fan_in),
    "he": lambda fan_in, scale: math.sqrt(2.0 / fan_in),
}
DRAWING = [name for name in EXPECTED_STD if name != "zeros"]
LAYER_DIMS = [3, 5, 4, 1]


def _network(init, seed=0, init_scale=DEFAULT_RANDOM_SCALE, layer_dims=LAYER_DIMS):
    activations = ["tanh"] * (len(layer_dims) - 2) + ["sigmoid"]
    return Network(layer_dims, activations, init=init, init_scale=init_scale, seed=seed)


def test_every_initialization_has_an_expected_std():
    assert set(INITIALIZATIONS) == set(EXPECTED_STD)
    assert all(name == rule.name for name, rule in INITIALIZATIONS.items())


def test_course_default_scale_is_one_hundredth():
    assert DEFAULT_RANDOM_SCALE == 0.01


@pytest.mark.parametrize(
    ("init", "scale"),
    [(name, DEFAULT_RANDOM_SCALE) for name in DRAWING] + [("random", 0.05)],
)
def test_weight_std_follows_the_rule_on_a_large_layer(init, scale):
    n_prev, n = 500, 400
    W = _network(init, seed=7, init_scale=scale, layer_dims=[n_prev, n, 1]).parameters["W1"]
    expected = EXPECTED_STD[init](n_prev, scale)
    assert W.shape == (n, n_prev)
    assert W.std() == pytest.approx(expected, rel=0.03)
    assert abs(W.mean()) < 0.01 * expected


def test_zeros_gives_all_zero_parameters():
    params = _network("zeros").parameters
    assert len(params) == 2 * (len(LAYER_DIMS) - 1)
    for key, value in params.items():
        assert not value.any(), key


def test_zeros_draws_nothing_from_the_generator():
    W = [np.ones((4, 3)), np.ones((1, 4))]
    b = [np.ones((4, 1)), np.ones((1, 1))]
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    initialize_weights(W, b, "zeros", rng)
    assert rng.bit_generator.state == state
    assert not any(a.any() for a in W + b)


@pytest.mark.parametrize("init", list(INITIALIZATIONS))
def test_biases_always_start_at_zero(init):
    net = _network(init)
    net.set_parameters({key: np.ones_like(value) for key, value in net.parameters.items()})
    net.initialize()
    for l in range(1, len(LAYER_DIMS)):
        b = net.parameters[f"b{l}"]
        assert b.shape == (LAYER_DIMS[l], 1)
        np.testing.assert_array_equal(b, 0.0)


@pytest.mark.parametrize("init", DRAWING)
def test_weights_are_drawn_layer_by_layer_from_the_seeded_generator(init):
    seed, scale = 11, 0.3
    params = _network(init, seed=seed, init_scale=scale).parameters
    rng = np.random.default_rng(seed)
    for l in range(1, len(LAYER_DIMS)):
        shape = (LAYER_DIMS[l], LAYER_DIMS[l - 1])
        std = EXPECTED_STD[init](LAYER_DIMS[l - 1], scale)
        np.testing.assert_array_equal(params[f"W{l}"], rng.standard_normal(shape) * std)


@pytest.mark.parametrize("init", list(INITIALIZATIONS))
def test_same_seed_reproduces_parameters_bit_for_bit(init):
    first = _network(init, seed=5).parameters
    second = _network(init, seed=5).parameters
    assert first.keys() == second.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


@pytest.mark.parametrize("init", DRAWING)
def test_different_seeds_give_different_weights(init):
    first = _network(init, seed=1).parameters
    second = _network(init, seed=2).parameters
    for l in range(1, len(LAYER_DIMS)):
        assert not np.array_equal(first[f"W{l}"], second[f"W{l}"])


def test_initialize_with_a_seed_reproduces_a_network_built_with_it():
    net = _network("he", seed=1)
    net.initialize(seed=9)
    expected = _network("he", seed=9).parameters
    for key, value in net.parameters.items():
        np.testing.assert_array_equal(value, expected[key])


@pytest.mark.parametrize("bad", ["nope", "Xavier", ["he"]], ids=["unknown", "case", "unhashable"])
def test_get_initialization_rejects_unknown_names_listing_the_allowed_ones(bad):
    with pytest.raises(ValueError, match="unknown initialization") as info:
        get_initialization(bad)
    for name in INITIALIZATIONS:
        assert name in str(info.value)


def test_network_rejects_an_unknown_initialization():
    with pytest.raises(ValueError, match="allowed: zeros, random, xavier, he"):
        _network("nope")


def test_rejected_initialize_leaves_the_network_settings_unchanged():
    net = _network("he", seed=4)
    with pytest.raises(ValueError):
        net.initialize(init="nope", seed=9)
    assert (net.init, net.seed) == ("he", 4)
    net.initialize()  # still usable with its own settings
