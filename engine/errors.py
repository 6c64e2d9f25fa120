"""The engine's one exception of its own: a run that diverged.

Bad arguments raise `ValueError` with a message naming the argument and what is allowed. A run
whose cost or parameters stop being finite numbers (NaN or ±inf, typically from too large a
learning rate) raises `DivergedError` from `Network.step`; `Network.fit` and `Trainer.run` catch it
and report it as the outcome `status == "diverged"`. Either way the network keeps the last finite
parameters, so it can still be drawn and inspected.
"""

from __future__ import annotations


class DivergedError(ArithmeticError):
    """Training produced a non-finite cost or non-finite parameters.

    iteration: the 1-based iteration whose cost or update was not finite; the network's
        parameters are the ones after `iteration - 1` updates, and they are all finite.
    quantity: "cost" or "parameters" — which one stopped being finite.
    value: the offending cost (NaN or inf), or None for parameters.
    """

    def __init__(self, iteration: int, quantity: str, value: float | None = None) -> None:
        self.iteration = iteration
        self.quantity = quantity
        self.value = value
        what = f"the cost became {value}" if quantity == "cost" else "the update overflowed"
        super().__init__(
            f"diverged at iteration {iteration}: {what}; "
            "the learning rate is probably too large for this network"
        )
