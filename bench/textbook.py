"""The course's implementation, written the way "Neural Networks and Deep Learning" writes it.

This is the *reference to beat* in ``bench/bench_engine.py``: it is deliberately NOT optimized.
It follows the Week 4 "Building your Deep Neural Network: Step by Step" assignment
(``L_model_forward`` / ``L_model_backward`` with per-layer caches, string-keyed ``grads``,
``update_parameters`` building new arrays) and the Course 2 "Optimization" assignment's
``random_mini_batches``. The only generalisations are the ones the benchmark needs:

* the random source is an ``np.random.Generator`` passed in (instead of ``np.random.seed``);
* ``L_model_forward`` / ``L_model_backward`` take a list of activation names, one per layer
  (the course hard-codes ``relu`` ... ``relu``, ``sigmoid``);
* ``tanh`` / ``tanh_backward`` exist alongside ``sigmoid`` / ``relu``, in the same style;
* ``sigmoid`` keeps the course's formula ``1/(1+np.exp(-Z))`` but silences the harmless
  overflow warning for very negative ``Z`` (the result is still exactly 0.0 there).

Bench code only: never imported by the app or the test suite.
"""

from __future__ import annotations

import math

import numpy as np

# --------------------------------------------------------------------------- initialisation


def initialize_parameters_deep(layer_dims, rng, init="random", scale=0.01, parameters=None):
    """Course-style ``initialize_parameters_deep``.

    ``init="random"``: ``W = randn(n_l, n_{l-1}) * scale`` (the course's ``* 0.01``);
    ``init="sqrt"``: ``W = randn(n_l, n_{l-1}) / np.sqrt(n_{l-1})`` (the course's
    ``dnn_app_utils`` version used for the cat classifier). ``b`` is zeros.

    If ``parameters`` is given, a copy of it is returned instead (explicit starting point).
    """
    if parameters is not None:
        return {k: np.array(v, dtype=np.float64, copy=True) for k, v in parameters.items()}

    parameters = {}
    L = len(layer_dims)  # number of layers in the network (including the input)

    for l in range(1, L):
        if init == "random":
            parameters["W" + str(l)] = (
                rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * scale
            )
        elif init == "sqrt":
            parameters["W" + str(l)] = rng.standard_normal(
                (layer_dims[l], layer_dims[l - 1])
            ) / np.sqrt(layer_dims[l - 1])
        else:
            raise ValueError(f"unknown init {init!r}")
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))

        assert parameters["W" + str(l)].shape == (layer_dims[l], layer_dims[l - 1])
        assert parameters["b" + str(l)].shape == (layer_dims[l], 1)

    return parameters


# --------------------------------------------------------------------------- activations


def sigmoid(Z):
    """Implements the sigmoid activation in numpy. Returns A, cache=Z."""
    with np.errstate(over="ignore"):
        A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


def relu(Z):
    """Implement the RELU function. Returns A, cache=Z."""
    A = np.maximum(0, Z)
    assert A.shape == Z.shape
    cache = Z
    return A, cache


def tanh(Z):
    """Implement the tanh function. Returns A, cache=Z."""
    A = np.tanh(Z)
    cache = Z
    return A, cache


def relu_backward(dA, cache):
    """Backward propagation for a single RELU unit."""
    Z = cache
    dZ = np.array(dA, copy=True)  # just converting dz to a correct object.
    # When z <= 0, you should set dz to 0 as well.
    dZ[Z <= 0] = 0
    assert dZ.shape == Z.shape
    return dZ


def sigmoid_backward(dA, cache):
    """Backward propagation for a single SIGMOID unit."""
    Z = cache
    with np.errstate(over="ignore"):
        s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    assert dZ.shape == Z.shape
    return dZ


def tanh_backward(dA, cache):
    """Backward propagation for a single TANH unit (recomputes tanh from Z)."""
    Z = cache
    dZ = dA * (1 - np.power(np.tanh(Z), 2))
    assert dZ.shape == Z.shape
    return dZ


# --------------------------------------------------------------------------- forward


def linear_forward(A, W, b):
    """Implement the linear part of a layer's forward propagation. Returns Z, cache=(A, W, b)."""
    Z = np.dot(W, A) + b
    assert Z.shape == (W.shape[0], A.shape[1])
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    """Implement the forward propagation for the LINEAR->ACTIVATION layer."""
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
    elif activation == "tanh":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = tanh(Z)
    else:
        raise ValueError(f"unknown activation {activation!r}")

    assert A.shape == (W.shape[0], A_prev.shape[1])
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters, activations):
    """Forward propagation for [LINEAR->ACT]*L; ``activations[l-1]`` is layer l's activation.

    Returns AL, caches (list of L caches, indexed 0..L-1).
    """
    caches = []
    A = X
    L = len(parameters) // 2  # number of layers in the neural network

    # Implement [LINEAR -> ACT]*(L-1). Add "cache" to the "caches" list.
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(
            A_prev, parameters["W" + str(l)], parameters["b" + str(l)], activations[l - 1]
        )
        caches.append(cache)

    # Implement LINEAR -> SIGMOID (the output layer). Add "cache" to the "caches" list.
    AL, cache = linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], activations[L - 1]
    )
    caches.append(cache)

    assert AL.shape == (parameters["W" + str(L)].shape[0], X.shape[1])
    return AL, caches


def forward_only(X, parameters, activations):
    """Forward pass returning AL only (the course's ``predict`` calls L_model_forward and
    ignores the caches)."""
    probas, _caches = L_model_forward(X, parameters, activations)
    return probas


def forward_all_activations(X, parameters, activations):
    """Forward pass keeping every A[l] (l = 1..L): what the course's hidden-unit plots read."""
    AL, caches = L_model_forward(X, parameters, activations)
    # caches[l] = ((A_prev, W, b), Z) for layer l+1, so A[l] is caches[l][0][0] for l >= 1.
    A_list = [caches[l][0][0] for l in range(1, len(caches))]
    A_list.append(AL)
    return A_list


def predict(X, y, parameters, activations):
    """The course's ``predict``: probabilities -> 0/1 predictions (element by element)."""
    m = X.shape[1]
    p = np.zeros((1, m))

    probas, _caches = L_model_forward(X, parameters, activations)

    # convert probas to 0/1 predictions
    for i in range(0, probas.shape[1]):
        if probas[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0

    return p


# --------------------------------------------------------------------------- cost


def compute_cost(AL, Y):
    """Cross-entropy cost: -1/m * sum(Y log AL + (1-Y) log(1-AL))."""
    m = Y.shape[1]

    # Compute loss from aL and y.
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))

    cost = np.squeeze(cost)  # To make sure your cost's shape is what we expect.
    assert cost.shape == ()
    return cost


# --------------------------------------------------------------------------- backward


def linear_backward(dZ, cache):
    """Linear portion of backward propagation for a single layer (layer l)."""
    A_prev, W, b = cache
    m = A_prev.shape[1]

    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)

    assert dA_prev.shape == A_prev.shape
    assert dW.shape == W.shape
    assert db.shape == b.shape
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """Backward propagation for the LINEAR->ACTIVATION layer."""
    linear_cache, activation_cache = cache

    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    elif activation == "tanh":
        dZ = tanh_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    else:
        raise ValueError(f"unknown activation {activation!r}")

    return dA_prev, dW, db


def L_model_backward(AL, Y, caches, activations):
    """Backward propagation for [LINEAR->ACT]*L. Returns grads with the course's string keys:
    grads["dA" + str(l)], grads["dW" + str(l)], grads["db" + str(l)]."""
    grads = {}
    L = len(caches)  # the number of layers
    Y = Y.reshape(AL.shape)  # after this line, Y is the same shape as AL

    # Initializing the backpropagation
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))

    # Lth layer (SIGMOID -> LINEAR) gradients.
    current_cache = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = (
        linear_activation_backward(dAL, current_cache, activations[L - 1])
    )

    # Loop from l=L-2 to l=0
    for l in reversed(range(L - 1)):
        # lth layer: (ACT -> LINEAR) gradients.
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, activations[l]
        )
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp

    return grads


# --------------------------------------------------------------------------- update


def update_parameters(params, grads, learning_rate):
    """Update parameters using gradient descent (builds new arrays, like the course)."""
    parameters = params.copy()
    L = len(parameters) // 2  # number of layers in the neural network

    for l in range(L):
        parameters["W" + str(l + 1)] = (
            parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        )
        parameters["b" + str(l + 1)] = (
            parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
        )

    return parameters


# --------------------------------------------------------------------------- mini-batches


def random_mini_batches(X, Y, mini_batch_size, rng):
    """Creates a list of random minibatches from (X, Y), the course's way."""
    m = X.shape[1]  # number of training examples
    mini_batches = []

    # Step 1: Shuffle (X, Y)
    permutation = list(rng.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))

    # Step 2: Partition (shuffled_X, shuffled_Y). Minus the end case.
    # number of mini batches of size mini_batch_size in your partitionning
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    # Handling the end case (last mini-batch < mini_batch_size)
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size : m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size : m]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    return mini_batches


# --------------------------------------------------------------------------- training loops


def one_iteration(X, Y, parameters, activations, learning_rate):
    """One iteration of the course's L_layer_model loop: forward, cost, backward, update.

    Returns (cost, new_parameters).
    """
    # Forward propagation: [LINEAR -> ACT]*(L-1) -> LINEAR -> SIGMOID.
    AL, caches = L_model_forward(X, parameters, activations)
    # Compute cost.
    cost = compute_cost(AL, Y)
    # Backward propagation.
    grads = L_model_backward(AL, Y, caches, activations)
    # Update parameters.
    parameters = update_parameters(parameters, grads, learning_rate)
    return cost, parameters


def L_layer_model(X, Y, parameters, activations, learning_rate, num_iterations):
    """The course's full-batch L_layer_model loop from given parameters -> (params, costs)."""
    costs = []
    for _i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters, activations)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches, activations)
        parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(cost)
    return parameters, costs


def minibatch_model(X, Y, parameters, activations, learning_rate, num_updates, batch_size, rng):
    """The course's mini-batch GD epoch loop, stopped after ``num_updates`` mini-batch updates.

    Each epoch reshuffles with ``random_mini_batches``. Returns (params, costs per update).
    """
    costs = []
    count = 0
    while count < num_updates:
        minibatches = random_mini_batches(X, Y, batch_size, rng)
        for minibatch in minibatches:
            # Select a minibatch
            (minibatch_X, minibatch_Y) = minibatch
            # Forward propagation
            AL, caches = L_model_forward(minibatch_X, parameters, activations)
            # Compute cost
            cost = compute_cost(AL, minibatch_Y)
            # Backward propagation
            grads = L_model_backward(AL, minibatch_Y, caches, activations)
            # Update parameters
            parameters = update_parameters(parameters, grads, learning_rate)
            costs.append(cost)
            count += 1
            if count == num_updates:
                break
    return parameters, costs
