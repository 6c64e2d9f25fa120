"""The training thread: every run of every session in this process, trained in fair turns.

Why one thread per process, in turns, rather than a thread per run or a process pool:

- Training small networks is dominated by Python and NumPy call overhead, which holds the GIL;
  more threads in one process add contention, not speed. One thread per process uses one core
  fully, and `nnplay serve --workers N` (separate processes, nothing shared) uses the others.
- The event loop never trains and never waits on the thread: sessions hand commands over as
  closures (`call`), which run between turns — so a command sees a run between iterations, and a
  command on several runs (a compare group) applies to all of them at the same iteration.
- GIL hand-over: the interpreter's switch interval is lowered to 1 ms while the thread runs, so
  the event loop gets the GIL back quickly (see bench/README.md for the measured loop lag).

Fair by person, not by run. CPU time is shared among *owners* (a run's owner is the session that
created it), then among the owner's groups:

- A **turn** trains one group for at most `slice_seconds`, sized from the group's measured time
  per iteration, then builds its frames if they are due. A group whose time per iteration is not
  measured yet (a new group, or one whose data or hyperparameters changed) trains exactly one
  iteration first; an estimate rises at once to a slower measurement (it falls slowly), so no
  turn is sized past the slice. (A turn is at least one iteration of each run of the group: a
  compare group stays on one iteration.)
- Each owner has a **virtual time**: the seconds its turns have taken, training and frames.
  The thread works in rounds: a round looks at every group once, and gives one turn to every
  owner that has a group ready and whose virtual time is less than one slice ahead of the
  smallest among them (the *floor*); an owner that ran ahead (its turns are long: a big network,
  a compare group of four) waits rounds until the others catch up. Within an owner, its ready
  groups take turns round-robin. So two sessions that both keep the thread busy get the same
  CPU time, whether one holds one run or four, and an owner's share does not grow with its runs.
- No banking: an owner whose groups were idle (paused, or waiting for their next frame at a fixed
  speed) comes back at the floor, not behind it, so it cannot claim a burst of turns; and a light
  owner (the usual student, 10 iterations a frame) is at the floor, so it has a turn in every
  round — which is short, since only the owners near the floor take turns in it. That is what
  keeps a new student's first frames quick on a server full of heavy runs.
- A session whose client stops reading has its runs paused (app/session.py): its runs then cost
  nothing here.

Measurements behind this choice are in bench/README.md ("Server").
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sys
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from .runs import Group, Run
from .settings import Settings

log = logging.getLogger("nnplay.scheduler")

SWITCH_INTERVAL = 0.001
IDLE_WAIT = 0.25
FRAME_COST_SHARE = 5
"""A group's frames may take at most 1/5 of its time: slow frames are spaced out to keep that."""


@dataclass
class Owner:
    """The scheduler's account of one owner (session): its virtual time and its runs."""

    vtime: float = 0.0
    """Seconds of the thread its turns have taken (moved up to the floor when it was idle)."""
    cursor: int = 0
    """Round-robin position among its ready groups."""
    runs: int = 0


class Scheduler:
    """Owns the training thread; `add`/`remove` runs and `call` commands from the event loop.

    `clock` measures turns (for their size and each owner's share); tests pass a fake one."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.perf_counter) -> None:
        self.settings = settings
        self.clock = clock
        self._runs: dict[str, Run] = {}
        self._owners: dict[Hashable, Owner] = {}
        self._floor = 0.0
        self._commands: collections.deque[tuple[Callable[[], Any], Callable]] = collections.deque()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._previous_switch_interval = sys.getswitchinterval()
        self.turns = 0

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the training thread (idempotent)."""
        if self._thread is not None:
            return
        self._stopping = False
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread = threading.Thread(target=self._loop, name="nnplay-trainer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and drop every run."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        sys.setswitchinterval(self._previous_switch_interval)
        self._runs.clear()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def run_count(self) -> int:
        return len(self._runs)

    # --- commands from the event loop ------------------------------------------------------------

    async def call(self, fn: Callable[[], Any]) -> Any:
        """Run `fn()` in the training thread between turns; return its result or raise its error."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def settle(ok: bool, value: Any) -> None:
            if future.done():
                return
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

        def reply(ok: bool, value: Any) -> None:
            loop.call_soon_threadsafe(settle, ok, value)

        self._commands.append((fn, reply))
        self._wake.set()
        return await future

    def post(self, fn: Callable[[], Any]) -> None:
        """Run `fn()` in the training thread between turns, without waiting for it (for
        cleanup that must not await); its errors are logged."""

        def reply(ok: bool, value: Any) -> None:
            if not ok:
                log.error("posted command failed: %r", value)

        self._commands.append((fn, reply))
        self._wake.set()

    def add(self, run: Run) -> None:
        """Register a run (from inside a command: the thread owns the registry)."""
        if run.id not in self._runs:
            self._owners.setdefault(run.owner, Owner()).runs += 1
        self._runs[run.id] = run

    def remove(self, run: Run) -> None:
        """Forget a run (from inside a command)."""
        if self._runs.pop(run.id, None) is not None:
            owner = self._owners.get(run.owner)
            if owner is not None:
                owner.runs -= 1
                if owner.runs <= 0:
                    del self._owners[run.owner]
        group = run.group
        if run in group.runs:
            group.runs.remove(run)

    # --- the thread ------------------------------------------------------------------------------

    def _run_commands(self) -> None:
        while self._commands:
            fn, reply = self._commands.popleft()
            try:
                result = fn()
            except Exception as error:  # a bad command answers its caller, never kills the thread
                reply(False, error)
            else:
                reply(True, result)

    def _groups(self) -> list[Group]:
        seen, groups = set(), []
        for run in self._runs.values():
            if id(run.group) not in seen:
                seen.add(id(run.group))
                groups.append(run.group)
        return groups

    def _loop(self) -> None:
        while not self._stopping:
            self._run_commands()
            wake_at = self._round()
            self.turns += 1
            if wake_at is not None:
                timeout = max(0.0, wake_at - time.perf_counter())
                self._wake.wait(timeout)
                self._wake.clear()

    def _round(self) -> float | None:
        """One round of turns (see the module docstring). Returns None if some owner had a turn,
        else the time at which a group next wants one."""
        now = time.perf_counter()
        wake_at = now + IDLE_WAIT
        ready: dict[Hashable, list[Group]] = {}
        for group in self._groups():
            if not group.active or not group.runs:
                continue
            due = _due(group, now)
            if due is None:
                ready.setdefault(group.runs[0].owner, []).append(group)
            else:
                wake_at = min(wake_at, due)
        if not ready:
            return wake_at
        owners = [(self._owners.setdefault(key, Owner()), groups) for key, groups in ready.items()]
        for owner, _ in owners:
            owner.vtime = max(owner.vtime, self._floor)  # no credit for time spent idle
        self._floor = min(owner.vtime for owner, _ in owners)
        limit = self._floor + self.settings.slice_seconds
        for owner, groups in owners:
            if owner.vtime >= limit:
                continue  # ahead of the others: they catch up first
            if self._commands:
                self._run_commands()  # commands never wait behind a long round
            group = groups[owner.cursor % len(groups)]
            owner.cursor += 1
            if not group.active or not group.runs:  # a command just paused or removed it
                continue
            start = self.clock()
            try:
                self._turn(group, time.perf_counter())
            except Exception:  # a bug must cost one group its turn, never the thread
                log.exception("training turn failed; pausing the group")
                group.playing, group.step_remaining = False, 0
            owner.vtime += self.clock() - start
        return None

    def _turn(self, group: Group, now: float) -> float | None:
        """Train `group` for one time slice and emit frames when due.

        Returns None if it did work, or the time at which it next wants a turn.
        """
        settings = self.settings
        interval = 1.0 / settings.frame_rate
        speed = group.iterations_per_frame
        estimate = group.seconds_per_iteration
        fits = 1 if estimate is None else max(1, int(settings.slice_seconds / max(estimate, 1e-7)))

        if group.step_remaining > 0:
            done = self._train(group, min(group.step_remaining, fits))
            group.step_remaining -= max(done, 1)
            if group.step_remaining <= 0 or not any(r.can_train for r in group.runs):
                group.step_remaining = 0
                self._emit(group, now, interval, final=not group.playing)
            elif now >= group.next_frame_at:
                self._emit(group, now, interval)
            return None

        if speed is None:  # as fast as possible
            self._train(group, fits)
            if time.perf_counter() >= group.next_frame_at:
                self._emit(group, now, interval)
            self._after_training(group, now, interval)
            return None

        if group.frame_budget > 0:
            done = self._train(group, min(group.frame_budget, fits))
            group.frame_budget -= max(done, 1)
            self._after_training(group, now, interval)
            if group.frame_budget > 0 or not group.active or now < group.next_frame_at:
                return None
            # The frame's iterations are done and it is due: build it in this turn, rather than
            # wait a round for the next (a light run's frames then cost one turn, not two).
        if now < group.next_frame_at:
            return group.next_frame_at
        self._emit(group, now, interval)
        group.frame_budget = speed
        return None

    def _train(self, group: Group, iterations: int) -> int:
        """Train the group and update its time per iteration: at once to a slower measurement
        (the next turn must fit the slice), slowly to a faster one."""
        start = self.clock()
        done = group.train(iterations)
        if done:
            per_iteration = (self.clock() - start) / done
            estimate = group.seconds_per_iteration
            if estimate is None or per_iteration > estimate:
                group.seconds_per_iteration = per_iteration
            else:
                group.seconds_per_iteration = 0.8 * estimate + 0.2 * per_iteration
        return done

    def _after_training(self, group: Group, now: float, interval: float) -> None:
        if not any(r.can_train for r in group.runs):
            group.playing = False
            self._emit(group, now, interval, final=True)

    def _emit(self, group: Group, now: float, interval: float, final: bool = False) -> None:
        start = time.perf_counter()
        for run in group.runs:
            if final and run.status == "running":
                run.status = "paused"
            heavy = final or run.frames_built % self.settings.heavy_every == 0
            run.build_frame(heavy)
        end = time.perf_counter()
        # Frames that are slow to build (a big image set: ~20 ms) come less often, so that they
        # take at most 1 / FRAME_COST_SHARE of the group's time and training keeps the rest.
        group.next_frame_at = max(now + interval, end + (FRAME_COST_SHARE - 1) * (end - start))


def _due(group: Group, now: float) -> float | None:
    """None if an active group has work now, else when it next has (its next frame, at a
    fixed speed once this frame's iterations are done)."""
    if group.step_remaining > 0 or group.iterations_per_frame is None or group.frame_budget > 0:
        return None
    return None if now >= group.next_frame_at else group.next_frame_at
