"""The training thread's pacing of frames: slow frames are spaced out so training keeps most of
the time; fast ones keep the frame rate."""

from __future__ import annotations

import time

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
