"""Derived input features for 2-D inputs, in the style of TensorFlow Playground.

A network that only sees the raw coordinates (x1, x2) must build curved boundaries out of hidden
units. Handing it x1², x1·x2, sin(x1), ... lets even a network with no hidden layer draw circles
or checkerboards, which is the point the Playground's feature toggles make.

Shapes follow Andrew Ng's course: inputs X are (n_x, m), one column per example. Raw inputs are
(2, m); the expanded matrix is (2 + k, m) with the raw rows first, so ``X[:2]`` is always the raw
coordinates (the plotting code relies on that).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

RAW_FEATURE_NAMES: tuple[str, str] = ("x1", "x2")
RAW_FEATURE_LABELS: tuple[str, str] = ("x₁", "x₂")


@dataclass(frozen=True)
class Feature:
    """One derived feature.

    ``fn(x1, x2)`` takes the two raw input rows, each of shape (1, m), and returns a (1, m) row of
    the same dtype.
    """

    name: str
    label: str
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _x1_squared(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1 * x1


def _x2_squared(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x2 * x2


def _x1_x2(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1 * x2


def _sin_x1(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.sin(x1)


def _sin_x2(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.sin(x2)


# Insertion order is the display order in the UI, so keep it stable.
FEATURES: dict[str, Feature] = {
    feature.name: feature
    for feature in (
        Feature("x1_squared", "x₁²", _x1_squared),
        Feature("x2_squared", "x₂²", _x2_squared),
        Feature("x1_x2", "x₁x₂", _x1_x2),
        Feature("sin_x1", "sin(x₁)", _sin_x1),
        Feature("sin_x2", "sin(x₂)", _sin_x2),
    )
}


def validate_features(features: Sequence[str]) -> tuple[str, ...]:
    """Check a list of derived-feature names and return it as a tuple.

    Raises ValueError for an unknown name, a duplicate, or a bare string (a single string would
    otherwise be read as a sequence of one-letter names).
    """
    if isinstance(features, str):
        raise ValueError(
            f"features must be a sequence of feature names, not a single string; "
            f"got {features!r}, did you mean ({features!r},)?"
        )
    names = tuple(features)
    allowed = ", ".join(FEATURES)
    for name in names:
        if not isinstance(name, str) or name not in FEATURES:
            raise ValueError(
                f"Unknown feature {name!r} in features={names!r}; allowed features are: {allowed}"
            )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Duplicate feature(s) {', '.join(duplicates)} in features={names!r}")
    return names


def feature_names(features: Sequence[str]) -> list[str]:
    """Names of the rows of ``expand_features(X, features)``: ["x1", "x2", *features]."""
    return [*RAW_FEATURE_NAMES, *validate_features(features)]


def feature_labels(features: Sequence[str]) -> list[str]:
    """Display labels of the rows of ``expand_features(X, features)``, e.g. ["x₁", "x₂", "x₁²"]."""
    return [*RAW_FEATURE_LABELS, *(FEATURES[name].label for name in validate_features(features))]


def expand_features(X: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """Append derived feature rows to raw 2-D inputs.

    Args:
        X: raw inputs, shape (2, m). Float arrays keep their dtype (plotting grids are float32);
            anything else (ints, bools) is converted to float64.
        features: names from ``FEATURES``, in the order the rows should appear.

    Returns:
        Array of shape (2 + k, m), k = len(features): rows 0 and 1 are x1 and x2, then one row per
        derived feature in the given order. With no features this is X converted to the result
        dtype, which may be X itself (no copy) when it already is a C-contiguous float array.
    """
    names = validate_features(features)
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X must have shape (2, m) (raw inputs x1, x2 in rows); got {X.shape}")
    if np.iscomplexobj(X):
        raise ValueError(f"X must be real-valued; got dtype {X.dtype}")
    # Keep float32 as float32: the decision-boundary grid is large and float32 on purpose.
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float64)
    if not names:
        return np.ascontiguousarray(X, dtype=dtype)

    m = X.shape[1]
    out = np.empty((2 + len(names), m), dtype=dtype)
    out[:2] = X
    # Slices 0:1 and 1:2 keep the rows (1, m) instead of rank-1 (m,).
    x1, x2 = out[0:1], out[1:2]
    for row, name in enumerate(names, start=2):
        out[row : row + 1] = FEATURES[name].fn(x1, x2)
    return out
