"""The training thread's pacing of frames: slow frames are spaced out so training keeps most of
the time; fast ones keep the frame rate."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from app.player import Player
from app.runs import Group
from app.scheduler import FRAME_COST_SHARE, Scheduler
from app.settings import Settings


class FakeRun:
    """A run whose frames take `seconds` to build."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.status, self.frames_built, self.built = seconds, "running", 0, 0

    def build_frame(self, heavy: bool) -> None:
        end = time.perf_counter() + self.seconds
        while time.perf_counter() < end:
            pass
        self.frames_built += 1


def next_frame_delay(seconds: float) -> float:
    scheduler = Scheduler(Settings(frame_rate=30))
    group = Group([FakeRun(seconds)])
    now = time.perf_counter()
    scheduler.emit(group, final=False)
    return group.next_frame_at - now


def test_fast_frames_keep_the_frame_rate_on_a_common_clock():
    # The next frame is due at the next tick of a clock of 1/30 s shared by every group (so the
    # frames of many groups fall due together): within one interval, on a tick.
    for _ in range(5):
        scheduler = Scheduler(Settings(frame_rate=30))
        group = Group([FakeRun(0.0)])
        scheduler.emit(group, final=False)
        delay = group.next_frame_at - group.frame_started_at
        assert 0 < delay <= 1 / 30
        tick = group.next_frame_at * 30
        assert abs(tick - round(tick)) < 1e-6
        time.sleep(0.007)


def test_frames_of_groups_played_at_different_moments_fall_due_together():
    scheduler = Scheduler(Settings(frame_rate=30))
    a, b = Group([FakeRun(0.0)]), Group([FakeRun(0.0)])
    scheduler.emit(a, final=False)
    time.sleep(0.011)  # a third of an interval later
    scheduler.emit(b, final=False)
    if b.frame_started_at // (1 / 30) == a.frame_started_at // (1 / 30):  # the same interval
        assert a.next_frame_at == b.next_frame_at
    else:
        assert b.next_frame_at == pytest.approx(a.next_frame_at + 1 / 30)


def test_slow_frames_take_at_most_their_share_of_the_time():
    delay = next_frame_delay(0.03)  # a frame as slow as the frame interval itself
    assert delay >= FRAME_COST_SHARE * 0.03 - 1e-3  # the frame, then 4 frames' time training
    assert delay < FRAME_COST_SHARE * 0.03 + 0.05


class CountingRun:
    """A run that records how many iterations each turn asks of it; each iteration takes
    `seconds` (busy), or advances a fake clock by `cost`."""

    def __init__(self, seconds: float = 0.0, clock=None, cost: float = 0.0, owner=None) -> None:
        self.seconds, self.clock, self.cost, self.owner = seconds, clock, cost, owner
        self.status, self.frames_built, self.iterations_per_frame = "running", 0, None
        self.calls: list[int] = []
        self.id = str(id(self))
        self.group = Group([self])

    can_train = True

    def train(self, iterations: int) -> int:
        self.calls.append(iterations)
        if self.clock is not None:
            self.clock.now += iterations * self.cost
        end = time.perf_counter() + iterations * self.seconds
        while time.perf_counter() < end:
            pass
        return iterations

    def build_frame(self, heavy: bool) -> None:
        self.frames_built += 1


def test_a_new_group_s_first_turn_trains_exactly_one_iteration():
    scheduler = Scheduler(Settings(slice_seconds=0.004))
    run = CountingRun()
    run.group.playing = True
    scheduler._turn(run.group, time.perf_counter())
    assert run.calls == [1]  # measured before a turn is sized: not 40 on a guess


def test_a_turn_never_outgrows_the_slice_when_iterations_get_slower():
    scheduler = Scheduler(Settings(slice_seconds=0.004))
    run = CountingRun(seconds=0.0001)
    run.group.playing = True
    for _ in range(5):
        scheduler._turn(run.group, time.perf_counter())
    run.seconds = 0.002  # e.g. the batch grew: 20 times slower
    scheduler._turn(run.group, time.perf_counter())
    calls_before = len(run.calls)
    scheduler._turn(run.group, time.perf_counter())
    (sized,) = run.calls[calls_before:]
    assert sized <= 2  # 2 × 2 ms fit the 4 ms slice


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("compare_group", [False, True])
def test_time_is_shared_per_session_not_per_run(compare_group):
    """Session A plays four runs (four groups, or one compare group of four), session B one;
    every iteration of every run costs the same: B gets as many iterations as all of A's runs
    together, not a fifth of the total."""
    clock = FakeClock()
    scheduler = Scheduler(Settings(slice_seconds=0.004), clock=clock)
    a = [CountingRun(clock=clock, cost=0.001, owner="A") for _ in range(4)]
    b = CountingRun(clock=clock, cost=0.001, owner="B")
    if compare_group:
        group = Group(a)
        for run in a:
            run.group = group
    for run in [*a, b]:
        scheduler.add(run)
        run.group.playing = True
    for _ in range(400):
        scheduler._round()
    a_iterations = sum(sum(run.calls) for run in a)
    b_iterations = sum(b.calls)
    assert 0.8 < b_iterations / a_iterations < 1.25, (a_iterations, b_iterations)


def test_an_idle_session_does_not_bank_turns():
    """B pauses while A trains alone; when B plays again it gets its share, not a burst that
    makes up for the time it was idle."""
    clock = FakeClock()
    scheduler = Scheduler(Settings(slice_seconds=0.004), clock=clock)
    a = CountingRun(clock=clock, cost=0.001, owner="A")
    b = CountingRun(clock=clock, cost=0.001, owner="B")
    for run in (a, b):
        scheduler.add(run)
    a.group.playing = True
    for _ in range(200):
        scheduler._round()
    b.group.playing = True
    a_before = sum(a.calls)
    for _ in range(100):
        scheduler._round()
    assert abs((sum(a.calls) - a_before) - sum(b.calls)) <= 8


@pytest.mark.skipif(
    time.get_clock_info("thread_time").resolution > 1e-6, reason="thread time is coarse here"
)
def test_a_turn_is_charged_its_cpu_time_not_the_time_it_waited():
    """A turn that waits (for the GIL, which the event loop holds while it sends frames, or for
    the core, which another process holds) is charged what it computed, not the wait."""
    scheduler = Scheduler(Settings(slice_seconds=0.004))
    run = CountingRun(owner="student")
    waits = run.train

    def train(iterations):
        time.sleep(0.05)  # as long as the thread cannot run
        return waits(iterations)

    run.train = train
    scheduler.add(run)
    run.group.playing = True
    scheduler._round()
    assert run.calls == [1]
    assert scheduler._owners["student"].vtime < 0.01


@pytest.mark.skipif(
    time.get_clock_info("thread_time").resolution > 1e-6, reason="thread time is coarse here"
)
def test_shares_of_a_frame_interval_count_only_the_cpu_the_thread_gets():
    """On CPU time, a frame interval holds only the CPU the thread gets in it: a thread that
    computes a fifth of each turn's wall time (it waits for the GIL or the core the rest) gives
    each student a fifth of a whole core's share, so auto does not size everyone's training by
    CPU the thread does not have (which cost every student frames)."""
    scheduler = Scheduler(Settings(slice_seconds=0.004))
    runs = [CountingRun(owner=f"student {i}") for i in range(2)]
    for run in runs:
        waits = run.train

        def train(iterations, waits=waits):
            end = time.thread_time() + 0.001
            while time.thread_time() < end:  # computes 1 ms
                pass
            time.sleep(0.004)  # then cannot run for 4 ms
            return waits(iterations)

        run.train = train
        scheduler.add(run)
        run.group.playing = True
    for _ in range(100):  # 200 turns of ~5 ms: the rate moves halfway every 0.25 s of turns
        scheduler._round()
    assert 0.1 <= scheduler.cpu_rate < 0.5
    share = runs[0].group.frame_share
    assert share == pytest.approx(scheduler.cpu_rate / Settings().frame_rate / 2)


def test_the_cost_of_a_round_s_first_turn_is_shared_by_every_session():
    """A round's first turn costs more in a server (the event loop sends the last round's frames
    meanwhile, and leaves the caches cold). Each round starts one session further on, so they
    all pay for it alike: with the same session always first, it trained a third less."""
    clock = FakeClock()
    scheduler = Scheduler(Settings(slice_seconds=0.004), clock=clock)
    runs = [CountingRun(clock=clock, cost=0.001, owner=f"student {i}") for i in range(5)]
    round_starts = [False]

    def first_turn_costs_more(train):
        def costly(iterations):
            if round_starts[0]:
                clock.now += 0.003
                round_starts[0] = False
            return train(iterations)

        return costly

    for run in runs:
        run.train = first_turn_costs_more(run.train)
        scheduler.add(run)
        run.group.playing = True
    for _ in range(500):
        round_starts[0] = True
        scheduler._round()
    iterations = [sum(run.calls) for run in runs]
    assert min(iterations) / max(iterations) > 0.9, iterations


class LoggedRun:
    """A run on a fake clock: each iteration costs `iteration_cost`, each frame `frame_cost`
    (heavy or light alike); what it does goes into the shared `log`."""

    def __init__(self, name, clock, log, iteration_cost, frame_cost, speed=None, owner=None):
        self.name, self.clock, self.log = name, clock, log
        self.iteration_cost, self.frame_cost = iteration_cost, frame_cost
        self.id, self.owner = name, owner or name
        self.status, self.frames_built, self.iterations_per_frame = "paused", 0, speed
        self.trainer = SimpleNamespace(iteration=0)
        self.group = Group([self])
        self.on_train = None

    can_train = True

    def train(self, iterations: int) -> int:
        self.log.append(("train", self.name, iterations))
        self.clock.now += iterations * self.iteration_cost
        self.trainer.iteration += iterations
        if self.on_train is not None:
            self.on_train()
        return iterations

    def build_frame(self, heavy: bool) -> None:
        self.log.append(("frame", self.name, self.trainer.iteration, heavy))
        self.clock.now += self.frame_cost
        self.frames_built += 1


def play(scheduler: Scheduler, runs) -> None:
    """The `play` command (app/player.py), as the training thread runs it."""
    Player(scheduler, scheduler.settings, owner=None).play(runs)


def test_a_student_who_presses_play_is_served_before_the_rest_of_the_round():
    """Four sessions train slow groups (30 ms an iteration, 20 ms a frame: the largest networks)
    and take turns in one round; a student creates a light run and presses play during the
    first of those turns. Its first turn and its first frame come right after that turn, before
    the three other heavy sessions' turns of the round, not after them."""
    clock, log = FakeClock(), []
    scheduler = Scheduler(Settings(slice_seconds=0.004, frame_rate=30), clock=clock)
    heavy = [LoggedRun(f"heavy{i}", clock, log, 0.03, 0.02) for i in range(4)]
    for run in heavy:
        scheduler.add(run)
        run.group.playing = True  # already training: not just played
    student = LoggedRun("student", clock, log, 0.0001, 0.001, speed=10)

    def student_joins() -> None:
        heavy[0].on_train = None
        scheduler.add(student)
        play(scheduler, [student])

    heavy[0].on_train = lambda: scheduler.post(student_joins)  # arrives during that turn
    for _ in range(10):
        scheduler._run_commands()
        scheduler._round()
        if any(entry[:2] == ("frame", "student") for entry in log):
            break
    first_frame = next(i for i, e in enumerate(log) if e[:2] == ("frame", "student"))
    before = {entry[1] for entry in log[:first_frame]}
    assert before == {"heavy0", "student"}, log[:first_frame]
    assert log[first_frame][2] == 10  # the first frame at speed 10, in the student's first turns


def student_turns(frame_cost: float, slice_seconds: float, frames: int) -> list[list]:
    """The turns (what each did, from LoggedRun's log) of one student's run at 10 iterations a
    frame (0.1 ms each, frames of `frame_cost`), played and served as the thread's loop serves
    it (waiting only when a round finds nothing to do) until it has built `frames` frames; from
    the turn after its first frame (a joiner's, which ends at that frame: checked here)."""
    clock, log = FakeClock(), []
    scheduler = Scheduler(Settings(slice_seconds=slice_seconds, frame_rate=30), clock=clock)
    run = LoggedRun("student", clock, log, 0.0001, frame_cost, speed=10)
    scheduler.add(run)
    play(scheduler, [run])
    turns, take_turn = [], scheduler._take_turn

    def recorded_turn(owner, group) -> None:
        start = len(log)
        take_turn(owner, group)
        turns.append([entry[:3] for entry in log[start:]])

    scheduler._take_turn = recorded_turn
    while sum(1 for entry in log if entry[0] == "frame") < frames:
        wake_at = scheduler._round()
        if wake_at is not None:
            time.sleep(max(0.0, wake_at - time.perf_counter()))
    first = next(i for i, turn in enumerate(turns) if any(e[0] == "frame" for e in turn))
    assert turns[first][-1] == ("frame", "student", 10), turns
    return turns[first + 1 :]


def test_a_light_group_takes_one_turn_a_frame_tick_its_frame_then_the_next_iterations():
    """A student's light run (1 ms frames, the slice 4 ms): once its first frame is out, each
    turn that builds its frame goes on to train the next frame's 10 iterations, so the thread
    serves it with one turn a frame tick, not one to draw and a second to train."""
    turns = student_turns(frame_cost=0.001, slice_seconds=0.004, frames=6)
    assert turns[0] == [("train", "student", 10)], turns  # the iterations of its second frame
    iteration = 20
    for turn in turns[1:]:
        assert turn == [("frame", "student", iteration), ("train", "student", 10)], turns
        iteration += 10
    assert iteration >= 50


def test_a_group_that_needs_more_than_half_its_share_keeps_frames_and_iterations_apart():
    """The same student's run on a busy thread: its frame (20 ms) and next iterations (1 ms) take
    more than half its share of a frame interval (33 ms, one student), so they stay in turns of
    their own, and a round serves every group once, frame or iterations (the frame rate of a
    full lecture hall then falls evenly for all)."""
    turns = student_turns(frame_cost=0.02, slice_seconds=0.05, frames=4)
    alternating = [
        t for i in (20, 30, 40) for t in ([("train", "student", 10)], [("frame", "student", i)])
    ]
    assert turns == alternating[: len(turns)], turns
    assert len(turns) >= 5


def test_frames_that_do_not_fit_the_slice_wait_for_the_group_s_next_turns():
    """A compare group of four runs whose frames take 10 ms each (the slice is 4 ms; an
    iteration of the four takes 2 ms): the first turn trains and builds one frame (its cost not
    known yet, and time left), then a turn builds one run's frame, not all four, and the group
    trains no further until every run's frame of that iteration is built."""
    clock, log = FakeClock(), []
    scheduler = Scheduler(Settings(slice_seconds=0.004, frame_rate=30), clock=clock)
    runs = [LoggedRun(f"run{i}", clock, log, 0.0005, 0.01, owner="A") for i in range(4)]
    group = Group(runs)
    for run in runs:
        run.group = group
        scheduler.add(run)
    group.playing = True
    turns = []
    for _ in range(6):
        start = len(log)
        scheduler._turn(group, time.perf_counter())
        turns.append(log[start:])
    frames_per_turn = [sum(1 for e in turn if e[0] == "frame") for turn in turns]
    assert frames_per_turn[:4] == [1, 1, 1, 1], turns
    trains = [i for i, turn in enumerate(turns) if any(e[0] == "train" for e in turn)]
    assert trains[:2] == [0, 4]  # no training while frames of iteration 1 are pending
    frames = [e for turn in turns[:4] for e in turn if e[0] == "frame"]
    assert sorted(e[1] for e in frames) == ["run0", "run1", "run2", "run3"]
    assert {e[2] for e in frames} == {1}  # every run's frame at the same iteration


def test_a_first_frame_after_play_is_never_deferred_but_its_detail_may_be():
    """A just-played compare group of slow runs: its first frames are all built in its first
    turn, light where the heavy one would not fit the slice."""
    clock, log = FakeClock(), []
    settings = Settings(slice_seconds=0.004, frame_rate=30, heavy_every=1)  # every frame heavy
    scheduler = Scheduler(settings, clock=clock)
    runs = [LoggedRun(f"run{i}", clock, log, 0.001, 0.01, owner="A") for i in range(4)]
    for run in runs:
        scheduler.add(run)
    play(scheduler, runs)
    for run in runs:
        run.iterations_per_frame = 1
    scheduler._turn(runs[0].group, time.perf_counter())
    frames = [e for e in log if e[0] == "frame"]
    assert [e[1] for e in frames] == ["run0", "run1", "run2", "run3"]
    assert [e[3] for e in frames] == [True, False, False, False]  # the first's cost was unknown
    assert not runs[0].group.fresh and not runs[0].group.pending


def test_a_stopped_runs_last_frame_keeps_its_detail_even_when_it_does_not_fit():
    """A step of a compare group of slow runs: its frames at the step's end are built in one
    turn (the first after a step is never deferred), and each keeps its detail though it does
    not fit the slice: the run has stopped, so no later frame would bring it."""
    clock, log = FakeClock(), []
    settings = Settings(slice_seconds=0.004, frame_rate=30, heavy_every=100)
    scheduler = Scheduler(settings, clock=clock)
    runs = [LoggedRun(f"run{i}", clock, log, 0.001, 0.01, owner="A") for i in range(4)]
    for run in runs:
        scheduler.add(run)
    Player(scheduler, settings, owner=None).step(runs, 1)
    for _ in range(5):
        scheduler._round()
    frames = [e for e in log if e[0] == "frame" and e[2] == 1]
    assert sorted(e[1] for e in frames) == ["run0", "run1", "run2", "run3"]
    assert all(e[3] for e in frames), frames  # every stopped run's last frame heavy


def test_runs_played_at_once_have_their_first_turns_lightest_first():
    """A class presses play at once: the largest networks' first turns (and frames) come after
    the small run's, whatever the order they were played in."""
    clock, log = FakeClock(), []
    scheduler = Scheduler(Settings(slice_seconds=0.004, frame_rate=30), clock=clock)
    runs = [LoggedRun(f"large{i}", clock, log, 0.03, 0.02) for i in range(3)]
    runs.append(LoggedRun("small", clock, log, 0.0001, 0.001, speed=10))
    for run, work in zip(runs, [10**6, 10**6, 10**6, 10**3], strict=True):
        run.work = work
        scheduler.add(run)
        play(scheduler, [run])
    scheduler._round()
    first = [entry[1] for entry in log]
    assert first[0] == "small" and ("frame", "small", 10, True) in log[:4], log
