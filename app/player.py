"""The life of a session's runs: the one owner of play, pause, step, reset, speed, live updates,
new data, compare groups and deletion — and of the runs the session watches.

A run has one owner, the session that created it, and any number of viewers: sessions that
watch it by its id (a class following its teacher's run). Only the owner commands a run; a
viewer gets its frames (the same bytes as the owner's: app/fanout.py) and is told when the run
ends (its owner deleted it or left). Run ids are unguessable (96 random bits), so knowing one is
what it takes to watch.

A `Player` belongs to one session (the transport: app/session.py parses, validates, delegates
here and answers). Two kinds of methods, by the thread they run in:

- event loop: `check_room`, `adopt`, `owned`, `views`, `unwatch`, `leave` — the session's
  own dictionaries of the runs it owns and watches (only the event loop touches them);
- training thread (run them through `Scheduler.call`, between turns): `add`, `group`, `play`,
  `pause`, `step`, `reset`, `set_speed`, `update`, `replace_data`, `set_parameter`, `delete`,
  `free`, `pause_for_unread`, `watch`, `seek` (a past moment, from the run's timeline),
  `example` (which only reads) — they write the `Group` fields that the scheduler's turns read
  (app/scheduler.py), so a command on a compare group applies to all its runs at one iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .data import Data
from .errors import LimitExceededError
from .examples import example_message
from .fanout import View
from .runconfig import DrawnDataModel, HyperparameterUpdate
from .runs import AUTO, Group, Run
from .scheduler import Scheduler
from .settings import Settings

REPLAY_SECONDS = 0.1
"""The longest a seek may replay training from a snapshot, at the run's measured speed (the
training thread serves everyone meanwhile: 3 frames' time at 30 frames/s)."""

ENDED_REASONS = ("deleted", "owner_left")
"""Why a watched run ended: its owner deleted it, or its owner's session closed."""


class CommandRefusedError(Exception):
    """A command the player refuses (answered with an `error` of `code`; nothing changes)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Player:
    """The runs one session owns and watches, and every command on them."""

    def __init__(self, scheduler: Scheduler, settings: Settings, owner: object) -> None:
        self.scheduler = scheduler
        self.settings = settings
        self.owner = owner
        """Who the runs' CPU time is charged to (the session): see app/scheduler.py."""
        self.runs: dict[str, Run] = {}
        """The runs this session owns, by id (event loop side)."""
        self.watching: dict[str, View] = {}
        """The runs this session watches: its view of each, by run id (event loop side)."""

    # --- event-loop side --------------------------------------------------------------------------

    def check_room(self) -> None:
        """Refuse a new run when the session holds `max_runs_per_session` already."""
        limit = self.settings.max_runs_per_session
        if len(self.runs) >= limit:
            raise LimitExceededError(
                "(session)",
                limit,
                f"a session holds at most {limit} runs; delete one first",
            )

    def adopt(self, run: Run, notify: Callable[[], None]) -> None:
        """Own a run just built: its frames go to `notify`'s session, its time is ours. From here
        on `leave` frees it, even if the session closes before it is added to the scheduler."""
        run.owner_view.notify = notify
        run.owner = self.owner  # the scheduler shares time among sessions, not runs
        self.runs[run.id] = run

    def owned(self, ids: list[str]) -> list[Run]:
        """The runs named (each once, in order), all owned by this session; a run it only
        watches is refused with `not_owner`, any other id with `unknown_run`."""
        runs, seen = [], set()
        for run_id in ids:
            run = self.runs.get(run_id)
            if run is None:
                if run_id in self.watching:
                    raise CommandRefusedError(
                        "not_owner",
                        f"run {run_id[:64]!r} is watched, not owned, by this session: only "
                        "the session that created it commands it",
                    )
                raise CommandRefusedError("unknown_run", f"no run {run_id[:64]!r} in this session")
            if run_id not in seen:
                seen.add(run_id)
                runs.append(run)
        return runs

    def forget(self, runs: list[Run]) -> None:
        """Stop owning these runs (before `delete` removes them in the training thread)."""
        for run in runs:
            self.runs.pop(run.id, None)

    def views(self) -> Iterator[View]:
        """Every view whose frames this session sends: its own runs', then the watched ones'."""
        for run in list(self.runs.values()):
            yield run.owner_view
        yield from list(self.watching.values())

    def unwatch(self, ids: list[str]) -> list[str]:
        """Stop watching these runs (ids not watched are ignored); the ids it stopped."""
        stopped = []
        for run_id in ids:
            view = self.watching.pop(run_id, None)
            if view is not None:
                view.close()
                stopped.append(run_id)
        return stopped

    def leave(self) -> list[Run]:
        """The session ends: stop watching, and hand back its runs for `free` (synchronous)."""
        for view in self.watching.values():
            view.close()
        self.watching.clear()
        runs = list(self.runs.values())
        self.runs.clear()
        return runs

    # --- training-thread side: runs ---------------------------------------------------------------

    def add(self, run: Run) -> None:
        """Start scheduling a run just adopted (paused: it trains when played)."""
        self.scheduler.add(run)

    def delete(self, runs: list[Run], reason: str = "deleted") -> dict:
        """Stop and forget the runs; their viewers are told `reason`."""
        for run in runs:
            run.group.playing = False
            self.scheduler.remove(run)
            run.outbox.close(reason)
        return {}

    def free(self, runs: list[Run]) -> None:
        """The owner left: its runs go, and their viewers are told."""
        self.delete(runs, reason="owner_left")

    # --- training-thread side: the state machine --------------------------------------------------

    def group(self, runs: list[Run]) -> Group:
        """The group of exactly these runs, formed if it does not exist yet (a compare group
        plays, pauses, steps and resets together, iteration for iteration)."""
        group = runs[0].group
        if set(group.runs) == set(runs):
            return group
        for run in runs:
            if run in run.group.runs:
                run.group.runs.remove(run)
        group = Group(list(runs))
        for run in runs:
            run.group = group
        return group

    def play(self, runs: list[Run]) -> dict:
        """Train the runs together until paused; the scheduler serves them first until their
        first frame (a joiner)."""
        group = self.group(runs)
        group.playing = True
        group.step_remaining = 0
        group.frame_budget = group.iterations_per_frame or 0
        group.next_frame_at = 0.0
        group.fresh = True  # served ahead of the round until its first frame
        for run in runs:
            if run.can_train:
                run.status = "running"
        if not group.active:  # all diverged or finished: answer with their state at once
            group.playing = False
            self.scheduler.emit(group)
        return {"iterations": [r.trainer.iteration for r in runs]}

    def pause(self, runs: list[Run]) -> dict:
        """Stop training the runs; a final frame of each says `paused`."""
        group = self.group(runs)
        group.playing = False
        group.step_remaining = 0
        self.scheduler.emit(group)
        return {"iterations": [r.trainer.iteration for r in runs]}

    def step(self, runs: list[Run], n: int) -> dict:
        """Train the runs `n` more iterations together, then pause."""
        group = self.group(runs)
        group.playing = False
        group.step_remaining = n
        group.fresh = True
        for run in runs:
            if run.can_train:
                run.status = "running"
        if not group.active:  # all diverged or finished: answer with their state at once
            self.scheduler.emit(group)
        return {"iterations": [r.trainer.iteration for r in runs], "n": n}

    def reset(self, runs: list[Run]) -> dict:
        """Back to iteration 0 and the same initial parameters, together."""
        group = self.group(runs)
        group.playing = False
        group.step_remaining = 0
        for run in runs:
            run.reset()
        group.boost()
        self.scheduler.emit(group)
        return {"iterations": [0 for _ in runs]}

    def set_speed(self, runs: list[Run], iterations_per_frame: int | str | None) -> dict:
        """Iterations between two frames of each run, None for as fast as possible, or AUTO
        (which starts at its boost: choosing it is asking for it to go quick)."""
        for run in runs:
            run.iterations_per_frame = iterations_per_frame
            group = run.group
            if iterations_per_frame == AUTO:
                group.boost()
            group.frame_budget = min(group.frame_budget, group.iterations_per_frame or 0)
        return {"iterations_per_frame": iterations_per_frame or "max"}

    def update(self, runs: list[Run], update: HyperparameterUpdate) -> dict:
        """Change hyperparameters live: the networks and their progress stay."""
        for run in runs:
            run.update(update)
            run.group.boost(retime=True)  # it learns anew; a batch size changes an iteration
        return {"changed": update.model_dump(include=update.model_fields_set)}

    def replace_data(self, runs: list[Run], points: DrawnDataModel, data: Data) -> None:
        """New drawn points for runs on drawn points; their networks keep training."""
        for run in runs:
            run.replace_data(run.config.model_copy(update={"dataset": points}), data)
            run.group.boost(retime=True)  # it learns anew; more points, longer iterations
            run.build_frame(heavy=True)  # the new points' boundary, even when paused

    def set_parameter(self, run: Run, layer: int, row: int, col: int | None, value: float) -> dict:
        """Set the weight W[layer][row, col] of a run, or its bias b[layer][row] (col None), to
        `value`, paused or playing: it trains on from there (see `Run.set_parameter`)."""
        run.set_parameter(layer, row, col, value)
        where = {"layer": layer, "row": row, **({"bias": True} if col is None else {"col": col})}
        return {**where, "value": value, "iteration": run.trainer.iteration}

    def pause_for_unread(self, runs: list[Run]) -> list[str]:
        """Pause every playing or stepping group of these runs (its client stopped reading);
        the ids of the runs it paused. Runs the session watches are not its to pause."""
        paused, seen = [], set()
        for run in runs:
            group = run.group
            if id(group) in seen or not (group.playing or group.step_remaining > 0):
                continue
            seen.add(id(group))
            group.playing = False
            group.step_remaining = 0
            self.scheduler.emit(group)
            paused += [r.id for r in group.runs]
        return paused

    # --- training-thread side: the past -----------------------------------------------------------

    def seek(self, runs: list[Run], iteration: int, ref: str | None) -> list[bytes]:
        """Each run as it was at `iteration` (a compare group's together): one binary `seek`
        message each (Run.seek_frame). Refused (`out_of_range`), nothing sent, if the iteration
        is outside a run's timeline (before new data cut it, or not reached yet)."""
        for run in runs:
            self.check_past(run, iteration)
        return [run.seek_frame(self.reachable(run, iteration), ref, iteration) for run in runs]

    def check_past(self, run: Run, iteration: int) -> None:
        """Refuse (`out_of_range`) an iteration outside the run's timeline."""
        timeline = run.timeline
        if not timeline.start <= iteration <= timeline.end:
            raise CommandRefusedError(
                "out_of_range",
                f"run {run.id[:64]!r} can be shown at iterations {timeline.start} to "
                f"{timeline.end}, not {iteration}",
            )

    def reachable(self, run: Run, iteration: int) -> int:
        """`iteration`, or the snapshot before it if replaying up to it would take more than
        max_step_iterations, or more than REPLAY_SECONDS at the run's measured speed (a large
        network, whose snapshots are far apart): a seek is one call on the training thread,
        which every session shares, so it stays short."""
        snapshot = run.timeline.nearest(iteration)
        if snapshot is None:
            return iteration
        limit = self.settings.max_step_iterations
        estimate = run.group.recent_seconds_per_iteration or run.group.seconds_per_iteration
        if estimate:
            limit = min(limit, max(1, int(REPLAY_SECONDS / estimate)))
        if iteration - snapshot.iteration > limit:
            return snapshot.iteration
        return iteration

    def example(
        self, run_id: str, point: list[float] | None, split: str | None, index: int | None
    ) -> dict:
        """One example followed through a run's network (app/examples.py): a run this session
        owns or watches (the caller checked which), if it still lives."""
        run = self.scheduler.find(run_id)
        if run is None:
            raise CommandRefusedError("unknown_run", f"no run {run_id[:64]!r} on this server")
        return example_message(run, point, split, index)

    # --- training-thread side: viewers ------------------------------------------------------------

    def watch(
        self, ids: list[str], notify: Callable[[], None], ended: Callable[[str, str], None]
    ) -> list[tuple[dict, View]]:
        """Views of the runs named (any session's; each once): each run's description (as in
        `created`) and a view that gets its frames from now on, starting with its newest.
        `ended(run_id, reason)` is called when one of them ends. Refused (`unknown_run`), with
        nothing watched, if one is unknown."""
        runs, seen = [], set()
        for run_id in ids:
            run = self.scheduler.find(run_id)
            if run is None:
                raise CommandRefusedError("unknown_run", f"no run {run_id[:64]!r} on this server")
            if run_id not in seen:
                seen.add(run_id)
                runs.append(run)
        watched = []
        for run in runs:
            view = run.outbox.subscribe(notify, _ended_of(run.id, ended))
            if view is not None:  # a run is found only while it lives: never None here
                watched.append((run.describe(), view))
        return watched


def _ended_of(run_id: str, ended: Callable[[str, str], None]) -> Callable[[str], None]:
    def on_ended(reason: str) -> None:
        ended(run_id, reason)

    return on_ended
