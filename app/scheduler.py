"""The training thread: every run of every session in this process, trained in fair turns.

Why one thread per process, in turns, rather than a thread per run or a process pool:

- Training small networks is dominated by Python and NumPy call overhead, which holds the GIL;
  more threads in one process add contention, not speed. One thread per process uses one core
  fully, and `nnplay serve --workers N` (separate processes, nothing shared) uses the others.
- The event loop never trains and never waits on the thread: sessions hand commands over as
  closures (`call`), which run between turns — so a command sees a run between iterations, and a
  command on several runs (a compare group) applies to all of them at the same iteration.
- GIL hand-over: the interpreter's switch interval is lowered to 1 ms while the thread runs
  (`switch_interval`), so the event loop gets the GIL back quickly (see bench/README.md for the
  measured loop lag and CPU against other intervals).
- One core means one BLAS thread: OpenBLAS is set to one thread while the thread runs (see
  `blas_threads`; its own threads made turns 14 times longer on a busy 2-core server).

Fair by person, not by run. CPU time is shared among *owners* (a run's owner is the session that
created it), then among the owner's groups:

- A **turn** trains one group for at most `slice_seconds`, sized from the group's measured time
  per iteration, then builds its frames if they are due, one run's frame at a time while each
  fits what is left of the slice (by its measured cost); a frame that does not fit waits for the
  group's next turn, and the group trains no further until every run's frame of that iteration
  is built. So no turn is longer than the slice, except by one *unit* where a unit alone is
  longer: one iteration of the group, or one run's frame (the largest network, 6 × 64 units on
  2000 points: ~7 ms an iteration, so ~28 ms for a compare group of four, and ~20–30 ms a
  frame). A group whose time per iteration is not measured yet (a new group, or one whose data
  or hyperparameters changed) trains exactly one iteration first; an estimate rises at once to a
  slower measurement (it falls slowly), so no turn is sized past the slice.
- **Joiners first.** A group just played or stepped (`Group.fresh`) is served at the next turn
  boundary, ahead of the round, until its first frame is built, if its owner is not ahead of
  the others (below): a student who presses play on a server full of heavy runs waits for the
  turn in progress, not for a round of everyone's. That first frame is never deferred (its
  detail may be: it is built light if the heavy one does not fit).
- Each owner has a **virtual time**: the seconds its turns have taken, training and frames, in
  the thread's CPU time (`_turn_clock`), so that nobody is charged for the event loop's work.
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
- A session whose client stops reading has its runs paused (app/session.py, through
  app/player.py): its runs then cost nothing here. Viewers of a run cost it nothing: its frames
  are built once, whoever shows them (app/fanout.py).

Measurements behind this choice are in bench/README.md ("Server").
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .runs import Group, Run
from .settings import Settings

log = logging.getLogger("nnplay.scheduler")

IDLE_WAIT = 0.25
FRAME_COST_SHARE = 5
"""A group's frames may take at most 1/5 of its time: slow frames are spaced out to keep that."""
JOINER_TURNS = 8
"""Turns given to just-played groups ahead of the round at one turn boundary, at most."""
AUTO_MEASURED_ITERATIONS = 5
"""Iterations a turn must train to set the time per iteration auto sizes by at once; a shorter
turn moves it by its share (done / AUTO_MEASURED_ITERATIONS of the way), so one slow turn (a
pre-emption) cannot hold auto's speed down while its turns stay short."""
WAKEUP_DELAY = 0.004
"""Longest a frame built in a round waits before the event loop is told (see `wake_loop`)."""
CPU_RATE_WINDOW = 0.25
"""Seconds of turns (wall clock) over which the thread's share of the core is measured again."""
CPU_RATE_MIN = 0.1
"""The least share of the core the thread is counted as having in its turns."""


def _turn_clock() -> Callable[[], float]:
    """The clock turns are measured by: the training thread's own CPU time where it is precise
    (Linux, macOS: nanoseconds), else the wall clock (Windows counts thread time in 15.6 ms
    ticks). CPU time is what a turn costs: a wall clock also counts the event loop's hold of
    the GIL and the other processes' hold of the core during the turn, and charged them to
    whichever owner had the turn, the first turns of a round most (they overlap the event
    loop sending the round's frames). Measured in bench/README.md (issue 14, seventh round)."""
    if time.get_clock_info("thread_time").resolution <= 1e-6:
        return time.thread_time
    return time.perf_counter


@dataclass
class Owner:
    """The scheduler's account of one owner (session): its virtual time and its runs."""

    vtime: float = 0.0
    """Seconds of the thread its turns have taken (moved up to the floor when it was idle)."""
    cursor: int = 0
    """Round-robin position among its ready groups."""
    runs: int = 0


class Scheduler:
    """Owns the training thread; `add`/`remove` runs and `call` commands from the event loop
    (the commands themselves: app/player.py).

    `clock` measures turns (for their size and each owner's share): by default the thread's CPU
    time (`_turn_clock`); tests pass a fake one."""

    def __init__(self, settings: Settings, clock: Callable[[], float] | None = None) -> None:
        self.settings = settings
        self.clock = clock or _turn_clock()
        self._runs: dict[str, Run] = {}
        self._owners: dict[Hashable, Owner] = {}
        self._floor = 0.0
        self._commands: collections.deque[tuple[Callable[[], Any], Callable]] = collections.deque()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._thread_id: int | None = None
        self._previous_switch_interval = sys.getswitchinterval()
        self._previous_blas_threads: int | None = None
        self.turns = 0
        self._rounds = 0
        """Rounds in which some owner was ready (where the next one starts: `_round`)."""
        self._wakeups: dict[asyncio.AbstractEventLoop, list[Callable[[], Any]]] = {}
        """Event-loop callbacks asked for by this round's frames, not handed over yet."""
        self._wakeups_since = 0.0
        self.cpu_rate = 1.0
        """The thread's CPU seconds a second of its turns (`_take_turn`): below 1 while the
        event loop holds the GIL or another process the core. Owners' shares of a frame
        interval (Group.frame_share) are in the clock's seconds, so they are scaled by it."""
        self._measures_cpu = self.clock is time.thread_time
        self._turns_cpu = self._turns_wall = 0.0

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the training thread (idempotent)."""
        if self._thread is not None:
            return
        self._stopping = False
        sys.setswitchinterval(self.settings.switch_interval)
        self._previous_blas_threads = blas_threads(1)
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
        if self._previous_blas_threads is not None:
            blas_threads(self._previous_blas_threads)
            self._previous_blas_threads = None
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

    def wake_loop(self, loop: asyncio.AbstractEventLoop, callback: Callable[[], Any]) -> None:
        """Have `callback()` run on `loop` soon (a session's "a frame is ready").

        From the training thread the callbacks of a round go over as one: one cross-thread
        wake-up of the event loop a round (or every WAKEUP_DELAY seconds of a long round), not
        one per frame, so the loop takes the GIL once for a round's frames rather than once for
        each. From any other thread: at once."""
        if threading.get_ident() != self._thread_id:
            loop.call_soon_threadsafe(callback)
            return
        if not self._wakeups:
            self._wakeups_since = time.perf_counter()
        self._wakeups.setdefault(loop, []).append(callback)

    def _hand_over_wakeups(self) -> None:
        pending, self._wakeups = self._wakeups, {}
        for loop, callbacks in pending.items():
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody to tell
                loop.call_soon_threadsafe(_call_each, callbacks)

    def add(self, run: Run) -> None:
        """Register a run (from inside a command: the thread owns the registry)."""
        if run.id not in self._runs:
            self._owners.setdefault(run.owner, Owner()).runs += 1
        self._runs[run.id] = run

    def find(self, run_id: str) -> Run | None:
        """The live run of that id, any owner's (from inside a command)."""
        return self._runs.get(run_id)

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
        self._thread_id = threading.get_ident()
        while not self._stopping:
            self._run_commands()
            wake_at = self._round()
            self.turns += 1
            if self._wakeups:
                self._hand_over_wakeups()
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
        active = [group for group in self._groups() if _wants_turns(group)]
        # Auto speed trains what each owner's share of the thread leaves after its frames:
        # with many students playing, nobody's training takes the others' frames (see
        # Group.frame_share).
        # Shares are in the clock's seconds: on CPU time, a frame interval holds only the CPU
        # the thread gets in it (`cpu_rate`); on a wall clock, turns carry their waits.
        playing = len({group.runs[0].owner for group in active})
        self._measure_cpu_rate()
        frame_share = self.cpu_rate / self.settings.frame_rate / max(1, playing)
        for group in active:
            group.frame_share = frame_share
            due = _due(group, now)
            if due is None:
                ready.setdefault(group.runs[0].owner, []).append(group)
            else:
                wake_at = min(wake_at, due)
        if not ready:
            return wake_at
        owners = [(self._owners.setdefault(key, Owner()), groups) for key, groups in ready.items()]
        # Each round starts one owner further on: a round's first turns cost the most (the event
        # loop sends the last round's frames meanwhile, and leaves the caches cold), and with
        # the same owners always first, theirs were the class's slowest frame rates.
        start = self._rounds % len(owners)
        self._rounds += 1
        owners = owners[start:] + owners[:start]
        for owner, _ in owners:
            owner.vtime = max(owner.vtime, self._floor)  # no credit for time spent idle
        self._floor = min(owner.vtime for owner, _ in owners)
        limit = self._floor + self.settings.slice_seconds
        self._serve_joiners(limit)
        for owner, groups in owners:
            if owner.vtime >= limit:
                continue  # ahead of the others: they catch up first
            if self._commands:
                self._run_commands()  # commands never wait behind a long round
                self._serve_joiners(limit)  # nor does a group just played
            group = groups[owner.cursor % len(groups)]
            owner.cursor += 1
            if not _wants_turns(group):  # a command just paused or removed it
                continue
            self._take_turn(owner, group)
            if self._wakeups and time.perf_counter() - self._wakeups_since >= WAKEUP_DELAY:
                self._hand_over_wakeups()  # a long round does not hold its first frames back
        return None

    def _serve_joiners(self, limit: float) -> None:
        """Turns for the groups just played or stepped (`Group.fresh`, until their first frame)
        whose owner is not ahead: they go before the rest of the round, so a student who
        presses play on a busy server waits for the turn in progress, not for a round of
        everyone's. The lightest network goes first (`Group.work`): when a whole class presses
        play at once, the small runs' first frames do not wait behind the largest ones'."""
        for _ in range(JOINER_TURNS):
            if self._commands:
                self._run_commands()  # a play that just arrived joins the choice below
            now, best = time.perf_counter(), None
            for group in self._groups():
                if not group.fresh or not _wants_turns(group) or _due(group, now) is not None:
                    continue
                owner = self._owners.setdefault(group.runs[0].owner, Owner())
                owner.vtime = max(owner.vtime, self._floor)
                if owner.vtime < limit and (best is None or group.work < best[1].work):
                    best = (owner, group)
            if best is None:
                return
            self._take_turn(*best)

    def _take_turn(self, owner: Owner, group: Group) -> None:
        start, wall = self.clock(), time.perf_counter()
        try:
            self._turn(group, wall)
        except Exception:  # a bug must cost one group its turn, never the thread
            log.exception("training turn failed; pausing the group")
            group.playing, group.step_remaining, group.fresh = False, 0, False
            group.pending = []
        spent = self.clock() - start
        owner.vtime += spent
        self._turns_cpu += spent
        self._turns_wall += time.perf_counter() - wall

    def _measure_cpu_rate(self) -> None:
        """Every CPU_RATE_WINDOW seconds of turns, move `cpu_rate` halfway to the CPU time the
        turns took a second of theirs. Without it, auto sized every student's training by a
        whole core a frame interval while the thread had ~0.7-0.9 of one (the event loop holds
        the GIL to send frames; on two workers the other process and the load compete for the
        cores): 100 students on two workers played 24 frames/s, not 30."""
        if not self._measures_cpu or self._turns_wall < CPU_RATE_WINDOW:
            return
        rate = min(1.0, max(CPU_RATE_MIN, self._turns_cpu / self._turns_wall))
        self.cpu_rate += 0.5 * (rate - self.cpu_rate)
        self._turns_cpu = self._turns_wall = 0.0

    def _turn(self, group: Group, now: float) -> float | None:
        """Train `group` for one time slice and start its frames when due; build frames while
        they fit the slice.

        A turn is one or more *units* — some iterations of the group (sized to the slice), or one
        run's frame — and takes a next unit only if its measured cost fits what is left of the
        slice: so a turn is at most one slice, or one unit where a unit alone is longer. A frame
        that does not fit waits for the group's next turn, and the group trains no further until
        every run's frame of this iteration is built (its runs' frames stay on one iteration).

        Returns None if it did work, or the time at which it next wants a turn.
        """
        settings = self.settings
        deadline = self.clock() + settings.slice_seconds
        left = settings.slice_seconds
        estimate = group.seconds_per_iteration
        if group.pending:  # frames of this iteration still to build: those first
            self._build_frames(group, deadline, first_unit=True)
            left = deadline - self.clock()
            if group.pending or not group.active or left <= 0:
                return None
            if estimate is not None and estimate > left:
                return None  # no iteration fits in what is left
        speed = group.iterations_per_frame
        fits = _iterations_that_fit(left, estimate)

        if group.step_remaining > 0:
            done = self._train(group, min(group.step_remaining, fits))
            group.step_remaining -= max(done, 1)
            if group.step_remaining <= 0 or not any(r.can_train for r in group.runs):
                group.step_remaining = 0
                self._frames(group, now, deadline, final=not group.playing)
            elif now >= group.next_frame_at:
                self._frames(group, now, deadline)
            return None

        if speed is None:  # as fast as possible
            self._train(group, fits)
            if not self._finished(group, now, deadline) and (
                time.perf_counter() >= group.next_frame_at
            ):
                self._frames(group, now, deadline)
            return None

        if group.frame_budget > 0:
            if self._train_frame_budget(group, fits, now, deadline):
                return None
            if group.frame_budget > 0 or not group.active or now < group.next_frame_at:
                return None
            # The frame's iterations are done and it is due: start it in this turn, rather than
            # wait a round for the next (a light run's frames then cost one turn, not two).
        if now < group.next_frame_at:
            return group.next_frame_at
        joiner = group.fresh
        self._frames(group, now, deadline)
        if group.at_auto:
            group.spend_auto_frame()
            speed = group.iterations_per_frame  # the budget measured by this frame's turns
        group.frame_budget = speed
        # The next frame's iterations follow in this turn, as far as they fit the slice, while
        # the frames and the iterations take at most half the owner's share of a frame interval
        # (the thread is at most half busy): a light group then takes one turn a frame, not two
        # (one to draw, one to train), and the thread one round a frame tick, not two. Busier
        # (a lecture hall), turns go on alternating, frame or iterations, and the frame rate
        # falls evenly for all: with both in one turn, rounds grew as long as a frame interval,
        # and the groups served just before their frame was due waited a whole round (100
        # students on one process: slowest half / fastest half 0.88 -> 0.72). A joiner's turn
        # ends at its first frame: the other joiners' first frames do not wait behind it.
        estimate = group.seconds_per_iteration
        if (
            not joiner
            and not group.pending
            and group.active
            and estimate is not None
            and group.frame_seconds + speed * estimate <= group.frame_share / 2
        ):
            left = deadline - self.clock()
            if estimate <= left:
                self._train_frame_budget(group, _iterations_that_fit(left, estimate), now, deadline)
        return None

    def _train_frame_budget(self, group: Group, fits: int, now: float, deadline: float) -> bool:
        """Train at most `fits` of the iterations the group's next frame waits for; True if no
        run can train any more (its final frames are then started: `_finished`)."""
        done = self._train(group, min(group.frame_budget, fits))
        group.frame_budget -= max(done, 1)
        return self._finished(group, now, deadline)

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
            recent = group.recent_seconds_per_iteration
            weight = min(1.0, done / AUTO_MEASURED_ITERATIONS)
            if recent is None or weight == 1.0:
                group.recent_seconds_per_iteration = per_iteration
            else:
                group.recent_seconds_per_iteration = recent + weight * (per_iteration - recent)
        return done

    def _finished(self, group: Group, now: float, deadline: float) -> bool:
        """If no run of the group can train any more: stop it and start its final frames."""
        if any(r.can_train for r in group.runs):
            return False
        group.playing = False
        self._frames(group, now, deadline, final=True)
        return True

    def _frames(self, group: Group, now: float, deadline: float, final: bool = False) -> None:
        """Start a frame of every run of the group (their state now) and build the ones that fit
        in this turn; the rest are built in the group's next turns, before it trains again."""
        self._start_frames(group, now, final)
        # A group's first frame after play or step is never deferred; its details may be.
        self._build_frames(group, deadline, first_unit=False, whole=group.fresh)

    def emit(self, group: Group, final: bool = True) -> None:
        """Build a frame of every run of the group now, whatever it costs (for commands: pause,
        reset, a client that stopped reading; from inside a command)."""
        self._start_frames(group, time.perf_counter(), final)
        self._build_frames(group, None, first_unit=True)

    def _start_frames(self, group: Group, now: float, final: bool) -> None:
        """The frames of every run of the group are due: heavy (with a detail) every
        `heavy_every`-th, and when final."""
        heavy_every = self.settings.heavy_every
        for run in group.runs:
            if final and run.status == "running":
                run.status = "paused"
        group.pending = [(run, final or run.frames_built % heavy_every == 0) for run in group.runs]
        group.frame_started_at = now
        group.frame_seconds = 0.0

    def _fits(self, group: Group, heavy: bool, deadline: float) -> bool:
        """Whether one run's frame fits before `deadline` (by its measured cost; one not
        measured yet needs only some time left)."""
        left = deadline - self.clock()
        estimate = group.seconds_per_frame[heavy]
        return left > 0 and (estimate is None or estimate <= left)

    def _build_frames(
        self, group: Group, deadline: float | None, first_unit: bool, whole: bool = False
    ) -> None:
        """Build the group's pending frames, one run at a time, while each fits before
        `deadline`; the turn's first unit is built whatever it costs. No deadline: build them
        all. `whole`: build them all, but one that does not fit is built light (its detail
        comes with a later frame)."""
        must = first_unit or deadline is None
        while group.pending:
            run, heavy = group.pending[0]
            if run not in group.runs:  # deleted meanwhile
                group.pending.pop(0)
                continue
            if not must and not self._fits(group, heavy, deadline):
                if not whole:
                    return  # deferred to the group's next turn
                # Built now, light: its detail comes with a later frame. A run that stopped
                # (paused, finished, diverged) has no later frame: its last one stays heavy.
                heavy = heavy and run.status != "running"
            group.pending.pop(0)
            start = self.clock()
            run.build_frame(heavy)
            cost = self.clock() - start
            group.frame_seconds += cost
            estimate = group.seconds_per_frame[heavy]
            if estimate is None or cost > estimate:
                group.seconds_per_frame[heavy] = cost
            else:
                group.seconds_per_frame[heavy] = 0.8 * estimate + 0.2 * cost
            must = deadline is None
        # Every run's frame is built. Frames that are slow to build (a big image set: ~20 ms,
        # the largest networks: ~25 ms a run) come less often, so that they take at most
        # 1 / FRAME_COST_SHARE of the group's time and training keeps the rest.
        # Frames are due on a common clock of 1 / frame_rate ticks, whoever's they are: the
        # frames of every group at a fixed speed fall due together, so one round (and one wake-up
        # of the thread and of the event loop) serves them all, not one each.
        end = time.perf_counter()
        interval = 1.0 / self.settings.frame_rate
        tick = (math.floor(group.frame_started_at / interval) + 1) * interval
        group.next_frame_at = max(tick, end + (FRAME_COST_SHARE - 1) * group.frame_seconds)
        group.fresh = False


OPENBLAS_THREAD_FUNCTIONS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),  # NumPy's wheels
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)


def blas_threads(count: int) -> int | None:
    """Set the number of OpenBLAS threads of this process; return the previous number, or None
    if NumPy does not use a loaded OpenBLAS we can find (then nothing changes).

    One training thread is meant to use one core (see the module docstring). OpenBLAS's own
    threads, one per core by default, make it use both of a 2-core laptop, against the event
    loop and everything else: measured on a 2-core server full of 6 × 64 networks, one
    iteration took 7 ms with one BLAS thread and 160 ms (median) with two, and a turn of a
    compare group 14 times as long (2.4 s, median)."""
    try:
        maps = Path("/proc/self/maps").read_text()  # Linux; elsewhere nothing changes
    except OSError:
        return None
    paths = {
        line.split(maxsplit=5)[-1]
        for line in maps.splitlines()
        if "openblas" in line.rsplit("/", 1)[-1].lower() and "/" in line
    }
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in OPENBLAS_THREAD_FUNCTIONS:
            get, set_ = getattr(library, get_name, None), getattr(library, set_name, None)
            if get is not None and set_ is not None:
                get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                previous = get()
                set_(count)
                return previous
    return None


def _call_each(callbacks: list[Callable[[], Any]]) -> None:
    for callback in callbacks:
        callback()


def _iterations_that_fit(left: float, estimate: float | None) -> int:
    """How many iterations of `estimate` seconds fit `left` seconds: at least one, and one if
    the time per iteration is not measured yet."""
    return 1 if estimate is None else max(1, int(left / max(estimate, 1e-7)))


def _wants_turns(group: Group) -> bool:
    """Whether the group is playing or stepping, or has frames left to build."""
    return bool(group.runs) and (group.active or bool(group.pending))


def _due(group: Group, now: float) -> float | None:
    """None if a group has work now, else when it next has (its next frame, at a fixed speed
    once this frame's iterations are done)."""
    if group.pending or group.step_remaining > 0 or group.unpaced:
        return None
    if group.frame_budget > 0:
        return None
    return None if now >= group.next_frame_at else group.next_frame_at
