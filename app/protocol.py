"""The WebSocket protocol's client messages, as strict models (docs/protocol.md documents them).

Every client message is a JSON object with a `type`; any message may carry a `ref` (a string the
server echoes in its answer, to match answers to requests). Commands on runs name them in `runs`
(ids of the session's own runs; a session holds at most `max_runs_per_session`, default 4);
naming several makes them a compare group that plays, pauses and steps together, iteration for
iteration — reset them together and they stay on the same iteration. `watch` shows a session
another session's runs (their frames, not their commands: see `Watch`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, ValidationInfo, create_model, field_validator

from .runconfig import DrawnDataModel, RunConfigModel, Strict, partial_fields

PROTOCOL_VERSION = 1

Ref = Annotated[str, Field(max_length=64, description="Echoed back in the answer.")]
RunId = Annotated[str, Field(min_length=1, max_length=64)]
RunIds = Annotated[list[RunId], Field(min_length=1, max_length=16)]


class Message(Strict):
    ref: Ref | None = None


ForkChanges = create_model(
    "ForkChanges",
    __base__=Strict,
    __doc__="Hyperparameters a fork starts with instead of its source's (the live fields).",
    __module__=__name__,
    **partial_fields(),
)


class Create(Message):
    """Create a run from a config; answered by `created` (and a first frame). With `fork`, the
    run continues from another run's current state instead (one this session owns or watches:
    a class following its teacher): same data, weights, hyperparameters and iteration; `config`
    is then ignored. With `at` too, from the source's state at that past iteration (reproduced
    exactly from its timeline: "continue from here"); `changes` then sets hyperparameters the
    fork trains with from there ("what if α had been lowered at iteration 300")."""

    type: Literal["create"]
    config: RunConfigModel = RunConfigModel()
    fork: RunId | None = None
    at: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    changes: ForkChanges | None = None


class Play(Message):
    """Start (or resume) training the runs, together."""

    type: Literal["play"]
    runs: RunIds


class Pause(Message):
    """Stop training the runs; a final frame says `paused`."""

    type: Literal["pause"]
    runs: RunIds


class Step(Message):
    """Train the runs `n` more iterations, then pause."""

    type: Literal["step"]
    runs: RunIds
    n: int = Field(1, ge=1, le=1_000_000)


class Reset(Message):
    """Back to iteration 0 with the same initial parameters (same seed, same start)."""

    type: Literal["reset"]
    runs: RunIds


Update = create_model(
    "Update",
    __base__=Message,
    __doc__="Change hyperparameters live, without a reset; only the fields given change: the run "
    "config's live fields (runconfig.live_fields), each optional.",
    __module__=__name__,
    type=(Literal["update"], ...),
    runs=(RunIds, ...),
    **partial_fields(),
)


class Speed(Message):
    """Iterations between frames, "max" for as fast as the server can, or "auto" (a new run's
    speed): as many as fit a training-time budget a frame, quick when the run starts to learn,
    then settling so that a full class shares the server."""

    type: Literal["speed"]
    runs: RunIds
    iterations_per_frame: Annotated[int, Field(ge=1, le=1_000_000)] | Literal["max", "auto"]


PARAMETER_BOUND = 100.0
"""The largest |value| `set_parameter` takes: beyond it every unit the weight feeds saturates
(or a ReLU network diverges) on inputs of a few units; a typo of 1e6 is refused, not trained."""


class SetParameter(Message):
    """Set one parameter of a run, paused or playing; training continues from it: the weight
    W[layer][row, col] (0-based row and column of the (n[layer], n[layer-1]) matrix), or with
    `bias` the bias b[layer][row] (no `col` then). The optimizer's state stays as it is."""

    type: Literal["set_parameter"]
    runs: Annotated[list[RunId], Field(min_length=1, max_length=1)]
    layer: int = Field(ge=1, le=33, description="l = 1 … L (the output layer is L).")
    row: int = Field(ge=0, le=1_000_000, description="The unit of layer l, from 0.")
    bias: bool = False
    col: int | None = Field(
        None,
        ge=0,
        le=1_000_000,
        validate_default=True,  # a weight without one is refused, naming col
        description="The unit of layer l-1 (an input) the weight comes from, from 0.",
    )
    value: float = Field(ge=-PARAMETER_BOUND, le=PARAMETER_BOUND)

    @field_validator("col")
    @classmethod
    def _weight_or_bias(cls, col: int | None, info: ValidationInfo) -> int | None:
        bias = info.data.get("bias", False)
        if bias and col is not None:
            raise ValueError("a bias b[l][row] has no col: leave col out with bias true")
        if not bias and col is None:
            raise ValueError("a weight W[l][row, col] needs col (or bias true for b[l][row])")
        return col


class Delete(Message):
    """Stop and forget the runs."""

    type: Literal["delete"]
    runs: RunIds


class Data(Message):
    """New drawn points for runs on drawn points: they train on them from the next iteration,
    keeping their networks and progress (same classes and derived inputs as before)."""

    type: Literal["data"]
    runs: RunIds
    dataset: DrawnDataModel


class Seek(Message):
    """Show the runs as they were at a past iteration: answered by one binary `seek` message
    for each run (a frame recomputed from its timeline, not from stored pictures), then an
    `ack`. Naming a compare group's runs seeks them together, at one iteration."""

    type: Literal["seek"]
    runs: RunIds
    iteration: int = Field(ge=0, le=100_000_000)


class Example(Message):
    """Follow one example through a run's network (one the session owns or watches): answered
    by `example` with its forward pass, and for a point of the data (`split`, `index`) its loss,
    dz[l] and its share of the current batch's dW[l], db[l]. Name either a `point` of the
    input plane ([x1, x2], or [x1] for one-input data: no label, the forward pass only) or an
    example by `split` and `index`."""

    type: Literal["example"]
    runs: Annotated[list[RunId], Field(min_length=1, max_length=1)]
    point: (
        Annotated[
            list[Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]],
            Field(min_length=1, max_length=2),
        ]
        | None
    ) = None
    split: Literal["train", "test"] | None = None
    index: Annotated[int, Field(ge=0, le=10_000_000)] | None = None


class Ping(Message):
    """Answered by `pong`: a liveness check."""

    type: Literal["ping"]


class Watch(Message):
    """Watch runs by their ids, whichever session owns them: answered by one `watching` whose
    `runs` describe each (as `created` does), then their frames, the same bytes as the owner's.
    Only a run's owner commands it (a viewer's commands get `not_owner`); when the owner deletes
    the run or leaves, an `ended` says so."""

    type: Literal["watch"]
    runs: RunIds


class Unwatch(Message):
    """Stop watching the runs: their frames stop."""

    type: Literal["unwatch"]
    runs: RunIds


# --- classes (app/classroom.py) ---------------------------------------------------------------

Code = Annotated[str, Field(min_length=1, max_length=16, description="A class's join code.")]
StudentId = Annotated[str, Field(min_length=1, max_length=32)]


class ClassOpen(Message):
    """Open a class led by this session: answered by `class` with its code and teacher token."""

    type: Literal["class_open"]


class ClassTeach(Message):
    """Lead a class again (the teacher's page reloaded) with the token `class_open` gave."""

    type: Literal["class_teach"]
    code: Code
    token: Annotated[str, Field(min_length=1, max_length=64)]


class ClassJoin(Message):
    """Join a class as a student, under a display name (optional; shown as text)."""

    type: Literal["class_join"]
    code: Code
    name: Annotated[str, Field(max_length=200)] = ""


class ClassLeave(Message):
    """Leave the class this session is in."""

    type: Literal["class_leave"]


class ClassShow(Message):
    """Teacher: the runs of this session the class follows ([] for none), and the lesson the
    teacher's page shows with them (its id in static/lessons.json; null for none)."""

    type: Literal["class_show"]
    runs: Annotated[list[RunId], Field(max_length=16)]
    lesson: Annotated[str, Field(max_length=64)] | None = None


class ClassLock(Message):
    """Teacher: lock (everyone follows; students' runs pause) or unlock the class."""

    type: Literal["class_lock"]
    locked: bool


class ClassPush(Message):
    """Teacher: a setup every student's page loads as its own run: a page state (the
    playground's URL state), with a title and the teacher's explanation."""

    type: Literal["class_push"]
    state: Annotated[str, Field(max_length=16_384)]
    title: Annotated[str, Field(max_length=200)] = ""
    text: Annotated[str, Field(max_length=16_384)] = ""


class ClassBoard(Message):
    """Teacher: open (a `board` every class_board_seconds) or close the class board."""

    type: Literal["class_board"]
    open: bool


class ClassSpotlight(Message):
    """Teacher: show one student's runs to the class (null: back to the teacher's)."""

    type: Literal["class_spotlight"]
    student: StudentId | None


class ClassRemove(Message):
    """Teacher: remove a student; its address cannot join this class again."""

    type: Literal["class_remove"]
    student: StudentId


class Challenge(Strict):
    """A dataset, constraints and a target the board checks every student's runs against."""

    target: float = Field(
        ge=0, le=1, description="Test accuracy to reach (train without a test set)."
    )
    dataset: Annotated[str, Field(max_length=40)] | None = None
    max_layers: Annotated[int, Field(ge=0, le=32)] | None = None
    max_units: Annotated[int, Field(ge=1, le=1024)] | None = None
    max_iterations: Annotated[int, Field(ge=1, le=100_000_000)] | None = None


class ClassChallenge(Message):
    """Teacher: set the class's challenge (null: none)."""

    type: Literal["class_challenge"]
    challenge: Challenge | None


class ClassClose(Message):
    """Teacher: end the class now."""

    type: Literal["class_close"]


ClientMessage = Annotated[
    Create
    | Play
    | Pause
    | Step
    | Reset
    | Update
    | Speed
    | Data
    | SetParameter
    | Delete
    | Seek
    | Example
    | Ping
    | Watch
    | Unwatch
    | ClassOpen
    | ClassTeach
    | ClassJoin
    | ClassLeave
    | ClassShow
    | ClassLock
    | ClassPush
    | ClassBoard
    | ClassSpotlight
    | ClassRemove
    | ClassChallenge
    | ClassClose,
    Field(discriminator="type"),
]
CLIENT_MESSAGE = TypeAdapter(ClientMessage)
MESSAGE_TYPES = (
    "create",
    "play",
    "pause",
    "step",
    "reset",
    "update",
    "speed",
    "data",
    "set_parameter",
    "delete",
    "seek",
    "example",
    "ping",
    "watch",
    "unwatch",
    "class_open",
    "class_teach",
    "class_join",
    "class_leave",
    "class_show",
    "class_lock",
    "class_push",
    "class_board",
    "class_spotlight",
    "class_remove",
    "class_challenge",
    "class_close",
)
"""Every type a client may send."""
