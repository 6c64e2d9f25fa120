"""Activations g written independently of the engine (engine/activations.py), for the engine
tests' naive reference passes: an oracle must not share the code it checks."""

from __future__ import annotations

import numpy as np

G = {
    "sigmoid": lambda Z: 1.0 / (1.0 + np.exp(-Z)),
    "tanh": np.tanh,
    "relu": lambda Z: np.where(Z > 0, Z, 0.0),
    "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
    "linear": lambda Z: Z,
}
"""The hidden activations' g, one per name of engine.HIDDEN_ACTIVATIONS."""


def softmax(Z):
    """The output layer's softmax, over the class axis 0 of Z (n_L, m)."""
    e = np.exp(Z - Z.max(axis=0))
    return e / e.sum(axis=0)
