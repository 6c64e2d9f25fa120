"""When a run's pictures over the grid are drawn again: the decision boundary (every frame) and
the hidden units' maps (every detail).

A grid pass and its quantization are most of a light frame's cost (the default network's
100 × 100 boundary: ~60 µs of ~170), yet once a network has learned most of what it will, its
boundary moves by a fraction of a colour step a frame (the default run after a minute: about a
tenth of a step, uint8 codes). So a picture is recomputed only when it is expected to have moved
by a colour step since it was last computed, and otherwise the last one travels again (its bytes
as they are: the frame, the page and what it draws are unchanged).

The expectation is measured, not guessed: each time a picture is computed, its values (before
quantization, in units of its codes) are compared with those of the last computation, and the
largest change of any value per frame since then (the picture's *speed*) sets how many frames it
waits before the next: as many as take it one step at that speed, between 1 and MAX_WAIT. (Its
codes would not do: with 10,000 of them, some value crosses a rounding edge at almost any motion,
however small.) A picture that moves a step a frame or more (while it learns: the first seconds,
a new learning rate) is recomputed every frame; one that moved by nothing waits MAX_WAIT frames.
A picture whose motion speeds up (a network leaving a plateau) shows it at its next computation,
at most MAX_WAIT frames later (about a quarter of a second at 30 frames/s), and from then on every
frame. A picture whose codes are not a fixed scale of its values (a regression's boundary, on the
range of its own values; maps of ReLU or linear units, each on its own range) is recomputed every
frame. A run that is not running (paused, finished, diverged: its last frame is the one that
stays on screen) always computes; so does one after a
reset, new data or new hyperparameters (`clear`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .frames import Blob

MAX_WAIT = 8
"""Most frames a picture waits between two computations (8 frames: 0.27 s at 30 frames/s)."""
STEP = 1.0
"""The change a picture may build up between computations at its measured speed: one uint8 code,
a colour step of the boundary."""

Values = Sequence[tuple[np.ndarray, float]] | None
"""What a picture was computed from, to measure its speed: arrays, each with the codes one unit of
its values spans (the boundary of a sigmoid: 255); None if its codes are no fixed scale of them."""


class Picture:
    """One picture of a run, recomputed only when due (module docstring)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget the picture: the next `get` computes it."""
        self.blob: Blob | None = None
        self._values: Values = None
        self._at = 0
        self._due = 0
        self.computed = 0
        """How many times it was computed (for tests and benchmarks)."""

    def get(
        self, frame: int, compute: Callable[[], tuple[Blob, Values]], force: bool = False
    ) -> Blob:
        """The picture for frame number `frame` (counting up): computed now (`compute()`: its
        blob, and the values it was quantized from) if due or `force`d, else the last one."""
        if self.blob is not None and not force and self._at < frame < self._due:
            return self.blob
        blob, values = compute()
        wait = 1
        if values is not None and self._values is not None and frame > self._at:
            moved = _largest_change(self._values, values)
            if moved is not None:
                per_frame = moved / (frame - self._at)
                wait = MAX_WAIT if per_frame == 0 else int(max(1, min(MAX_WAIT, STEP / per_frame)))
        self.blob, self._values, self._at, self._due = blob, values, frame, frame + wait
        self.computed += 1
        return blob


def _largest_change(before: Values, after: Values) -> float | None:
    """The largest change of any value, in codes; None if the two are not comparable (NaN in a
    diverging network's picture counts as a change that cannot be measured)."""
    if len(before) != len(after):
        return None
    largest = 0.0
    for (old, scale), (new, new_scale) in zip(before, after, strict=True):
        if old.shape != new.shape or scale != new_scale:
            return None
        change = float(np.abs(np.subtract(new, old)).max(initial=0.0)) * scale
        if not np.isfinite(change):
            return None
        largest = max(largest, change)
    return largest
