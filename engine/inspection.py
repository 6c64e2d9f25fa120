"""Looking inside a network, for the live visuals: grids, activation maps, gradient norms, and how
far hidden units are from identical. (Statistics of one forward pass over a set of examples —
cost, accuracy, confusion, activation statistics — are in `metrics.py`.)

A network is read through its public API only (`Drawable`: layer_dims, weights, biases,
activation_functions, and grid_workspace for buffers kept between frames).

The server asks for these many times a second, so the grid passes are built for speed: they run
in float32 (a picture needs no more), over the grid in fixed tiles with buffers kept between
calls (allocating and freeing multi-megabyte temporaries on every call is dominated by page
faults), and the grid's inputs are built once per (bounds, resolution, features).

Grid layout: resolution points from bounds[0] to bounds[1] along x1 and from bounds[2] to
bounds[3] along x2; a grid of shape (r, r) has row index x2 (ascending) and column index x1, i.e.
grid[i, j] is the value at (x1_j, x2_i) — the layout heatmaps expect.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .activations import Activation
from .features import expand_features
from .propagation import Workspace, model_forward

GRID_TILE = 8192
"""Fewest grid points a tile may hold at most (a layer of 8 units is then 256 KB of float32,
cache-resident). Narrower networks take more points a tile (`grid_tile_points`): the default
network's 100 × 100 boundary is one tile. The grid is cut into equal tiles (40,000 points of a
wide network: 5 × 8,000) so one set of buffers serves them all."""

TILE_BYTES = 256 * 1024
"""What the widest layer of a tile may take (float32): cache-resident."""

MAX_RESOLUTION = 1000

QUIET = np.errstate(all="ignore")
"""Pictures of a network near divergence (weights past float32's range) are allowed to hold
inf and NaN; NumPy's warnings about them would only be noise. Used as a decorator."""

SYMMETRY_FLOOR = 1e-6
"""Parameter size below which differences between units are roundoff, not broken symmetry."""


class Drawable(Protocol):
    """What the pictures read of a network (`Network` is one)."""

    @property
    def layer_dims(self) -> tuple[int, ...]:
        """[n_x, n[1], …, n[L]]."""

    @property
    def weights(self) -> list[np.ndarray]:
        """W[1] … W[L], each (n[l], n[l-1])."""

    @property
    def biases(self) -> list[np.ndarray]:
        """b[1] … b[L], each (n[l], 1)."""

    @property
    def activation_functions(self) -> tuple[Activation, ...]:
        """g[1] … g[L]."""

    def flat_parameters(self) -> np.ndarray:
        """A new vector of W1 … WL then b1 … bL, each flattened row by row."""

    def grid_workspace(self, m: int, dtype: type) -> Workspace:
        """Buffers for m points in dtype, kept by the network between calls."""


@functools.lru_cache(maxsize=32)
def grid_inputs(
    bounds: tuple[float, float, float, float], resolution: int, features: tuple[str, ...] = ()
) -> np.ndarray:
    """The grid's points as network inputs, float32 (2 + k, r·r) in row-major (x2, x1) order.

    Read-only and cached: every frame of a run asks for the same grid.
    """
    x1 = np.linspace(bounds[0], bounds[1], resolution)
    x2 = np.linspace(bounds[2], bounds[3], resolution)
    X1, X2 = np.meshgrid(x1, x2)
    X = np.stack([X1.ravel(), X2.ravel()]).astype(np.float32)
    X = expand_features(X, features)
    X.flags.writeable = False
    return X


@functools.lru_cache(maxsize=32)
def line_inputs(bounds: tuple[float, float], resolution: int) -> np.ndarray:
    """For one-input networks: `resolution` points along x1, float32 (1, r)."""
    X = np.linspace(bounds[0], bounds[1], resolution, dtype=np.float32).reshape(1, -1)
    X.flags.writeable = False
    return X


def _plane_inputs(
    net: Drawable, bounds: Sequence[float], resolution: int, features: Sequence[str]
) -> np.ndarray:
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise ValueError(f"resolution must be a whole number, got {resolution!r}")
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution must be in [2, {MAX_RESOLUTION}], got {resolution}")
    resolution = int(resolution)
    bounds = tuple(float(v) for v in bounds)
    if not all(math.isfinite(v) for v in bounds):
        raise ValueError(f"bounds must be finite, got {bounds}")
    n_x = net.layer_dims[0]
    if n_x == 1 and not features:
        if len(bounds) < 2 or not bounds[0] < bounds[1]:
            raise ValueError(f"bounds must start (x_min, x_max) with x_min < x_max, got {bounds}")
        return line_inputs(bounds[:2], resolution)
    if len(bounds) != 4 or not (bounds[0] < bounds[1] and bounds[2] < bounds[3]):
        raise ValueError(
            f"bounds must be (x1_min, x1_max, x2_min, x2_max) with min < max, got {bounds}"
        )
    if n_x != 2 + len(features):
        raise ValueError(
            f"a grid over the input plane needs n_x = 2 raw inputs + {len(features)} derived "
            f"features = {2 + len(features)}, but this network has n_x = {n_x}"
        )
    return grid_inputs(bounds, resolution, tuple(features))


def grid_tile_points(layer_dims: Sequence[int]) -> int:
    """Most grid points in one tile of a network's grid pass: as many as keep its widest layer
    within TILE_BYTES of float32, and never fewer than GRID_TILE."""
    return max(GRID_TILE, TILE_BYTES // (4 * max(layer_dims[1:])))


def _grid_parameters(net: Drawable) -> tuple[list[np.ndarray], list[np.ndarray], type]:
    """float32 copies of W[l], b[l] — or float64 ones if a weight is past float32's range, as
    just before a divergence, where float32 would turn the picture into NaN. One conversion of
    the whole θ, then views (a frame asks for this many times a second)."""
    theta = net.flat_parameters()
    theta32 = theta.astype(np.float32)
    if np.isfinite(theta32).all():
        theta, dtype = theta32, np.float32
    else:
        dtype = np.float64
    dims = net.layer_dims
    W_out, b_out, offset = [], [], 0
    for n_prev, n in itertools.pairwise(dims):
        W_out.append(theta[offset : offset + n * n_prev].reshape(n, n_prev))
        offset += n * n_prev
    for n in dims[1:]:
        b_out.append(theta[offset : offset + n].reshape(n, 1))
        offset += n
    return W_out, b_out, dtype


@QUIET
def output_grid(
    net: Drawable,
    bounds: Sequence[float],
    resolution: int,
    features: Sequence[str] = (),
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The network's output over the grid, float32: what the decision boundary is drawn from.

    Returns (r, r) — P(y = 1) for a sigmoid output, the value for a one-unit regression — or
    (n_L, r, r) for several output units (softmax class probabilities). One-input networks give
    (r,) or (n_L, r) along x1. `out`, if given, must have that shape and is filled and returned.
    """
    X = _plane_inputs(net, bounds, resolution, features)
    n_L, n = net.layer_dims[-1], X.shape[1]
    spatial = (resolution,) * (X.shape[0] if net.layer_dims[0] == 1 else 2)
    shape = spatial if n_L == 1 else (n_L, *spatial)
    if out is None:
        out = np.empty(shape, np.float32)
    elif out.shape != shape or out.dtype != np.float32:
        raise ValueError(f"out must be float32 of shape {shape}, got {out.dtype} {out.shape}")
    # A C-contiguous `out` is written in place; any other layout through one copy at the end.
    flat = out.reshape(n_L, n) if out.flags.c_contiguous else np.empty((n_L, n), np.float32)
    weights, biases, dtype = _grid_parameters(net)
    acts = net.activation_functions
    tiles = -(-n // grid_tile_points(net.layer_dims))
    tile = -(-n // tiles)
    for start in range(0, n, tile):
        stop = min(start + tile, n)
        ws = net.grid_workspace(stop - start, dtype)
        Z_L = model_forward(X[:, start:stop], weights, biases, acts, ws)
        acts[-1].forward(Z_L, Z_L)
        flat[:, start:stop] = Z_L
    if not out.flags.c_contiguous:
        out[...] = flat.reshape(shape)
    return out


@QUIET
def hidden_grids(
    net: Drawable, bounds: Sequence[float], resolution: int, features: Sequence[str] = ()
) -> list[np.ndarray]:
    """Every hidden unit's activation over the grid: per hidden layer l = 1 … L-1 an array
    (n[l], r, r) float32 (or (n[l], r) for one-input networks), A[l][k] being unit k's map."""
    X = _plane_inputs(net, bounds, resolution, features)
    spatial = (resolution,) * (1 if net.layer_dims[0] == 1 and not features else 2)
    weights, biases, _ = _grid_parameters(net)
    A = X
    maps = []
    for W, b, act in zip(weights[:-1], biases[:-1], net.activation_functions[:-1], strict=True):
        Z = np.dot(W, A)
        Z += b
        A = act.forward(Z, Z)
        maps.append(A.reshape(W.shape[0], *spatial).astype(np.float32, copy=False))
    return maps


def gradient_norms(d_weights: Sequence[np.ndarray]) -> list[float]:
    """‖dW[l]‖_F for each layer: how much gradient reaches it (vanishing gradients show here)."""
    return [math.sqrt(float(np.vdot(dW, dW))) for dW in d_weights]


def symmetry(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> list[float | None]:
    """For each layer, how far its units are from identical: the RMS distance of each unit's
    parameters [W[l][k, :], b[l][k]] from the layer's mean unit, relative to their RMS size.

    0.0 means every unit computes the same function (zero initialization: symmetry never breaks;
    BLAS may still leave roundoff of ~1e-16 between units, far below anything visible);
    random initialization gives about 1. None for a layer of one unit.
    """
    return symmetry_of_blocks(
        [np.concatenate((W, b), axis=1) for W, b in zip(weights, biases, strict=True)]
    )


def symmetry_of_blocks(blocks: Sequence[np.ndarray]) -> list[float | None]:
    """`symmetry` of each layer's parameters as one block P[l] = [W[l] | b[l]] (n[l], n[l-1] + 1)
    (a network keeps them so: no copy; the same sums in the same order, so the same values)."""
    result: list[float | None] = []
    for P in blocks:
        n = P.shape[0]
        if n < 2:
            result.append(None)
            continue
        D = P - np.add.reduce(P, axis=0) / n  # P.mean(axis=0) without np.mean's dispatch
        spread = math.sqrt(float(np.vdot(D, D)) / n)
        size = math.sqrt(float(np.vdot(P, P)) / n)
        result.append(spread / max(size, SYMMETRY_FLOOR))
    return result
