"""A run's past: snapshots of a `Trainer`'s state under a byte cap, and any past iteration
reproduced exactly from them.

    timeline = Timeline(max_bytes=1_000_000)
    timeline.record(trainer)                   # at iteration 0
    while ...:
        trainer.run(timeline.next_due(trainer.iteration) - trainer.iteration)
        timeline.record(trainer)               # kept if due, thinned when the cap is reached
    past = timeline.reproduce(300, make_trainer)  # a new trainer exactly at iteration 300

A snapshot is what `Trainer.export_state` gives (parameters, last gradient, optimizer state,
mini-batch generator and position) plus the hyperparameters in force. Snapshots are kept at
every multiple of a stride, at first `first_stride` (1: every iteration). When they pass the
cap the stride doubles and every snapshot off the new stride goes, so memory stays under the
cap however long the run (a snapshot of the default 2-4-1 network is ~1.3 KB: a 1 MB cap keeps
~770, a stride of 2048 at a million iterations).

Every iteration is exact anyway: training is deterministic ((config, seed) reproduce a run bit
for bit), so `reproduce` takes the nearest snapshot at or before the iteration and trains on
from it, at most stride - 1 iterations, applying the hyperparameter changes made on the way
(`changed` keeps them). New data (points drawn while it trains) cuts the past: iterations
before it trained on other examples, and `restart` keeps nothing from before (`start` says
where the reproducible past begins).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from .training import TrainConfig, Trainer

SNAPSHOT_OVERHEAD_BYTES = 1024
"""Counted for each snapshot on top of its arrays: its meta (the generator's state, counts)."""
MAX_CHANGES = 256
"""Hyperparameter changes kept for replays (~100 KB at most, on top of the cap); one more cuts
the past there (`restart`), so a client sending updates without end cannot grow it."""


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """A trainer's state at one iteration: `Trainer.export_state`'s (meta, arrays), and the
    hyperparameters in force from it on."""

    iteration: int
    config: TrainConfig
    meta: dict
    arrays: dict[str, np.ndarray]

    @property
    def nbytes(self) -> int:
        return SNAPSHOT_OVERHEAD_BYTES + sum(a.nbytes for a in self.arrays.values())


class Timeline:
    """Snapshots of one run's trainer at every `stride`-th iteration, within `max_bytes`."""

    def __init__(self, max_bytes: int, first_stride: int = 1) -> None:
        """first_stride: the spacing of snapshots until the cap doubles it (a power of two). 1
        keeps every iteration; more makes recording cheaper (a snapshot costs about as much as
        an iteration of a small network) and a seek replay at most first_stride - 1
        iterations."""
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be ≥ 1, got {max_bytes!r}")
        if (
            isinstance(first_stride, bool)
            or not isinstance(first_stride, int)
            or first_stride < 1
            or first_stride & (first_stride - 1)
        ):
            raise ValueError(f"first_stride must be a power of two ≥ 1, got {first_stride!r}")
        self.max_bytes = max_bytes
        self.first_stride = first_stride
        self.stride = first_stride
        self.snapshots: dict[int, Snapshot] = {}
        """By iteration, in increasing order."""
        self.nbytes = 0
        self.changes: list[tuple[int, TrainConfig]] = []
        """(iteration k, config): the hyperparameters in force after iteration k, in order."""
        self.start = 0
        """The first iteration `reproduce` can give (new data cut what came before)."""
        self.end = 0
        """The last iteration `record` saw (kept or not): `reproduce` can give any up to it."""

    def next_due(self, iteration: int) -> int:
        """The first iteration after `iteration` at which a snapshot is due."""
        return (iteration // self.stride + 1) * self.stride

    def record(self, trainer: Trainer, force: bool = False) -> None:
        """Keep the trainer's state now if it is due (its iteration a multiple of the stride,
        or the timeline's first) or `force`d; then thin to the cap."""
        i = self.end = trainer.iteration
        if not force and (i % self.stride or i in self.snapshots) and self.snapshots:
            return
        meta, arrays = trainer.export_state()
        old = self.snapshots.pop(i, None)
        if old is not None:
            self.nbytes -= old.nbytes
        later = bool(self.snapshots) and next(reversed(self.snapshots)) > i
        snapshot = Snapshot(i, trainer.config, meta, arrays)
        self.snapshots[i] = snapshot
        self.nbytes += snapshot.nbytes
        if later:  # keep them in order
            self.snapshots = dict(sorted(self.snapshots.items()))
        self._thin()

    def changed(self, trainer: Trainer) -> None:
        """The hyperparameters changed after the trainer's current iteration: keep the change
        for replays across it, and a snapshot with the new ones."""
        i = trainer.iteration
        self.changes = [(k, c) for k, c in self.changes if k != i] + [(i, trainer.config)]
        if len(self.changes) > MAX_CHANGES:
            self.restart(trainer)
            return
        self.record(trainer, force=True)

    def restart(self, trainer: Trainer) -> None:
        """Keep nothing of the past (new data, a reset): it begins at the trainer's iteration."""
        self.snapshots.clear()
        self.changes.clear()
        self.nbytes = 0
        self.stride = self.first_stride
        self.start = trainer.iteration
        self.record(trainer, force=True)

    def _thin(self) -> None:
        """Double the stride, dropping the snapshots off it, until the cap holds (the first
        snapshot always stays: replays start there)."""
        while self.nbytes > self.max_bytes and len(self.snapshots) > 1:
            self.stride *= 2
            first = next(iter(self.snapshots))
            for i in [i for i in self.snapshots if i % self.stride and i != first]:
                self.nbytes -= self.snapshots.pop(i).nbytes
            if len(self.snapshots) == 1:
                break
        if self.nbytes > self.max_bytes:  # one snapshot larger than the cap: keep none
            self.snapshots.clear()
            self.nbytes = 0

    def nearest(self, iteration: int) -> Snapshot | None:
        """The last snapshot at or before `iteration`, or None."""
        best = None
        for i, snapshot in self.snapshots.items():
            if i > iteration:
                break
            best = snapshot
        return best

    def exact_from(self) -> int:
        """The first iteration whose own snapshot is kept without replaying (the stride's
        spacing from there on): what the docs call 'how far back snapshots go'."""
        return next(iter(self.snapshots)) if self.snapshots else self.start

    def reproduce(self, iteration: int, make: Callable[[], Trainer]) -> Trainer:
        """A trainer exactly at `iteration` (start ≤ iteration ≤ end): `make()` builds a fresh
        one of the run's config on its data, which takes up the nearest snapshot and trains on
        to `iteration`, with the hyperparameter changes made on the way. ValueError outside."""
        if not self.start <= iteration <= self.end or not self.snapshots:
            raise ValueError(
                f"iteration {iteration} is not in this run's past ({self.start}…{self.end})"
            )
        snapshot = self.nearest(iteration)
        trainer = make()
        trainer.import_state(snapshot.meta, snapshot.arrays)
        _set_config(trainer, snapshot.config)
        for k, config in self.changes:
            if k <= snapshot.iteration:
                continue
            if k > iteration:
                break
            trainer.run(k - trainer.iteration)
            _set_config(trainer, config)
        trainer.run(iteration - trainer.iteration)
        return trainer


def _set_config(trainer: Trainer, config: TrainConfig) -> None:
    if trainer.config != config:
        trainer.update(**dataclasses.asdict(config))
