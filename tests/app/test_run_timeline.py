"""A run's timeline in the app: its memory stays under `max_snapshot_bytes` all the way to
`max_run_iterations`, and what it reproduces there is exact."""

from __future__ import annotations

import numpy as np

from app.runconfig import HyperparameterUpdate, RunConfigModel, make_trainer
from app.runs import Run
from app.settings import Settings

CONFIG = RunConfigModel.model_validate(
    {"dataset": {"name": "flower", "size": 120}, "layers": [{"units": 3}], "batch_size": 30}
)


def test_snapshots_stay_under_the_cap_until_the_run_finishes_at_max_run_iterations():
    settings = Settings(max_run_iterations=20_000, max_snapshot_bytes=16_384)
    run = Run(CONFIG, settings)
    while run.can_train:
        run.train(997)  # as the scheduler does: many iterations a turn
        assert run.timeline.nbytes <= settings.max_snapshot_bytes
    assert run.status == "finished" and run.trainer.iteration == settings.max_run_iterations
    summary = run.timeline_summary()
    assert summary["end"] == 20_000 and summary["snapshots"] >= 2
    for iteration in (20_000, 19_999, 12_345, 1):
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
