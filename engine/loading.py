"""What the loaders of the user's own data share: the error they raise, what they return, and the
checks of limits and file sizes.

A file becomes a ``LoadedData``: an ``engine.datasets.Dataset`` in the course's shapes (X is
(n_x, m), Y is (1, m)) plus what a reader needs to see how the file became those arrays — the
column names, the label mapping and the standardization. ``csv_tables.py`` reads CSV tables,
``image_sets.py`` the course's image-set files.

Every problem with a file raises ``LoaderError`` (a ``ValueError``) with one message that says
what is wrong and where: rows are numbered as a spreadsheet shows them, the header being row 1.
The messages are shown to users of the web UI as they are. Nothing is ever evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets import Dataset

MAX_CSV_CLASSES = 10
"""Most classes a loaded label may name: a CSV label column with at most this many distinct
values may be read as classes, and an image set's labels may name at most this many."""


class LoaderError(ValueError):
    """A data file nnplay cannot use. ``row`` (header = 1) and ``column`` say where, if known."""

    def __init__(
        self,
        message: str,
        row: int | None = None,
        column: str | None = None,
        limit: int | None = None,
        rule: str | None = None,
    ):
        super().__init__(message)
        self.row = row
        self.column = column
        self.limit = limit
        """The limit a file is over (size, rows, columns), if that is the problem."""
        self.rule = rule
        """The rule of a file's structure it breaks, if that is the problem: "pickle", "dtype",
        "soft_link", "external_link", "link", "virtual_dataset", "external_storage", "layout",
        "filter" or "empty" (image-set files); "task" (a CSV's labels cannot have the task
        asked for: regression on text, more classes than nnplay learns, binary on three)."""


@dataclass(frozen=True)
class Standardization:
    """How raw feature columns became X: x' = (x − mean) / std, per feature.

    mean and std were computed on the training examples only (std is the population standard
    deviation, as np.std), and are applied unchanged to the test examples and to new inputs.
    """

    feature_names: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]

    def apply(self, X_raw: np.ndarray) -> np.ndarray:
        """Standardize raw features X_raw (n_x, m) with the recorded statistics."""
        X_raw = np.asarray(X_raw, dtype=np.float64)
        if X_raw.ndim != 2 or X_raw.shape[0] != len(self.mean):
            raise ValueError(f"X_raw must have shape ({len(self.mean)}, m); got {X_raw.shape}")
        mean = np.array(self.mean).reshape(-1, 1)
        std = np.array(self.std).reshape(-1, 1)
        return (X_raw - mean) / std


@dataclass(frozen=True, eq=False)
class LoadedData:
    """A loaded file: the dataset and how it was made.

    ``label_names[k]`` is the file's spelling of class k (binary and multiclass); None for
    regression. ``standardization`` is set for CSV data; image data is divided by 255 instead
    (``pixel_scale``). ``image_shape`` is (h, w, 3) for image sets, so X[:, i] reshaped to
    image_shape is example i again.
    """

    dataset: Dataset
    feature_names: tuple[str, ...]
    label: str
    label_names: tuple[str, ...] | None
    standardization: Standardization | None = None
    image_shape: tuple[int, int, int] | None = None
    pixel_scale: float | None = None


def check_size(path: Path, max_bytes: int, what: str) -> None:
    """A LoaderError if the file cannot be read or is over max_bytes (``what`` names it)."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise LoaderError(f"Cannot read {str(path)!r}: {err.strerror or err}") from None
    if size > max_bytes:
        raise LoaderError(
            f"{what} is too large: {size} bytes, over the limit of {max_bytes} bytes",
            limit=max_bytes,
        )


def check_limit(arg: str, value: object) -> int:
    """A limit argument (max_bytes, max_rows, …) as a positive int, or a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{arg} must be a positive int; got {value!r}")
    return value
