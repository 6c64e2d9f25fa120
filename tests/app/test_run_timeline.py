"""A run's timeline in the app: its memory stays under `max_snapshot_bytes` all the way to
`max_run_iterations`, and what it reproduces there is exact."""

from __future__ import annotations

import numpy as np

from app.frames import decode
from app.player import REPLAY_SECONDS, Player
from app.runconfig import HyperparameterUpdate, RunConfigModel, make_trainer
from app.runs import Run
from app.settings import Settings

CONFIG = RunConfigModel.model_validate(
    {"dataset": {"name": "flower", "size": 120}, "layers": [{"units": 3}], "batch_size": 30}
)


def test_snapshots_stay_under_the_cap_until_the_run_finishes_at_max_run_iterations():
    settings = Settings(max_run_iterations=10_000, max_snapshot_bytes=16_384)
    run = Run(CONFIG, settings)
    while run.can_train:
        run.train(997)  # as the scheduler does: many iterations a turn
        assert run.timeline.nbytes <= settings.max_snapshot_bytes
    assert run.status == "finished" and run.trainer.iteration == settings.max_run_iterations
    summary = run.timeline_summary()
    assert summary["end"] == 10_000 and summary["snapshots"] >= 2
    for iteration in (10_000, 9_999, 6_789, 1):
        past = run.reproduce(iteration)
        straight = make_trainer(CONFIG, run.dataset)
        straight.run(iteration)
        np.testing.assert_array_equal(past.net.flat_parameters(), straight.net.flat_parameters())


def test_at_the_default_settings_a_run_s_timeline_holds_its_cap_to_max_run_iterations():
    """The default run's real snapshots, recorded at every iteration up to the default
    max_run_iterations (the trainer's counter moved on without training: only the memory is
    looked at here), never hold more than the default max_snapshot_bytes."""
    settings = Settings()
    run = Run(RunConfigModel(), settings)
    timeline, trainer = run.timeline, run.trainer
    trainer.run(3)  # a real gradient and optimizer state in the snapshots
    peak = 0
    iteration = 0
    while iteration < settings.max_run_iterations:
        iteration = min(timeline.next_due(iteration), settings.max_run_iterations)
        trainer.iteration = iteration
        timeline.record(trainer)
        peak = max(peak, timeline.nbytes)
    assert peak <= settings.max_snapshot_bytes
    assert timeline.end == settings.max_run_iterations
    # Evenly spaced from iteration 0: a seek replays at most stride - 1 iterations.
    kept = list(timeline.snapshots)
    assert kept[0] == 0 and np.all(np.diff(kept) == timeline.stride)
    assert timeline.stride <= settings.max_step_iterations  # every seek is within a step's work


def test_new_points_cut_the_past_and_a_change_of_hyperparameters_keeps_it():
    run = Run(CONFIG, Settings(max_snapshot_bytes=16_384))
    run.train(50)
    run.update(HyperparameterUpdate(learning_rate=0.02))
    run.train(50)
    assert (run.timeline.start, run.timeline.end) == (0, 100)
    run.replace_data(run.config, run.data)  # as new drawn points do
    assert run.timeline.start == 100


def test_a_seek_too_far_from_a_snapshot_to_replay_in_a_step_s_work_shows_the_snapshot():
    settings = Settings(max_snapshot_bytes=16_384, max_step_iterations=20)
    run = Run(CONFIG, settings)
    run.train(600)
    stride = run.timeline.stride
    assert stride > 40  # snapshots far apart: some iterations are more than 20 past one
    player = Player(scheduler=None, settings=settings, owner=None)
    [near] = player.seek([run], 2 * stride + 10, "a")
    [far] = player.seek([run], 2 * stride + 30, "b")
    near_header, _ = decode(near)
    far_header, far_arrays = decode(far)
    assert (near_header["iteration"], near_header["asked"]) == (2 * stride + 10,) * 2
    assert (far_header["iteration"], far_header["asked"]) == (2 * stride, 2 * stride + 30)
    straight = make_trainer(CONFIG, run.dataset)
    straight.run(2 * stride)
    W1 = straight.net.weights[0]
    np.testing.assert_array_equal(
        far_arrays["parameters"][: W1.size], W1.ravel().astype(np.float32)
    )


def test_a_seek_replays_no_longer_than_replay_seconds_at_the_run_s_measured_speed():
    settings = Settings(max_snapshot_bytes=16_384)
    run = Run(CONFIG, settings)
    run.train(600)
    stride = run.timeline.stride
    run.group.seconds_per_iteration = REPLAY_SECONDS / 10  # a slow network: 10 iterations fit
    player = Player(scheduler=None, settings=settings, owner=None)
    assert player.reachable(run, 2 * stride + 10) == 2 * stride + 10
    assert player.reachable(run, 2 * stride + 11) == 2 * stride
