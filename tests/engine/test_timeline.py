"""The timeline: snapshots within a byte cap (every iteration first, then a doubling stride), and
any past iteration reproduced bit for bit, checked against a fresh run trained straight there."""

import numpy as np
import pytest

from engine import Network, Timeline, TrainConfig, Trainer, make_dataset

CONFIG = TrainConfig(learning_rate=0.3, optimizer="momentum", batch_size=32)


def make_trainer(config: TrainConfig = CONFIG) -> Trainer:
    data = make_dataset("flower", n_samples=200, seed=3)
    net = Network([2, 5, 1], ["tanh", "sigmoid"], init="random", seed=4)
    return Trainer(net, data.X_train, data.Y_train, config, seed=5)


def train_recorded(trainer: Trainer, timeline: Timeline, iterations: int) -> None:
    """Train as app/runs.py does: in pieces ending where a snapshot is due."""
    goal = trainer.iteration + iterations
    while trainer.iteration < goal:
        due = timeline.next_due(trainer.iteration)
        trainer.run(min(goal, due) - trainer.iteration)
        timeline.record(trainer)


def state_of(trainer: Trainer) -> tuple:
    meta, arrays = trainer.export_state()
    return trainer.net.flat_parameters(), meta["batches"], arrays.get("network.optimizer_v")


def assert_same_state(a: Trainer, b: Trainer) -> None:
    assert a.iteration == b.iteration
    (theta_a, batches_a, v_a), (theta_b, batches_b, v_b) = state_of(a), state_of(b)
    np.testing.assert_array_equal(theta_a, theta_b)  # bit for bit, not close
    np.testing.assert_array_equal(v_a, v_b)
    assert batches_a == batches_b


def test_every_iteration_is_kept_until_the_cap_then_the_stride_doubles():
    trainer = make_trainer(TrainConfig(learning_rate=0.3))  # full batch: snapshots of one size
    one = Timeline(10**9)
    one.record(trainer)
    size = one.nbytes
    timeline = Timeline(max_bytes=10 * size)
    timeline.record(trainer)
    train_recorded(trainer, timeline, 9)
    assert list(timeline.snapshots) == list(range(10)) and timeline.stride == 1
    train_recorded(trainer, timeline, 1)  # the 11th goes over the cap: every other one stays
    assert timeline.stride == 2 and list(timeline.snapshots) == [0, 2, 4, 6, 8, 10]
    train_recorded(trainer, timeline, 200)
    assert timeline.nbytes <= timeline.max_bytes
    kept = list(timeline.snapshots)
    assert kept[0] == 0 and all(i % timeline.stride == 0 for i in kept)
    assert np.all(np.diff(kept) == timeline.stride)  # evenly spaced: no gap is wider


def test_a_first_stride_spaces_the_snapshots_from_the_start_and_every_iteration_stays_exact():
    trainer = make_trainer()
    timeline = Timeline(max_bytes=10**9, first_stride=16)
    timeline.record(trainer)
    train_recorded(trainer, timeline, 100)
    assert list(timeline.snapshots) == list(range(0, 100, 16)) and timeline.stride == 16
    for iteration in (0, 1, 15, 16, 47, 100):
        straight = make_trainer()
        straight.run(iteration)
        assert_same_state(timeline.reproduce(iteration, make_trainer), straight)
    timeline.restart(trainer)  # new data: the first stride again
    train_recorded(trainer, timeline, 40)
    assert list(timeline.snapshots) == [100, 112, 128] and timeline.stride == 16


@pytest.mark.parametrize("first_stride", [0, 3, 12, -4, 2.0, True])
def test_the_first_stride_must_be_a_power_of_two(first_stride):
    with pytest.raises(ValueError, match="first_stride"):
        Timeline(max_bytes=1000, first_stride=first_stride)


def test_the_cap_holds_over_a_long_run_and_iteration_zero_stays():
    trainer = make_trainer(TrainConfig(learning_rate=0.3))  # full batch: no permutation kept
    timeline = Timeline(max_bytes=20_000)
    timeline.record(trainer)
    for _ in range(60):
        train_recorded(trainer, timeline, 50)
        assert timeline.nbytes <= 20_000
    assert 0 in timeline.snapshots and timeline.end == 3000
    assert timeline.nbytes == sum(s.nbytes for s in timeline.snapshots.values())


@pytest.mark.parametrize("iteration", [0, 1, 37, 128, 129, 511, 600])
def test_any_past_iteration_is_reproduced_bit_for_bit(iteration):
    trainer = make_trainer()
    timeline = Timeline(max_bytes=30_000)  # thinned: a stride of several iterations
    timeline.record(trainer)
    train_recorded(trainer, timeline, 600)
    assert timeline.stride > 1
    past = timeline.reproduce(iteration, make_trainer)
    straight = make_trainer()
    straight.run(iteration)
    assert_same_state(past, straight)
    # …and it goes on as the run did: the next iterations' costs are the same too.
    np.testing.assert_array_equal(past.run(7), straight.run(7))


def test_hyperparameter_changes_on_the_way_are_replayed():
    trainer = make_trainer()
    timeline = Timeline(max_bytes=12_000)
    timeline.record(trainer)
    train_recorded(trainer, timeline, 300)
    trainer.update(learning_rate=0.05, batch_size=50)
    timeline.changed(trainer)
    train_recorded(trainer, timeline, 301)
    trainer.update(optimizer="adam", learning_rate=0.01)
    timeline.changed(trainer)
    train_recorded(trainer, timeline, 200)
    for iteration in (299, 300, 301, 450, 601, 602, 777, 801):
        past = timeline.reproduce(iteration, make_trainer)
        straight = make_trainer()
        straight.run(min(iteration, 300))
        if iteration >= 300:
            straight.update(learning_rate=0.05, batch_size=50)
            straight.run(min(iteration, 601) - 300)
        if iteration >= 601:
            straight.update(optimizer="adam", learning_rate=0.01)
            straight.run(iteration - 601)
        assert_same_state(past, straight)


def test_restart_cuts_the_past_and_outside_it_is_refused():
    trainer = make_trainer()
    timeline = Timeline(max_bytes=50_000)
    timeline.record(trainer)
    train_recorded(trainer, timeline, 40)
    timeline.restart(trainer)  # new data: what came before trained on other points
    train_recorded(trainer, timeline, 10)
    assert (timeline.start, timeline.end) == (40, 50) and next(iter(timeline.snapshots)) == 40
    with pytest.raises(ValueError, match="not in this run's past"):
        timeline.reproduce(39, make_trainer)
    with pytest.raises(ValueError, match="not in this run's past"):
        timeline.reproduce(51, make_trainer)
