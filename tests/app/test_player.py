"""The life of a run without a socket: the Player's commands driven directly, with the Scheduler's
rounds on a fake clock where time matters — the session limit, live updates, the heavy-frame
cadence, compare groups, ownership and viewers."""

from __future__ import annotations

import itertools
import time
from types import SimpleNamespace

import numpy as np
import pytest

from app.fanout import Outbox
from app.player import CommandRefusedError, Player
from app.runs import (
    AUTO,
    AUTO_BOOST_SECONDS,
    AUTO_FLOOR_CAP_SECONDS,
    AUTO_FLOOR_ITERATIONS,
    AUTO_FLOOR_SECONDS,
    AUTO_HALF_LIFE_FRAMES,
    Group,
    Run,
)
from app.scheduler import Scheduler
from app.schemas import HyperparameterUpdate, LimitExceededError, RunConfigModel
from app.settings import Settings

SMALL = RunConfigModel.model_validate(
    {"dataset": {"name": "flower", "size": 100}, "layers": [{"units": 4, "activation": "tanh"}]}
)
TINY_FRAMES = {"boundary_resolution": 8, "map_resolution": 4}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeRun:
    """A run on a fake clock: iterations cost `iteration_cost`, frames `frame_cost`; every frame
    it builds is recorded as (iteration, heavy, status)."""

    def __init__(self, name: str, clock: FakeClock | None = None, speed: int | None = 10) -> None:
        self.id, self.clock = name, clock or FakeClock()
        self.iteration_cost = 0.0001
        self.frame_cost = 0.0
        self.status, self.frames_built, self.iterations_per_frame = "paused", 0, speed
        self.trainer = SimpleNamespace(iteration=0)
        self.group = Group([self])
        self.owner = self.notify = None
        self.outbox = Outbox()
        self.owner_view = self.outbox.subscribe()
        self.frames: list[tuple[int, bool, str]] = []
        self.resets = 0

    can_train = True

    def train(self, iterations: int) -> int:
        self.clock.now += iterations * self.iteration_cost
        self.trainer.iteration += iterations
        return iterations

    def build_frame(self, heavy: bool) -> None:
        self.clock.now += self.frame_cost
        self.frames.append((self.trainer.iteration, heavy, self.status))
        self.frames_built += 1

    def reset(self) -> None:
        self.trainer.iteration, self.status, self.frames_built = 0, "paused", 0
        self.resets += 1


def drive(scheduler: Scheduler, until, timeout: float = 5.0) -> None:
    """The training thread's loop, here: commands, then rounds, until `until()` holds."""
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "the scheduler did not get there"
        scheduler._run_commands()
        wake_at = scheduler._round()
        if wake_at is not None:
            time.sleep(max(0.0, min(wake_at - time.perf_counter(), 0.01)))


def test_a_session_holds_at_most_max_runs_per_session():
    settings = Settings(max_runs_per_session=3)
    player = Player(Scheduler(settings), settings, owner="A")
    for i in range(3):
        player.check_room()  # room for the first, second and third
        player.adopt(FakeRun(f"r{i}"), notify=lambda: None)
    with pytest.raises(LimitExceededError) as refused:
        player.check_room()
    assert refused.value.limit == 3 and "at most 3 runs" in str(refused.value)
    assert len(player.runs) == 3
    player.forget([player.runs["r0"]])
    player.check_room()  # one deleted: room again


def test_a_live_update_changes_the_optimizer_as_the_engine_does():
    """The update goes into the trainer whole: the costs after it are the engine's with the same
    change at the same iteration (an oracle), not those of the old optimizer."""
    settings = Settings(**TINY_FRAMES)
    player = Player(Scheduler(settings), settings, owner="A")
    run, oracle, unchanged = Run(SMALL, settings), Run(SMALL, settings), Run(SMALL, settings)
    for r in (run, oracle, unchanged):
        r.train(5)
    update = HyperparameterUpdate(optimizer="adam", learning_rate=0.01)
    assert player.update([run], update) == {"changed": {"optimizer": "adam", "learning_rate": 0.01}}
    oracle.trainer.update(optimizer="adam", learning_rate=0.01)
    unchanged.trainer.update(learning_rate=0.01)
    costs = run.trainer.run(20)
    np.testing.assert_array_equal(costs, oracle.trainer.run(20))
    assert not np.array_equal(costs, unchanged.trainer.run(20))  # gd would have differed
    assert run.trainer.config.optimizer == "adam" and run.config.optimizer == "adam"
    assert run.config.learning_rate == 0.01
    assert run.group.seconds_per_iteration is None  # a new turn size is measured


def test_every_heavy_every_th_frame_is_heavy_and_every_final_frame():
    """heavy_every = 3: the frames that carry the maps and parameters (a detail) are the 1st,
    4th, 7th, … of a run, and any final frame (pause, end of a step); the rest are light."""
    clock = FakeClock()
    settings = Settings(slice_seconds=0.004, frame_rate=120, heavy_every=3)
    scheduler = Scheduler(settings, clock=clock)
    run = FakeRun("r", clock, speed=1)
    scheduler.add(run)
    player = Player(scheduler, settings, owner="A")
    player.play([run])
    drive(scheduler, lambda: len(run.frames) >= 8)
    assert [heavy for _, heavy, _ in run.frames[:8]] == [
        True, False, False, True, False, False, True, False,
    ]  # fmt: skip
    player.pause([run])
    assert run.frames[-1][1:] == (True, "paused")  # the 9th frame: final, so heavy
    player.step([run], 1)
    drive(scheduler, lambda: run.frames[-1][2] == "paused" and len(run.frames) > 9)
    assert run.frames[-1][1] is True  # the 10th, the end of a step: final


def test_a_step_of_n_trains_exactly_n_iterations_and_ends_paused():
    clock = FakeClock()
    settings = Settings(slice_seconds=0.004, frame_rate=120)
    scheduler = Scheduler(settings, clock=clock)
    run = FakeRun("r", clock, speed=7)
    scheduler.add(run)
    player = Player(scheduler, settings, owner="A")
    assert player.step([run], 25) == {"iterations": [0], "n": 25}
    assert run.status == "running" and run.group.fresh
    drive(scheduler, lambda: not run.group.active and not run.group.pending)
    assert run.trainer.iteration == 25
    assert run.frames[-1] == (25, True, "paused")


def test_a_compare_group_plays_pauses_and_resets_together():
    clock = FakeClock()
    settings = Settings(slice_seconds=0.004, frame_rate=120)
    scheduler = Scheduler(settings, clock=clock)
    runs = [FakeRun(f"r{i}", clock, speed=5) for i in range(3)]
    for run in runs:
        scheduler.add(run)
    player = Player(scheduler, settings, owner="A")
    player.play(runs)
    group = runs[0].group
    assert all(run.group is group for run in runs) and group.runs == runs
    drive(scheduler, lambda: runs[0].trainer.iteration >= 20)
    player.pause(runs)
    assert len({run.trainer.iteration for run in runs}) == 1
    assert {run.frames[-1][1:] for run in runs} == {(True, "paused")}
    assert player.reset(runs) == {"iterations": [0, 0, 0]}
    assert all(run.resets == 1 and run.frames[-1][0] == 0 for run in runs)
    assert player.group(runs[:1]) is not group  # commanded alone, a run leaves the group
    assert runs[0] not in group.runs and group.runs == runs[1:]


def test_speed_caps_the_frame_budget_in_progress():
    settings = Settings()
    player = Player(Scheduler(settings), settings, owner="A")
    run = FakeRun("r", speed=100)
    run.group.frame_budget = 80
    assert player.set_speed([run], 10) == {"iterations_per_frame": 10}
    assert run.iterations_per_frame == 10 and run.group.frame_budget == 10
    assert player.set_speed([run], None) == {"iterations_per_frame": "max"}
    assert run.iterations_per_frame is None and run.group.frame_budget == 0


def test_a_client_that_stops_reading_has_only_its_playing_groups_paused():
    settings = Settings()
    player = Player(Scheduler(settings), settings, owner="A")
    playing, stepping, idle = FakeRun("p"), FakeRun("s"), FakeRun("i")
    playing.group.playing = True
    stepping.group.step_remaining = 3
    assert player.pause_for_unread([playing, stepping, idle]) == ["p", "s"]
    assert not playing.group.playing and stepping.group.step_remaining == 0
    assert playing.frames[-1][1:] == (True, "paused") and not idle.frames


def test_only_the_owner_commands_a_run_and_a_viewer_is_told_so():
    settings = Settings()
    scheduler = Scheduler(settings)
    owner, viewer = Player(scheduler, settings, "A"), Player(scheduler, settings, "B")
    run = FakeRun("r")
    owner.adopt(run, notify=lambda: None)
    owner.add(run)
    assert owner.owned(["r", "r"]) == [run]  # each once
    with pytest.raises(CommandRefusedError) as refused:
        viewer.owned(["r"])
    assert refused.value.code == "unknown_run"  # not watched: as if it did not exist
    ended = []
    view = viewer.watching["r"] = viewer_view(viewer, run, ended)
    with pytest.raises(CommandRefusedError) as refused:
        viewer.owned(["r"])
    assert refused.value.code == "not_owner" and "only the session that created it" in str(
        refused.value
    )
    with pytest.raises(CommandRefusedError) as refused:
        viewer.watch(["no-such-run"], lambda: None, lambda *e: None)
    assert refused.value.code == "unknown_run"
    owner.forget([run])
    owner.delete([run])
    assert ended == [("r", "deleted")] and view.closed and scheduler.find("r") is None


def viewer_view(viewer: Player, run: FakeRun, ended: list):
    """Watch `run` as the training thread would (it needs `describe`: a fake run has none)."""
    run.describe = lambda: {"run": run.id}
    ((description, view),) = viewer.watch([run.id], lambda: None, lambda *e: ended.append(e))
    assert description == {"run": run.id}
    return view


def test_viewers_are_told_when_the_owner_leaves_and_a_viewer_leaving_stops_its_views():
    settings = Settings()
    scheduler = Scheduler(settings)
    owner, viewer = Player(scheduler, settings, "A"), Player(scheduler, settings, "B")
    runs = [FakeRun("r0"), FakeRun("r1")]
    for run in runs:
        owner.adopt(run, notify=lambda: None)
        owner.add(run)
    ended = []
    for run in runs:
        viewer.watching[run.id] = viewer_view(viewer, run, ended)
    viewer.unwatch(["r1"])
    assert runs[1].outbox.view_count == 1  # the owner's view only
    owner.free(owner.leave())
    assert ended == [("r0", "owner_left")]  # r1 was no longer watched: not told
    assert scheduler.run_count == 0 and not owner.runs
    assert viewer.leave() == [] and not viewer.watching


# --- the auto speed ---------------------------------------------------------------------------


def _gaps(run: FakeRun) -> list[int]:
    """Iterations between consecutive frames while it played."""
    iterations = [i for i, _heavy, status in run.frames if status == "running"]
    return [b - a for a, b in itertools.pairwise(iterations)]


def test_a_new_run_plays_at_auto_speed():
    run = Run(SMALL, Settings(**TINY_FRAMES))
    assert run.iterations_per_frame == AUTO
    assert run.describe()["iterations_per_frame"] == "auto"


def test_auto_trains_as_many_iterations_as_fit_its_budget_and_the_boost_decays_to_the_floor():
    group = Group([FakeRun("r", speed=AUTO)])
    assert group.iterations_per_frame == 1  # no iteration timed yet
    group.seconds_per_iteration = 25e-6
    assert group.iterations_per_frame == int(AUTO_BOOST_SECONDS / 25e-6)
    for _ in range(AUTO_HALF_LIFE_FRAMES):
        group.spend_auto_frame()
    half = AUTO_FLOOR_SECONDS + (AUTO_BOOST_SECONDS - AUTO_FLOOR_SECONDS) / 2
    assert group.auto_budget == pytest.approx(half)
    for _ in range(40 * AUTO_HALF_LIFE_FRAMES):
        group.spend_auto_frame()
    assert group.auto_budget == pytest.approx(AUTO_FLOOR_SECONDS)
    assert int(group.auto_budget / 25e-6) < AUTO_FLOOR_ITERATIONS
    assert group.iterations_per_frame == AUTO_FLOOR_ITERATIONS  # the old default speed, at least
    group.recent_seconds_per_iteration = 5 * AUTO_FLOOR_CAP_SECONDS / AUTO_FLOOR_ITERATIONS
    assert group.iterations_per_frame == AUTO_FLOOR_ITERATIONS // 5  # as many as fit the cap
    group.recent_seconds_per_iteration = 3 * AUTO_FLOOR_CAP_SECONDS  # a large network
    assert group.iterations_per_frame == 1
    group.recent_seconds_per_iteration = 4 * 25e-6  # an iteration of four runs
    group.runs += [FakeRun(f"r{i}", speed=AUTO) for i in range(3)]  # a compare group of four
    assert group.iterations_per_frame == 3  # one run's floor, shared: ⌈10 / 4⌉ each
    del group.runs[1:]
    group.recent_seconds_per_iteration = 25e-6
    group.seconds_per_frame[False] = 200e-6  # a lecture hall: 0.31 ms a frame for each owner
    group.frame_share = 310e-6
    assert group.iterations_per_frame == 4  # what the frame leaves: 110 µs of 25 µs each
    group.frame_share = 150e-6  # the frames alone overfill it: one iteration
    assert group.iterations_per_frame == 1
    group.frame_share = float("inf")
    group.recent_seconds_per_iteration = None
    group.boost()
    assert group.auto_budget == AUTO_BOOST_SECONDS
    group.runs.append(FakeRun("fixed", speed=3))  # a fixed speed in the group caps it
    assert group.iterations_per_frame == 3


def _play_auto(
    groups_of_owners: list[int], frames: int = 6, frame_cost: float = 0.0
) -> list[list[FakeRun]]:
    """Each owner plays one group of that many auto runs (iterations cost 25 µs on a fake
    clock, a frame `frame_cost`) until every run has `frames` gaps between frames."""
    clock = FakeClock()
    settings = Settings(slice_seconds=0.05, frame_rate=30)
    scheduler = Scheduler(settings, clock=clock)
    groups = []
    for owner, size in enumerate(groups_of_owners):
        runs = [FakeRun(f"{owner}.{i}", clock, speed=AUTO) for i in range(size)]
        for run in runs:
            run.iteration_cost, run.frame_cost, run.owner = 25e-6, frame_cost, owner
            scheduler.add(run)
        Player(scheduler, settings, owner=owner).play(runs)
        groups.append(runs)
    drive(scheduler, lambda: all(len(_gaps(runs[0])) >= frames for runs in groups))
    return groups


def test_auto_frames_follow_the_budget_and_a_compare_group_shares_one():
    alone, four = _play_auto([1, 4])
    boosted = AUTO_BOOST_SECONDS / 25e-6  # 320 iterations a frame at first
    assert 0.8 * boosted <= max(_gaps(alone[0])) <= boosted
    # One budget for the group: each of the four runs trains a quarter as many iterations.
    assert 0.8 * boosted / 4 <= max(_gaps(four[0])) <= boosted / 4 + 1
    assert _gaps(four[0]) == _gaps(four[3])  # in lockstep


def test_with_many_owners_playing_auto_trains_what_their_share_leaves_after_their_frames():
    groups = _play_auto([1] * 10, frames=3, frame_cost=0.001)
    room = 1 / 30 / 10 - 0.001  # a tenth of a frame interval each, less its 1 ms frame
    assert room < AUTO_BOOST_SECONDS
    for (run,) in groups:
        assert 0.8 * room / 25e-6 <= max(_gaps(run)[1:]) <= room / 25e-6 + 1  # frames timed


def test_reset_update_and_choosing_auto_boost_it_again():
    settings = Settings(**TINY_FRAMES)
    player = Player(Scheduler(settings), settings, owner="A")
    run = Run(SMALL, settings)
    group = run.group
    group.auto_budget = AUTO_FLOOR_SECONDS
    player.reset([run])
    assert group.auto_budget == AUTO_BOOST_SECONDS
    group.auto_budget = AUTO_FLOOR_SECONDS
    player.update([run], HyperparameterUpdate(learning_rate=0.5))
    assert group.auto_budget == AUTO_BOOST_SECONDS
    assert player.set_speed([run], 10) == {"iterations_per_frame": 10}
    group.auto_budget = AUTO_FLOOR_SECONDS
    assert player.set_speed([run], AUTO) == {"iterations_per_frame": "auto"}
    assert group.auto_budget == AUTO_BOOST_SECONDS
