"""Metrics of one forward pass: `Network.scores` and `Trainer.evaluate` give the cost, accuracy,
confusion matrix and activation statistics that `cost`, `accuracy`, `confusion` and
`activation_stats` give one pass each, from a single pass per set."""

import numpy as np
import pytest

import engine.network
from engine import Network, Scores, TrainConfig, Trainer, make_dataset
from engine.activations import ACTIVATIONS

CASES = [
    ([2, 5, 1], ["tanh", "sigmoid"], "binary"),
    ([2, 4, 3, 1], ["relu", "sigmoid", "sigmoid"], "binary"),
    ([2, 6, 3], ["leaky_relu", "softmax"], "multiclass"),
    ([2, 4, 2], ["tanh", "sigmoid"], "multi-label"),
    ([2, 5, 1], ["sigmoid", "linear"], "regression"),
    ([2, 1], ["sigmoid"], "binary"),
]


def _targets(rng, task, n_L, m):
    if task == "binary":
        return (rng.random((1, m)) > 0.5).astype(float)
    if task == "multiclass":
        return rng.integers(0, n_L, (1, m)).astype(float)  # class labels, taken one-hot
    if task == "multi-label":
        return (rng.random((n_L, m)) > 0.5).astype(float)
    return rng.standard_normal((1, m))


def _naive(net, X):
    """Every A[l] by a plain loop over the course's formulas: the oracle."""
    A, As = X, []
    for l, name in enumerate(net.activations, start=1):
        Z = net.parameters[f"W{l}"] @ A + net.parameters[f"b{l}"]
        A = ACTIVATIONS[name].forward(Z.copy(), None)
        As.append(A)
    return As


@pytest.mark.parametrize(("dims", "acts", "task"), CASES)
@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_scores_equal_the_separate_cost_accuracy_confusion_and_activation_stats(
    dims, acts, task, l2, rng
):
    net = Network(dims, acts, init="xavier", seed=5)
    X = rng.standard_normal((2, 40))
    Y = _targets(rng, task, dims[-1], 40)
    scores = net.scores(X, Y, l2, confusion=True, activation_stats=True)
    assert isinstance(scores, Scores)
    assert scores.cost == net.cost(X, Y, l2=l2)
    assert scores.accuracy == net.accuracy(X, Y)
    assert scores.activation_stats == net.activation_stats(X)
    expected = net.confusion(X, Y)
    if expected is None:
        assert scores.confusion is None
    else:
        np.testing.assert_array_equal(scores.confusion, expected)


@pytest.mark.parametrize(("dims", "acts", "task"), CASES)
def test_scores_agree_with_a_naive_forward_pass(dims, acts, task, rng):
    net = Network(dims, acts, init="xavier", seed=2)
    X = rng.standard_normal((2, 30))
    Y = _targets(rng, task, dims[-1], 30)
    scores = net.scores(X, Y, activation_stats=True)
    *hidden, A_L = _naive(net, X)
    if task == "regression":
        assert scores.accuracy is None
    elif task == "multiclass":
        assert scores.accuracy == pytest.approx(np.mean(A_L.argmax(axis=0) == Y[0]))
    else:
        assert scores.accuracy == pytest.approx(np.mean(((A_L > 0.5) == (Y > 0.5)).all(axis=0)))
    assert [s.mean for s in scores.activation_stats] == pytest.approx([A.mean() for A in hidden])
    assert [s.std for s in scores.activation_stats] == pytest.approx([A.std() for A in hidden])


def test_scores_ask_for_nothing_more_than_they_are_asked():
    data = make_dataset("flower", seed=1)
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=3)
    scores = net.scores(data.X_train, data.Y_train)
    assert scores.confusion is None and scores.activation_stats is None


def test_scores_check_their_inputs_unless_told_they_are_checked():
    net = Network([2, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match="X has 3 rows"):
        net.scores(np.zeros((3, 4)), np.zeros((1, 4)))
    with pytest.raises(ValueError, match="Y has 3 examples"):
        net.scores(np.zeros((2, 4)), np.zeros((1, 3)))


def _count_forward_passes(monkeypatch):
    """Record m of every forward pass the network runs (either form of it)."""
    calls = []
    for name in ("model_forward", "augmented_forward"):
        real = getattr(engine.network, name)

        def counting(X, *args, real=real):
            calls.append(X.shape[1])
            return real(X, *args)

        monkeypatch.setattr(engine.network, name, counting)
    return calls


def test_scores_take_one_forward_pass(monkeypatch, rng):
    net = Network([2, 5, 4, 3], ["tanh", "relu", "softmax"], init="he", seed=1)
    X = rng.standard_normal((2, 25))
    Y = rng.integers(0, 3, (1, 25))
    calls = _count_forward_passes(monkeypatch)
    net.scores(X, Y, l2=0.1, confusion=True, activation_stats=True)
    assert calls == [25]


def test_evaluate_reads_cost_accuracy_confusion_and_stats_from_one_pass_per_set(monkeypatch):
    data = make_dataset("blobs", seed=0, train_fraction=0.75, n_classes=3)
    net = Network([2, 6, 3], ["tanh", "softmax"], init="xavier", seed=0)
    trainer = Trainer(
        net,
        data.X_train,
        data.Y_train,
        TrainConfig(learning_rate=0.5, l2=0.01),
        X_test=data.X_test,
        Y_test=data.Y_test,
    )
    trainer.run(50)
    calls = _count_forward_passes(monkeypatch)
    scores = trainer.evaluate(confusion=True, activation_stats=True)
    # One pass per set; the training set's last, so that the next step can reuse it.
    assert calls == [data.X_test.shape[1], data.X_train.shape[1]]
    monkeypatch.undo()
    assert scores["activation_stats"] == net.activation_stats(data.X_train)
    assert scores["train_cost"] == net.cost(data.X_train, data.Y_train, l2=0.01)
    assert scores["test_accuracy"] == net.accuracy(data.X_test, data.Y_test)
    np.testing.assert_array_equal(
        scores["train_confusion"], net.confusion(data.X_train, data.Y_train)
    )
    plain = trainer.evaluate(confusion=True)
    assert "activation_stats" not in plain
    assert set(plain) == set(scores) - {"activation_stats"}
    for key, value in plain.items():
        np.testing.assert_array_equal(value, scores[key])


def test_evaluate_without_activation_stats_keeps_its_keys():
    data = make_dataset("moons", seed=0, train_fraction=1.0)
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    trainer = Trainer(net, data.X_train, data.Y_train)
    assert set(trainer.evaluate()) == {"train_cost", "train_accuracy", "test_cost", "test_accuracy"}
    assert trainer.evaluate(activation_stats=True)["activation_stats"] == net.activation_stats(
        data.X_train
    )
