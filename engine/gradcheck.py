"""Gradient checking: backpropagation against two-sided finite differences, as the course does.

For each parameter θ_i:  gradapprox_i = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε), and

    difference = ‖grad - gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)

The course's reading of it: below 1e-7 the backward pass is right; above 1e-3 there is a bug.
Costs 2 forward passes per parameter: for small networks and a few examples only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network


@dataclass(frozen=True)
class GradientCheck:
    """difference as defined above; grad and gradapprox as flat vectors over all parameters,
    ordered W1 … WL then b1 … bL."""

    difference: float
    grad: np.ndarray
    gradapprox: np.ndarray


def gradient_check(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    l2: float = 0.0,
    epsilon: float = 1e-7,
    l1: float = 0.0,
) -> GradientCheck:
    """Compare `net`'s backprop gradients on (X, Y) with finite differences of its cost.

    X (n_x, m), Y (n_y, m). J(θ ± ε e_i) is taken with `Network.cost_at` on a copy of θ, so the
    network's parameters never change. With l1 > 0, keep every weight away from 0, where |w|
    has a kink and a two-sided difference is not its (sub)gradient.
    """
    grads = net.gradients(X, Y, l2=l2, l1=l1)
    L = net.L
    grad = np.concatenate(
        [grads[f"dW{l}"].ravel() for l in range(1, L + 1)]
        + [grads[f"db{l}"].ravel() for l in range(1, L + 1)]
    )
    theta = net.flat_parameters()  # a copy: the network itself is never perturbed
    saved = theta.copy()
    gradapprox = np.empty_like(grad)
    for i in range(theta.size):
        theta[i] = saved[i] + epsilon
        J_plus = net.cost_at(theta, X, Y, l2=l2, l1=l1)
        theta[i] = saved[i] - epsilon
        J_minus = net.cost_at(theta, X, Y, l2=l2, l1=l1)
        theta[i] = saved[i]
        gradapprox[i] = (J_plus - J_minus) / (2 * epsilon)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = float(numerator / denominator) if denominator > 0 else 0.0
    return GradientCheck(difference, grad, gradapprox)
