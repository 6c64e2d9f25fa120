"""The notebook API of `Network`, in the course's shapes, and its errors on bad input."""

import numpy as np
import pytest

from engine import Network, make_dataset


@pytest.fixture
def planar(rng):
    X = rng.standard_normal((2, 50))
    Y = (X[0:1] * X[1:2] > 0).astype(float)
    return X, Y


def test_issue_example_api_shapes(planar):
    X, Y = planar
    net = Network(
        layer_dims=[2, 4, 1],
        activations=["tanh", "sigmoid"],
        init="random",
        init_scale=0.01,
        seed=3,
    )
    shapes = {k: v.shape for k, v in net.parameters.items()}
    assert shapes == {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    assert net.forward(X).shape == (1, 50)
    grads = net.gradients(X, Y)
    assert {k: v.shape for k, v in grads.items()} == {
        "dW1": (4, 2),
        "db1": (4, 1),
        "dW2": (1, 4),
        "db2": (1, 1),
    }
    J0 = net.cost(X, Y)
    assert pytest.approx(np.log(2), abs=1e-3) == J0  # tiny weights: a ≈ 0.5 everywhere
    assert net.step(X, Y, learning_rate=1.2) == J0
    history = net.fit(X, Y, learning_rate=1.2, iterations=300)
    assert history.costs.shape == (300,) and history.status == "finished"
    predictions = net.predict(X)
    assert predictions.shape == (1, 50) and set(np.unique(predictions)) <= {0, 1}


def test_step_is_one_gradient_descent_update(planar):
    X, Y = planar
    net = Network([2, 3, 1], ["relu", "sigmoid"], init="he", seed=0)
    before, grads = net.parameters, net.gradients(X, Y)
    net.step(X, Y, learning_rate=0.5)
    after = net.parameters
    for key in before:
        np.testing.assert_allclose(after[key], before[key] - 0.5 * grads["d" + key], rtol=1e-12)


def test_set_parameters_reproduces_a_start_exactly(planar):
    X, Y = planar
    a = Network([2, 4, 1], ["tanh", "sigmoid"], seed=1)
    b = Network([2, 4, 1], ["tanh", "sigmoid"], seed=99)
    b.set_parameters(a.parameters)
    a.fit(X, Y, learning_rate=1.0, iterations=50)
    b.fit(X, Y, learning_rate=1.0, iterations=50)
    assert all(np.array_equal(a.parameters[k], b.parameters[k]) for k in a.parameters)


def test_parameters_are_a_copy(planar):
    net = Network([2, 2, 1], ["tanh", "sigmoid"], seed=1)
    params = net.parameters
    params["W1"][:] = 123.0
    assert not (net.parameters["W1"] == 123.0).any()


def test_logistic_regression_is_a_network_without_hidden_layers(planar):
    X, Y = planar
    net = Network([2, 1], ["sigmoid"], init="zeros")
    W, b = net.parameters["W1"], net.parameters["b1"]
    assert W.shape == (1, 2) and b.shape == (1, 1)
    grads = net.gradients(X, Y)
    A = 0.5 * np.ones((1, 50))  # sigmoid(0)
    np.testing.assert_allclose(grads["dW1"], (A - Y) @ X.T / 50, rtol=1e-12)
    np.testing.assert_allclose(grads["db1"], np.sum(A - Y, keepdims=True) / 50, rtol=1e-12)


def test_softmax_takes_labels_or_one_hot(rng):
    X = rng.standard_normal((2, 30))
    labels = rng.integers(0, 3, (1, 30))
    one_hot = np.eye(3)[labels[0]].T
    net = Network([2, 5, 3], ["relu", "softmax"], init="he", seed=4)
    assert net.cost(X, labels) == pytest.approx(net.cost(X, one_hot), rel=1e-12)
    probabilities = net.forward(X)
    np.testing.assert_allclose(probabilities.sum(axis=0), 1.0)
    manual = -np.mean(np.log(probabilities[labels[0], np.arange(30)]))
    assert net.cost(X, labels) == pytest.approx(manual, rel=1e-10)
    assert net.predict(X).shape == (1, 30)
    np.testing.assert_array_equal(net.predict(X)[0], probabilities.argmax(axis=0))


def test_regression_cost_is_mean_squared_error(rng):
    X = rng.standard_normal((1, 40))
    Y = 3 * X + 1
    net = Network([1, 1], ["linear"], init="zeros")
    assert net.cost(X, Y) == pytest.approx(np.mean(Y**2))
    net.fit(X, Y, learning_rate=0.1, iterations=500)
    np.testing.assert_allclose(net.parameters["W1"], [[3.0]], atol=1e-6)
    np.testing.assert_allclose(net.parameters["b1"], [[1.0]], atol=1e-6)
    assert net.accuracy(X, Y) is None


def test_l2_adds_the_weight_penalty_only(planar):
    X, Y = planar
    net = Network([2, 3, 1], ["tanh", "sigmoid"], init="xavier", seed=5)
    params = net.parameters
    penalty = 0.7 / (2 * 50) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    assert net.cost(X, Y, l2=0.7) == pytest.approx(net.cost(X, Y) + penalty, rel=1e-12)
    plain, regularized = net.gradients(X, Y), net.gradients(X, Y, l2=0.7)
    np.testing.assert_allclose(regularized["dW1"], plain["dW1"] + 0.7 / 50 * params["W1"])
    np.testing.assert_array_equal(regularized["db1"], plain["db1"])


def test_l1_adds_the_absolute_weight_penalty_and_its_sign_only(planar):
    X, Y = planar
    net = Network([2, 3, 1], ["tanh", "sigmoid"], init="xavier", seed=5)
    params = net.parameters
    params["W1"][0, 1] = 0.0  # at the kink the subgradient is 0
    params["b1"][:] = 0.4  # biases are never penalized
    net.set_parameters(params)
    penalty = 0.3 / 50 * (np.abs(params["W1"]).sum() + np.abs(params["W2"]).sum())
    assert net.cost(X, Y, l1=0.3) == pytest.approx(net.cost(X, Y) + penalty, rel=1e-12)
    both = net.cost(X, Y) + penalty + 0.7 / 100 * sum((params[w] ** 2).sum() for w in ("W1", "W2"))
    assert net.cost(X, Y, l2=0.7, l1=0.3) == pytest.approx(both, rel=1e-12)
    plain, regularized = net.gradients(X, Y), net.gradients(X, Y, l1=0.3)
    for w in ("W1", "W2"):
        sign = np.sign(params[w])
        np.testing.assert_allclose(regularized[f"d{w}"], plain[f"d{w}"] + 0.3 / 50 * sign)
    assert regularized["dW1"][0, 1] == plain["dW1"][0, 1]
    for b in ("db1", "db2"):
        np.testing.assert_array_equal(regularized[b], plain[b])
    combined = net.gradients(X, Y, l2=0.7, l1=0.3)
    np.testing.assert_allclose(
        combined["dW2"], plain["dW2"] + 0.3 / 50 * np.sign(params["W2"]) + 0.7 / 50 * params["W2"]
    )


def test_l1_must_be_finite_and_non_negative(planar):
    X, Y = planar
    net = Network([2, 1], ["sigmoid"])
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="l1"):
            net.cost(X, Y, l1=bad)
        with pytest.raises(ValueError, match="l1"):
            net.step(X, Y, learning_rate=0.1, l1=bad)


def test_saturated_sigmoid_gives_a_large_finite_cost():
    net = Network([1, 1], ["sigmoid"])
    net.set_parameters({"W1": np.array([[1000.0]]), "b1": np.zeros((1, 1))})
    X = np.array([[1.0, -1.0]])
    J = net.cost(X, np.array([[0.0, 1.0]]))  # confidently wrong on both
    assert pytest.approx(1000.0) == J
    grads = net.gradients(X, np.array([[0.0, 1.0]]))
    assert all(np.isfinite(g).all() for g in grads.values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layer_dims": [2], "activations": []}, "at least an input and an output"),
        ({"layer_dims": [2, 0, 1], "activations": ["tanh", "sigmoid"]}, "no empty layers"),
        ({"layer_dims": [], "activations": []}, "at least an input"),
        ({"layer_dims": [2, 4, 1], "activations": ["tanh"]}, "one activation per layer"),
        (
            {"layer_dims": [2, 4, 1], "activations": ["tahn", "sigmoid"]},
            "unknown activation 'tahn'",
        ),
        ({"layer_dims": [2, 4, 1], "activations": "tanh"}, "list of 2 names"),
        (
            {"layer_dims": [2, 4, 3], "activations": ["softmax", "softmax"]},
            "only allowed in the output",
        ),
        ({"layer_dims": [2, 1], "activations": ["softmax"]}, "at least 2 units"),
        (
            {"layer_dims": [2, 1], "activations": ["sigmoid"], "init": "glorot"},
            "unknown initialization",
        ),
        ({"layer_dims": [2, 1.5], "activations": ["sigmoid"]}, "layer_dims[1]"),
        ({"layer_dims": [2, 1], "activations": ["sigmoid"], "init_scale": -1}, "init_scale"),
    ],
)
def test_bad_network_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Network(**kwargs)


@pytest.mark.parametrize(
    ("X", "Y", "message"),
    [
        (np.zeros((3, 5)), np.zeros((1, 5)), r"X has 3 rows but layer_dims\[0\] = n_x = 2"),
        (np.zeros((5, 2)), np.zeros((1, 5)), "transposed"),
        (np.zeros(5), np.zeros((1, 5)), "must be 2-D"),
        (np.zeros((2, 0)), np.zeros((1, 0)), "no examples"),
        (np.array([[0.0, np.nan], [1.0, 2.0]]), np.zeros((1, 2)), "X contains NaN"),
        (np.array([["a", "b"], ["c", "d"]]), np.zeros((1, 2)), "must hold numbers"),
        (np.zeros((2, 5)), np.zeros(5), "rank-1 array"),
        (np.zeros((2, 5)), np.zeros((1, 4)), "4 examples"),
        (np.zeros((2, 5)), np.full((1, 5), 2.0), r"labels in \[0, 1\]"),
        (np.zeros((2, 5)), np.zeros((2, 5)), "output layer has n_L = 1"),
        (np.zeros((2, 2)), np.array([[np.inf, 0.0]]), "Y contains NaN or inf"),
    ],
)
def test_bad_data_raises_clear_errors(X, Y, message):
    net = Network([2, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match=message):
        net.step(X, Y, learning_rate=0.1)


def test_softmax_labels_out_of_range_are_rejected():
    net = Network([2, 3], ["softmax"])
    with pytest.raises(ValueError, match=r"whole numbers 0 … 2"):
        net.cost(np.zeros((2, 2)), np.array([[0, 3]]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0}, "learning_rate must be a finite number > 0"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": True}, "learning_rate must be a number"),
        ({"learning_rate": 0.1, "optimizer": "sgd"}, "unknown optimizer 'sgd'"),
        ({"learning_rate": 0.1, "l2": -1.0}, "l2"),
        ({"learning_rate": 0.1, "beta": 1.0}, r"beta must be in \[0, 1\)"),
        ({"learning_rate": 0.1, "gamma": 0.5}, "unknown hyperparameter 'gamma'"),
    ],
)
def test_bad_hyperparameters_raise_clear_errors(planar, kwargs, message):
    X, Y = planar
    net = Network([2, 3, 1], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match=message):
        net.step(X, Y, **kwargs)


def test_nan_written_into_data_after_first_use_is_reported_as_bad_data(planar):
    X, Y = planar
    X = X.copy()
    net = Network([2, 3, 1], ["tanh", "sigmoid"], init="xavier")
    net.step(X, Y, learning_rate=0.1)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        net.step(X, Y, learning_rate=0.1)


def test_fit_with_print_cost_true_prints_every_1000_iterations_as_the_course(capsys):
    data = make_dataset("flower", seed=1, train_fraction=1.0)
    net = Network([2, 4, 1], ["tanh", "sigmoid"], "random", 0.01, seed=3)
    history = net.fit(data.X_train, data.Y_train, print_cost=True)  # the notebook's idiom
    lines = capsys.readouterr().out.splitlines()
    assert history.iterations == 10_000 and history.status == "finished"
    assert [line.split(":")[0] for line in lines] == [
        f"Cost after iteration {i}" for i in range(1000, 10_001, 1000)
    ]


# --- the public read API that inspection and gradient checking use ------------------------------


def test_flat_parameters_are_a_copy_of_theta_in_the_course_order(planar):
    net = Network([2, 3, 1], ["tanh", "sigmoid"], init="xavier", seed=4)
    p = net.parameters
    expected = np.concatenate([p["W1"].ravel(), p["W2"].ravel(), p["b1"].ravel(), p["b2"].ravel()])
    theta = net.flat_parameters()
    np.testing.assert_array_equal(theta, expected)
    theta[:] = 0.0  # a copy: the network keeps its parameters
    np.testing.assert_array_equal(net.flat_parameters(), expected)


def test_cost_at_is_the_cost_the_network_would_have_at_those_parameters(planar):
    X, Y = planar
    net = Network([2, 4, 1], ["relu", "sigmoid"], init="he", seed=1)
    other = Network([2, 4, 1], ["relu", "sigmoid"], init="he", seed=9)
    before = net.parameters
    assert net.cost_at(net.flat_parameters(), X, Y, l2=0.3) == net.cost(X, Y, l2=0.3)
    assert net.cost_at(other.flat_parameters(), X, Y, l2=0.3) == other.cost(X, Y, l2=0.3)
    assert all(np.array_equal(before[k], v) for k, v in net.parameters.items())
    with pytest.raises(ValueError, match=r"theta must have shape \(17,\)"):
        net.cost_at(np.zeros(16), X, Y)


def test_activation_functions_are_the_registry_entries_of_the_named_activations():
    net = Network([2, 3, 3, 2], ["tanh", "relu", "softmax"])
    assert [g.name for g in net.activation_functions] == ["tanh", "relu", "softmax"]


def test_grid_workspaces_are_kept_apart_from_the_training_ones(planar):
    X, Y = planar
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    ws = net.grid_workspace(50, np.float32)
    assert net.grid_workspace(50, np.float32) is ws
    assert ws.Z[0].shape == (4, 50) and ws.Z[0].dtype == np.float32
    J = net.step(X, Y, learning_rate=0.1)  # trains on m = 50 in float64 buffers of its own
    assert np.isfinite(J) and net.grid_workspace(50, np.float32) is ws


def test_train_step_on_checked_inputs_is_step(planar):
    from engine.checks import make_hyperparameters

    X, Y = planar
    a = Network([2, 4, 1], ["tanh", "sigmoid"], seed=2)
    b = Network([2, 4, 1], ["tanh", "sigmoid"], seed=2)
    hp = make_hyperparameters(0.5, beta=0.8)
    for _ in range(3):
        J_a = a.step(X, Y, learning_rate=0.5, optimizer="momentum", l2=0.1, beta=0.8)
        J_b = b.train_step(b.check_X(X), b.check_Y(Y, 50), "momentum", hp, 0.1)
        assert J_a == J_b
    np.testing.assert_array_equal(a.flat_parameters(), b.flat_parameters())


def test_train_step_with_X_aug_is_train_step_and_reuses_only_the_same_inputs(planar):
    from engine.checks import make_hyperparameters

    X, Y = planar
    X_aug = np.vstack([X, np.ones((1, 50))])
    flipped = 1.0 - Y
    hp = make_hyperparameters(0.5)
    a = Network([2, 4, 1], ["tanh", "sigmoid"], init_scale=0.5, seed=2)
    b = Network([2, 4, 1], ["tanh", "sigmoid"], init_scale=0.5, seed=2)
    for labels in (Y, flipped, Y):
        a.scores(X, Y, checked=True)  # a pass of (X, Y) at a's parameters, as a frame's
        J_a = a.train_step(X, labels, "gd", hp, 0.0, X_aug)
        J_b = b.train_step(X, labels, "gd", hp, 0.0)
        assert J_a == J_b
    np.testing.assert_array_equal(a.flat_parameters(), b.flat_parameters())


@pytest.mark.parametrize("layer_dims", [[12, 3, 1], [6, 1]], ids=["hidden", "logistic"])
def test_wide_inputs_take_layer_1_from_X_itself_with_the_same_gradients(rng, layer_dims):
    # More inputs than units in layer 1 (images): the step reads X as it is instead of copying
    # it under a row of ones. Gradients as finite differences say, and the same steps as a
    # Trainer's, which keeps [X; 1].
    from engine import TrainConfig, Trainer
    from engine.gradcheck import gradient_check

    acts = ["tanh", "sigmoid"][-len(layer_dims) + 1 :]
    X = rng.standard_normal((layer_dims[0], 30))
    Y = (X[0:1] > 0).astype(float)
    a = Network(layer_dims, acts, init="xavier", seed=1)
    b = Network(layer_dims, acts, init="xavier", seed=1)
    assert gradient_check(a, X, Y, l2=0.1).difference < 1e-7
    costs = [a.step(X, Y, learning_rate=0.5, l2=0.1) for _ in range(5)]
    np.testing.assert_allclose(
        costs, Trainer(b, X, Y, TrainConfig(0.5, l2=0.1)).run(5), rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(a.flat_parameters(), b.flat_parameters(), rtol=1e-12, atol=1e-15)


def test_set_weight_and_set_bias_change_one_entry_and_keep_the_adam_moments(planar):
    """Editing one weight mid-training changes θ there only: the next Adam steps are those of a
    network whose exported state differs from the original's by that one entry of θ (the
    moments, t, the gradient and the iteration count carried over unchanged)."""
    X, Y = planar
    net = Network([2, 3, 1], ["tanh", "sigmoid"], init="random", seed=1)
    for _ in range(5):
        net.step(X, Y, learning_rate=0.05, optimizer="adam")
    meta, arrays = net.export_state()
    before = net.parameters
    net.set_weight(2, 0, 1, 2.5)
    net.set_bias(1, 2, -0.75)
    after = net.parameters
    assert after["W2"][0, 1] == 2.5 and after["b1"][2, 0] == -0.75
    for key in before:  # nothing else moved
        changed = np.argwhere(before[key] != after[key]).tolist()
        assert changed == {"W2": [[0, 1]], "b1": [[2, 0]]}.get(key, [])
    meta_after, arrays_after = net.export_state()
    assert meta_after == meta  # iteration count, optimizer name and t: as they were
    for key in ("grad", "optimizer_v", "optimizer_s"):
        np.testing.assert_array_equal(arrays_after[key], arrays[key])
    # The oracle: the original state with those two entries of θ edited by hand.
    theta = arrays["theta"].copy()
    edited = Network([2, 3, 1], ["tanh", "sigmoid"], init="random", seed=1)
    flat_before = net.flat_parameters()  # course order: W1 (6), W2 (3), b1 (3), b2 (1)
    np.testing.assert_array_equal(flat_before[6 + 1], 2.5)
    np.testing.assert_array_equal(flat_before[6 + 3 + 2], -0.75)
    order = net._course_order  # θ's index of each course-order entry
    theta[order[6 + 1]], theta[order[6 + 3 + 2]] = 2.5, -0.75
    edited.import_state(meta, {**arrays, "theta": theta})
    for _ in range(3):
        assert net.step(X, Y, 0.05, "adam") == edited.step(X, Y, 0.05, "adam")
    np.testing.assert_array_equal(net.flat_parameters(), edited.flat_parameters())


def test_set_weight_refuses_an_index_outside_the_network_or_a_non_finite_value(planar):
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=1)
    theta = net.flat_parameters()
    for call, message in (
        (lambda: net.set_weight(0, 0, 0, 1.0), "layer must be an integer in 1 … 2"),
        (lambda: net.set_weight(3, 0, 0, 1.0), "layer must be an integer in 1 … 2"),
        (lambda: net.set_weight(1, 3, 0, 1.0), r"W1 has shape \(3, 2\): row must be in 0 … 2"),
        (lambda: net.set_weight(1, 0, 2, 1.0), r"col must be in 0 … 1, got 2"),
        (lambda: net.set_weight(1, -1, 0, 1.0), "row must be in"),
        (lambda: net.set_bias(2, 1, 1.0), r"b2 has shape \(1, 1\): row must be in 0 … 0"),
        (lambda: net.set_weight(1, 0, 0, float("nan")), "must be finite"),
        (lambda: net.set_bias(1, 0, float("inf")), "must be finite"),
        (lambda: net.set_weight(1, 0.5, 0, 1.0), "row must be an integer"),
    ):
        with pytest.raises(ValueError, match=message):
            call()
    np.testing.assert_array_equal(net.flat_parameters(), theta)
