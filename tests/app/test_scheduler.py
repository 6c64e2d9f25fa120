"""The training thread's pacing of frames: slow frames are spaced out so training keeps most of
the time; fast ones keep the frame rate."""

from __future__ import annotations

import time

import pytest

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
    scheduler._emit(group, now, 1 / 30)
    return group.next_frame_at - now


def test_fast_frames_keep_the_frame_rate():
    assert abs(next_frame_delay(0.0) - 1 / 30) < 1e-3


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
