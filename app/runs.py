"""A run: one network training on one dataset, owned by one WebSocket session and shown to it
and to any viewers.

Threading contract: a `Run` is built in a worker thread, then touched only by the scheduler's
training thread (train, reset, update, build frames) — commands reach it as closures the
scheduler executes between turns (app/player.py holds them). The one thing shared with the event
loop is its `outbox` (app/fanout.py): each connection's newest encoded frame and the costs it
was not sent yet, behind the outbox's lock.
"""

from __future__ import annotations

import math
import secrets

import numpy as np

from engine import Dataset, Network, Timeline, Trainer

from . import data as data_sources
from . import frames
from .fanout import Outbox
from .pictures import Picture, Values
from .runconfig import HyperparameterUpdate, RunConfigModel, live_fields, make_trainer
from .settings import Settings
from .uploads import UploadStore

STATUSES = ("paused", "running", "diverged", "finished")
AUTO = "auto"
"""The default speed: as many iterations a frame as fit a training-time budget (see Group)."""
AUTO_BOOST_SECONDS = 0.008
"""Auto's training time a frame when a group starts to learn (played from iteration 0, reset,
hyperparameters or data changed): 8 ms, a quarter of a core at 30 frames/s, so the interesting
first seconds are quick, if the server has the time (it is capped by what the owner's share of
the training thread leaves after its frames: `frame_share`)."""
AUTO_FLOOR_SECONDS = 0.0002
"""What the budget settles at: 0.2 ms a frame, 6 ms a second, so a full lecture hall shares the
server. Never fewer iterations than AUTO_FLOOR_ITERATIONS, though, where they fit."""
AUTO_FLOOR_ITERATIONS = 10
"""Auto trains at least the old default speed's 10 iterations a frame (300 a second), whatever
one iteration is measured at (a busy machine, cold caches after a frame's wait: the default
run's 20 µs measure 25–60 µs in a server), as long as they fit AUTO_FLOOR_CAP_SECONDS. Shared by
a compare group's runs, as its budget is (four runs: 3 each)."""
AUTO_FLOOR_CAP_SECONDS = 0.002
"""The most training time a frame the iteration floor may take: a large network (6 × 64 units on
2000 points: ~7 ms an iteration) trains one iteration a frame, not ten."""
AUTO_HALF_LIFE_FRAMES = 60
"""Frames (2 s of play at 30 frames/s) over which the boost above the floor halves."""
AUTO_MAX_ITERATIONS = 10_000
AUTO_DECAY = 0.5 ** (1 / AUTO_HALF_LIFE_FRAMES)
TIMELINE_FIRST_STRIDE = 16
"""A run's timeline keeps a snapshot every 16 iterations at first (engine/timeline.py), not every
one: a snapshot costs about half an iteration of the default network, so at a stride of 1 the
default run's first 500 iterations trained 1.5x slower (first 3000: 1.3x; /tmp probe, frames of
25, 15 interleaved trials); a seek replays at most 15 iterations (~0.4 ms) instead."""
DIAGRAM_MAX_INPUTS = 32
"""Wider inputs (images) are drawn as one input node: W[1] travels as its row norms ‖W1[k, :]‖."""
MAP_UNITS_AT_FULL_RESOLUTION = 64
"""A detail's maps hold at most this many units' worth of map_resolution² values; a wider network
gets coarser maps: 6 × 64 = 384 hidden units get 9² each instead of 24² (31 KB instead of 221 KB
a detail). The diagram draws a unit ~10 px wide when a layer has 64 of them, so it loses nothing;
only its zoomed view of one unit is coarser."""


SCORES = ("train_cost", "train_accuracy", "test_cost", "test_accuracy")


def map_resolution(resolution: int, hidden_units: int) -> int:
    """The side of each hidden-unit map of a network with `hidden_units` (2-D data): the
    setting's, lowered so that hidden_units · side² ≤ MAP_UNITS_AT_FULL_RESOLUTION · resolution²
    (and never below 4)."""
    if hidden_units <= MAP_UNITS_AT_FULL_RESOLUTION:
        return resolution
    side = int(resolution * (MAP_UNITS_AT_FULL_RESOLUTION / hidden_units) ** 0.5)
    return max(4, min(resolution, side))


def new_run_id() -> str:
    """An unguessable run id (96 random bits, URL-safe)."""
    return secrets.token_urlsafe(12)


class Run:
    """A network, its data, its trainer, and the frames it streams."""

    def __init__(
        self,
        config: RunConfigModel,
        settings: Settings,
        uploads: UploadStore | None = None,
        data: data_sources.Data | None = None,
    ) -> None:
        """A run of `config`, on `data` if given (a fork shares its source's) or else on the data
        the config names."""
        self.id = new_run_id()
        self.config = config
        self.settings = settings
        self.data = data or data_sources.build(config.dataset, settings, uploads)
        self.dataset: Dataset = self.data.dataset
        self.network_config = config.network_config(
            self.dataset.n_x, self.dataset.task, self.dataset.n_classes
        )
        two_d = self.dataset.n_x - len(self.dataset.features) == 2
        self.map_resolution = (
            map_resolution(settings.map_resolution, sum(self.network_config.layer_dims[1:-1]))
            if two_d
            else settings.map_resolution
        )
        """Side of each hidden-unit map in this run's details (see MAP_UNITS_AT_FULL_RESOLUTION)."""
        self.status = "paused"
        self.iterations_per_frame: int | str | None = AUTO
        """Speed: iterations between two frames, None for as fast as possible, or AUTO (as
        many as fit the group's training budget a frame: see Group.auto_budget)."""
        self.group: Group = Group([self])
        self.owner: object = None
        """Who the run's CPU time is charged to (its session): the scheduler shares time fairly
        among owners, not among runs."""
        self.outbox = Outbox(self.gallery_message if self.data.gallery is not None else None)
        """Its frames, encoded once for every connection that shows it (app/fanout.py)."""
        self.owner_view = self.outbox.subscribe()
        """The owner's connection's view of the frames (its `notify` is set by the owner)."""
        self.boundary = Picture()
        self.maps = Picture()
        """The boundary and the hidden units' maps, recomputed when they can have moved by a
        colour step (app/pictures.py)."""
        self.details_built = 0
        self.last_scores: dict | None = None
        """The scores of the last frame (the class board reads them)."""
        self.reset()

    # --- training-thread side --------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the initial parameters (same seed, same start) and iteration 0."""
        self.trainer: Trainer = make_trainer(self.config, self.dataset)
        self.net: Network = self.trainer.net
        self.timeline = Timeline(self.settings.max_snapshot_bytes, TIMELINE_FIRST_STRIDE)
        """Its past: snapshots from which any iteration since `timeline.start` is reproduced
        exactly (engine/timeline.py), for `seek_frame` and forks from a past iteration."""
        self.timeline.record(self.trainer)
        self.new_costs: list[np.ndarray] = []
        self.status = "paused"
        self.frames_built = self.details_built = 0
        self.boundary.clear()
        self.maps.clear()
        self.outbox.reset()  # costs restart at iteration 1

    def fork_from(self, source: Run, at: int | None = None) -> dict:
        """Continue from `source`'s state now (training thread): its weights, optimizer and
        mini-batch schedule, iteration and speed, so that this run's next iterations are the
        ones `source` would have made. With `at`, from its state at that past iteration instead
        (reproduced exactly from its timeline; ValueError outside it), with the hyperparameters
        it had then. The fork starts paused. Returns {"run", "iteration"}."""
        if at is None:
            self.trainer.copy_state_from(source.trainer)
            if not source.can_train:
                self.status = source.status
        else:
            past = source.reproduce(at)
            self.trainer.copy_state_from(past)
            live = {name: getattr(past.config, name) for name in live_fields()}
            self.config = self.config.model_copy(update=live)
            if past.diverged is not None:
                self.status = "diverged"
        self.iterations_per_frame = source.iterations_per_frame
        self.timeline.restart(self.trainer)
        return {"run": source.id, "iteration": self.trainer.iteration}

    def reproduce(self, iteration: int) -> Trainer:
        """A new trainer exactly at a past `iteration` of this run (training thread), from
        its timeline; ValueError outside timeline.start … the current iteration."""
        return self.timeline.reproduce(iteration, lambda: make_trainer(self.config, self.dataset))

    def fork_from_state(self, source: str, state: dict) -> dict:
        """Continue from the state of a run trained in another process (training thread):
        `state` as `export_state` gives it. Returns {"run", "iteration"} like `fork_from`."""
        self.trainer.import_state(state["trainer"], state["arrays"])
        self.iterations_per_frame = state["iterations_per_frame"]
        if state["status"] in ("diverged", "finished"):
            self.status = state["status"]
        self.timeline.restart(self.trainer)
        return {"run": source, "iteration": self.trainer.iteration}

    def export_state(self) -> dict:
        """What a fork in another process needs (training thread): the config now, the
        trainer's state (`Trainer.export_state`), the speed and status."""
        meta, arrays = self.trainer.export_state()
        return {
            "config": self.config.model_dump(mode="json"),
            "trainer": meta,
            "arrays": arrays,
            "iterations_per_frame": self.iterations_per_frame,
            "status": self.status,
        }

    def replace_data(self, config: RunConfigModel, data: data_sources.Data) -> None:
        """Train on new data (points drawn while it trains), keeping the network and progress.

        The data must fit the network: same inputs and classes (checked by the caller)."""
        self.data, self.dataset, self.config = data, data.dataset, config
        d = self.dataset
        self.trainer.replace_data(d.X_train, d.Y_train, d.X_test, d.Y_test)
        self.timeline.restart(self.trainer)  # the past trained on other points: it is cut
        self.boundary.clear()  # new points: it moves at a new speed (and the plane may change)
        self.maps.clear()

    def update(self, update: HyperparameterUpdate) -> None:
        """Change hyperparameters live; the network and its progress stay."""
        changes = update.changes()
        self.trainer.update(**changes)
        self.config = self.config.model_copy(update=changes)
        self.timeline.changed(self.trainer)  # replays across this iteration apply the change
        self.boundary.clear()  # a new learning rate: a new speed
        self.maps.clear()

    def set_parameter(self, layer: int, row: int, col: int | None, value: float) -> None:
        """Set the weight W[layer][row, col], or the bias b[layer][row] (col None), to `value`
        (checked by the engine). Training continues from it: the optimizer's state (Adam's
        moments), the iteration and the mini-batch schedule stay. Its frame (and detail) is built
        now, so a paused run shows the new value at once."""
        if col is None:
            self.net.set_bias(layer, row, value)
        else:
            self.net.set_weight(layer, row, col, value)
        self.boundary.clear()  # a jump, not the speed the pictures were timed at
        self.maps.clear()
        self.build_frame(heavy=True)

    def train(self, iterations: int) -> int:
        """Train up to `iterations`; returns how many were done. Sets diverged/finished."""
        trainer, timeline = self.trainer, self.timeline
        left = max(0, min(iterations, self.settings.max_run_iterations - trainer.iteration))
        done = 0
        while left > 0:  # in pieces ending where the timeline wants a snapshot
            piece = min(left, timeline.next_due(trainer.iteration) - trainer.iteration)
            costs = trainer.run(piece)
            if len(costs):
                self.new_costs.append(costs)
            done += len(costs)
            left -= piece
            timeline.record(trainer)
            if len(costs) < piece:  # diverged
                break
        if self.trainer.diverged is not None:
            self.status = "diverged"
        elif self.trainer.iteration >= self.settings.max_run_iterations:
            self.status = "finished"
        return done

    @property
    def can_train(self) -> bool:
        return self.status not in ("diverged", "finished")

    @property
    def work(self) -> int:
        """Roughly the multiply-adds of one iteration (training examples × weights): how the
        scheduler orders the first turns of runs played at once, lightest first."""
        return self.dataset.X_train.shape[1] * sum(W.size for W in self.net.weights)

    @np.errstate(all="ignore")  # near a divergence values overflow float32: they travel as inf
    def build_frame(self, heavy: bool) -> None:
        """Encode the run's state now, once, for every connection that shows it (each frame
        carries the costs its connection missed, and the pictures it does not have yet: see
        app/fanout.py)."""
        # Paused, finished or diverged: the frame that stays on screen is exact.
        exact = self.status != "running"

        def boundary(compute):
            return self.boundary.get(self.frames_built, compute, exact)

        def maps(compute):
            self.details_built += 1
            return self.maps.get(self.details_built, compute, exact)

        header, blobs, detail_blobs = self._frame(self.trainer, heavy, boundary, maps)
        header = {"type": "frame", "run": self.id, "status": self.status, **header}
        detail = None
        if heavy:
            detail = (
                {"type": "detail", "run": self.id, "iteration": self.trainer.iteration},
                detail_blobs,
            )
        new_costs = np.concatenate(self.new_costs) if self.new_costs else np.empty(0)
        self.new_costs = []
        self.frames_built += 1
        self.outbox.publish(header, blobs, detail, new_costs)

    @np.errstate(all="ignore")
    def seek_frame(self, iteration: int, ref: str | None, asked: int | None = None) -> bytes:
        """The run as it was at a past `iteration` (training thread), recomputed from its
        timeline (exact: see engine/timeline.py), as one binary `seek` message: a frame's
        header and blobs and a detail's blobs (maps, parameters) together. ValueError outside
        the timeline. `asked`: the iteration the client asked, if another (docs/protocol.md)."""
        trainer = self.reproduce(iteration)
        header, blobs, detail_blobs = self._frame(
            trainer, True, lambda compute: compute()[0], lambda compute: compute()[0]
        )
        header = {
            "type": "seek",
            "ref": ref,
            "run": self.id,
            "live": False,
            "status": "diverged" if trainer.diverged is not None else "paused",
            **header,
            "asked": iteration if asked is None else asked,
            "timeline": self.timeline_summary(),
        }
        return frames.encode(header, blobs + detail_blobs)

    def timeline_summary(self) -> dict:
        """How far back the run can be shown: {start, end, stride, snapshots, bytes}: every
        iteration start … end exactly (replayed from a snapshot at most stride - 1 before)."""
        t = self.timeline
        return {
            "start": t.start,
            "end": t.end,
            "stride": t.stride,
            "snapshots": len(t.snapshots),
            "bytes": t.nbytes,
        }

    @np.errstate(all="ignore")
    def _frame(self, trainer: Trainer, heavy: bool, boundary_of, maps_of) -> tuple:
        """What a frame of `trainer`'s state says: (header fields, frame blobs, detail blobs).
        `boundary_of(compute)` and `maps_of(compute)` give the pictures' blobs from a function
        computing (blob, values): the live frames' cache them (app/pictures.py)."""
        settings, net, d = self.settings, trainer.net, self.dataset
        tables = not self.data.plottable and d.task != "regression"
        # One forward pass per split gives cost, accuracy, confusion and the hidden layers' stats.
        scores = trainer.evaluate(confusion=tables, activation_stats=net.L > 1)
        if trainer is self.trainer:
            self.last_scores = {k: _finite_or_none(scores.get(k)) for k in SCORES}
        layer_stats = scores.pop("activation_stats", [])
        confusion = {split: scores.pop(f"{split}_confusion", None) for split in ("train", "test")}
        blobs, detail_blobs = [], []
        two_d = d.n_x - len(d.features) == 2
        if two_d or d.n_x == 1:
            bounds = d.bounds if two_d else d.bounds[:2]

            def boundary() -> tuple[frames.Blob, Values]:
                output = net.predict_proba_grid(bounds, settings.boundary_resolution, d.features)
                if d.target_scale is not None:  # standardized predictions, shown in y's units
                    output = d.target_scale.invert(output)
                blob = frames.quantize_boundary(output, d.task)
                return blob, frames.boundary_scale(output, d.task)

            blobs.append(boundary_of(boundary))
            if heavy and net.L > 1:

                def maps() -> tuple[frames.Blob, Values]:
                    grids = net.hidden_activation_grids(bounds, self.map_resolution, d.features)
                    blob = frames.quantize_maps(grids, net.activations[:-1])
                    return blob, frames.maps_scale(grids, net.activations[:-1])

                detail_blobs.append(maps_of(maps))
        if heavy:
            if d.n_x > DIAGRAM_MAX_INPUTS:  # one input node: its edges are the rows' norms
                weights = list(net.weights)
                weights[0] = np.linalg.norm(weights[0], axis=1, keepdims=True)
                theta = np.concatenate(
                    [*(W.ravel() for W in weights), *(b.ravel() for b in net.biases)]
                )
            else:  # W[1] … W[L], then b[1] … b[L], each row by row: in one call
                theta = net.flat_parameters()
            detail_blobs.append(frames.Blob.of("parameters", theta.astype(np.float32)))
        extra = {}
        if tables:  # no boundary to show how examples fall: the confusion tables do
            extra["confusion"] = {split: _matrix(counts) for split, counts in confusion.items()}
        if self.data.gallery_X is not None:
            blobs.append(frames.Blob.of("gallery", _gallery_predictions(net, self.data.gallery_X)))
        stats = [
            {k: v for k, v in vars(s).items() if k not in ("layer", "activation")}
            for s in layer_stats
        ]
        header = {
            "iteration": trainer.iteration,
            "epoch": trainer.epoch,
            **{k: _finite_or_none(v) for k, v in scores.items()},
            "gradient_norms": [_finite_or_none(v) for v in net.gradient_norms()],
            "activation_stats": _clean(stats),
            "symmetry": [_finite_or_none(v) for v in net.symmetry()],
            "diverged_at": trainer.diverged.iteration if trainer.diverged else None,
            "message": str(trainer.diverged) if trainer.diverged else None,
            "heavy": heavy,
            **extra,
        }
        return header, blobs, detail_blobs

    def gallery_message(self) -> bytes:
        """The images shown with their predictions, their true classes and names: binary, once.

        Header {"type": "gallery", "run", "labels": [class of each], "label_names", "split"};
        blob "images" uint8 (k, h, w, 3). Each frame then carries blob "gallery" float32 (2, k):
        the predicted class of each image and the probability the network gives it."""
        data = self.data
        header = {
            "type": "gallery",
            "run": self.id,
            "labels": data.gallery_y.tolist(),
            "label_names": data.source.get("label_names"),
            "split": data.source.get("gallery_split"),
        }
        return frames.encode(header, [frames.Blob.of("images", data.gallery)])

    # --- event-loop side -------------------------------------------------------------------------

    def describe(self) -> dict:
        """What a client needs to draw this run: its config, network and dataset points."""
        d = self.dataset
        return {
            "run": self.id,
            "config": self.config.model_dump(mode="json"),
            "network": {
                "layer_dims": list(self.network_config.layer_dims),
                "activations": list(self.network_config.activations),
                "inputs_shown": d.n_x if d.n_x <= DIAGRAM_MAX_INPUTS else 1,
            },
            "dataset": dataset_summary(d, self.data),
            "iterations_per_frame": self.iterations_per_frame,
            "boundary_resolution": self.settings.boundary_resolution,
            "map_resolution": self.map_resolution,
        }


class Group:
    """Runs that play, pause, step and reset together, always on the same iteration."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.playing = False
        self.step_remaining = 0
        self.frame_budget = 0
        """Iterations left before the next frame, at a fixed speed."""
        self.next_frame_at = 0.0
        self.seconds_per_iteration: float | None = None
        """Estimate of one iteration (of all the runs), to size a turn to the scheduler's time
        slice; None until measured, so a new group's first turn trains one iteration."""
        self.fresh = False
        """Just played or stepped, its first frame not built yet: the scheduler serves it ahead
        of its round (if its owner is not ahead of the others)."""
        self.pending: list[tuple[Run, bool]] = []
        """Frames (run, heavy) of the current iteration not built yet: built in the group's
        next turns, one run at a time, before it trains again."""
        self.frame_started_at = 0.0
        self.frame_seconds = 0.0
        """Time spent building the pending frame so far (over one or more turns)."""
        self.seconds_per_frame: dict[bool, float | None] = {False: None, True: None}
        """Estimate of one run's frame, light and heavy, to fit frames into a turn."""
        self.frame_share = float("inf")
        """Its owner's whole share of the thread a frame, 1 / (frame rate × owners playing): what
        its frames and its training must fit in for everyone to get every frame (the scheduler
        sets it every round)."""
        self.recent_seconds_per_iteration: float | None = None
        """The time per iteration of its last turn that trained several (auto sizes by it: the
        estimate above falls slowly after a slow first iteration)."""
        self.auto_budget = AUTO_BOOST_SECONDS
        """At the AUTO speed, the training time a frame: the boost, decaying frame by frame to
        the floor (`spend_auto_frame`); back to the boost when it starts learning anew
        (`boost`). One budget for the group's runs together: a student comparing four runs
        gets the training time of one, split between them."""

    @property
    def active(self) -> bool:
        return (self.playing or self.step_remaining > 0) and any(r.can_train for r in self.runs)

    @property
    def work(self) -> int:
        """Roughly the multiply-adds of one iteration of all the runs (see Run.work)."""
        return sum(getattr(r, "work", 0) for r in self.runs)

    @property
    def iterations_per_frame(self) -> int | None:
        """Iterations between two frames: the smallest of its runs' speeds, AUTO's as many as
        fit the budget (one until an iteration has been timed); None: as fast as possible."""
        if self.unpaced:
            return None
        fixed = [r.iterations_per_frame for r in self.runs if r.iterations_per_frame != AUTO]
        if self.at_auto:
            fixed.append(self.auto_iterations())
        return min(fixed)

    @property
    def unpaced(self) -> bool:
        """Whether a run of the group plays as fast as possible (`iterations_per_frame` None)."""
        return any(r.iterations_per_frame is None for r in self.runs)

    @property
    def at_auto(self) -> bool:
        """Whether a run of the group plays at the AUTO speed (its budget then applies)."""
        return any(r.iterations_per_frame == AUTO for r in self.runs)

    def auto_iterations(self) -> int:
        """How many iterations of the group fit its auto budget and what its owner's share of
        the thread leaves after its frames; at least AUTO_FLOOR_ITERATIONS where they fit both
        that and AUTO_FLOOR_CAP_SECONDS; at least one."""
        estimate = self.recent_seconds_per_iteration or self.seconds_per_iteration
        if estimate is None:
            return 1
        estimate = max(estimate, 1e-9)
        # What the owner's share of the thread leaves after the group's frames: with many
        # students playing, nobody's training takes the others' frames, and a lecture hall
        # whose frames fill the thread trains fewer iterations a frame, not fewer frames.
        frames = len(self.runs) * (self.seconds_per_frame[False] or 0.0)
        room = max(0.0, self.frame_share - frames)
        budget = min(self.auto_budget, room)
        # The floor is one run's worth, shared like the budget: a compare group of four
        # trains 3 iterations each a frame at least, not 10.
        shared = -(-AUTO_FLOOR_ITERATIONS // max(1, len(self.runs)))
        floor = min(shared, int(AUTO_FLOOR_CAP_SECONDS / estimate))
        if room < floor * estimate:
            floor = int(room / estimate)
        return max(1, floor, min(AUTO_MAX_ITERATIONS, int(budget / estimate)))

    def boost(self, retime: bool = False) -> None:
        """It starts learning anew (reset, new hyperparameters or data): auto goes quick again.

        retime: an iteration's cost may have changed too (a batch size, more points): the time
        per iteration is measured again."""
        self.auto_budget = AUTO_BOOST_SECONDS
        if retime:
            self.seconds_per_iteration = self.recent_seconds_per_iteration = None

    def spend_auto_frame(self) -> None:
        """One frame played at auto: the boost above the floor decays by 2^(-1/half-life)."""
        floor = AUTO_FLOOR_SECONDS
        self.auto_budget = floor + (self.auto_budget - floor) * AUTO_DECAY

    def train(self, iterations: int) -> int:
        """The same number of iterations for every run that can still train (the scheduler
        times it)."""
        done = 0
        for run in self.runs:
            if run.can_train:
                done = max(done, run.train(iterations))
                if run.status == "paused" and (self.playing or self.step_remaining):
                    run.status = "running"
        return done


def dataset_summary(d: Dataset, data: data_sources.Data | None = None) -> dict:
    """The dataset's shape and, if they can be plotted, its points as JSON-ready lists (rounded
    to 5 digits); where it came from (`source`, see app.data.Data)."""
    plottable = data.plottable if data is not None else d.n_x - len(d.features) <= 2

    def targets(Y: np.ndarray) -> np.ndarray:  # regression: in the data's units
        return Y if d.target_scale is None else d.target_scale.invert(Y)

    def split(X: np.ndarray, Y: np.ndarray) -> dict | None:
        if not plottable:
            return None
        return {
            "x1": np.round(X[0], 5).tolist(),
            "x2": np.round(X[1], 5).tolist() if X.shape[0] - len(d.features) >= 2 else None,
            "y": np.round(targets(Y)[0].astype(float), 5).tolist(),
        }

    return {
        "name": d.name,
        "task": d.task,
        "n_classes": d.n_classes,
        "bounds": list(d.bounds),
        "features": list(d.features),
        "n_x": d.n_x,
        "m_train": d.X_train.shape[1],
        "m_test": d.X_test.shape[1],
        "plottable": plottable,
        "source": data.source if data is not None else {"kind": "builtin"},
        "train": split(d.X_train, d.Y_train),
        "test": split(d.X_test, d.Y_test),
    }


def _matrix(counts: np.ndarray | None) -> list[list[int]] | None:
    return None if counts is None else counts.tolist()


def _gallery_predictions(net: Network, X: np.ndarray) -> np.ndarray:
    """float32 (2, k): each image's predicted class and the probability of that class."""
    A = net.forward(X)
    if A.shape[0] == 1:  # sigmoid: P(y = 1)
        p = A[0]
        predicted = (p > 0.5).astype(np.float64)
        confidence = np.where(predicted == 1, p, 1 - p)
    else:
        predicted = A.argmax(axis=0).astype(np.float64)
        confidence = A.max(axis=0)
    return np.stack([predicted, confidence]).astype(np.float32)


def _finite_or_none(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _clean(stats: list[dict]) -> list[dict]:
    return [{k: _finite_or_none(v) for k, v in s.items()} for s in stats]
