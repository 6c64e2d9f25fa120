"""`Network`: a fully-connected L-layer network in the course's notation, and its training step.

    net = Network(layer_dims=[2, 4, 1], activations=["tanh", "sigmoid"], init="random", seed=3)
    net.parameters                        # {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    J = net.step(X, Y, learning_rate=1.2)  # forward, cost, backward, update; returns the cost
    history = net.fit(X, Y, learning_rate=1.2, iterations=10000)

X is (n_x, m), Y is (n_y, m); W[l] is (n[l], n[l-1]) and b[l] is (n[l], 1). The cost follows from
the last activation (see `losses.py`).

What it composes: argument checks from `checks.py`, forward and backward from `propagation.py`,
the update rules of `optimization.py`, the readings of one pass from `metrics.py`, the pictures
of `inspection.py` and the training loop of `training.py` (`fit` calls `training.train`). Those
modules read a network only through its public API (`weights`, `biases`, `activation_functions`,
`grid_workspace`, `check_X`, `check_Y`, `train_step`, `scores`, `copy_state_from`);
`gradcheck.py` adds `flat_parameters` and `cost_at`.

How it is laid out in memory, and why: all parameters live in one flat float64 vector θ, layer
by layer, each layer as the matrix Wb[l] = [W[l] | b[l]] (n[l], n[l-1] + 1) row by row (the bias
trick of `propagation.py`: one matrix product per layer and direction); W[l] and b[l] are views
into it, and so are the gradients dW[l], db[l] into one vector dθ. One NumPy call then updates
every parameter and a divergence check is one sum. The update is written into a second vector
and adopted only if finite, so a diverging step leaves the last good parameters in place. The
course's flat order (W1 … WL, then b1 … bL), that of `flat_parameters` and `cost_at`, is a
permutation of θ.

One forward pass per frame: a `Trainer` scores its training set at the current parameters
(`scores`, for a frame) and then trains on it at the same parameters. `_cost` stamps the
Workspace of such a scoring pass with (parameters version, X, Y, cost); the next full-batch
training step on the same X and Y objects, with the parameters untouched since, takes its
gradient from that pass instead of running it again (same buffers, same arithmetic: bit for bit
the same step). Any forward pass into the Workspace, any update or setting of the parameters
voids the stamp.
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import inspection, metrics, tracing
from .activations import ACTIVATIONS, Activation
from .checks import (
    check_activations,
    check_finite,
    check_layer_dims,
    check_X,
    check_Y,
    make_hyperparameters,
)
from .errors import DivergedError
from .initializations import DEFAULT_RANDOM_SCALE, get_initialization, initialize_weights
from .losses import (
    l1_penalty,
    l1_penalty_gradient,
    l2_penalty,
    l2_penalty_gradient,
    loss_for,
)
from .optimization import Hyperparameters, make_optimizer
from .propagation import (
    Workspace,
    WorkspacePool,
    augmented_backward,
    augmented_forward,
    model_forward,
)
from .training import History, TrainConfig, train

MAX_WORKSPACES = 4
"""Batch sizes kept warm at once: full batch, mini-batch, the last partial batch, a test set."""

MAX_GRID_WORKSPACES = 4
GRID_POOL_SHAPES = 16
"""Network shapes whose grid buffers a thread keeps (the oldest is dropped first)."""
_GRID_POOLS = threading.local()
"""Per thread, per network shape: the grid passes' buffers, shared by every network of that
shape (see `Network.grid_workspace`)."""
"""Tile sizes kept warm for the pictures (see `inspection.py`): the full tiles and one shorter
last tile of each grid, kept apart so that drawing never evicts a training batch's buffers."""


def _flat_views(
    theta: np.ndarray, layer_dims: Sequence[int]
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Views Wb[l] = [W[l] | b[l]] (n[l], n[l-1] + 1), W[l] (n[l], n[l-1]) and b[l] (n[l], 1)
    into θ laid out as [Wb1 … WbL], each row by row."""
    blocks, weights, biases = [], [], []
    offset = 0
    for n_prev, n in itertools.pairwise(layer_dims):
        Wb = theta[offset : offset + n * (n_prev + 1)].reshape(n, n_prev + 1)
        blocks.append(Wb)
        weights.append(Wb[:, :-1])
        biases.append(Wb[:, -1:])
        offset += n * (n_prev + 1)
    return blocks, weights, biases


def _course_order(layer_dims: Sequence[int]) -> np.ndarray:
    """Indices into θ of W1 … WL then b1 … bL, each row by row: θ[order] is the course's flat
    vector (that of `flat_parameters`)."""
    size = sum(n * (n_prev + 1) for n_prev, n in itertools.pairwise(layer_dims))
    _, weights, biases = _flat_views(np.arange(size), layer_dims)
    return np.concatenate([p.ravel() for p in (*weights, *biases)])


@dataclass(frozen=True)
class NetworkConfig:
    """A network as data: with its seed, it reproduces the same initial parameters bit for bit."""

    layer_dims: tuple[int, ...]
    activations: tuple[str, ...]
    init: str = "random"
    init_scale: float = DEFAULT_RANDOM_SCALE
    seed: int = 0

    def build(self) -> Network:
        """A freshly initialized `Network` (ValueError on a bad argument)."""
        return Network(self.layer_dims, self.activations, self.init, self.init_scale, self.seed)


class Network:
    """A fully-connected network trained by backpropagation, as the course builds it.

    layer_dims: [n_x, n[1], …, n[L]]; `[n_x, 1]` is logistic regression.
    activations: one name per layer l = 1 … L, e.g. ["tanh", "sigmoid"]; hidden layers take
        sigmoid, tanh, relu, leaky_relu or linear; the output also takes softmax.
    init: "zeros", "random" (randn × init_scale), "xavier" or "he"; biases start at zero.
    init_scale: the standard deviation of "random" (the course's 0.01).
    seed: seeds the `np.random.Generator` that draws the initial weights.
    """

    def __init__(
        self,
        layer_dims: Sequence[int],
        activations: Sequence[str],
        init: str = "random",
        init_scale: float = DEFAULT_RANDOM_SCALE,
        seed: int = 0,
    ) -> None:
        self.layer_dims = check_layer_dims(layer_dims)
        self.L = len(self.layer_dims) - 1
        self.activations = check_activations(activations, self.L)
        self._acts = [ACTIVATIONS[name] for name in self.activations]
        self.loss = loss_for(self.activations[-1])
        if self.loss.task == "multiclass" and self.layer_dims[-1] < 2:
            raise ValueError("a softmax output needs at least 2 units (one per class)")
        self.init = init
        self.init_scale = check_finite("init_scale", init_scale, allow_equal=True)
        self.seed = seed

        dims = self.layer_dims
        self._course_order = _course_order(dims)
        size = self._course_order.size
        self._theta = np.zeros(size)
        self._Wb, self._W, self._b = _flat_views(self._theta, dims)
        self._theta_next = np.zeros(size)
        self._Wb_next, self._W_next, self._b_next = _flat_views(self._theta_next, dims)
        self._grad = np.zeros(size)
        self._dWb, self._dW, self._db = _flat_views(self._grad, dims)
        self._has_gradients = False
        self._weight_mask = np.zeros(size)
        """1.0 at the weights of θ, 0.0 at the biases: what L2 and L1 penalize."""
        for W in _flat_views(self._weight_mask, dims)[1]:
            W.fill(1.0)
        self._l2_scratch = np.empty(size)
        self._l1_scratch = np.empty(size)
        self._ones = np.ones(size)
        self._version = 0
        """Bumped whenever θ changes: what a Workspace's stamp is checked against."""
        self._X_aug_of: tuple = (None, None)
        """(X, X_aug) last given to `train_step`: scoring that X reads the same [X; 1]."""

        self._workspaces = WorkspacePool(dims, self._acts, MAX_WORKSPACES)
        self._shape = (dims, tuple(a.name for a in self._acts))
        self._optimizer = None
        self._prepared: tuple = (None, None, None, None)
        self._hp_key: tuple | None = None
        self._hp: Hyperparameters | None = None
        self.iterations = 0
        """Updates applied since the parameters were initialized or set."""
        self.initialize(init, init_scale, seed)

    # --- parameters ------------------------------------------------------------------------------

    def initialize(
        self, init: str | None = None, init_scale: float | None = None, seed: int | None = None
    ) -> None:
        """Draw fresh parameters (defaults: this network's init, scale and seed)."""
        init = self.init if init is None else get_initialization(init).name
        if init_scale is not None:
            init_scale = check_finite("init_scale", init_scale, allow_equal=True)
        seed = self.seed if seed is None else seed
        rng = np.random.default_rng(seed)  # rejects a bad seed before anything changes
        self.init, self.seed = init, seed
        self.init_scale = self.init_scale if init_scale is None else init_scale
        initialize_weights(self._W, self._b, self.init, rng, self.init_scale)
        self._after_parameters_changed()

    @property
    def parameters(self) -> dict[str, np.ndarray]:
        """A copy of the parameters as the course's dictionary {"W1", "b1", …, "WL", "bL"}."""
        params = {}
        for l, (W, b) in enumerate(zip(self._W, self._b, strict=True), start=1):
            params[f"W{l}"] = W.copy()
            params[f"b{l}"] = b.copy()
        return params

    def set_parameters(self, parameters: Mapping[str, np.ndarray]) -> None:
        """Set every W[l] and b[l] from the course's dictionary, e.g. to reproduce a start exactly.

        Shapes must match layer_dims: W[l] (n[l], n[l-1]), b[l] (n[l], 1); values finite.
        """
        expected = {f"{p}{l}" for l in range(1, self.L + 1) for p in "Wb"}
        if missing := sorted(expected - set(parameters)):
            raise ValueError(f"parameters is missing {', '.join(missing)}")
        if extra := sorted(set(parameters) - expected):
            raise ValueError(
                f"parameters has unexpected keys {', '.join(extra)} "
                f"(this network has layers 1 … {self.L})"
            )
        arrays = {}
        for l, (W, b) in enumerate(zip(self._W, self._b, strict=True), start=1):
            for key, target in ((f"W{l}", W), (f"b{l}", b)):
                value = np.asarray(parameters[key], dtype=np.float64)
                if value.shape != target.shape:
                    raise ValueError(f"{key} must have shape {target.shape}, got {value.shape}")
                if not np.isfinite(value).all():
                    raise ValueError(f"{key} contains NaN or inf")
                arrays[key] = value
        for l, (W, b) in enumerate(zip(self._W, self._b, strict=True), start=1):
            W[...] = arrays[f"W{l}"]
            b[...] = arrays[f"b{l}"]
        self._after_parameters_changed()

    def set_weight(self, l: int, row: int, col: int, value: float) -> None:
        """Set one weight W[l][row, col] (0-based row and column of the (n[l], n[l-1]) matrix)
        to `value`, in the middle of training: the playground's "click an edge, type a weight".

        Only θ changes: the optimizer's state (momentum's v, Adam's v, s and t), the last
        gradient dθ, the iteration count and the hyperparameters stay as they are, so the next
        step continues from the edited θ exactly as it would from any other θ (the moments carry
        on; they are not reset as `set_parameters` resets them). ValueError for an index outside
        the network or a value that is not finite; nothing changes then.
        """
        W = self._W[self._checked_layer(l) - 1]
        self._set_entry(W, f"W{l}", row, col, value)

    def set_bias(self, l: int, row: int, value: float) -> None:
        """Set one bias b[l][row] (0-based) to `value`, as `set_weight` sets a weight."""
        b = self._b[self._checked_layer(l) - 1]
        self._set_entry(b, f"b{l}", row, 0, value)

    def _checked_layer(self, l: int) -> int:
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or not 1 <= l <= self.L:
            raise ValueError(f"layer must be an integer in 1 … {self.L}, got {l!r}")
        return int(l)

    def _set_entry(self, target: np.ndarray, key: str, row: int, col: int, value: float) -> None:
        """target[row, col] = value in θ (target is a view of it), checked; nothing else."""
        for name, index, size in (("row", row, target.shape[0]), ("col", col, target.shape[1])):
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise ValueError(f"{name} must be an integer, got {index!r}")
            if not 0 <= index < size:
                raise ValueError(
                    f"{key} has shape {target.shape}: {name} must be in 0 … {size - 1}, got {index}"
                )
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{key}[{row}, {col}] must be finite, got {value}")
        target[row, col] = value
        self._version += 1  # no cached pass of the old θ is reused (Workspace stamps)

    def _after_parameters_changed(self) -> None:
        self._version += 1
        self._optimizer = None
        self._has_gradients = False
        self._grad.fill(0.0)
        self.iterations = 0

    def copy_state_from(self, other: Network) -> None:
        """Continue from `other`'s training state, as a fork of its run: afterwards the same
        steps on the same data give both networks bit for bit the same costs and parameters.

        other: a network of this one's shape (same layer_dims and activations), else a
        ValueError and nothing changes. Copied into this network's own arrays: θ (so W[l], b[l]
        and Wb[l], views into it, read the copy), the last gradient dθ, the optimizer and its
        state (momentum's v, Adam's v, s and t), the iteration count, `step`'s hyperparameter
        cache and the init settings (init, init_scale, seed: `initialize` and `fit` defaults).
        Not copied: buffers and caches that no next step reads (Workspaces, grid pools, checked
        inputs). No array is shared afterwards: training one leaves the other as it was.
        """
        if other is self:
            return
        if not isinstance(other, Network):
            raise TypeError(f"can copy the state of a Network only, got {type(other).__name__}")
        if (other.layer_dims, other.activations) != (self.layer_dims, self.activations):
            raise ValueError(
                f"cannot copy the state of a network of layer_dims {list(other.layer_dims)}, "
                f"activations {list(other.activations)} into one of layer_dims "
                f"{list(self.layer_dims)}, activations {list(self.activations)}"
            )
        # θ and θ_next trade places at every step, each with its views: this network's own θ
        # and the views into it stay as they are, only the values are copied.
        np.copyto(self._theta, other._theta)
        np.copyto(self._grad, other._grad)
        self._has_gradients = other._has_gradients
        self._optimizer = copy.deepcopy(other._optimizer)
        self._hp_key, self._hp = other._hp_key, other._hp  # immutable: shared safely
        self.iterations = other.iterations
        self.init, self.init_scale, self.seed = other.init, other.init_scale, other.seed
        # Not other's version: this network's Workspace stamps are checked against its own
        # counter, and a stamp of the parameters it had must not match the ones it now has.
        self._version += 1

    def export_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """What `copy_state_from` copies, as plain data for another process: (meta, arrays).

        meta (JSON-able): shape, iteration count, init settings, whether there is a gradient,
        the optimizer's name and step count; arrays: θ and dθ (size,), and the optimizer's
        state (momentum's v; Adam's v and s). `import_state` takes them back, bit for bit."""
        optimizer = self._optimizer
        meta = {
            "layer_dims": list(self.layer_dims),
            "activations": list(self.activations),
            "iterations": self.iterations,
            "init": self.init,
            "init_scale": self.init_scale,
            "seed": self.seed,
            "has_gradients": self._has_gradients,
            "optimizer": None if optimizer is None else optimizer.name,
            "optimizer_t": getattr(optimizer, "t", None),
        }
        arrays = {"theta": self._theta.copy(), "grad": self._grad.copy()}
        for name in ("v", "s"):
            if hasattr(optimizer, name):
                arrays[f"optimizer_{name}"] = getattr(optimizer, name).copy()
        return meta, arrays

    def import_state(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """Take up the state `export_state` gave (of a network of this shape, maybe in another
        process); ValueError, with nothing changed, for another shape or malformed state."""
        shape = (list(self.layer_dims), list(self.activations))
        if (meta.get("layer_dims"), meta.get("activations")) != shape:
            raise ValueError(
                f"cannot take the state of a network of layer_dims {meta.get('layer_dims')}, "
                f"activations {meta.get('activations')} into one of layer_dims "
                f"{shape[0]}, activations {shape[1]}"
            )
        size = self._theta.size
        needed = ["theta", "grad"]
        name = meta.get("optimizer")
        optimizer = None
        if name is not None:
            optimizer = make_optimizer(name, size)
            needed += [f"optimizer_{a}" for a in ("v", "s") if hasattr(optimizer, a)]
        for key in needed:
            array = arrays.get(key)
            if array is None or array.shape != (size,) or array.dtype != np.float64:
                raise ValueError(f"state array {key!r} must be float64 of shape ({size},)")
        np.copyto(self._theta, arrays["theta"])
        np.copyto(self._grad, arrays["grad"])
        for a in ("v", "s"):
            if optimizer is not None and hasattr(optimizer, a):
                getattr(optimizer, a)[...] = arrays[f"optimizer_{a}"]
        if optimizer is not None and hasattr(optimizer, "t"):
            optimizer.t = int(meta["optimizer_t"])
        self._optimizer = optimizer
        self._has_gradients = bool(meta["has_gradients"])
        self._hp_key = self._hp = None  # `step` rebuilds them from its arguments
        self.iterations = int(meta["iterations"])
        self.init, self.init_scale, self.seed = meta["init"], meta["init_scale"], meta["seed"]
        self._version += 1  # as in copy_state_from: no cached pass of the old θ is reused

    @property
    def weights(self) -> list[np.ndarray]:
        """Read-only views of W[1] … W[L] (for drawing; copy before keeping them)."""
        return [_read_only(W) for W in self._W]

    @property
    def biases(self) -> list[np.ndarray]:
        """Read-only views of b[1] … b[L]."""
        return [_read_only(b) for b in self._b]

    @property
    def n_parameters(self) -> int:
        """Number of weights and biases."""
        return self._theta.size

    @property
    def activation_functions(self) -> tuple[Activation, ...]:
        """g[1] … g[L] as the registry's `Activation` objects (names: `activations`)."""
        return tuple(self._acts)

    def flat_parameters(self) -> np.ndarray:
        """The parameters as one new vector (n_parameters,) in the course's order: W1 … WL then
        b1 … bL, each flattened row by row (θ's own layout interleaves them, see above)."""
        return self._theta[self._course_order]

    def grid_workspace(self, m: int, dtype: type = np.float32) -> Workspace:
        """Forward buffers for m points in dtype for the pictures of `inspection.py` (apart from
        the training ones), kept between calls by the calling thread for every network of this
        shape: a server thread drawing the boundaries of a class of students' same-shaped
        networks one after another (~1 MB of buffers each at 100 × 100) then finds them in its
        cache instead of in memory. A grid pass only writes them and reads what it wrote."""
        pools = getattr(_GRID_POOLS, "pools", None)
        if pools is None:
            pools = _GRID_POOLS.pools = {}
        pool = pools.pop(self._shape, None)  # re-inserted last: the newest
        if pool is None:
            if len(pools) >= GRID_POOL_SHAPES:
                del pools[next(iter(pools))]
            pool = WorkspacePool(self.layer_dims, self._acts, MAX_GRID_WORKSPACES)
        pools[self._shape] = pool
        return pool.get(m, dtype)

    # --- inputs ----------------------------------------------------------------------------------

    def check_X(self, X: np.ndarray, name: str = "X") -> np.ndarray:
        """X as float64 (n_x, m), or a ValueError naming what is wrong with it."""
        return check_X(X, self.layer_dims[0], name)

    def check_Y(self, Y: np.ndarray, m: int, name: str = "Y") -> np.ndarray:
        """Y as float64 (n_L, m) (one-hot for softmax), or a ValueError naming the problem.

        Softmax outputs also take class labels of shape (1, m) with values 0 … C-1.
        """
        return check_Y(Y, m, self.layer_dims[-1], self.activations[-1], name)

    def _prepare(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Checked (X, Y); the same two array objects in a row are checked only once."""
        X_in, Y_in, X_ok, Y_ok = self._prepared
        if X is X_in and Y is Y_in:
            return X_ok, Y_ok
        X_ok = self.check_X(X)
        Y_ok = self.check_Y(Y, X_ok.shape[1])
        self._prepared = (X, Y, X_ok, Y_ok)
        return X_ok, Y_ok

    # --- forward, cost, backward -----------------------------------------------------------------

    def _cost(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        l2: float,
        gradients: bool,
        theta: np.ndarray | None = None,
        X_aug: np.ndarray | None = None,
        l1: float = 0.0,
    ) -> float:
        """J(X, Y) for checked inputs; with `gradients`, also fill dθ by backpropagation.

        l2, l1: λ of the L2 and L1 penalties of the weights (0: none; see `losses.py`).

        theta: another parameter vector laid out as θ to take J at (no gradients then).
        X_aug: [X; 1] (n_x + 1, m), if the caller keeps it; else the one the last `train_step`
        was given for this X object (so a Trainer's scoring pass reads the very buffer its
        steps do), else X is copied into the Workspace's. Only with X_aug may a pass reuse a
        stamped scoring pass (see the module's docstring): its caller owns X and Y and does not
        change them in place.
        """
        m = X.shape[1]
        ws = self._workspaces.get(m)
        acts, loss = self._acts, self.loss
        if theta is None:
            theta, Wb = self._theta, self._Wb
        else:
            Wb = _flat_views(theta, self.layer_dims)[0]
        stamp, wide = ws.stamp, False
        if (
            X_aug is not None
            and stamp is not None
            and stamp[0] == self._version
            and stamp[1] is X
            and stamp[2] is Y
            and theta is self._theta
        ):
            J = stamp[3]  # this pass was just run, by a frame's scoring of the training set
        else:
            if X_aug is None:
                if X is self._X_aug_of[0]:
                    X_aug = self._X_aug_of[1]
                elif X.shape[0] > self.layer_dims[1]:
                    wide = True  # copying X would cost more than adding b[1] (images)
                else:
                    ws.X[...] = X
                    X_aug = ws.X_aug
            Z_L = augmented_forward(X if wide else X_aug, Wb, acts, ws, wide)
            J = loss.value(Z_L, Y, acts[-1], ws.A[-1], ws.D[-1])
            if theta is self._theta and not gradients:
                ws.stamp = (self._version, X, Y, J)
        if gradients:
            dZ_L = ws.D[-1]
            loss.gradient(ws.Z[-1], Y, acts[-1], ws.A[-1], dZ_L)
            augmented_backward(X if wide else X_aug, self._W, acts, ws, dZ_L, self._dWb, wide)
            self._has_gradients = True
        if l2 or l1:
            weights = np.multiply(theta, self._weight_mask, out=self._l2_scratch)
            scratch = self._l1_scratch
            if l1:
                J += l1_penalty(weights, l1, m, scratch)
                if gradients:
                    l1_penalty_gradient(weights, l1, m, self._grad, scratch)
            if l2:
                J += l2_penalty(weights, l2, m)
                if gradients:
                    l2_penalty_gradient(weights, l2, m, self._grad)  # overwrites weights: last
        return J

    def forward(self, X: np.ndarray) -> np.ndarray:
        """A[L] (n_L, m) for X (n_x, m): the output probabilities or values."""
        X = self.check_X(X)
        Z_L = model_forward(X, self._W, self._b, self._acts, self._workspaces.get(X.shape[1]))
        return self._acts[-1].forward(Z_L, np.empty_like(Z_L))

    predict_proba = forward

    def cost(self, X: np.ndarray, Y: np.ndarray, l2: float = 0.0, l1: float = 0.0) -> float:
        """J = the cost of the output layer, plus λ/(2m) Σ‖W[l]‖² when l2 = λ > 0 and
        λ₁/m Σ|W[l]| when l1 = λ₁ > 0."""
        X, Y = self._prepare(X, Y)
        l2 = check_finite("l2", l2, allow_equal=True)
        l1 = check_finite("l1", l1, allow_equal=True)
        return self._cost(X, Y, l2, gradients=False, l1=l1)

    def cost_at(
        self, theta: np.ndarray, X: np.ndarray, Y: np.ndarray, l2: float = 0.0, l1: float = 0.0
    ) -> float:
        """J at other parameters θ (n_parameters,), laid out as `flat_parameters`; the network's
        own parameters are not touched. What gradient checking perturbs, one θ_i at a time."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != self._theta.shape:
            raise ValueError(f"theta must have shape {self._theta.shape}, got {theta.shape}")
        X, Y = self._prepare(X, Y)
        l2 = check_finite("l2", l2, allow_equal=True)
        l1 = check_finite("l1", l1, allow_equal=True)
        own_layout = np.empty_like(theta)
        own_layout[self._course_order] = theta
        return self._cost(X, Y, l2, gradients=False, theta=own_layout, l1=l1)

    def scores(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        l2: float = 0.0,
        confusion: bool = False,
        activation_stats: bool = False,
        checked: bool = False,
        l1: float = 0.0,
    ) -> metrics.Scores:
        """Cost, accuracy and, if asked, the confusion matrix and the hidden layers' activation
        statistics of X (n_x, m) against Y (n_L, m), all from ONE forward pass: the values of
        `cost`, `accuracy`, `confusion` and `activation_stats`, which take a pass each.

        checked: X and Y are already as `check_X` and `check_Y` return them, and l2, l1 finite
        floats ≥ 0 (a `Trainer`'s own sets and config), so they are not checked again. Near a
        divergence the cost may be inf or NaN.
        """
        if not checked:
            X = self.check_X(X)
            Y = self.check_Y(Y, X.shape[1])
            l2 = check_finite("l2", l2, allow_equal=True)
            l1 = check_finite("l1", l1, allow_equal=True)
        J = self._cost(X, Y, l2, gradients=False, l1=l1)
        ws = self._workspaces.get(X.shape[1])  # the cache that pass left
        return metrics.scores_from_pass(
            J, ws, Y, self._acts, self.loss.task, confusion, activation_stats
        )

    def gradients(
        self, X: np.ndarray, Y: np.ndarray, l2: float = 0.0, l1: float = 0.0
    ) -> dict[str, np.ndarray]:
        """{"dW1", "db1", …}: ∂J/∂W[l] and ∂J/∂b[l] by backpropagation, shapes as the parameters
        (with l1 > 0, the L1 penalty's subgradient: 0 at a weight of exactly 0)."""
        X, Y = self._prepare(X, Y)
        l2 = check_finite("l2", l2, allow_equal=True)
        l1 = check_finite("l1", l1, allow_equal=True)
        self._cost(X, Y, l2, gradients=True, l1=l1)
        grads = {}
        for l, (dW, db) in enumerate(zip(self._dW, self._db, strict=True), start=1):
            grads[f"dW{l}"] = dW.copy()
            grads[f"db{l}"] = db.copy()
        return grads

    # --- training --------------------------------------------------------------------------------

    def step(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        learning_rate: float,
        optimizer: str = "gd",
        l2: float = 0.0,
        l1: float = 0.0,
        **hyperparameters: float,
    ) -> float:
        """One iteration on (X, Y): forward, cost, backward, update. Returns the cost before it.

        optimizer: "gd", "momentum" (beta=0.9) or "adam" (beta1=0.9, beta2=0.999, epsilon=1e-8);
        pass those names as keywords to change them. Raises `DivergedError` if the cost or the
        updated parameters are not finite; the parameters then stay as they were. NumPy may
        warn about the overflow on the way; `Trainer.run` and `fit` silence those warnings.
        """
        X, Y = self._prepare(X, Y)
        key = (learning_rate, *hyperparameters.items()) if hyperparameters else learning_rate
        if key != self._hp_key:  # a notebook loop passes the same values every step
            self._hp = make_hyperparameters(learning_rate, **hyperparameters)
            self._hp_key = key
        hp = self._hp
        if l2 != 0.0:
            l2 = check_finite("l2", l2, allow_equal=True)
        if l1 != 0.0:
            l1 = check_finite("l1", l1, allow_equal=True)
        try:
            return self.train_step(X, Y, optimizer, hp, l2, l1=l1)
        except RuntimeWarning:
            # Overflow turned into an error by a warnings filter (as under pytest): the same
            # divergence the finiteness checks catch when NumPy only warns.
            self._raise_diverged(X, Y, "cost", math.nan)

    def train_step(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        optimizer: str,
        hp: Hyperparameters,
        l2: float,
        X_aug: np.ndarray | None = None,
        l1: float = 0.0,
    ) -> float:
        """`step` for inputs already checked (X, Y as `check_X`, `check_Y` return them; hp from
        `checks.make_hyperparameters`; l2 and l1 finite ≥ 0): the training loop's hot path. Raises
        `DivergedError` as `step` does, but does not silence or translate NumPy's warnings.

        X_aug: [X; 1] (n_x + 1, m) from a caller that keeps its training set so (a `Trainer`);
        it saves a copy and lets the step reuse the caller's scoring pass at these parameters."""
        if X_aug is not None and X is not self._X_aug_of[0]:
            self._X_aug_of = (X, X_aug)
        J = self._cost(X, Y, l2, True, None, X_aug, l1)
        if not math.isfinite(J):
            self._raise_diverged(X, Y, "cost", J)
        opt = self._optimizer
        if opt is None or opt.name != optimizer:
            opt = self._optimizer = make_optimizer(optimizer, self._theta.size)
        theta_next = np.subtract(self._theta, opt.delta(self._grad, hp), out=self._theta_next)
        # Σθ as θ · 1, a BLAS product (~0.3 µs, a reduction ~0.8): any inf or NaN makes it so.
        if not math.isfinite(theta_next.dot(self._ones)):
            self._raise_diverged(X, Y, "parameters", None)
        self._theta, self._theta_next = theta_next, self._theta
        self._Wb, self._Wb_next = self._Wb_next, self._Wb
        self._W, self._W_next = self._W_next, self._W
        self._b, self._b_next = self._b_next, self._b
        self._version += 1
        self.iterations += 1
        return J

    def _raise_diverged(self, X: np.ndarray, Y: np.ndarray, quantity: str, value) -> None:
        # Inputs are checked once per array object; if they were changed in place since,
        # a NaN in X is the user's data, not a divergence: say so.
        self.check_X(X)
        if not np.isfinite(Y).all():
            raise ValueError("Y contains NaN or inf")
        raise DivergedError(self.iterations + 1, quantity, value)

    def fit(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        learning_rate: float = 1.2,
        iterations: int = 10_000,
        batch_size: int | None = None,
        optimizer: str = "gd",
        l2: float = 0.0,
        l1: float = 0.0,
        seed: int | None = None,
        print_cost: bool | int = False,
        **hyperparameters: float,
    ) -> History:
        """Train for `iterations` updates; returns the History (cost per iteration, status).

        The defaults are the course's planar-data model (α = 1.2, 10,000 iterations), so its
        idiom `fit(X, Y, print_cost=True)` works as in the notebook. batch_size: None (or ≥ m)
        is the course's batch gradient descent; otherwise mini-batches of that size, reshuffled
        each epoch by a generator seeded with `seed` (default: the network's seed). print_cost:
        True prints the cost every 1000 iterations, as the course does; a number, every that
        many (0 or False: never). A diverging run stops early with
        `history.status == "diverged"`; nothing is raised.
        """
        config = TrainConfig(
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            l2=l2,
            l1=l1,
            **hyperparameters,
        )
        seed = self.seed if seed is None else seed
        return train(self, X, Y, config, iterations, seed=seed, print_cost=print_cost)

    # --- reading the network ---------------------------------------------------------------------

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for X (n_x, m): 0/1 (n_L, m) for sigmoid, class indices (1, m) for
        softmax, values (n_L, m) for regression."""
        A = self.forward(X)
        task = self.loss.task
        if task == "binary":
            return (A > 0.5).astype(np.int64)
        if task == "multiclass":
            return A.argmax(axis=0).reshape(1, -1)
        return A

    def accuracy(self, X: np.ndarray, Y: np.ndarray) -> float | None:
        """Fraction of examples predicted right (every output unit right, for multi-label);
        None for regression, where accuracy has no meaning."""
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[1])
        task = self.loss.task
        if task == "regression":
            return None
        predictions = self.predict(X)
        if task == "binary":
            return float(np.mean((predictions == (Y > 0.5)).all(axis=0)))
        return float(np.mean(predictions[0] == Y.argmax(axis=0)))

    def confusion(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray | None:
        """The confusion matrix (C, C) of the predictions on X against Y (rows: actual class,
        columns: predicted); C = 2 for binary outputs. None for regression and for multi-label
        (several sigmoid units) outputs."""
        return self.scores(X, Y, confusion=True).confusion

    def predict_proba_grid(
        self,
        bounds: Sequence[float],
        resolution: int,
        features: Sequence[str] = (),
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """The output over a resolution × resolution grid of the input plane (float32).

        See `inspection.output_grid`.
        """
        return inspection.output_grid(self, bounds, resolution, features, out)

    def hidden_activation_grids(
        self, bounds: Sequence[float], resolution: int, features: Sequence[str] = ()
    ) -> list[np.ndarray]:
        """Every hidden unit's activation over the grid: per hidden layer (n[l], r, r) float32."""
        return inspection.hidden_grids(self, bounds, resolution, features)

    def trace_example(
        self, x: np.ndarray, y: np.ndarray | None = None, m: int = 1
    ) -> tracing.ExampleTrace:
        """One example's forward pass (x (n_x, 1)) and, with its label y, its loss, dz[l] and its
        shares of a batch of m's dW[l], db[l]. See `tracing.trace_example`."""
        return tracing.trace_example(self, x, y, m)

    def gradient_norms(self) -> list[float]:
        """‖dW[l]‖ (Frobenius) for l = 1 … L from the last backward pass (zeros before any)."""
        return inspection.gradient_norms(self._dW)

    @np.errstate(all="ignore")
    def activation_stats(self, X: np.ndarray) -> list[metrics.LayerStats]:
        """Per hidden layer: mean, std, fraction saturated, fraction of dead units over X.

        `scores(X, Y, activation_stats=True)` gives them with the cost from the same pass."""
        X = self.check_X(X)
        ws = self._workspaces.get(X.shape[1])
        model_forward(X, self._W, self._b, self._acts, ws)
        return metrics.layer_stats(ws, self._acts)

    def symmetry(self) -> list[float | None]:
        """Per hidden layer, how far its units are from identical (0.0: all identical)."""
        return inspection.symmetry_of_blocks(self._Wb[:-1])

    def __repr__(self) -> str:
        return (
            f"Network(layer_dims={list(self.layer_dims)}, activations={list(self.activations)}, "
            f"init={self.init!r}, init_scale={self.init_scale}, seed={self.seed})"
        )


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view
