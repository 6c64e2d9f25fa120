"""Update rules: gradient descent (the course's), momentum and Adam.

Each optimizer turns the gradient of all parameters into the step Δθ that the network subtracts,
θ ← θ - Δθ. Parameters and gradients live in one flat vector (see `network.py`), so one rule
updates every W[l] and b[l] with a handful of NumPy calls whatever the depth.

    gd        Δθ = α dθ
    momentum  v = β v + (1 - β) dθ;                               Δθ = α v
    adam      v = β1 v + (1 - β1) dθ;  s = β2 s + (1 - β2) dθ²;
              v̂ = v / (1 - β1^t);  ŝ = s / (1 - β2^t);            Δθ = α v̂ / (√ŝ + ε)

An optimizer's state (v, s, t) belongs to one network; changing the learning rate or β between
steps keeps it, changing the rule starts the new rule from zero state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Hyperparameters:
    """The settings an update rule reads each step; all can change between steps."""

    learning_rate: float
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8


class GradientDescent:
    """Batch or mini-batch gradient descent: Δθ = α dθ."""

    name = "gd"
    title = "Gradient descent"

    def __init__(self, size: int) -> None:
        self._delta = np.empty(size)

    def delta(self, grad: np.ndarray, hp: Hyperparameters) -> np.ndarray:
        """Δθ for gradient `grad` (size,); the returned buffer is reused by the next call."""
        return np.multiply(grad, hp.learning_rate, out=self._delta)


class Momentum:
    """Gradient descent with momentum: an exponentially weighted average of gradients."""

    name = "momentum"
    title = "Momentum"

    def __init__(self, size: int) -> None:
        self.v = np.zeros(size)
        self._delta = np.empty(size)

    def delta(self, grad: np.ndarray, hp: Hyperparameters) -> np.ndarray:
        """Δθ = α v after v = β v + (1 - β) dθ."""
        self.v *= hp.beta
        self.v += np.multiply(grad, 1.0 - hp.beta, out=self._delta)
        return np.multiply(self.v, hp.learning_rate, out=self._delta)


class Adam:
    """Adam: momentum on the gradient and on its square, with bias correction."""

    name = "adam"
    title = "Adam"

    def __init__(self, size: int) -> None:
        self.v = np.zeros(size)
        self.s = np.zeros(size)
        self.t = 0
        self._delta = np.empty(size)

    def delta(self, grad: np.ndarray, hp: Hyperparameters) -> np.ndarray:
        """Δθ = α v̂ / (√ŝ + ε)."""
        self.t += 1
        d = self._delta
        self.v *= hp.beta1
        self.v += np.multiply(grad, 1.0 - hp.beta1, out=d)
        self.s *= hp.beta2
        np.multiply(grad, grad, out=d)
        d *= 1.0 - hp.beta2
        self.s += d
        # √ŝ + ε, then α v̂ divided by it; the two corrections fold into scalars.
        np.sqrt(self.s, out=d)
        d *= 1.0 / np.sqrt(1.0 - hp.beta2**self.t)
        d += hp.epsilon
        np.divide(self.v, d, out=d)
        d *= hp.learning_rate / (1.0 - hp.beta1**self.t)
        return d


OPTIMIZERS: dict[str, type[GradientDescent] | type[Momentum] | type[Adam]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, Adam)
}


def make_optimizer(name: str, size: int) -> GradientDescent | Momentum | Adam:
    """A fresh optimizer for `size` parameters, or a ValueError listing the allowed names."""
    try:
        cls = OPTIMIZERS[name]
    except (KeyError, TypeError):
        allowed = ", ".join(OPTIMIZERS)
        raise ValueError(f"unknown optimizer {name!r}; allowed: {allowed}") from None
    return cls(size)
