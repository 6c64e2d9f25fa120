"""The training thread: every run of every session in this process, trained in fair turns.

Why one thread per process, round-robin, rather than a thread per run or a process pool:

- Training small networks is dominated by Python and NumPy call overhead, which holds the GIL;
  more threads in one process add contention, not speed. One thread per process uses one core
  fully, and `nnplay serve --workers N` (separate processes, nothing shared) uses the others.
- Fairness is explicit: groups take turns, each turn trains at most `slice_seconds` (sized from a
  running estimate of the group's time per iteration), so one heavy run cannot starve the rest; a
  heavy run simply gets fewer iterations per second, as does everyone when the server is full.
- The event loop never trains and never waits on the thread: sessions hand commands over as
  closures (`call`), which run between turns — so a command sees a run between iterations, and a
  command on several runs (a compare group) applies to all of them at the same iteration.
- GIL hand-over: the interpreter's switch interval is lowered to 1 ms while the thread runs, so
  the event loop gets the GIL back quickly (see bench/README.md for the measured loop lag).

Measurements behind this choice are in bench/README.md ("Server").
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .runs import Group, Run
from .settings import Settings

log = logging.getLogger("nnplay.scheduler")

SWITCH_INTERVAL = 0.001
IDLE_WAIT = 0.25
FRAME_COST_SHARE = 5
"""A group's frames may take at most 1/5 of its time: slow frames are spaced out to keep that."""


class Scheduler:
    """Owns the training thread; `add`/`remove` runs and `call` commands from the event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runs: dict[str, Run] = {}
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
        self._runs[run.id] = run

    def remove(self, run: Run) -> None:
        """Forget a run (from inside a command)."""
        self._runs.pop(run.id, None)
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
            now = time.perf_counter()
            wake_at = now + IDLE_WAIT
            worked = False
            for group in self._groups():
                if self._commands:
                    self._run_commands()  # commands never wait behind a long round
                if not group.active or not group.runs:
                    continue
                try:
                    due = self._turn(group, time.perf_counter())
                except Exception:  # a bug must cost one group its turn, never the thread
                    log.exception("training turn failed; pausing the group")
                    group.playing, group.step_remaining, due = False, 0, None
                worked = worked or due is None
                if due is not None:
                    wake_at = min(wake_at, due)
            self.turns += 1
            if not worked:
                timeout = max(0.0, wake_at - time.perf_counter())
                self._wake.wait(timeout)
                self._wake.clear()

    def _turn(self, group: Group, now: float) -> float | None:
        """Train `group` for one time slice and emit frames when due.

        Returns None if it did work, or the time at which it next wants a turn.
        """
        settings = self.settings
        interval = 1.0 / settings.frame_rate
        speed = group.iterations_per_frame
        fits = max(1, int(settings.slice_seconds / max(group.seconds_per_iteration, 1e-7)))

        if group.step_remaining > 0:
            done = group.train(min(group.step_remaining, fits))
            group.step_remaining -= max(done, 1)
            if group.step_remaining <= 0 or not any(r.can_train for r in group.runs):
                group.step_remaining = 0
                self._emit(group, now, interval, final=not group.playing)
            elif now >= group.next_frame_at:
                self._emit(group, now, interval)
            return None

        if speed is None:  # as fast as possible
            group.train(fits)
            if time.perf_counter() >= group.next_frame_at:
                self._emit(group, now, interval)
            self._after_training(group, now, interval)
            return None

        if group.frame_budget > 0:
            done = group.train(min(group.frame_budget, fits))
            group.frame_budget -= max(done, 1)
            self._after_training(group, now, interval)
            return None
        if now < group.next_frame_at:
            return group.next_frame_at
        self._emit(group, now, interval)
        group.frame_budget = speed
        return None

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
