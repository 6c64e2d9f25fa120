"""Training runs: hyperparameters as data, a mini-batch schedule, a resumable `Trainer`, and
`train`, the whole run in one call.

`Network.fit` is the notebook face (train N iterations, get a History): it calls `train`. The
server drives a `Trainer` directly: `run(n)` a few iterations at a time between frames,
`update(...)` the hyperparameters live without touching the network, and read `iteration`,
`epoch` and `status`. `copy_state_from` forks a run: a new trainer of the same config on the
same data takes over another's state and goes on exactly as that one would.

One iteration is one parameter update: on the whole training set for batch gradient descent (the
course's default), on one mini-batch otherwise. Mini-batches follow the course: each epoch draws a
permutation of the m examples, the shuffled set is cut into batches of `batch_size`, the last one
holding the remainder, so every example is seen exactly once per epoch.

This module knows a network only by the few public methods it calls (`Trainable`), so it imports
nothing of `network.py`, which imports it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
import sys
from collections.abc import Callable
from typing import Protocol, Self

import numpy as np

from .checks import check_finite, make_hyperparameters
from .errors import DivergedError
from .metrics import Scores
from .optimization import OPTIMIZERS, Hyperparameters

PRINT_COST_EVERY = 1000
"""How often `print_cost=True` prints the cost: the course's planar-data model's interval."""

SHUFFLE_STREAM = 0x5EED
"""Mixed into the seed of the mini-batch generator, so it never replays the weights' draws."""


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of a run; each can change between iterations (see `Trainer.update`).

    learning_rate: α. optimizer: "gd", "momentum" or "adam". batch_size: None for the full
    batch. l2: λ of the L2 penalty λ/(2m) Σ‖W[l]‖²; l1: λ₁ of the L1 penalty λ₁/m Σ|W[l]|.
    beta: momentum's β; beta1, beta2, epsilon: Adam's.
    """

    learning_rate: float = 0.01
    optimizer: str = "gd"
    batch_size: int | None = None
    l2: float = 0.0
    l1: float = 0.0
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; allowed: {', '.join(OPTIMIZERS)}"
            )
        bs = self.batch_size
        if bs is not None and (isinstance(bs, bool) or not isinstance(bs, int) or bs < 1):
            raise ValueError(f"batch_size must be a whole number ≥ 1 or None, got {bs!r}")
        check_finite("l2", self.l2, allow_equal=True)
        check_finite("l1", self.l1, allow_equal=True)
        self.hyperparameters()  # checks α, β, ε

    def hyperparameters(self) -> Hyperparameters:
        """The part of the config an update rule reads."""
        return make_hyperparameters(
            self.learning_rate,
            beta=self.beta,
            beta1=self.beta1,
            beta2=self.beta2,
            epsilon=self.epsilon,
        )


class Trainable(Protocol):
    """What training reads and calls of a network (`Network` is one)."""

    def check_X(self, X: np.ndarray, name: str = "X") -> np.ndarray:
        """X as float64 (n_x, m), or a ValueError."""

    def check_Y(self, Y: np.ndarray, m: int, name: str = "Y") -> np.ndarray:
        """Y as float64 (n_L, m), or a ValueError."""

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
        """One update on checked (X, Y); the cost before it; DivergedError if not finite.

        X_aug: [X; 1] (n_x + 1, m), X with a row of ones under it, kept by the caller; then the
        step may reuse the caller's `scores` pass of the same X, Y at the same parameters."""

    def scores(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        l2: float = 0.0,
        confusion: bool = False,
        activation_stats: bool = False,
        checked: bool = False,
        l1: float = 0.0,
    ) -> Scores:
        """Cost, accuracy, confusion and activation statistics from one forward pass."""

    def copy_state_from(self, other: Self) -> None:
        """Take over the training state of `other`, a network of the same shape, in arrays of
        its own; ValueError (and nothing changed) for another shape."""


@dataclasses.dataclass
class History:
    """What a run did: the cost at every iteration and how it ended.

    costs: (iterations,) the cost J computed at each iteration, before its update (on the
        mini-batch, for mini-batch runs). status: "finished", or "diverged" when the cost or the
        parameters stopped being finite; then diverged_at is that 1-based iteration and the
        network holds the last finite parameters.
    """

    costs: np.ndarray
    status: str
    iterations: int
    epochs: int
    diverged_at: int | None = None
    message: str | None = None


class MiniBatches:
    """The course's mini-batch schedule over m examples, one batch at a time.

    Call `next()` for the next batch's (X, Y) views; `epoch` counts completed passes. The batch
    size may change between calls: the current epoch then continues with the new size.
    """

    def __init__(
        self, X: np.ndarray, Y: np.ndarray, batch_size: int | None, rng: np.random.Generator
    ) -> None:
        self.X, self.Y, self.rng = X, Y, rng
        self.m = X.shape[1]
        self.batch_size = batch_size
        self.epoch = 0
        self._position = 0
        self._permutation: np.ndarray | None = None
        self._completed_epoch = False
        self._X_shuffled = np.empty_like(X)
        self._Y_shuffled = np.empty_like(Y)

    @property
    def full_batch(self) -> bool:
        """Whether each iteration sees all m examples (no shuffling, as the course's batch GD)."""
        return self.batch_size is None or self.batch_size >= self.m

    def next_indices(self) -> np.ndarray:
        """The indices (into the m examples) of the batch `next()` would return, and advance."""
        if self.full_batch:
            self._finish_partial_epoch()
            self.epoch += 1
            self._completed_epoch = True
            return np.arange(self.m)
        start, stop = self._advance()
        return self._permutation[start:stop]

    def next(self) -> tuple[np.ndarray, np.ndarray]:
        """(X_batch (n_x, b), Y_batch (n_y, b)) of the next mini-batch."""
        if self.full_batch:
            self._finish_partial_epoch()
            self.epoch += 1
            self._completed_epoch = True
            return self.X, self.Y
        start, stop = self._advance()
        return self._X_shuffled[:, start:stop], self._Y_shuffled[:, start:stop]

    def undo_epoch_count(self) -> None:
        """Take back the epoch the last batch completed, if it did: its update was refused."""
        if self._completed_epoch:
            self.epoch -= 1
            self._completed_epoch = False

    def copy_state_from(self, other: MiniBatches) -> None:
        """Take up `other`'s place in its schedule: from here on `next()` returns the batches
        other's would. Copied: the batch size, the generator's state (a generator of its own),
        the epoch count, the current epoch's permutation, position and shuffled X and Y. Both
        must be over the same examples; X and Y of other shapes are a ValueError."""
        if (other.X.shape, other.Y.shape) != (self.X.shape, self.Y.shape):
            raise ValueError(
                f"cannot copy a schedule over X {other.X.shape}, Y {other.Y.shape} into one "
                f"over X {self.X.shape}, Y {self.Y.shape}"
            )
        self.batch_size = other.batch_size
        self.rng = copy.deepcopy(other.rng)
        self.epoch = other.epoch
        self._position = other._position
        self._completed_epoch = other._completed_epoch
        self._permutation = None if other._permutation is None else other._permutation.copy()
        np.copyto(self._X_shuffled, other._X_shuffled)
        np.copyto(self._Y_shuffled, other._Y_shuffled)

    def export_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """What `copy_state_from` copies, as plain data: (meta JSON-able: batch size, the
        generator's state, epoch, position; arrays: the epoch's permutation, if one)."""
        meta = {
            "batch_size": self.batch_size,
            "rng": self.rng.bit_generator.state,
            "epoch": self.epoch,
            "position": self._position,
            "completed_epoch": self._completed_epoch,
        }
        arrays = {} if self._permutation is None else {"permutation": self._permutation.copy()}
        return meta, arrays

    def import_state(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """Take up a schedule `export_state` gave over these same examples; the shuffled X and
        Y are rebuilt from its permutation. ValueError for a malformed one."""
        permutation = arrays.get("permutation")
        if permutation is not None and (
            permutation.shape != (self.m,)
            or permutation.dtype.kind not in "iu"
            or not np.array_equal(np.sort(permutation), np.arange(self.m))
        ):
            raise ValueError(f"the schedule's permutation must be one of {self.m} examples")
        rng = np.random.default_rng()
        rng.bit_generator.state = meta["rng"]  # ValueError / TypeError on a malformed one
        self.rng = rng
        self.batch_size = meta["batch_size"]
        self.epoch = int(meta["epoch"])
        self._position = int(meta["position"])
        self._completed_epoch = bool(meta["completed_epoch"])
        self._permutation = None if permutation is None else permutation.astype(np.intp)
        if self._permutation is not None:
            np.take(self.X, self._permutation, axis=1, out=self._X_shuffled)
            np.take(self.Y, self._permutation, axis=1, out=self._Y_shuffled)

    def _advance(self) -> tuple[int, int]:
        if self._permutation is None or self._position >= self.m:
            self._permutation = self.rng.permutation(self.m)
            np.take(self.X, self._permutation, axis=1, out=self._X_shuffled)
            np.take(self.Y, self._permutation, axis=1, out=self._Y_shuffled)
            self._position = 0
        start = self._position
        self._position = min(start + self.batch_size, self.m)
        self._completed_epoch = self._position >= self.m
        self.epoch += self._completed_epoch
        return start, self._position

    def _finish_partial_epoch(self) -> None:
        # Switching to full batch in the middle of an epoch: the partial epoch is dropped.
        self._permutation = None
        self._position = 0


class Trainer:
    """A network, its training data, its hyperparameters and its progress.

    X (n_x, m), Y (n_y, m) are the training set; X_test, Y_test an optional test set for
    `evaluate`. `seed` seeds the mini-batch shuffling; (network seed, config, seed) reproduce a
    run bit for bit.

    The trainer keeps its own copy of X, as the top of X_aug = [X; 1] (n_x + 1, m) (the bias
    trick of `propagation.py`): a full-batch step then needs no copy of its input, and may take
    its forward pass from the `evaluate` just before it (one pass per frame, see `network.py`).
    Change the data with `replace_data`, not in place.
    """

    def __init__(
        self,
        net: Trainable,
        X: np.ndarray,
        Y: np.ndarray,
        config: TrainConfig | None = None,
        seed: int = 0,
        X_test: np.ndarray | None = None,
        Y_test: np.ndarray | None = None,
    ) -> None:
        self.net = net
        self.X, self._X_aug = _with_ones_row(net.check_X(X))
        self.Y = net.check_Y(Y, self.X.shape[1])
        self._digest: tuple | None = None  # (X, Y, their fingerprint): _data_digest
        self.X_test = self.Y_test = None
        if X_test is not None and Y_test is not None and np.asarray(X_test).size:
            self.X_test = net.check_X(X_test, "X_test")
            self.Y_test = net.check_Y(Y_test, self.X_test.shape[1], "Y_test")
        self.seed = seed
        self.config = config or TrainConfig()
        self._hp = self.config.hyperparameters()
        self.batches = MiniBatches(
            self.X, self.Y, self.config.batch_size, np.random.default_rng((seed, SHUFFLE_STREAM))
        )
        self.iteration = 0
        self.status = "ready"
        self.diverged: DivergedError | None = None

    @property
    def epoch(self) -> int:
        """Completed passes over the training set."""
        return self.batches.epoch

    def update(self, **changes) -> TrainConfig:
        """Change hyperparameters (learning_rate, optimizer, batch_size, l2, l1, beta, …) live.

        The network and the schedule carry on; a new optimizer starts from fresh state.
        """
        self.config = dataclasses.replace(self.config, **changes)
        self._hp = self.config.hyperparameters()
        self.batches.batch_size = self.config.batch_size
        return self.config

    def copy_state_from(self, other: Trainer) -> None:
        """Continue from `other`'s state now, as a fork of its run ("try it yourself" from a
        teacher's): afterwards any `run(n)` gives both trainers bit for bit the same costs and
        parameters, and training one leaves the other as it was (no array is shared).

        Build this trainer first as `other` was: on its (current) training set, with a network
        of the same shape. Copied: the network's state (`Network.copy_state_from`: parameters,
        optimizer state, iteration count), the config and its hyperparameters, the mini-batch
        schedule (`MiniBatches.copy_state_from`: generator state, the epoch's permutation and
        position, epoch count), and `iteration`, `status`, `diverged` and `seed`. The test set
        stays this trainer's own: no step reads it. ValueError, with nothing changed, if the
        training sets or the networks' shapes differ, or if both trainers train one network.
        """
        if other is self:
            return
        if other.net is self.net:
            raise ValueError("both trainers train the same network; a fork needs one of its own")
        if not (
            other.X.shape == self.X.shape
            and other.Y.shape == self.Y.shape
            and np.array_equal(other.X, self.X)
            and np.array_equal(other.Y, self.Y)
        ):
            raise ValueError(
                "cannot copy the state of a run on other training data: build the fork on the "
                f"source's X {other.X.shape} and Y {other.Y.shape} (got X {self.X.shape}, "
                f"Y {self.Y.shape}, or other values)"
            )
        self.net.copy_state_from(other.net)  # checks the shape before it changes anything
        self.config, self._hp = other.config, other._hp  # frozen: shared safely
        self.seed = other.seed
        self.batches.copy_state_from(other.batches)
        self.iteration, self.status = other.iteration, other.status
        error = other.diverged
        self.diverged = (
            None if error is None else DivergedError(error.iteration, error.quantity, error.value)
        )

    def export_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Everything `copy_state_from` copies but the config, as plain data to send to another
        process: (meta, JSON-able; arrays, name → float64 or int array). A trainer built there
        for the same config and data takes it with `import_state` and goes on bit for bit as
        this one would. meta["data"] fingerprints the training set (its shapes and a digest)."""
        net_meta, net_arrays = self.net.export_state()
        batch_meta, batch_arrays = self.batches.export_state()
        error = self.diverged
        meta = {
            "network": net_meta,
            "batches": batch_meta,
            "iteration": self.iteration,
            "status": self.status,
            "seed": self.seed,
            "diverged": None
            if error is None
            else {"iteration": error.iteration, "quantity": error.quantity, "value": error.value},
            "data": self._data_digest(),
        }
        arrays = {f"network.{k}": v for k, v in net_arrays.items()}
        arrays |= {f"batches.{k}": v for k, v in batch_arrays.items()}
        return meta, arrays

    def import_state(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """Take up the state `export_state` gave, of a trainer of this config on this same
        training set (maybe in another process); ValueError for other data or another shape
        (checked before anything changes)."""
        if meta.get("data") != self._data_digest():
            raise ValueError("this state is of a run on other training data")
        part = {"network.": {}, "batches.": {}}
        for key, value in arrays.items():
            for prefix, into in part.items():
                if key.startswith(prefix):
                    into[key[len(prefix) :]] = value
        self.net.import_state(meta["network"], part["network."])
        self.batches.import_state(meta["batches"], part["batches."])
        self.iteration, self.status = int(meta["iteration"]), str(meta["status"])
        self.seed = meta["seed"]
        error = meta.get("diverged")
        self.diverged = (
            None
            if error is None
            else DivergedError(error["iteration"], error["quantity"], error["value"])
        )

    def _data_digest(self) -> dict:
        """The training set's fingerprint, hashed once per (X, Y): the trainer never writes them
        in place (`replace_data` binds new arrays), and a run's timeline asks for it with every
        snapshot (13 µs a time for the default 320 points; milliseconds for an image set)."""
        cached = self._digest
        if cached is not None and cached[0] is self.X and cached[1] is self.Y:
            return cached[2]
        digest = hashlib.blake2b(self.X.tobytes(), digest_size=16)
        digest.update(self.Y.tobytes())
        value = {"X": list(self.X.shape), "Y": list(self.Y.shape), "digest": digest.hexdigest()}
        self._digest = (self.X, self.Y, value)
        return value

    def replace_data(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        X_test: np.ndarray | None = None,
        Y_test: np.ndarray | None = None,
    ) -> None:
        """Train on new data from the next iteration on, keeping the network and its progress.

        For data that changes while it trains (points drawn by hand): X (n_x, m') must have the
        network's n_x, Y its output's shape; m' may differ. The iteration count goes on; the epoch
        count goes on from the last completed epoch, a new epoch starting over the new examples.
        """
        X = self.net.check_X(X)
        Y = self.net.check_Y(Y, X.shape[1])
        X_test_checked = Y_test_checked = None
        if X_test is not None and Y_test is not None and np.asarray(X_test).size:
            X_test_checked = self.net.check_X(X_test, "X_test")
            Y_test_checked = self.net.check_Y(Y_test, X_test_checked.shape[1], "Y_test")
        old = self.batches
        (self.X, self._X_aug), self.Y = _with_ones_row(X), Y
        self.X_test, self.Y_test = X_test_checked, Y_test_checked
        self.batches = MiniBatches(self.X, Y, self.config.batch_size, old.rng)
        self.batches.epoch = old.epoch

    def run(self, iterations: int) -> np.ndarray:
        """Train up to `iterations` more; return the cost of each iteration done, in order.

        Stops early if the run diverges: `status` becomes "diverged" and `diverged` holds the
        error; the costs up to that point are returned. A diverged trainer runs no further.
        """
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 0:
            raise ValueError(f"iterations must be a whole number ≥ 0, got {iterations!r}")
        costs = np.empty(iterations)
        if self.diverged is not None:
            return costs[:0]
        train_step, batches, cfg, hp = self.net.train_step, self.batches, self.config, self._hp
        optimizer, l2, l1 = cfg.optimizer, cfg.l2, cfg.l1
        X_aug = self._X_aug if batches.full_batch else None  # mini-batches are copied in
        done = 0
        try:
            # Overflow on the way to a divergence is expected, reported below: no warnings.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                while done < iterations:
                    X_batch, Y_batch = batches.next()
                    costs[done] = train_step(X_batch, Y_batch, optimizer, hp, l2, X_aug, l1)
                    done += 1
        except DivergedError as error:
            error.iteration = self.iteration + done + 1
            error.args = (str(DivergedError(error.iteration, error.quantity, error.value)),)
            batches.undo_epoch_count()
            self.diverged = error
            self.status = "diverged"
        self.iteration += done
        if self.status != "diverged":
            self.status = "running"
        return costs[:done]

    def fit(
        self, iterations: int, print_cost: bool | int = 0, callback: Callable | None = None
    ) -> History:
        """Run `iterations` and return the History; print the cost every `print_cost` if > 0
        (True: every PRINT_COST_EVERY, as the course's notebooks print)."""
        if print_cost is True:
            print_cost = PRINT_COST_EVERY
        chunk = print_cost if print_cost > 0 else max(iterations, 1)
        parts = []
        remaining = iterations
        while remaining > 0 and self.diverged is None:
            costs = self.run(min(chunk, remaining))
            parts.append(costs)
            remaining -= len(costs)
            if print_cost and len(costs) and self.diverged is None:
                print(f"Cost after iteration {self.iteration}: {costs[-1]:.6f}", file=sys.stdout)
            if callback is not None:
                callback(self)
        if self.diverged is None:
            self.status = "finished"
        return self.history(np.concatenate(parts) if parts else np.empty(0))

    def history(self, costs: np.ndarray) -> History:
        """A History of `costs` with this trainer's progress and outcome."""
        return History(
            costs=costs,
            status=self.status if self.status == "diverged" else "finished",
            iterations=self.iteration,
            epochs=self.epoch,
            diverged_at=self.diverged.iteration if self.diverged else None,
            message=str(self.diverged) if self.diverged else None,
        )

    @np.errstate(all="ignore")
    def evaluate(self, confusion: bool = False, activation_stats: bool = False) -> dict:
        """Train and test cost and accuracy at the current parameters (test: None if no set),
        one forward pass per set (`Network.scores`). With `confusion`, also "train_confusion" and
        "test_confusion", the (C, C) matrices of `Network.confusion` (None for regression); with
        `activation_stats`, also "activation_stats", the training set's list of `LayerStats`
        (those of `Network.activation_stats`), read from the same pass as its cost.

        Near a divergence the cost can overflow: it is then None, not a warning.

        The test set is scored first, so that the training set's pass is the last one in its
        Workspace (the two share one when they have as many examples): the next full-batch step
        reuses it."""
        net, l2, l1 = self.net, self.config.l2, self.config.l1
        result: dict = dict.fromkeys(("train_cost", "train_accuracy", "test_cost", "test_accuracy"))
        if confusion:
            result["train_confusion"] = result["test_confusion"] = None
        splits = [("test", self.X_test, self.Y_test), ("train", self.X, self.Y)]
        for split, X, Y in splits:
            if X is None:
                continue
            stats = activation_stats and split == "train"
            scores = net.scores(X, Y, l2, confusion, activation_stats=stats, checked=True, l1=l1)
            result[f"{split}_cost"], result[f"{split}_accuracy"] = scores.cost, scores.accuracy
            if confusion:
                result[f"{split}_confusion"] = scores.confusion
            if stats:
                result["activation_stats"] = scores.activation_stats
        for key in ("train_cost", "train_accuracy", "test_cost", "test_accuracy"):
            value = result[key]
            if value is not None and not math.isfinite(value):
                result[key] = None
        return result


def _with_ones_row(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X, X_aug) for X (n_x, m): X_aug = [X; 1] (n_x + 1, m) a new array, X its top rows."""
    X_aug = np.empty((X.shape[0] + 1, X.shape[1]))
    X_aug[:-1] = X
    X_aug[-1] = 1.0
    return X_aug[:-1], X_aug


def train(
    net: Trainable,
    X: np.ndarray,
    Y: np.ndarray,
    config: TrainConfig,
    iterations: int,
    seed: int = 0,
    print_cost: bool | int = False,
    callback: Callable | None = None,
) -> History:
    """Train `net` on X (n_x, m), Y (n_y, m) for `iterations` updates under `config`; the run's
    History. `seed` seeds the mini-batch shuffling; print_cost and callback as `Trainer.fit`."""
    trainer = Trainer(net, X, Y, config, seed=seed)
    return trainer.fit(iterations, print_cost=print_cost, callback=callback)
