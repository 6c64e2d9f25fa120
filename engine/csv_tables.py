"""Reading the user's own CSV table into a standardized, split Dataset.

A header row, numeric feature columns and one label column chosen by name (``csv_columns``
guesses it, ``load_csv`` reads the file). Features are standardized as the course explains,
x' = (x − μ) / σ, with μ and σ taken from the *training* split only (the test set must not leak
into the preprocessing) and recorded on the result. What loaders share (``LoaderError``,
``LoadedData``, the limit checks) is in ``loading.py``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets import TASKS, Dataset, TargetScale, Task, plot_bounds, read_only
from .loading import (
    MAX_CSV_CLASSES,
    LoadedData,
    LoaderError,
    Standardization,
    check_limit,
    check_size,
)

# Default limits; the web app passes its own from Settings.
MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
MAX_COLUMNS = 100
# A plain decimal number: optional sign, digits with an optional point, optional exponent.
# Stricter than float(), which would also take "1_000", "nan" and "infinity".
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Spellings of a missing or non-finite value, reported as such rather than as "not a number".
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "inf", "+inf", "-inf", "infinity"})
# A task a user may ask for besides the engine's three: classification, binary or multiclass by
# the number of distinct labels (a page's "classes" beside "regression" and "auto").
CLASSES = "classes"
CSV_TASKS = (*TASKS, CLASSES)
TASK_RULE = "task"
"""The rule of a LoaderError whose labels cannot have the task that was asked for."""
# What a file chooser offers for a CSV: the suffix and the media types browsers give such files.
CSV_ACCEPT = (".csv", "text/csv", "text/plain")


def _read_text(source: str | bytes | os.PathLike, max_bytes: int) -> tuple[str, str]:
    """The CSV text and a name for the dataset. A str with no newline is a path."""
    if isinstance(source, (bytes, bytearray)):
        name, data = "csv", bytes(source)
    elif isinstance(source, str) and ("\n" in source or "\r" in source or not source.strip()):
        name, data = "csv", None
        if len(source.encode("utf-8")) > max_bytes:
            raise LoaderError(
                f"The file is too large: over the limit of {max_bytes} bytes", limit=max_bytes
            )
        text = source
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = path.stem or "csv"
        check_size(path, max_bytes, "The file")
        try:
            data = path.read_bytes()
        except OSError as err:
            raise LoaderError(f"Cannot read {str(path)!r}: {err.strerror or err}") from None
    else:
        raise TypeError(f"source must be a path, str or bytes; got {type(source).__name__}")
    if data is not None:
        if len(data) > max_bytes:
            raise LoaderError(
                f"The file is too large: {len(data)} bytes, over the limit of {max_bytes} bytes",
                limit=max_bytes,
            )
        if b"\x00" in data:
            raise LoaderError("This is not a CSV file: it contains binary data (NUL bytes)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise LoaderError(
                f"This is not a CSV text file: byte {err.start} is not valid UTF-8 text"
            ) from None
    if "\x00" in text:
        raise LoaderError("This is not a CSV file: it contains binary data (NUL bytes)")
    return text, name


def _rows(text: str, max_rows: int, max_columns: int) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the (row number, cells) of each non-blank data row."""
    reader = csv.reader(io.StringIO(text), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue  # blank line
            if header is None:
                header = [c.strip() for c in cells]
                if len(header) > max_columns:
                    raise LoaderError(
                        f"Too many columns: the header has {len(header)}, over the limit of "
                        f"{max_columns}",
                        row=reader.line_num,
                        limit=max_columns,
                    )
                continue
            if len(rows) >= max_rows:
                raise LoaderError(
                    f"Too many rows: more than the limit of {max_rows} data rows",
                    row=reader.line_num,
                    limit=max_rows,
                )
            rows.append((reader.line_num, cells))
    except csv.Error as err:
        raise LoaderError(
            f"This is not a valid CSV file: {err} (row {reader.line_num})", row=reader.line_num
        ) from None
    if header is None:
        raise LoaderError("The file is empty: expected a header row and data rows")
    return header, rows


def _check_header(header: list[str]) -> None:
    if all(NUMBER.fullmatch(h) for h in header):
        raise LoaderError(
            "No header row: row 1 holds only numbers; the first row must name the columns",
            row=1,
        )
    seen: dict[str, int] = {}
    for j, name in enumerate(header, start=1):
        if not name:
            raise LoaderError(f"The header (row 1) has an empty name in column {j}", row=1)
        if name in seen:
            raise LoaderError(
                f"The header (row 1) names {name!r} twice: columns {seen[name]} and {j}",
                row=1,
                column=name,
            )
        seen[name] = j


def _where(row: int, j: int, name: str) -> str:
    return f"row {row}, column {j + 1} {name!r}"


def _number(cell: str, row: int, j: int, name: str) -> float:
    """A finite number from one cell, or a LoaderError naming the cell."""
    text = cell.strip()
    if text.lower() in MISSING:
        what = "a missing value" if not text else f"a missing or non-finite value {text!r}"
        raise LoaderError(
            f"{_where(row, j, name)} has {what}; every cell must hold a finite number",
            row=row,
            column=name,
        )
    if not NUMBER.fullmatch(text):
        raise LoaderError(
            f"{_where(row, j, name)} is not a number: {text[:40]!r}", row=row, column=name
        )
    value = float(text)
    if not math.isfinite(value):
        raise LoaderError(
            f"{_where(row, j, name)} is too large to be a finite number: {text[:40]!r}",
            row=row,
            column=name,
        )
    return value


def _labels(
    cells: list[tuple[int, str]], label: str, j: int, task: str | None
) -> tuple[Task, np.ndarray, tuple[str, ...] | None]:
    """(task, Y (1, m), label_names) from the label cells (row number, text); task as asked
    (one of CSV_TASKS), None to guess it. Labels the asked task cannot have are a LoaderError
    of rule "task"."""
    rule = None if task is None else TASK_RULE
    for row, text in cells:
        if text.strip().lower() in MISSING:
            _number(text, row, j, label)  # raises with the missing-value message
    texts = [text.strip() for _, text in cells]
    numeric = all(NUMBER.fullmatch(t) for t in texts)
    values: list[float | str] = [float(t) for t in texts] if numeric else texts
    # Distinct values in sorted order; each keeps the spelling of its first appearance.
    spelling: dict[float | str, str] = {}
    for v, t in zip(values, texts, strict=True):
        spelling.setdefault(v, t)
    distinct = sorted(spelling)
    if len(distinct) < 2:
        raise LoaderError(
            f"The label column {label!r} has only one class ({texts[0]!r}); "
            "a network needs at least two different labels to learn from",
            column=label,
        )
    if task == CLASSES:
        task = "binary" if len(distinct) == 2 else "multiclass"
    if task is None:
        integer_like = numeric and all(float(v).is_integer() for v in distinct)
        if len(distinct) == 2:
            task = "binary"
        elif len(distinct) <= MAX_CSV_CLASSES and (integer_like or not numeric):
            task = "multiclass"
        elif numeric:
            task = "regression"
        else:
            raise LoaderError(
                f"The label column {label!r} is not numeric and has {len(distinct)} different "
                f"values, more than the {MAX_CSV_CLASSES} classes nnplay can learn",
                column=label,
            )
    if task == "regression":
        if not numeric:
            for (row, _text), t in zip(cells, texts, strict=True):
                if not NUMBER.fullmatch(t):
                    raise LoaderError(
                        f"{_where(row, j, label)} is not a number: {t[:40]!r}; a regression "
                        "label must be numeric (learn text labels as classes)",
                        row=row,
                        column=label,
                        rule=rule,
                    )
        return task, np.array([values], dtype=np.float64), None
    if task == "binary" and len(distinct) != 2:
        raise LoaderError(
            f"The label column {label!r} has {len(distinct)} different values; "
            "a binary label needs exactly two",
            column=label,
            rule=rule,
        )
    if len(distinct) > MAX_CSV_CLASSES:
        numbers = "; as numbers, they can be learnt by regression" if numeric else ""
        raise LoaderError(
            f"The label column {label!r} has {len(distinct)} different values, more than the "
            f"{MAX_CSV_CLASSES} classes nnplay can learn{numbers}",
            column=label,
            rule=rule,
        )
    index = {v: k for k, v in enumerate(distinct)}
    classes = np.array([[index[v] for v in values]], dtype=np.int64)
    Y = classes.astype(np.float64) if task == "binary" else classes
    return task, Y, tuple(spelling[v] for v in distinct)


LABEL_NAMES = ("label", "labels", "y", "target", "class", "species", "outcome", "diagnosis")
"""Column names taken for the label when no other column says it is one."""


@dataclass(frozen=True)
class CsvColumns:
    """A CSV file's header, its number of data rows and the column most likely the label."""

    columns: tuple[str, ...]
    rows: int
    label: str


def csv_columns(
    source: str | bytes | os.PathLike,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
) -> CsvColumns:
    """Read a CSV file's header and guess its label column, to offer the choice to a user.

    The guess: the one column holding words in most of its rows (features must be numbers),
    else a column named like a label (LABEL_NAMES, any case), else the last column.

    Raises:
        LoaderError: the file is not a CSV table within the limits (see ``load_csv``).
    """
    max_bytes = check_limit("max_bytes", max_bytes)
    text, _ = _read_text(source, max_bytes)
    header, rows = _rows(
        text, check_limit("max_rows", max_rows), check_limit("max_columns", max_columns)
    )
    _check_header(header)

    def is_text(cell: str) -> bool:
        text = cell.strip()
        return not NUMBER.fullmatch(text) and text.lower() not in MISSING

    # A column of words (most cells not numbers): a label; a stray word in numbers is a typo.
    textual = [
        name
        for j, name in enumerate(header)
        if 2 * sum(j < len(cells) and is_text(cells[j]) for _, cells in rows) > len(rows)
    ]
    named = [name for name in header if name.lower() in LABEL_NAMES]
    label = textual[0] if len(textual) == 1 else named[0] if named else header[-1]
    return CsvColumns(tuple(header), len(rows), label)


def load_csv(
    source: str | bytes | os.PathLike,
    label: str,
    *,
    task: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    train_fraction: float = 0.8,
    seed: int = 0,
    standardize_targets: bool = False,
) -> LoadedData:
    """Read a CSV table into a standardized, split Dataset.

    Args:
        source: a path (``str`` without a newline, or ``os.PathLike``), the file's bytes, or its
            text (a ``str`` containing a newline). UTF-8, comma-separated, header row first.
        label: name of the label column; every other column is a numeric feature.
        task: "binary", "multiclass" or "regression"; "classes": binary for two distinct
            labels, multiclass for more; None infers it: two distinct labels are binary,
            3 … 10 distinct whole-number (or non-numeric) labels are multiclass, other numeric
            labels are regression. A task the labels cannot have (regression on text, more
            than 10 classes, binary on three labels) is a LoaderError of rule "task" saying
            why. Class k is the k-th smallest label (numeric order when all labels are numbers,
            text order otherwise); ``label_names`` records the mapping.
        max_bytes, max_rows, max_columns: limits on the file size, the data rows (header not
            counted) and the columns.
        train_fraction: in (0, 1]; the split is a permutation drawn from
            ``np.random.default_rng(seed)``, m_train = max(1, round(train_fraction * m)).
        seed: non-negative int.
        standardize_targets: regression only: the label column standardized too, with the
            training mean and std (the dataset's ``target_scale``): house prices in dollars
            have a squared error no learning rate of the playground's range survives.

    Returns:
        LoadedData whose dataset has X_train (n_x, m_train), X_test (n_x, m_test) standardized
        with the training mean and std, and Y (1, m): float 0/1 (binary), int64 0..C-1
        (multiclass) or float (regression).

    Raises:
        LoaderError (a ValueError): the file cannot be used; the message says what and where.
        ValueError: a bad argument.
    """
    max_bytes = check_limit("max_bytes", max_bytes)
    max_rows = check_limit("max_rows", max_rows)
    max_columns = check_limit("max_columns", max_columns)
    if task is not None and task not in CSV_TASKS:
        raise ValueError(f"task must be None or one of {', '.join(CSV_TASKS)}; got {task!r}")
    if isinstance(train_fraction, bool) or not 0.0 < float(train_fraction) <= 1.0:
        raise ValueError(f"train_fraction must be a number in (0, 1]; got {train_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int; got {seed!r}")

    text, name = _read_text(source, max_bytes)
    header, rows = _rows(text, max_rows, max_columns)
    _check_header(header)
    if label not in header:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            hint = " (nnplay reads comma-separated values)"
        raise LoaderError(
            f"No label column {label!r}; the columns are: {', '.join(map(repr, header))}{hint}",
            row=1,
            column=label,
        )
    if len(header) < 2:
        raise LoaderError(
            f"The file has only the label column {label!r} and no feature columns "
            "(nnplay reads comma-separated values)",
            row=1,
        )
    for row, cells in rows:
        if len(cells) != len(header):
            raise LoaderError(
                f"Row {row} has {len(cells)} values but the header has {len(header)} columns",
                row=row,
            )
    if len(rows) < 2:
        raise LoaderError(f"Too few rows: {len(rows)} data row(s); at least 2 are needed")

    j_label = header.index(label)
    feature_cols = [j for j in range(len(header)) if j != j_label]
    feature_names = tuple(header[j] for j in feature_cols)
    X_raw = np.array(
        [[_number(cells[j], row, j, header[j]) for j in feature_cols] for row, cells in rows],
        dtype=np.float64,
    ).T  # (n_x, m)
    found_task, Y, label_names = _labels(
        [(row, cells[j_label]) for row, cells in rows], label, j_label, task
    )

    m = X_raw.shape[1]
    perm = np.random.default_rng(seed).permutation(m)
    m_train = max(1, round(float(train_fraction) * m))
    train_idx, test_idx = perm[:m_train], perm[m_train:]

    mean = X_raw[:, train_idx].mean(axis=1)
    std = X_raw[:, train_idx].std(axis=1)
    for i, sigma in enumerate(std):
        if sigma == 0.0:
            raise LoaderError(
                f"Feature column {feature_cols[i] + 1} {feature_names[i]!r} is constant "
                f"(every training value is {X_raw[i, train_idx[0]]:g}), so it cannot be "
                "standardized (σ = 0) and carries no information; remove it",
                column=feature_names[i],
            )
    standardization = Standardization(
        feature_names, tuple(float(v) for v in mean), tuple(float(v) for v in std)
    )
    X = standardization.apply(X_raw)
    bounds = plot_bounds(X, Y, min(X.shape[0], 2))  # the plane, or input vs raw target
    scale = None
    if standardize_targets and found_task == "regression":
        scale = TargetScale.of(Y[:, train_idx])
        Y = scale.apply(Y)
    dataset = Dataset(
        name=name,
        task=found_task,
        X_train=read_only(X[:, train_idx]),
        Y_train=read_only(Y[:, train_idx]),
        X_test=read_only(X[:, test_idx]),
        Y_test=read_only(Y[:, test_idx]),
        n_classes=None if label_names is None else len(label_names),
        bounds=bounds,
        features=(),
        target_scale=scale,
    )
    return LoadedData(dataset, feature_names, label, label_names, standardization)
