"""Parameter initialization, chosen by name, drawn from a seeded `np.random.Generator`.

The course's lessons live here: "zeros" never breaks the symmetry between hidden units, "random"
(randn × 0.01) breaks it but with large scales saturates sigmoid and tanh, "xavier" scales by
√(1/n[l-1]) for tanh, and "he" by √(2/n[l-1]) for ReLU. Biases always start at zero.

Weights are drawn layer by layer, W1 first, each as `rng.standard_normal((n[l], n[l-1]))`, so a
seed reproduces the same start bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RANDOM_SCALE = 0.01
"""The course's `np.random.randn(n_h, n_x) * 0.01`."""


@dataclass(frozen=True)
class Initialization:
    """A named rule giving the standard deviation of W[l] from the layer's fan-in."""

    name: str
    title: str
    std: Callable[[int, float], float]
    """(n[l-1], scale) -> standard deviation of the entries of W[l]."""
    uses_scale: bool = False
    description: str = ""


INITIALIZATIONS: dict[str, Initialization] = {
    i.name: i
    for i in (
        Initialization(
            "zeros",
            "Zeros",
            lambda fan_in, scale: 0.0,
            description="Every weight 0: hidden units stay identical (symmetry never breaks).",
        ),
        Initialization(
            "random",
            "Small random",
            lambda fan_in, scale: scale,
            uses_scale=True,
            description="randn × scale (course default 0.01): breaks symmetry.",
        ),
        Initialization(
            "xavier",
            "Xavier",
            lambda fan_in, scale: math.sqrt(1.0 / fan_in),
            description="randn × √(1/n[l-1]): keeps tanh activations in range.",
        ),
        Initialization(
            "he",
            "He",
            lambda fan_in, scale: math.sqrt(2.0 / fan_in),
            description="randn × √(2/n[l-1]): keeps ReLU activations in range.",
        ),
    )
}


def get_initialization(name: str) -> Initialization:
    """The registered initialization called `name`, or a ValueError listing the allowed names."""
    try:
        return INITIALIZATIONS[name]
    except (KeyError, TypeError):
        allowed = ", ".join(INITIALIZATIONS)
        raise ValueError(f"unknown initialization {name!r}; allowed: {allowed}") from None


def initialize_weights(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    init: str,
    rng: np.random.Generator,
    scale: float = DEFAULT_RANDOM_SCALE,
) -> None:
    """Fill W[l] (n[l], n[l-1]) and b[l] (n[l], 1) in place, for l = 1 … L in order.

    "zeros" draws nothing from `rng`; every other rule draws one standard normal matrix per layer.
    """
    rule = get_initialization(init)
    for W, b in zip(weights, biases, strict=True):
        std = rule.std(W.shape[1], scale)
        if rule.name == "zeros":
            W.fill(0.0)
        else:
            W[...] = rng.standard_normal(W.shape)
            W *= std
        b.fill(0.0)
