"""`Network`: a fully-connected L-layer network in the course's notation, and its training step.

    net = Network(layer_dims=[2, 4, 1], activations=["tanh", "sigmoid"], init="random", seed=3)
    net.parameters                        # {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    J = net.step(X, Y, learning_rate=1.2)  # forward, cost, backward, update; returns the cost
    history = net.fit(X, Y, learning_rate=1.2, iterations=10000)

X is (n_x, m), Y is (n_y, m); W[l] is (n[l], n[l-1]) and b[l] is (n[l], 1). The cost follows from
the last activation (see `losses.py`).

How it is laid out in memory, and why: all parameters live in one flat float64 vector θ, weights
first (W1, W2, …, WL) then biases (b1, …, bL); W[l] and b[l] are views into it, and so are the
gradients dW[l], db[l] into one vector dθ. One NumPy call then updates every parameter, L2 touches
the weights as one slice, and a divergence check is one sum. The update is written into a second
vector and adopted only if finite, so a diverging step leaves the last good parameters in place.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import inspection
from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation
from .errors import DivergedError
from .initializations import DEFAULT_RANDOM_SCALE, get_initialization, initialize_weights
from .losses import loss_for
from .optimization import Hyperparameters, make_optimizer
from .propagation import Workspace, model_backward, model_forward

if TYPE_CHECKING:
    from .training import History

MAX_WORKSPACES = 4
"""Batch sizes kept warm at once: full batch, mini-batch, the last partial batch, a test set."""


def _flat_views(
    theta: np.ndarray, layer_dims: Sequence[int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Views W[l] (n[l], n[l-1]) and b[l] (n[l], 1) into θ laid out as [W1 … WL, b1 … bL]."""
    weights, biases = [], []
    offset = 0
    for n_prev, n in itertools.pairwise(layer_dims):
        weights.append(theta[offset : offset + n * n_prev].reshape(n, n_prev))
        offset += n * n_prev
    for n in layer_dims[1:]:
        biases.append(theta[offset : offset + n].reshape(n, 1))
        offset += n
    return weights, biases


def _check_layer_dims(layer_dims: Sequence[int]) -> tuple[int, ...]:
    try:
        dims = list(layer_dims)
    except TypeError:
        raise ValueError(
            f"layer_dims must be a list of layer sizes [n_x, n1, …, n_L], got {layer_dims!r}"
        ) from None
    if len(dims) < 2:
        raise ValueError(
            f"layer_dims needs at least an input and an output size [n_x, …, n_L], got {dims}"
        )
    for l, n in enumerate(dims):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(
                f"layer_dims[{l}] must be a whole number ≥ 1 (no empty layers), got {n!r}"
            )
    return tuple(int(n) for n in dims)


def _check_activations(activations: Sequence[str], L: int) -> tuple[str, ...]:
    if isinstance(activations, str):
        raise ValueError(
            f"activations must be a list of {L} names, one per layer, got the string "
            f"{activations!r}"
        )
    names = tuple(activations)
    if len(names) != L:
        raise ValueError(
            f"activations must name one activation per layer: layer_dims gives {L} layers, "
            f"got {len(names)} ({list(names)})"
        )
    for l, name in enumerate(names, start=1):
        get_activation(name)  # unknown names raise with the allowed list
        if l < L and not ACTIVATIONS[name].hidden:
            raise ValueError(
                f"activations[{l - 1}] = {name!r} is only allowed in the output layer; "
                f"hidden layers take one of: {', '.join(HIDDEN_ACTIVATIONS)}"
            )
    return names


def _check_finite(name: str, value: float, low: float = 0.0, allow_equal: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < low or (value == low and not allow_equal):
        bound = f"≥ {low}" if allow_equal else f"> {low}"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value


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
        self.layer_dims = _check_layer_dims(layer_dims)
        self.L = len(self.layer_dims) - 1
        self.activations = _check_activations(activations, self.L)
        self._acts = [ACTIVATIONS[name] for name in self.activations]
        self.loss = loss_for(self.activations[-1])
        if self.loss.task == "multiclass" and self.layer_dims[-1] < 2:
            raise ValueError("a softmax output needs at least 2 units (one per class)")
        self.init = init
        self.init_scale = _check_finite("init_scale", init_scale, allow_equal=True)
        self.seed = seed

        dims = self.layer_dims
        self._n_weights = sum(n * n_prev for n_prev, n in itertools.pairwise(dims))
        size = self._n_weights + sum(dims[1:])
        self._theta = np.zeros(size)
        self._W, self._b = _flat_views(self._theta, dims)
        self._theta_next = np.zeros(size)
        self._W_next, self._b_next = _flat_views(self._theta_next, dims)
        self._grad = np.zeros(size)
        self._dW, self._db = _flat_views(self._grad, dims)
        self._has_gradients = False

        self._workspaces: dict[tuple[int, type], Workspace] = {}
        self._grid_workspaces: dict[tuple[int, type], Workspace] = {}  # see inspection.py
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
            init_scale = _check_finite("init_scale", init_scale, allow_equal=True)
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

    def _after_parameters_changed(self) -> None:
        self._optimizer = None
        self._has_gradients = False
        self._grad.fill(0.0)
        self.iterations = 0

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

    # --- inputs ----------------------------------------------------------------------------------

    def check_X(self, X: np.ndarray, name: str = "X") -> np.ndarray:
        """X as float64 (n_x, m), or a ValueError naming what is wrong with it."""
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}")
        if X.ndim != 2:
            raise ValueError(
                f"{name} must be 2-D (n_x, m) = ({self.layer_dims[0]}, m) with one column per "
                f"example, got shape {X.shape}"
            )
        if X.shape[0] != self.layer_dims[0]:
            hint = " (transposed? the course puts examples in columns)"
            hint = hint if X.shape[1] == self.layer_dims[0] else ""
            raise ValueError(
                f"{name} has {X.shape[0]} rows but layer_dims[0] = n_x = {self.layer_dims[0]}; "
                f"expected shape ({self.layer_dims[0]}, m), got {X.shape}{hint}"
            )
        if X.shape[1] < 1:
            raise ValueError(f"{name} has no examples (m = 0)")
        X = np.asarray(X, dtype=np.float64)
        if not np.isfinite(X).all():
            raise ValueError(f"{name} contains NaN or inf")
        return X

    def check_Y(self, Y: np.ndarray, m: int, name: str = "Y") -> np.ndarray:
        """Y as float64 (n_L, m) (one-hot for softmax), or a ValueError naming the problem.

        Softmax outputs also take class labels of shape (1, m) with values 0 … C-1.
        """
        Y = np.asarray(Y)
        n_L = self.layer_dims[-1]
        if Y.dtype.kind not in "fiub":
            raise ValueError(f"{name} must hold numbers, got dtype {Y.dtype}")
        if Y.ndim != 2:
            hint = " — a rank-1 array; reshape it to (1, m)" if Y.ndim == 1 else ""
            raise ValueError(f"{name} must be 2-D (n_y, m), got shape {Y.shape}{hint}")
        if Y.shape[1] != m:
            raise ValueError(f"{name} has {Y.shape[1]} examples (columns) but X has {m}")
        if not np.isfinite(Y).all():
            raise ValueError(f"{name} contains NaN or inf")
        task = self.loss.task
        if task == "multiclass" and Y.shape[0] == 1 and n_L > 1:
            labels = Y[0]
            if (labels != np.round(labels)).any() or labels.min() < 0 or labels.max() >= n_L:
                raise ValueError(
                    f"{name} as class labels must hold whole numbers 0 … {n_L - 1} "
                    f"(the softmax has {n_L} units)"
                )
            one_hot = np.zeros((n_L, m))
            one_hot[labels.astype(np.intp), np.arange(m)] = 1.0
            return one_hot
        if Y.shape[0] != n_L:
            raise ValueError(
                f"{name} has {Y.shape[0]} rows but the output layer has n_L = {n_L} units; "
                f"expected shape ({n_L}, m)"
                + (" or class labels (1, m)" if task == "multiclass" else "")
            )
        if task != "regression" and (Y.min() < 0 or Y.max() > 1):
            raise ValueError(
                f"{name} must hold labels in [0, 1] for a {self.activations[-1]} output"
            )
        return np.asarray(Y, dtype=np.float64)

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

    def _workspace(self, m: int, dtype: type = np.float64) -> Workspace:
        ws = self._workspaces.get((m, dtype))
        if ws is None:
            if len(self._workspaces) >= MAX_WORKSPACES:
                del self._workspaces[next(iter(self._workspaces))]
            ws = Workspace(self.layer_dims, self._acts, m, dtype)
            self._workspaces[(m, dtype)] = ws
        return ws

    def _cost(self, X: np.ndarray, Y: np.ndarray, l2: float, gradients: bool) -> float:
        """J(X, Y) for checked inputs; with `gradients`, also fill dθ by backpropagation."""
        m = X.shape[1]
        ws = self._workspace(m)
        Z_L = model_forward(X, self._W, self._b, self._acts, ws)
        dZ_L = ws.D[-1] if gradients else None
        J = self.loss.evaluate(Z_L, Y, self._acts[-1], ws.A[-1], dZ_L)
        if gradients:
            model_backward(X, self._W, self._acts, ws, dZ_L, self._dW, self._db)
            self._has_gradients = True
        if l2:
            weights = self._theta[: self._n_weights]
            J += l2 / (2 * m) * float(np.dot(weights, weights))
            if gradients:
                self._grad[: self._n_weights] += (l2 / m) * weights
        return J

    def _scores(
        self, X: np.ndarray, Y: np.ndarray, l2: float, confusion: bool = False
    ) -> tuple[float, float | None, np.ndarray | None]:
        """(J, accuracy, confusion matrix) of checked X, Y from one forward pass: the same
        values as `cost`, `accuracy` and `confusion`, which take one pass each. The confusion
        matrix only if asked (None for regression and multi-label outputs, as `confusion`)."""
        J = self._cost(X, Y, l2, gradients=False)
        task = self.loss.task
        if task == "regression":
            return J, None, None
        Z_L = self._workspace(X.shape[1]).Z[-1]  # left by the pass of _cost
        A = self._acts[-1].forward(Z_L, np.empty_like(Z_L))
        if task == "binary":
            predicted = A > 0.5
            accuracy = float(np.mean((predicted == (Y > 0.5)).all(axis=0)))
            counts = None
            if confusion and Y.shape[0] == 1:
                counts = inspection.confusion_matrix(predicted[0], Y[0] > 0.5, 2)
            return J, accuracy, counts
        predicted, actual = A.argmax(axis=0), Y.argmax(axis=0)
        accuracy = float(np.mean(predicted == actual))
        n = self.layer_dims[-1]
        return J, accuracy, inspection.confusion_matrix(predicted, actual, n) if confusion else None

    def forward(self, X: np.ndarray) -> np.ndarray:
        """A[L] (n_L, m) for X (n_x, m): the output probabilities or values."""
        X = self.check_X(X)
        Z_L = model_forward(X, self._W, self._b, self._acts, self._workspace(X.shape[1]))
        return self._acts[-1].forward(Z_L, np.empty_like(Z_L))

    predict_proba = forward

    def cost(self, X: np.ndarray, Y: np.ndarray, l2: float = 0.0) -> float:
        """J = the cost of the output layer, plus λ/(2m) Σ‖W[l]‖² when l2 = λ > 0."""
        X, Y = self._prepare(X, Y)
        l2 = _check_finite("l2", l2, allow_equal=True)
        return self._cost(X, Y, l2, gradients=False)

    def gradients(self, X: np.ndarray, Y: np.ndarray, l2: float = 0.0) -> dict[str, np.ndarray]:
        """{"dW1", "db1", …}: ∂J/∂W[l] and ∂J/∂b[l] by backpropagation, shapes as the parameters."""
        X, Y = self._prepare(X, Y)
        l2 = _check_finite("l2", l2, allow_equal=True)
        self._cost(X, Y, l2, gradients=True)
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
        **hyperparameters: float,
    ) -> float:
        """One iteration on (X, Y): forward, cost, backward, update. Returns the cost before it.

        optimizer: "gd", "momentum" (beta=0.9) or "adam" (beta1=0.9, beta2=0.999, epsilon=1e-8);
        pass those names as keywords to change them. Raises `DivergedError` if the cost or the
        updated parameters are not finite; the parameters then stay as they were. NumPy may
        warn about the overflow on the way; `Trainer.run` and `fit` silence those warnings.
        """
        X, Y = self._prepare(X, Y)
        key = (learning_rate, *hyperparameters.items())
        if key != self._hp_key:  # a notebook loop passes the same values every step
            self._hp = make_hyperparameters(learning_rate, **hyperparameters)
            self._hp_key = key
        hp = self._hp
        if l2 != 0.0:
            l2 = _check_finite("l2", l2, allow_equal=True)
        try:
            return self._step(X, Y, optimizer, hp, l2)
        except RuntimeWarning:
            # Overflow turned into an error by a warnings filter (as under pytest): the same
            # divergence the finiteness checks catch when NumPy only warns.
            self._raise_diverged(X, Y, "cost", math.nan)

    def _step(
        self, X: np.ndarray, Y: np.ndarray, optimizer: str, hp: Hyperparameters, l2: float
    ) -> float:
        """`step` for checked inputs: the training loop's hot path."""
        J = self._cost(X, Y, l2, gradients=True)
        if not math.isfinite(J):
            self._raise_diverged(X, Y, "cost", J)
        opt = self._optimizer
        if opt is None or opt.name != optimizer:
            opt = self._optimizer = make_optimizer(optimizer, self._theta.size)
        theta_next = np.subtract(self._theta, opt.delta(self._grad, hp), out=self._theta_next)
        if not math.isfinite(theta_next.sum()):
            self._raise_diverged(X, Y, "parameters", None)
        self._theta, self._theta_next = theta_next, self._theta
        self._W, self._W_next = self._W_next, self._W
        self._b, self._b_next = self._b_next, self._b
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
        from .training import TrainConfig, Trainer

        config = TrainConfig(
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            l2=l2,
            **hyperparameters,
        )
        trainer = Trainer(self, X, Y, config, seed=self.seed if seed is None else seed)
        return trainer.fit(iterations, print_cost=print_cost)

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
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[1])
        return self._scores(X, Y, 0.0, confusion=True)[2]

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

    def gradient_norms(self) -> list[float]:
        """‖dW[l]‖ (Frobenius) for l = 1 … L from the last backward pass (zeros before any)."""
        return inspection.gradient_norms(self._dW)

    def activation_stats(self, X: np.ndarray) -> list[inspection.LayerStats]:
        """Per hidden layer: mean, std, fraction saturated, fraction of dead units over X."""
        return inspection.activation_stats(self, self.check_X(X))

    def symmetry(self) -> list[float | None]:
        """Per hidden layer, how far its units are from identical (0.0: all identical)."""
        return inspection.symmetry(self._W[:-1], self._b[:-1])

    def __repr__(self) -> str:
        return (
            f"Network(layer_dims={list(self.layer_dims)}, activations={list(self.activations)}, "
            f"init={self.init!r}, init_scale={self.init_scale}, seed={self.seed})"
        )


def make_hyperparameters(learning_rate: float, **hyperparameters: float) -> Hyperparameters:
    """Checked `Hyperparameters`: α > 0, 0 ≤ β < 1, ε > 0, names from beta/beta1/beta2/epsilon."""
    allowed = ("beta", "beta1", "beta2", "epsilon")
    for name in hyperparameters:
        if name not in allowed:
            raise ValueError(
                f"unknown hyperparameter {name!r}; allowed: learning_rate, {', '.join(allowed)}"
            )
    checked = {"learning_rate": _check_finite("learning_rate", learning_rate)}
    for name, value in hyperparameters.items():
        value = _check_finite(name, value, allow_equal=name != "epsilon")
        if name != "epsilon" and value >= 1:
            raise ValueError(f"{name} must be in [0, 1), got {value}")
        checked[name] = value
    return Hyperparameters(**checked)


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view
