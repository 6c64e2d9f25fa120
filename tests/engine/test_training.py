"""Training runs and the course's lessons: symmetry, linearity, the flower, reproducibility,
mini-batches, divergence, live hyperparameters, and forking a run."""

import copy
import io
import json

import numpy as np
import pytest

from engine import (
    DivergedError,
    MiniBatches,
    Network,
    NetworkConfig,
    TrainConfig,
    Trainer,
    make_dataset,
)


@pytest.fixture(scope="module")
def flower():
    return make_dataset("flower", seed=1, train_fraction=1.0)


@pytest.fixture(scope="module")
def xor():
    return make_dataset("xor", n_samples=400, seed=2, train_fraction=1.0)


# --- symmetry ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gaussians():
    return make_dataset("gaussians", seed=0, train_fraction=1.0)


def _assert_units_identical(W, b):
    """Rows of W[l] and b[l] equal up to BLAS roundoff (differences ≪ 1e-12 of their size)."""
    P = np.hstack([W, b])
    assert np.abs(P - P[0]).max() <= 1e-12 * max(np.abs(P).max(), 1e-3)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_zero_init_keeps_hidden_units_identical(gaussians, hidden):
    net = Network([2, 4, 3, 1], [hidden, hidden, "sigmoid"], init="zeros")
    net.fit(gaussians.X_train, gaussians.Y_train, learning_rate=0.5, iterations=300)
    params = net.parameters
    for l in (1, 2):
        _assert_units_identical(params[f"W{l}"], params[f"b{l}"])
    assert max(net.symmetry()) < 1e-9


def test_zero_init_sigmoid_units_move_but_stay_identical(gaussians):
    """Not merely frozen: the sigmoid units learn, all the same thing. (Unbalanced classes, so
    the very first gradient is not zero: with balanced ones zero init sits on a saddle that
    only roundoff noise escapes from.)"""
    keep = (gaussians.Y_train[0] == 1) | (np.arange(gaussians.m_train) % 3 == 0)
    X, Y = gaussians.X_train[:, keep], gaussians.Y_train[:, keep]
    net = Network([2, 4, 1], ["sigmoid", "sigmoid"], init="zeros")
    net.fit(X, Y, learning_rate=0.5, iterations=300)
    params = net.parameters
    assert np.abs(params["W1"]).max() > 0.1
    _assert_units_identical(params["W1"], params["b1"])


def test_random_init_breaks_symmetry(flower):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="random", init_scale=0.01, seed=3)
    net.fit(flower.X_train, flower.Y_train, learning_rate=1.2, iterations=300)
    assert net.symmetry()[0] > 0.3
    W1 = net.parameters["W1"]
    assert np.linalg.matrix_rank(W1) == 2


# --- linearity -----------------------------------------------------------------------------------


def test_linear_hidden_layers_give_a_linear_boundary(xor):
    net = Network([2, 8, 8, 1], ["linear", "linear", "sigmoid"], init="xavier", seed=0)
    net.fit(xor.X_train, xor.Y_train, learning_rate=0.1, iterations=2000)
    # The logit log(p / (1 - p)) is then an affine function of x: zero second differences.
    x = np.linspace(-4, 4, 9)
    X1, X2 = np.meshgrid(x, x)
    p = net.forward(np.stack([X1.ravel(), X2.ravel()])).reshape(9, 9)
    logit = np.log(p) - np.log1p(-p)
    assert np.abs(np.diff(logit, 2, axis=0)).max() < 1e-9
    assert np.abs(np.diff(logit, 2, axis=1)).max() < 1e-9
    assert net.accuracy(xor.X_train, xor.Y_train) < 0.65  # XOR stays near chance


def test_one_nonlinearity_solves_xor(xor):
    net = Network([2, 8, 8, 1], ["linear", "tanh", "sigmoid"], init="xavier", seed=0)
    net.fit(xor.X_train, xor.Y_train, learning_rate=0.1, iterations=2000)
    assert net.accuracy(xor.X_train, xor.Y_train) > 0.9


# --- the flower, as the course reports -----------------------------------------------------------


def test_logistic_regression_cannot_separate_the_flower(flower):
    net = Network([2, 1], ["sigmoid"], init="zeros")
    history = net.fit(flower.X_train, flower.Y_train, learning_rate=1.2, iterations=10_000)
    assert history.status == "finished"
    assert 0.40 <= net.accuracy(flower.X_train, flower.Y_train) <= 0.55  # course: 47%


def test_one_hidden_layer_of_four_tanh_units_learns_the_flower(flower):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="random", init_scale=0.01, seed=3)
    history = net.fit(flower.X_train, flower.Y_train, learning_rate=1.2, iterations=10_000)
    assert history.costs[0] == pytest.approx(np.log(2), abs=1e-3)  # course: 0.693048
    assert history.costs[-1] < 0.25  # course: 0.218607 at 9000
    assert net.accuracy(flower.X_train, flower.Y_train) >= 0.88  # course: 90%


# --- reproducibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_same_seed_gives_bit_identical_parameters(flower, optimizer):
    def train(seed):
        net = Network([2, 5, 3, 1], ["relu", "tanh", "sigmoid"], init="he", seed=seed)
        net.fit(
            flower.X_train,
            flower.Y_train,
            learning_rate=0.01,
            iterations=200,
            batch_size=32,
            optimizer=optimizer,
        )
        return net.parameters

    a, b, c = train(7), train(7), train(8)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])


# --- mini-batches --------------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "batch_size"), [(100, 10), (103, 10), (64, 64), (50, 7)])
def test_mini_batches_cover_every_example_once_per_epoch(m, batch_size):
    X = np.arange(m, dtype=float).reshape(1, m)
    batches = MiniBatches(X, X.copy(), batch_size, np.random.default_rng(0))
    for epoch in range(1, 4):
        seen = []
        while batches.epoch < epoch:
            X_batch, Y_batch = batches.next()
            np.testing.assert_array_equal(X_batch, Y_batch)  # X and Y shuffled together
            assert X_batch.shape[1] <= batch_size
            seen.extend(X_batch[0].astype(int).tolist())
        assert sorted(seen) == list(range(m))
        if batch_size < m:
            assert seen != list(range(m))  # shuffled
    expected_batches = -(-m // batch_size)
    assert len(seen) == m and expected_batches >= 1


def test_each_epoch_is_reshuffled():
    X = np.arange(20, dtype=float).reshape(1, 20)
    batches = MiniBatches(X, X, 5, np.random.default_rng(1))
    orders = []
    for _ in range(2):
        order = []
        for _ in range(4):
            order.extend(batches.next()[0][0].tolist())
        orders.append(order)
    assert orders[0] != orders[1]


def test_changing_batch_size_mid_epoch_still_covers_every_example_once():
    X = np.arange(30, dtype=float).reshape(1, 30)
    batches = MiniBatches(X, X, 4, np.random.default_rng(2))
    seen = batches.next()[0][0].tolist()
    batches.batch_size = 7
    while batches.epoch < 1:
        seen.extend(batches.next()[0][0].tolist())
    assert sorted(seen) == list(range(30))


def test_mini_batch_iterations_and_epochs_are_counted(flower):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    history = net.fit(
        flower.X_train, flower.Y_train, learning_rate=0.1, iterations=100, batch_size=64
    )
    assert history.iterations == 100
    assert history.epochs == 100 // 7  # 400 examples: 7 batches an epoch (6 × 64 + 16)


# --- divergence ----------------------------------------------------------------------------------


def test_huge_learning_rate_is_reported_as_diverged():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 100)) * 10
    Y = X[0:1] * 3 - X[1:2]
    net = Network([2, 8, 1], ["relu", "linear"], init="he", seed=0)
    history = net.fit(X, Y, learning_rate=10.0, iterations=1000)
    assert history.status == "diverged"
    assert history.diverged_at is not None and 1 < history.diverged_at <= 1000
    assert len(history.costs) == history.diverged_at - 1
    assert np.isfinite(history.costs).all()
    assert "diverged at iteration" in history.message
    assert all(np.isfinite(p).all() for p in net.parameters.values())  # last finite state kept
    assert not np.isnan(net.predict_proba_grid((-1, 1, -1, 1), 5)).any()


def test_step_raises_diverged_error_and_keeps_parameters():
    net = Network([1, 1], ["linear"])
    X = np.array([[1e200, -1e200]])
    Y = np.zeros((1, 2))
    net.set_parameters({"W1": np.array([[1e150]]), "b1": np.zeros((1, 1))})
    before = net.parameters
    with pytest.raises(DivergedError) as error:
        net.step(X, Y, learning_rate=1.0)
    assert error.value.iteration == 1
    assert np.array_equal(net.parameters["W1"], before["W1"])


def test_a_diverged_trainer_runs_no_further():
    net = Network([1, 1], ["linear"], init="zeros")
    X = np.array([[1.0, 2.0, 3.0]])
    trainer = Trainer(net, X, 2 * X, TrainConfig(learning_rate=100.0))
    costs = trainer.run(500)
    assert trainer.status == "diverged" and len(costs) < 500
    assert len(trainer.run(10)) == 0
    assert trainer.iteration == len(costs)


# --- live hyperparameters ------------------------------------------------------------------------


def test_learning_rate_changes_live_without_reset(flower):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    trainer = Trainer(net, flower.X_train, flower.Y_train, TrainConfig(learning_rate=1.2))
    trainer.run(50)
    reference = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    reference.set_parameters(net.parameters)
    trainer.update(learning_rate=0.3, l2=0.1)
    trainer.run(1)
    reference.step(flower.X_train, flower.Y_train, learning_rate=0.3, l2=0.1)
    assert trainer.iteration == 51
    for key, value in reference.parameters.items():
        np.testing.assert_array_equal(net.parameters[key], value)


def test_switching_optimizer_and_batch_size_live_keeps_the_network(flower):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    trainer = Trainer(net, flower.X_train, flower.Y_train, TrainConfig(learning_rate=1.2))
    costs = trainer.run(200)
    trainer.update(optimizer="adam", learning_rate=0.01, batch_size=50)
    more = trainer.run(200)
    assert trainer.iteration == 400
    assert more[0] < costs[0]  # carried on from the trained network, not a fresh one
    with pytest.raises(ValueError, match="unknown optimizer"):
        trainer.update(optimizer="rmsprop")


def test_trainer_evaluates_train_and_test_sets():
    data = make_dataset("moons", seed=0, train_fraction=0.7)
    net = Network([2, 8, 1], ["tanh", "sigmoid"], init="xavier", seed=0)
    trainer = Trainer(
        net,
        data.X_train,
        data.Y_train,
        TrainConfig(learning_rate=0.5),
        X_test=data.X_test,
        Y_test=data.Y_test,
    )
    trainer.run(500)
    scores = trainer.evaluate()
    assert scores["train_accuracy"] > 0.85 and scores["test_accuracy"] > 0.8
    assert scores["test_cost"] == pytest.approx(net.cost(data.X_test, data.Y_test))


# --- replacing the data --------------------------------------------------------------------------


def _params_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


@pytest.fixture(scope="module")
def moons():
    return make_dataset("moons", n_samples=100, seed=4, train_fraction=0.7)


def test_replace_data_keeps_parameters_and_iteration_count(flower, moons):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    trainer = Trainer(net, flower.X_train, flower.Y_train, TrainConfig(learning_rate=1.2))
    trainer.run(30)
    before = net.parameters
    trainer.replace_data(moons.X_train, moons.Y_train, moons.X_test, moons.Y_test)
    _params_equal(net.parameters, before)
    assert trainer.iteration == 30 and trainer.epoch == 30
    assert trainer.net is net and trainer.status == "running"
    assert trainer.X.shape == (2, 70) and trainer.Y.shape == (1, 70)
    trainer.run(5)
    assert trainer.iteration == 35 and trainer.epoch == 35


@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_run_after_replace_data_trains_on_the_new_data(flower, moons, optimizer):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    config = TrainConfig(learning_rate=0.5, optimizer=optimizer)
    trainer = Trainer(net, flower.X_train, flower.Y_train, config)
    trainer.run(20)
    reference = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    reference.fit(
        flower.X_train, flower.Y_train, learning_rate=0.5, iterations=20, optimizer=optimizer
    )
    _params_equal(net.parameters, reference.parameters)

    trainer.replace_data(moons.X_train, moons.Y_train)
    new_cost = net.cost(moons.X_train, moons.Y_train)
    assert new_cost != pytest.approx(net.cost(flower.X_train, flower.Y_train))
    costs = trainer.run(3)
    # run reports each iteration's cost before its update: the first is J on the new data.
    assert costs[0] == pytest.approx(new_cost, rel=1e-12)
    # And the updates are the reference's on the new data (the optimizer state carries on).
    expected = [reference.step(moons.X_train, moons.Y_train, 0.5, optimizer) for _ in range(3)]
    np.testing.assert_allclose(costs, expected, rtol=1e-12)
    _params_equal(net.parameters, reference.parameters)


def test_evaluate_after_replace_data_uses_the_new_sets(flower, moons):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    trainer = Trainer(net, flower.X_train, flower.Y_train, TrainConfig(learning_rate=1.2))
    trainer.run(10)
    assert trainer.evaluate()["test_cost"] is None

    trainer.replace_data(moons.X_train, moons.Y_train, moons.X_test, moons.Y_test)
    scores = trainer.evaluate()
    assert scores["train_cost"] == pytest.approx(net.cost(moons.X_train, moons.Y_train))
    assert scores["train_accuracy"] == net.accuracy(moons.X_train, moons.Y_train)
    assert scores["test_cost"] == pytest.approx(net.cost(moons.X_test, moons.Y_test))
    assert scores["test_accuracy"] == net.accuracy(moons.X_test, moons.Y_test)
    assert scores["test_cost"] != pytest.approx(scores["train_cost"])


@pytest.mark.parametrize(
    "test_set",
    [(None, None), (np.zeros((2, 0)), np.zeros((1, 0))), (None, np.zeros((1, 3)))],
    ids=["none", "empty", "x_missing"],
)
def test_replace_data_without_a_test_set_drops_the_old_one(moons, test_set):
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=1)
    trainer = Trainer(net, moons.X_train, moons.Y_train, X_test=moons.X_test, Y_test=moons.Y_test)
    assert trainer.evaluate()["test_accuracy"] is not None
    trainer.replace_data(moons.X_test, moons.Y_test, *test_set)
    scores = trainer.evaluate()
    assert scores["test_cost"] is None and scores["test_accuracy"] is None
    assert scores["train_cost"] == pytest.approx(net.cost(moons.X_test, moons.Y_test))


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        ((np.zeros((3, 5)), np.zeros((1, 5))), r"X has 3 rows but layer_dims\[0\] = n_x = 2"),
        ((np.zeros((5, 2)), np.zeros((1, 5))), "transposed"),
        ((np.zeros((2, 0)), np.zeros((1, 0))), r"X has no examples \(m = 0\)"),
        ((np.zeros((2, 5)), np.zeros((1, 4))), "Y has 4 examples"),
        ((np.zeros((2, 5)), np.zeros((2, 5))), "Y has 2 rows but the output layer has n_L = 1"),
        ((np.zeros((2, 5)), np.full((1, 5), 2.0)), r"Y must hold labels in \[0, 1\]"),
        (
            (np.zeros((2, 5)), np.zeros((1, 5)), np.zeros((3, 2)), np.zeros((1, 2))),
            "X_test has 3 rows",
        ),
        (
            (np.zeros((2, 5)), np.zeros((1, 5)), np.zeros((2, 2)), np.zeros((1, 3))),
            "Y_test has 3 examples",
        ),
    ],
)
def test_replace_data_rejects_data_that_does_not_fit_and_keeps_the_old(moons, args, pattern):
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=1)
    trainer = Trainer(net, moons.X_train, moons.Y_train, X_test=moons.X_test, Y_test=moons.Y_test)
    trainer.run(2)
    before = trainer.evaluate()
    with pytest.raises(ValueError, match=pattern):
        trainer.replace_data(*args)
    assert trainer.X.shape == (2, 70) and trainer.X_test.shape == (2, 30)
    assert trainer.evaluate() == before
    assert trainer.iteration == 2 and len(trainer.run(1)) == 1


def test_mini_batches_after_replace_data_cover_the_new_examples_and_epochs_go_on(flower, moons):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    config = TrainConfig(learning_rate=0.3, batch_size=64)
    trainer = Trainer(net, flower.X_train, flower.Y_train, config, seed=5)
    trainer.run(10)  # 400 examples, 7 batches an epoch: one epoch and 3 batches done
    assert trainer.epoch == 1 and trainer.iteration == 10

    rng_copy = copy.deepcopy(trainer.batches.rng)
    reference = Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    reference.set_parameters(net.parameters)
    trainer.replace_data(moons.X_train, moons.Y_train)  # m = 70: batches of 64 and 6
    assert trainer.epoch == 1 and trainer.batches.m == 70

    costs = trainer.run(5)
    assert trainer.iteration == 15
    assert trainer.epoch == 1 + 2  # the partial old epoch is dropped, two new ones done
    # The batches are drawn from the new examples, with the trainer's generator going on.
    batches = MiniBatches(moons.X_train, moons.Y_train, 64, rng_copy)
    sizes, expected = [], []
    for _ in range(5):
        X_batch, Y_batch = batches.next()
        sizes.append(X_batch.shape[1])
        expected.append(reference.step(X_batch, Y_batch, learning_rate=0.3))
    assert sizes == [64, 6, 64, 6, 64]
    np.testing.assert_allclose(costs, expected, rtol=1e-12)
    _params_equal(net.parameters, reference.parameters)


def test_replace_data_with_a_smaller_set_than_the_batch_size_trains_full_batch(flower):
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    trainer = Trainer(net, flower.X_train, flower.Y_train, TrainConfig(batch_size=32))
    trainer.run(13)  # 13 batches of 32 (12 × 32 + 16 an epoch): one epoch done
    assert trainer.epoch == 1
    X, Y = flower.X_train[:, :10], flower.Y_train[:, :10]
    trainer.replace_data(X, Y)
    before = net.cost(X, Y)
    costs = trainer.run(4)
    assert costs[0] == pytest.approx(before, rel=1e-12)
    assert trainer.epoch == 1 + 4 and trainer.iteration == 17


# --- training as a function ---------------------------------------------------------------------


def test_train_is_what_network_fit_runs(flower):
    from engine.training import train

    X, Y = flower.X_train, flower.Y_train
    a = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    b = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    config = TrainConfig(learning_rate=0.9, optimizer="momentum", batch_size=64, l2=0.01)
    history_a = a.fit(
        X,
        Y,
        learning_rate=0.9,
        iterations=120,
        batch_size=64,
        optimizer="momentum",
        l2=0.01,
        seed=7,
    )
    history_b = train(b, X, Y, config, 120, seed=7)
    np.testing.assert_array_equal(history_a.costs, history_b.costs)
    assert (history_a.epochs, history_a.status) == (history_b.epochs, history_b.status)
    np.testing.assert_array_equal(a.flat_parameters(), b.flat_parameters())


# --- one forward pass per frame ------------------------------------------------------------------


def _count_training_passes(monkeypatch):
    """m of every forward pass a network runs for training or scoring."""
    import engine.network

    calls = []
    real = engine.network.augmented_forward

    def counting(X_aug, *args):
        calls.append(X_aug.shape[1])
        return real(X_aug, *args)

    monkeypatch.setattr(engine.network, "augmented_forward", counting)
    return calls


def _frame_run(data, config=None, test=True):
    net = Network([2, 5, 1], ["tanh", "sigmoid"], init="random", init_scale=0.5, seed=4)
    sets = {"X_test": data.X_test, "Y_test": data.Y_test} if test else {}
    return Trainer(net, data.X_train, data.Y_train, config or TrainConfig(1.2), seed=1, **sets)


@pytest.fixture(scope="module")
def split_flower():
    return make_dataset("flower", seed=3, train_fraction=0.8)


def _assert_same_run(a: Trainer, b: Trainer, costs_a, costs_b):
    np.testing.assert_array_equal(np.concatenate(costs_a), np.concatenate(costs_b))
    np.testing.assert_array_equal(a.net.flat_parameters(), b.net.flat_parameters())


def test_a_step_after_evaluate_reuses_its_training_pass_bit_for_bit(monkeypatch, split_flower):
    framed, plain = _frame_run(split_flower), _frame_run(split_flower)
    calls = _count_training_passes(monkeypatch)
    costs_framed, costs_plain, scored = [], [], []
    for _ in range(25):  # frames of 4 iterations, each followed by its scores
        costs_framed.append(framed.run(4))
        scored.append(framed.evaluate()["train_cost"])
    m_train, m_test = split_flower.X_train.shape[1], split_flower.X_test.shape[1]
    # Each frame: the test pass, the training pass, and 4 steps of which the first reuses
    # the previous frame's training pass (the very first step has none to reuse).
    assert calls.count(m_test) == 25
    assert calls.count(m_train) == 25 + 25 * 4 - 24
    for _ in range(25):
        costs_plain.append(plain.run(4))
    _assert_same_run(framed, plain, costs_framed, costs_plain)
    # The frame's training cost is the next iteration's cost before its update, exactly.
    assert scored[:-1] == [costs[0] for costs in costs_framed[1:]]


def test_reuse_holds_when_test_and_training_sets_have_as_many_examples(monkeypatch, flower):
    half = flower.X_train.shape[1] // 2
    X, Y = flower.X_train, flower.Y_train
    runs = [
        Trainer(
            Network([2, 4, 1], ["tanh", "sigmoid"], init_scale=0.5, seed=2),
            X[:, :half],
            Y[:, :half],
            TrainConfig(1.2),
            X_test=X[:, half : 2 * half],
            Y_test=Y[:, half : 2 * half],
        )
        for _ in range(2)
    ]
    calls = _count_training_passes(monkeypatch)
    costs_framed = []
    for _ in range(10):
        costs_framed.append(runs[0].run(3))
        runs[0].evaluate()
    assert len(calls) == 10 * (2 + 3) - 9  # one of the three steps reuses, from frame 2 on
    _assert_same_run(runs[0], runs[1], costs_framed, [runs[1].run(30)])


def _interleaved(trainer, change, calls):
    """run 3, evaluate, change, run 3: the passes the second run took."""
    trainer.run(3)
    trainer.evaluate()
    change(trainer)
    before = len(calls)
    costs = trainer.run(3)
    return costs, calls[before:]


CHANGES_THAT_VOID_THE_PASS = {
    "set_parameters": lambda t: t.net.set_parameters(
        {k: v * 0.5 for k, v in t.net.parameters.items()}
    ),
    "initialize": lambda t: t.net.initialize(seed=9),
    "another_pass_of_as_many_examples": lambda t: t.net.cost(t.X[:, ::-1], t.Y[:, ::-1]),
    "activation_stats": lambda t: t.net.activation_stats(t.X),
    "replace_data": lambda t: t.replace_data(t.X[:, ::-1], t.Y[:, ::-1]),
    "replace_inputs_only": lambda t: t.replace_data(t.X * 0.5, t.Y),
    "mini_batches": lambda t: t.update(batch_size=32),
}


@pytest.mark.parametrize("change", CHANGES_THAT_VOID_THE_PASS)
def test_anything_that_changes_the_pass_voids_its_reuse(monkeypatch, split_flower, change):
    framed, plain = _frame_run(split_flower), _frame_run(split_flower)
    calls = _count_training_passes(monkeypatch)
    costs_framed, passes = _interleaved(framed, CHANGES_THAT_VOID_THE_PASS[change], calls)
    assert len(passes) == 3  # every step ran its own forward pass
    plain.run(3)
    CHANGES_THAT_VOID_THE_PASS[change](plain)
    _assert_same_run(framed, plain, [costs_framed], [plain.run(3)])


HYPERPARAMETER_CHANGES = {
    "learning_rate": {"learning_rate": 0.3},
    "l2": {"l2": 0.7},
    "l1": {"l1": 0.4},
    "optimizer": {"optimizer": "adam", "learning_rate": 0.01},
    "full_batch_size": {"batch_size": 10_000},
}


@pytest.mark.parametrize("change", HYPERPARAMETER_CHANGES)
def test_hyperparameter_updates_keep_the_pass_and_the_run_exact(monkeypatch, split_flower, change):
    # The pass depends on the parameters and the data only: the cost's L2 term, the update rule
    # and its rate are applied after it, so it stays valid, and the run stays bit for bit.
    changes = HYPERPARAMETER_CHANGES[change]
    framed, plain = _frame_run(split_flower), _frame_run(split_flower)
    calls = _count_training_passes(monkeypatch)
    costs_framed, passes = _interleaved(framed, lambda t: t.update(**changes), calls)
    assert len(passes) == 2  # the first step reused the evaluation's pass
    plain.run(3)
    plain.update(**changes)
    _assert_same_run(framed, plain, [costs_framed], [plain.run(3)])


# --- forking a run -------------------------------------------------------------------------------

FORK_NETWORK = NetworkConfig((2, 5, 3, 1), ("relu", "tanh", "sigmoid"), init="he", seed=7)

FORK_CONFIGS = {
    "gd_full_batch": TrainConfig(learning_rate=0.5),
    "gd_mini_batch": TrainConfig(learning_rate=0.2, batch_size=48),
    "momentum_full_batch": TrainConfig(learning_rate=0.3, optimizer="momentum", beta=0.8),
    "momentum_mini_batch": TrainConfig(learning_rate=0.1, optimizer="momentum", batch_size=48),
    "adam_full_batch": TrainConfig(learning_rate=0.01, optimizer="adam", l2=0.1),
    "adam_mini_batch": TrainConfig(learning_rate=0.01, optimizer="adam", batch_size=48),
}
FORK_AT, FORK_MORE = 23, 40
"""Fork after 23 iterations: an odd number of steps (θ and θ_next have traded places), in the
middle of the third epoch of batches of 48 out of 320; then 40 more, across epochs."""


def _fork_trainer(data, config, network=FORK_NETWORK):
    """A trainer as the app makes one: a fresh network of the config, on the data, seeded."""
    sets = {"X_test": data.X_test, "Y_test": data.Y_test}
    return Trainer(network.build(), data.X_train, data.Y_train, config, seed=5, **sets)


def _training_state(trainer):
    """Copies of everything a trainer's next steps read (to check that it is left alone)."""
    opt = trainer.net._optimizer
    batches = trainer.batches
    return {
        "theta": trainer.net.flat_parameters(),
        "optimizer": {k: copy.deepcopy(v) for k, v in vars(opt).items()} if opt else None,
        "rng": copy.deepcopy(batches.rng.bit_generator.state),
        "schedule": (batches.epoch, batches._position, trainer.iteration, trainer.net.iterations),
        "permutation": None if batches._permutation is None else batches._permutation.copy(),
        # Left unwritten (np.empty) until a first epoch of mini-batches shuffles into it.
        "X_shuffled": None if batches._permutation is None else batches._X_shuffled.copy(),
    }


def _assert_same_state(a: dict, b: dict):
    assert a.keys() == b.keys()
    for key in a:
        if key == "optimizer" and a[key] is not None:
            assert a[key].keys() == b[key].keys()
            for name in a[key]:
                np.testing.assert_array_equal(a[key][name], b[key][name])
        elif isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key])
        else:
            assert a[key] == b[key]


@pytest.mark.parametrize("case", FORK_CONFIGS)
def test_a_fork_continues_exactly_as_its_source_would(split_flower, case):
    config = FORK_CONFIGS[case]
    reference = _fork_trainer(split_flower, config)  # the run never forked
    expected = reference.run(FORK_AT + FORK_MORE)[FORK_AT:]
    source = _fork_trainer(split_flower, config)
    source.run(FORK_AT)
    source.evaluate()  # a frame: its training pass is stamped for the next full-batch step
    fork = _fork_trainer(split_flower, config)
    fork.evaluate()  # the fork's own stamp, of the parameters it had: void after the copy
    fork.copy_state_from(source)
    assert (fork.iteration, fork.epoch, fork.status) == (FORK_AT, source.epoch, "running")
    assert fork.net.iterations == source.net.iterations
    assert fork.net.gradient_norms() == source.net.gradient_norms()  # the last backward pass
    _assert_same_state(_training_state(fork), _training_state(source))

    fork_costs = fork.run(FORK_MORE)  # the fork first: it must leave the source alone
    source_costs = source.run(FORK_MORE)
    for trainer, costs in ((fork, fork_costs), (source, source_costs)):
        assert np.array_equal(costs, expected)
        assert np.array_equal(trainer.net.flat_parameters(), reference.net.flat_parameters())
        _params_equal(trainer.net.parameters, reference.net.parameters)  # W, b: views into θ
        assert (trainer.iteration, trainer.epoch) == (reference.iteration, reference.epoch)
    _assert_same_state(_training_state(fork), _training_state(reference))
    assert fork.evaluate() == source.evaluate() == reference.evaluate()

    fork_before = _training_state(fork)  # and the source, training on, leaves the fork alone
    source.run(7)
    _assert_same_state(_training_state(fork), fork_before)
    assert np.array_equal(fork.run(7), reference.run(7))


def test_a_fork_shares_no_array_with_its_source(split_flower):
    source = _fork_trainer(split_flower, FORK_CONFIGS["adam_mini_batch"])
    source.run(FORK_AT)
    fork = _fork_trainer(split_flower, FORK_CONFIGS["adam_mini_batch"])
    fork.copy_state_from(source)
    a, b = fork.net, source.net
    arrays = [
        (a._theta, b._theta),
        (a._grad, b._grad),
        (a._optimizer.v, b._optimizer.v),
        (a._optimizer.s, b._optimizer.s),
        (fork.batches._permutation, source.batches._permutation),
        (fork.batches._X_shuffled, source.batches._X_shuffled),
        (fork.batches._Y_shuffled, source.batches._Y_shuffled),
    ]
    assert not any(np.shares_memory(x, y) for x, y in arrays)
    assert fork.batches.rng is not source.batches.rng
    assert a._optimizer is not b._optimizer and a._optimizer.t == b._optimizer.t == FORK_AT


def test_a_fork_takes_its_sources_live_hyperparameters(split_flower):
    """The source's config changed since it was built (optimizer, batch size mid-epoch): the
    fork, built with the first config, takes the changed one."""
    first = TrainConfig(learning_rate=0.5)
    source, reference = _fork_trainer(split_flower, first), _fork_trainer(split_flower, first)
    for trainer in (source, reference):
        trainer.run(10)
        trainer.update(optimizer="momentum", learning_rate=0.2, batch_size=40)
        trainer.run(5)
    fork = _fork_trainer(split_flower, first)
    fork.copy_state_from(source)
    assert fork.config == source.config and fork.batches.batch_size == 40
    assert np.array_equal(fork.run(30), reference.run(30))
    assert np.array_equal(fork.net.flat_parameters(), reference.net.flat_parameters())


def test_a_fork_of_a_diverged_run_is_diverged():
    X = np.array([[1.0, 2.0, 3.0]])
    config = TrainConfig(learning_rate=100.0)
    source = Trainer(Network([1, 1], ["linear"], init="zeros"), X, 2 * X, config)
    source.run(500)
    fork = Trainer(Network([1, 1], ["linear"], init="zeros"), X, 2 * X, config)
    fork.copy_state_from(source)
    assert (fork.status, fork.iteration) == ("diverged", source.iteration)
    assert fork.diverged is not source.diverged
    assert str(fork.diverged) == str(source.diverged)
    assert fork.diverged.iteration == source.diverged.iteration
    assert len(fork.run(10)) == 0
    np.testing.assert_array_equal(fork.net.flat_parameters(), source.net.flat_parameters())


def test_network_copy_state_from_continues_step_bit_for_bit(flower):
    X, Y = flower.X_train, flower.Y_train
    source, reference = FORK_NETWORK.build(), FORK_NETWORK.build()
    for net in (source, reference):
        for _ in range(5):
            net.step(X, Y, learning_rate=0.01, optimizer="adam", beta1=0.8)
    fork = NetworkConfig(FORK_NETWORK.layer_dims, FORK_NETWORK.activations, seed=99).build()
    fork.copy_state_from(source)
    assert (fork.seed, fork.init, fork.iterations) == (7, "he", 5)
    costs = [  # the fork first: the source must not move
        [net.step(X, Y, learning_rate=0.01, optimizer="adam", beta1=0.8) for _ in range(6)]
        for net in (fork, source, reference)
    ]
    assert costs[0] == costs[1] == costs[2]
    expected = reference.flat_parameters()
    assert np.array_equal(fork.flat_parameters(), expected)
    assert np.array_equal(source.flat_parameters(), expected)
    assert fork.gradient_norms() == reference.gradient_norms()


OTHER_SHAPES = {
    "hidden_units": NetworkConfig((2, 4, 3, 1), ("relu", "tanh", "sigmoid"), init="he", seed=7),
    "depth": NetworkConfig((2, 5, 1), ("relu", "sigmoid"), init="he", seed=7),
    "activations": NetworkConfig((2, 5, 3, 1), ("tanh", "tanh", "sigmoid"), init="he", seed=7),
}


@pytest.mark.parametrize("shape", OTHER_SHAPES)
def test_forking_into_a_network_of_another_shape_is_refused(split_flower, shape):
    config = FORK_CONFIGS["momentum_mini_batch"]
    source = _fork_trainer(split_flower, config)
    source.run(FORK_AT)
    fork = _fork_trainer(split_flower, config, network=OTHER_SHAPES[shape])
    fork.run(3)
    before = _training_state(fork)
    with pytest.raises(ValueError, match="cannot copy the state of a network"):
        fork.copy_state_from(source)
    _assert_same_state(_training_state(fork), before)  # nothing changed
    with pytest.raises(ValueError, match="cannot copy the state of a network"):
        fork.net.copy_state_from(source.net)


def test_forking_a_run_on_other_data_or_the_same_network_is_refused(split_flower, flower):
    config = FORK_CONFIGS["gd_mini_batch"]
    source = _fork_trainer(split_flower, config)
    source.run(FORK_AT)
    on_other_data = Trainer(FORK_NETWORK.build(), flower.X_train, flower.Y_train, config)
    with pytest.raises(ValueError, match="other training data"):
        on_other_data.copy_state_from(source)
    X_shifted = split_flower.X_train + 1e-9
    same_shape = Trainer(FORK_NETWORK.build(), X_shifted, split_flower.Y_train, config)
    with pytest.raises(ValueError, match="other training data"):
        same_shape.copy_state_from(source)
    assert same_shape.iteration == 0 and same_shape.net.iterations == 0
    sharing = Trainer(source.net, split_flower.X_train, split_flower.Y_train, config)
    with pytest.raises(ValueError, match="same network"):
        sharing.copy_state_from(source)


def _through_the_wire(meta: dict, arrays: dict) -> tuple[dict, dict]:
    """What another process receives: meta as JSON, arrays as an .npz (no pickles)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with np.load(io.BytesIO(buffer.getvalue()), allow_pickle=False) as loaded:
        return json.loads(json.dumps(meta)), {k: loaded[k] for k in loaded.files}


@pytest.mark.parametrize("case", FORK_CONFIGS)
def test_an_exported_state_continues_exactly_in_another_trainer(split_flower, case):
    config = FORK_CONFIGS[case]
    reference = _fork_trainer(split_flower, config)
    expected = reference.run(FORK_AT + FORK_MORE)[FORK_AT:]
    source = _fork_trainer(split_flower, config)
    source.run(FORK_AT)
    source.evaluate()
    fork = _fork_trainer(split_flower, config)
    fork.evaluate()
    fork.import_state(*_through_the_wire(*source.export_state()))
    assert (fork.iteration, fork.epoch, fork.status) == (FORK_AT, source.epoch, "running")
    ours, theirs = _training_state(fork), _training_state(source)
    for state in (ours, theirs):  # the optimizer's scratch buffer is no state
        if state["optimizer"] is not None:
            del state["optimizer"]["_delta"]
    _assert_same_state(ours, theirs)
    assert np.array_equal(fork.run(FORK_MORE), expected)
    assert np.array_equal(fork.net.flat_parameters(), reference.net.flat_parameters())
    assert fork.evaluate() == reference.evaluate()


def test_the_data_fingerprint_follows_new_data_after_it_was_taken(split_flower):
    """The fingerprint is hashed once per training set (a timeline asks for it with every
    snapshot): taken, then new data, it is the new data's."""
    trainer = _fork_trainer(split_flower, FORK_CONFIGS["adam_mini_batch"])
    trainer.run(3)
    meta, arrays = trainer.export_state()
    assert trainer.export_state()[0]["data"] == meta["data"]
    trainer.replace_data(split_flower.X_train * 2, split_flower.Y_train)
    assert trainer.export_state()[0]["data"] != meta["data"]
    with pytest.raises(ValueError, match="other training data"):
        trainer.import_state(meta, arrays)
    fresh = _fork_trainer(split_flower, FORK_CONFIGS["adam_mini_batch"])
    fresh.replace_data(split_flower.X_train * 2, split_flower.Y_train)
    assert trainer.export_state()[0]["data"] == fresh.export_state()[0]["data"]


def test_an_exported_state_is_refused_on_other_data_or_shape(split_flower, rng):
    source = _fork_trainer(split_flower, FORK_CONFIGS["adam_mini_batch"])
    source.run(5)
    meta, arrays = source.export_state()
    other = _fork_trainer(split_flower, FORK_CONFIGS["adam_mini_batch"])
    other.replace_data(split_flower.X_train * 2, split_flower.Y_train)
    with pytest.raises(ValueError, match="other training data"):
        other.import_state(meta, arrays)
    wider = _fork_trainer(
        split_flower,
        FORK_CONFIGS["adam_mini_batch"],
        NetworkConfig((2, 6, 3, 1), ("relu", "tanh", "sigmoid")),
    )
    with pytest.raises(ValueError, match="layer_dims"):
        wider.import_state(meta, arrays)
    broken = {**arrays, "batches.permutation": np.zeros_like(arrays["batches.permutation"])}
    with pytest.raises(ValueError, match="permutation"):
        _fork_trainer(split_flower, FORK_CONFIGS["adam_mini_batch"]).import_state(meta, broken)
