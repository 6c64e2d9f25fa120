"""The benchmark networks in PyTorch eager mode on CPU (float64), for comparison only.

Import-guarded: if torch is not installed, ``AVAILABLE`` is False and ``UNAVAILABLE_REASON``
says why; nothing else in this module may be used then. ``torch.set_num_threads`` is left at
its default.

Same computation as ``bench/textbook.py``: Z = W A + b per layer (W of shape (n_l, n_{l-1}),
column-major examples like the course), tanh/relu hidden layers, a sigmoid output trained
with binary cross-entropy (``binary_cross_entropy_with_logits`` on Z_L, mean over examples),
and a plain SGD update under ``torch.no_grad()``.
"""

from __future__ import annotations

import numpy as np

try:
    import torch
except ImportError as exc:  # pragma: no cover - depends on the environment
    torch = None
    AVAILABLE = False
    UNAVAILABLE_REASON = f"torch not importable ({exc})"
else:
    AVAILABLE = True
    UNAVAILABLE_REASON = ""


def version():
    return torch.__version__ if AVAILABLE else None


def _act(name, Z):
    if name == "relu":
        return torch.relu(Z)
    if name == "tanh":
        return torch.tanh(Z)
    if name == "sigmoid":
        return torch.sigmoid(Z)
    raise ValueError(f"unknown activation {name!r}")


class TorchNet:
    """A fully connected net ``layer_dims``/``activations`` in float64 torch tensors."""

    def __init__(self, parameters, activations):
        if not AVAILABLE:
            raise RuntimeError(UNAVAILABLE_REASON)
        if activations[-1] != "sigmoid":
            raise ValueError("output layer must be sigmoid (BCE with logits)")
        self.activations = list(activations)
        self.L = len(activations)
        self.set_parameters(parameters)

    # -- parameters ---------------------------------------------------------------------
    def set_parameters(self, parameters):
        self.W = []
        self.b = []
        for l in range(1, self.L + 1):
            W = torch.tensor(np.asarray(parameters["W" + str(l)]), dtype=torch.float64)
            b = torch.tensor(np.asarray(parameters["b" + str(l)]), dtype=torch.float64)
            self.W.append(W.requires_grad_(True))
            self.b.append(b.requires_grad_(True))

    @property
    def parameters(self):
        out = {}
        for l in range(1, self.L + 1):
            out["W" + str(l)] = self.W[l - 1].detach().numpy().copy()
            out["b" + str(l)] = self.b[l - 1].detach().numpy().copy()
        return out

    # -- forward --------------------------------------------------------------------------
    def logits(self, X):
        A = X
        for l in range(self.L - 1):
            A = _act(self.activations[l], torch.addmm(self.b[l], self.W[l], A))
        return torch.addmm(self.b[-1], self.W[-1], A)

    def forward_all(self, X):
        """Every A[l], l = 1..L, without autograd."""
        out = []
        with torch.no_grad():
            A = X
            for l in range(self.L):
                A = _act(self.activations[l], torch.addmm(self.b[l], self.W[l], A))
                out.append(A)
        return out

    def predict_proba(self, X):
        with torch.no_grad():
            return torch.sigmoid(self.logits(X))

    # -- training -------------------------------------------------------------------------
    def step(self, X, Y, learning_rate):
        """One forward + BCE cost + backward + SGD update; returns the cost as a float."""
        ZL = self.logits(X)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(ZL, Y)
        params = self.W + self.b
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p.sub_(learning_rate * g)
        return loss.item()

    def grads(self, X, Y):
        """(cost, {"dW1": ..., "db1": ...}) as numpy arrays, without updating."""
        ZL = self.logits(X)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(ZL, Y)
        gW = torch.autograd.grad(loss, self.W + self.b)
        out = {}
        for l in range(1, self.L + 1):
            out["dW" + str(l)] = gW[l - 1].numpy().copy()
            out["db" + str(l)] = gW[self.L + l - 1].numpy().copy()
        return loss.item(), out

    def fit_minibatch(self, X, Y, learning_rate, num_updates, batch_size, generator):
        """Mini-batch SGD, reshuffled every epoch, stopping after ``num_updates`` updates."""
        m = X.shape[1]
        count = 0
        cost = None
        while count < num_updates:
            perm = torch.randperm(m, generator=generator)
            Xs = X[:, perm]
            Ys = Y[:, perm]
            for k in range(0, m, batch_size):
                cost = self.step(
                    Xs[:, k : k + batch_size], Ys[:, k : k + batch_size], learning_rate
                )
                count += 1
                if count == num_updates:
                    break
        return cost


def to_tensor(a):
    """float64 CPU tensor from a numpy array (copy)."""
    return torch.tensor(np.asarray(a, dtype=np.float64))


def make_generator(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g
