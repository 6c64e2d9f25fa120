"""Loaders for the user's own data: a CSV table, or an image set in the course's file layout.

Both return a ``LoadedData``: an ``engine.datasets.Dataset`` in the course's shapes (X is
(n_x, m), Y is (1, m)) plus what a reader needs to see how the file became those arrays — the
column names, the label mapping and the standardization.

* CSV: a header row, numeric feature columns and one label column chosen by name. Features are
  standardized as the course explains, x' = (x − μ) / σ, with μ and σ taken from the *training*
  split only (the test set must not leak into the preprocessing) and recorded on the result.
* Images: the course's HDF5 layout (``train_set_x`` (m, h, w, 3) uint8, ``train_set_y`` (m,),
  ``test_set_x``, ``test_set_y``, optional ``list_classes``) or a NumPy ``.npz`` with the same
  array names. Flattened as the course does, ``x.reshape(m, -1).T / 255``, so the unrolling order
  is row, column, channel. Reading ``.h5`` needs h5py, imported only when such a file is given.

Every problem with a file raises ``LoaderError`` (a ``ValueError``) with one message that says
what is wrong and where: rows are numbered as a spreadsheet shows them, the header being row 1.
The messages are shown to users of the web UI as they are. Nothing is ever evaluated.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets import TASKS, Dataset, TargetScale, Task, _bounds, _read_only

# Default limits; the web app passes its own from Settings.
MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_IMAGE_BYTES = 200_000_000
# Label columns with at most this many distinct values may be read as classes.
MAX_CSV_CLASSES = 10
# A plain decimal number: optional sign, digits with an optional point, optional exponent.
# Stricter than float(), which would also take "1_000", "nan" and "infinity".
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Spellings of a missing or non-finite value, reported as such rather than as "not a number".
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "inf", "+inf", "-inf", "infinity"})
IMAGE_SUFFIXES = (".h5", ".hdf5", ".npz")
# What a file chooser offers for a CSV: the suffix and the media types browsers give such files.
CSV_ACCEPT = (".csv", "text/csv", "text/plain")
COURSE_ARRAYS = ("train_set_x", "train_set_y", "test_set_x", "test_set_y", "list_classes")
H5PY_HINT = (
    "reading .h5 image sets needs h5py, which is not installed: "
    "pip install h5py (or pip install 'nnplay[images]'); .npz image sets need nothing more"
)


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
        "filter" or "empty" (image-set files)."""


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


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def _check_size(path: Path, max_bytes: int, what: str) -> None:
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
        _check_size(path, max_bytes, "The file")
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
    cells: list[tuple[int, str]], label: str, j: int, task: Task | None
) -> tuple[Task, np.ndarray, tuple[str, ...] | None]:
    """(task, Y (1, m), label_names) from the label cells (row number, text)."""
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
                        "label must be numeric",
                        row=row,
                        column=label,
                    )
        return task, np.array([values], dtype=np.float64), None
    if task == "binary" and len(distinct) != 2:
        raise LoaderError(
            f"The label column {label!r} has {len(distinct)} different values; "
            "a binary label needs exactly two",
            column=label,
        )
    if len(distinct) > MAX_CSV_CLASSES:
        raise LoaderError(
            f"The label column {label!r} has {len(distinct)} different values, more than the "
            f"{MAX_CSV_CLASSES} classes nnplay can learn",
            column=label,
        )
    index = {v: k for k, v in enumerate(distinct)}
    classes = np.array([[index[v] for v in values]], dtype=np.int64)
    Y = classes.astype(np.float64) if task == "binary" else classes
    return task, Y, tuple(spelling[v] for v in distinct)


def _check_limit(arg: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{arg} must be a positive int; got {value!r}")
    return value


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
    max_bytes = _check_limit("max_bytes", max_bytes)
    text, _ = _read_text(source, max_bytes)
    header, rows = _rows(
        text, _check_limit("max_rows", max_rows), _check_limit("max_columns", max_columns)
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
        task: "binary", "multiclass" or "regression"; None infers it: two distinct labels are
            binary, 3 … 10 distinct whole-number (or non-numeric) labels are multiclass, other
            numeric labels are regression. Class k is the k-th smallest label (numeric order when
            all labels are numbers, text order otherwise); ``label_names`` records the mapping.
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
    max_bytes = _check_limit("max_bytes", max_bytes)
    max_rows = _check_limit("max_rows", max_rows)
    max_columns = _check_limit("max_columns", max_columns)
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be None or one of {', '.join(TASKS)}; got {task!r}")
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
    bounds = _bounds(X, Y, min(X.shape[0], 2))  # the plane, or input vs raw target
    scale = None
    if standardize_targets and found_task == "regression":
        scale = TargetScale.of(Y[:, train_idx])
        Y = scale.apply(Y)
    dataset = Dataset(
        name=name,
        task=found_task,
        X_train=_read_only(X[:, train_idx]),
        Y_train=_read_only(Y[:, train_idx]),
        X_test=_read_only(X[:, test_idx]),
        Y_test=_read_only(Y[:, test_idx]),
        n_classes=None if label_names is None else len(label_names),
        bounds=bounds,
        features=(),
        target_scale=scale,
    )
    return LoadedData(dataset, feature_names, label, label_names, standardization)


# ---------------------------------------------------------------------------------------------
# Image sets in the course's layout
# ---------------------------------------------------------------------------------------------

# Bright-centre vs dark-centre synthetic images: background level, centre contrast, noise.
SYNTHETIC_BACKGROUND = (70.0, 185.0)
SYNTHETIC_CONTRAST = 60.0
SYNTHETIC_NOISE = 20.0
SYNTHETIC_CLASSES = ("dark centre", "bright centre")


HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = b"PK"
MAX_ARCHIVE_MEMBERS = 64
"""Arrays one .npz archive may hold (the course's layout has five)."""
MAX_NPY_HEADER = 10_000
"""Bytes of one .npy header (NumPy's own default bound)."""
ARRAY_KINDS = frozenset("biufSU")
"""dtype kinds read from a file: booleans, integers, floats and fixed-length strings."""
H5_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32"}
"""HDF5 filters HDF5 itself implements; any other would be looked up as a plugin on disk."""


def _refuse(message: str, rule: str) -> LoaderError:
    return LoaderError(message, rule=rule)


def _check_dtype(dtype: np.dtype, name: str, key: str) -> None:
    if dtype.hasobject:
        raise _refuse(
            f"{name} holds Python objects; nnplay reads only plain numeric arrays", "pickle"
        )
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise _refuse(
            f"{name}: {key!r} has the data type {dtype}; nnplay reads only plain numeric (or "
            "fixed-length text) arrays",
            "dtype",
        )


def _array_bytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    """Bytes an array of this shape and dtype takes (Python ints: no overflow)."""
    return math.prod(int(n) for n in shape) * dtype.itemsize


def _read_arrays(
    source: str | os.PathLike | bytes, max_bytes: int, what: str = "the file"
) -> dict[str, np.ndarray]:
    """The arrays of an .npz or .h5 file (a path, or the file's bytes), by name.

    A path's format follows its suffix; bytes are recognized by their first bytes (a zip archive
    is an .npz, the HDF5 signature an .h5). ``what`` names bytes in messages.

    The file's structure is checked before any array is read: only plain arrays (numbers or
    fixed-length text) are read, whose shapes × item sizes, as the file declares them, add up to
    at most ``max_bytes``; pickled objects, HDF5 links other than hard links, external storage,
    virtual datasets and filters HDF5 would load as plugins are refused (``LoaderError.rule``
    names which), so that a file can never make nnplay read another file or allocate more than
    the limit.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = what
        if len(data) > max_bytes:
            raise LoaderError(
                f"{name} is too large: {len(data)} bytes, over the limit of {max_bytes} bytes",
                limit=max_bytes,
            )
        if data.startswith(ZIP_MAGIC):
            suffix = ".npz"
        elif data.startswith(HDF5_MAGIC):
            suffix = ".h5"
        else:
            raise LoaderError(
                f"{name} is neither a NumPy .npz archive nor an HDF5 .h5 file "
                "(image sets come in the course's .h5 layout or as .npz)"
            )
        opened: io.BytesIO | Path = io.BytesIO(data)
    else:
        path = Path(source)
        name = path.name
        suffix = path.suffix.lower()
        if suffix not in IMAGE_SUFFIXES:
            raise LoaderError(
                f"{name}: unknown image-set format {suffix or '(no suffix)'!r}; "
                f"expected one of {', '.join(IMAGE_SUFFIXES)}"
            )
        _check_size(path, max_bytes, name)
        if suffix == ".npz":
            with path.open("rb") as f:
                if f.read(2) != ZIP_MAGIC:
                    raise LoaderError(f"{name} is not a readable .npz file (not a zip archive)")
        opened = path
    if suffix == ".npz":
        return _npz_arrays(opened, name, max_bytes)
    return _h5_arrays(opened, name, max_bytes)


def _check_total(total: int, name: str, max_bytes: int) -> None:
    # Shapes as the file declares them, before reading: a compressed archive or a lying header
    # cannot make the reader allocate more than the limit.
    if total > max_bytes:
        raise LoaderError(
            f"{name} is too large: its arrays take {total} bytes, over the limit of "
            f"{max_bytes} bytes",
            limit=max_bytes,
        )


def _npz_arrays(opened: io.BytesIO | Path, name: str, max_bytes: int) -> dict[str, np.ndarray]:
    """The .npy members of a zip archive, each header checked before any array is read."""
    fmt = np.lib.format
    try:
        with zipfile.ZipFile(opened) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise LoaderError(
                    f"{name} holds {len(members)} files; an image set holds at most "
                    f"{MAX_ARCHIVE_MEMBERS} arrays",
                    limit=MAX_ARCHIVE_MEMBERS,
                )
            total = 0
            for info in members:
                key = info.filename.removesuffix(".npy")
                with archive.open(info) as member:
                    try:
                        version = fmt.read_magic(member)
                        if version not in ((1, 0), (2, 0)):
                            raise ValueError(f"unsupported .npy format version {version}")
                        header = (
                            fmt.read_array_header_1_0
                            if version == (1, 0)
                            else fmt.read_array_header_2_0
                        )
                        shape, _, dtype = header(member, max_header_size=MAX_NPY_HEADER)
                    except ValueError:
                        raise LoaderError(
                            f"{name} holds {key!r}, which is not a NumPy array"
                        ) from None
                _check_dtype(dtype, name, key)
                total += _array_bytes(shape, dtype)
                _check_total(total, name, max_bytes)
            arrays = {}
            for info in members:
                with archive.open(info) as member:
                    arrays[info.filename.removesuffix(".npy")] = fmt.read_array(
                        member, allow_pickle=False, max_header_size=MAX_NPY_HEADER
                    )
            return arrays
    except LoaderError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, NotImplementedError) as err:
        raise LoaderError(f"{name} is not a readable .npz file: {err}") from None


def _h5_arrays(opened: io.BytesIO | Path, name: str, max_bytes: int) -> dict[str, np.ndarray]:
    """The datasets at the root of an HDF5 file, each checked before any is read.

    Only datasets reached by hard links are read, stored in the file itself (compact, contiguous
    or chunked with HDF5's own filters); links are looked at without being followed.
    """
    try:
        import h5py
        from h5py import h5d, h5l
    except ImportError:
        raise ImportError(H5PY_HINT) from None
    link_rules = {
        h5l.TYPE_SOFT: ("a soft link", "soft_link"),
        h5l.TYPE_EXTERNAL: ("an external link (to another file)", "external_link"),
    }
    try:
        with h5py.File(opened, "r") as f:
            datasets = []
            total = 0
            for key in f:
                info = f.id.links.get_info(key.encode("utf-8"))
                if info.type != h5l.TYPE_HARD:
                    what, rule = link_rules.get(info.type, ("a user-defined link", "link"))
                    raise _refuse(
                        f"{name}: {key!r} is {what}; nnplay reads only arrays stored in the "
                        "file itself",
                        rule,
                    )
                item = f.get(key)
                if not isinstance(item, h5py.Dataset):
                    continue  # groups and named types: not part of the course's layout
                plist = item.id.get_create_plist()
                layout = plist.get_layout()
                if layout == h5d.VIRTUAL:
                    raise _refuse(
                        f"{name}: {key!r} is a virtual dataset (its data lives in other "
                        "files); nnplay reads only arrays stored in the file itself",
                        "virtual_dataset",
                    )
                if plist.get_external_count() > 0:
                    raise _refuse(
                        f"{name}: {key!r} keeps its data in external files; nnplay reads only "
                        "arrays stored in the file itself",
                        "external_storage",
                    )
                if layout not in (h5d.COMPACT, h5d.CONTIGUOUS, h5d.CHUNKED):
                    raise _refuse(f"{name}: {key!r} has an unknown storage layout", "layout")
                for i in range(plist.get_nfilters()):
                    code = plist.get_filter(i)[0]
                    if code not in H5_FILTERS:
                        raise _refuse(
                            f"{name}: {key!r} is compressed with filter {code}; nnplay reads "
                            f"only HDF5's own filters ({', '.join(H5_FILTERS.values())})",
                            "filter",
                        )
                if item.shape is None:
                    raise _refuse(f"{name}: {key!r} holds no data (an empty dataspace)", "empty")
                _check_dtype(item.dtype, name, key)
                total += _array_bytes(item.shape, item.dtype)
                _check_total(total, name, max_bytes)
                datasets.append((key, item))
            return {key: item[()] for key, item in datasets}
    except LoaderError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as err:
        raise LoaderError(f"{name} is not a readable HDF5 file: {err}") from None


def read_image_arrays(
    source: str | os.PathLike | bytes, *, max_bytes: int = MAX_IMAGE_BYTES, name: str = "the file"
) -> dict[str, np.ndarray]:
    """The arrays of one .h5 / .npz file by name (a path, or bytes named ``name`` in messages).

    Raises:
        LoaderError: not an .npz or HDF5 file, unreadable, too large (packed or unpacked), or
            holding Python objects.
        ImportError: an HDF5 file and no h5py.
    """
    return _read_arrays(source, _check_limit("max_bytes", max_bytes), what=name)


def _image_x(x: object, key: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4 or x.shape[3] != 3:
        raise LoaderError(
            f"{key} must have shape (m, height, width, 3) (RGB images); got {x.shape}"
        )
    if x.dtype != np.uint8:
        raise LoaderError(f"{key} must hold uint8 pixel values 0 … 255; got dtype {x.dtype}")
    if x.shape[0] == 0:
        raise LoaderError(f"{key} holds no images")
    return x


def _image_y(y: object, key: str, m: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] == 1:
        y = y[0]
    if y.ndim != 1:
        raise LoaderError(f"{key} must have shape (m,) or (1, m); got {y.shape}")
    if y.shape[0] != m:
        raise LoaderError(f"{key} has {y.shape[0]} labels but there are {m} images")
    if y.dtype.kind not in "iuf" or not np.isfinite(y).all() or (y != np.round(y)).any():
        raise LoaderError(f"{key} must hold whole-number class labels 0, 1, …")
    if y.min() < 0:
        raise LoaderError(f"{key} holds a negative label {y.min():g}; labels are 0, 1, …")
    return y.astype(np.int64)


def check_image_arrays(arrays: Mapping[str, np.ndarray]) -> None:
    """Check the course's arrays that one file holds (a train or a test file, or both):
    x arrays (m, h, w, 3) uint8, y arrays of whole-number labels, one per image. LoaderError."""
    for split in ("train", "test"):
        x, y = arrays.get(f"{split}_set_x"), arrays.get(f"{split}_set_y")
        if x is not None:
            x = _image_x(x, f"{split}_set_x")
        if y is not None:
            _image_y(y, f"{split}_set_y", x.shape[0] if x is not None else np.asarray(y).size)


def _class_names(classes: object | None, n: int) -> tuple[str, ...]:
    if classes is None:
        return tuple(str(k) for k in range(n))
    classes = np.asarray(classes)
    if classes.ndim != 1 or classes.dtype.kind not in "SU":
        raise LoaderError(f"list_classes must be a 1-D array of names; got {classes.shape}")
    names = tuple(c.decode("utf-8", "replace") if isinstance(c, bytes) else str(c) for c in classes)
    if len(names) < n:
        raise LoaderError(
            f"list_classes names {len(names)} classes but the labels go up to {n - 1}"
        )
    return names


def image_set_from_arrays(
    train_set_x: np.ndarray,
    train_set_y: np.ndarray,
    test_set_x: np.ndarray | None = None,
    test_set_y: np.ndarray | None = None,
    list_classes: np.ndarray | None = None,
    name: str = "images",
) -> LoadedData:
    """Flatten an image set in the course's layout into a Dataset, as the course does.

    x arrays are (m, h, w, 3) uint8, y arrays (m,) or (1, m) whole numbers 0 … C-1. X is
    ``x.reshape(m, -1).T / 255`` (h·w·3, m): pixel (r, c, channel k) is row (r·w + c)·3 + k.
    Labels {0, 1} (and at most two class names) give a binary set with float Y, more give a
    multiclass set with int64 Y. Without test arrays the test set is empty (n_x, 0).
    """
    train_x = _image_x(train_set_x, "train_set_x")
    train_y = _image_y(train_set_y, "train_set_y", train_x.shape[0])
    image_shape = tuple(int(s) for s in train_x.shape[1:])
    if (test_set_x is None) != (test_set_y is None):
        missing = "test_set_y" if test_set_y is None else "test_set_x"
        raise LoaderError(f"The test set is incomplete: {missing} is missing")
    if test_set_x is not None:
        test_x = _image_x(test_set_x, "test_set_x")
        test_y = _image_y(test_set_y, "test_set_y", test_x.shape[0])
        if test_x.shape[1:] != train_x.shape[1:]:
            raise LoaderError(
                f"Test images are {test_x.shape[1:]} but training images are {image_shape}; "
                "both sets must have the same height, width and channels"
            )
    else:
        test_x = np.zeros((0, *image_shape), dtype=np.uint8)
        test_y = np.zeros(0, dtype=np.int64)
    if np.unique(train_y).size < 2:
        raise LoaderError(
            f"train_set_y has only one class ({train_y[0]}); a network needs at least two"
        )
    n_classes = int(max(train_y.max(), test_y.max(initial=0))) + 1
    names = _class_names(list_classes, n_classes)
    n_classes = max(n_classes, len(names))
    h, w, c = image_shape
    task: Task = "binary" if n_classes == 2 else "multiclass"
    if n_classes > MAX_CSV_CLASSES:
        raise LoaderError(f"The labels name {n_classes} classes; nnplay learns at most 10")

    def flatten(x: np.ndarray) -> np.ndarray:
        return x.reshape(x.shape[0], h * w * c).T / 255.0

    def labels(y: np.ndarray) -> np.ndarray:
        Y = y.reshape(1, -1)
        return Y.astype(np.float64) if task == "binary" else Y

    dataset = Dataset(
        name=name,
        task=task,
        X_train=_read_only(flatten(train_x)),
        Y_train=_read_only(labels(train_y)),
        X_test=_read_only(flatten(test_x)),
        Y_test=_read_only(labels(test_y)),
        n_classes=n_classes,
        bounds=(0.0, 1.0, 0.0, 1.0),
        features=(),
    )
    feature_names = tuple(
        f"pixel[{r},{col},{k}]" for r in range(h) for col in range(w) for k in range(c)
    )
    return LoadedData(
        dataset,
        feature_names,
        "label",
        names,
        image_shape=(h, w, c),
        pixel_scale=255.0,
    )


def load_image_set(
    train_path: str | os.PathLike,
    test_path: str | os.PathLike | None = None,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> LoadedData:
    """Load an image set in the course's layout from .h5 or .npz files.

    The train file holds ``train_set_x`` and ``train_set_y`` (and may hold ``list_classes``);
    the test arrays ``test_set_x`` / ``test_set_y`` come from ``test_path`` or, without it, from
    the train file if it has them. See ``image_set_from_arrays`` for the shapes.

    Raises:
        LoaderError (a ValueError): a missing array, a bad shape, dtype or label.
        ImportError: an .h5 file was given and h5py is not installed (says ``pip install h5py``).
    """
    max_bytes = _check_limit("max_bytes", max_bytes)
    train = _read_arrays(train_path, max_bytes)
    test = _read_arrays(test_path, max_bytes) if test_path is not None else train
    for key, arrays, path in (
        ("train_set_x", train, train_path),
        ("train_set_y", train, train_path),
    ) + ((("test_set_x", test, test_path), ("test_set_y", test, test_path)) if test_path else ()):
        if key not in arrays:
            raise LoaderError(
                f"{Path(path).name} has no array {key!r}; it holds: "
                f"{', '.join(sorted(arrays)) or 'nothing'}"
            )
    classes = train.get("list_classes", test.get("list_classes"))
    return image_set_from_arrays(
        train["train_set_x"],
        train["train_set_y"],
        test.get("test_set_x"),
        test.get("test_set_y"),
        classes,
        name=Path(train_path).stem,
    )


def load_image_files(files: Mapping[str, bytes], *, max_bytes: int = MAX_IMAGE_BYTES) -> LoadedData:
    """Load an image set from the bytes of one or more .h5 / .npz files, in any order.

    ``files`` maps each file's name (for messages) to its bytes, e.g. the course's
    ``train_catvnoncat.h5`` and ``test_catvnoncat.h5`` as uploaded. The arrays of all the files
    are pooled by name: ``train_set_x`` and ``train_set_y`` must be found in one of them, the
    test arrays may be, and no array may be in two files. See ``image_set_from_arrays``.

    Raises:
        LoaderError: a file that is not .npz or HDF5, an array held twice, one missing, or any
            problem ``image_set_from_arrays`` finds.
        ImportError: an HDF5 file and no h5py.
    """
    pooled, name = pool_image_files(files, max_bytes=max_bytes)
    return image_set_from_arrays(**pooled, name=name)


def pool_image_files(
    files: Mapping[str, bytes], *, max_bytes: int = MAX_IMAGE_BYTES
) -> tuple[dict[str, np.ndarray], str]:
    """The course's arrays pooled from the bytes of one or more .h5 / .npz files, and the
    dataset's name (the train file's stem): ``load_image_files`` before the flattening.

    Returns the arrays ``image_set_from_arrays`` takes by name (train_set_x, train_set_y and,
    where a file holds them, test_set_x, test_set_y, list_classes), as the files hold them.
    Raises as ``load_image_files``.
    """
    max_bytes = _check_limit("max_bytes", max_bytes)
    if not files:
        raise LoaderError("No file given: upload the training file (and the test file)")
    pooled: dict[str, np.ndarray] = {}
    owner: dict[str, str] = {}
    for file_name, data in files.items():
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"files[{file_name!r}] must be the file's bytes; got {type(data)}")
        for key, array in _read_arrays(data, max_bytes, what=file_name).items():
            same_classes = key == "list_classes" and np.array_equal(pooled.get(key), array)
            if key in owner and not same_classes:  # the course's two files both name classes
                raise LoaderError(
                    f"Both {owner[key]} and {file_name} hold an array {key!r}; "
                    "give each array in one file only"
                )
            pooled[key], owner[key] = array, file_name
    for key in ("train_set_x", "train_set_y"):
        if key not in pooled:
            held = ", ".join(sorted(pooled)) or "nothing"
            raise LoaderError(
                f"No file holds the array {key!r} (the files hold: {held}); nnplay reads the "
                "course's layout: train_set_x, train_set_y, test_set_x, test_set_y"
            )
    arrays = {key: pooled[key] for key in COURSE_ARRAYS if key in pooled}
    return arrays, Path(owner["train_set_x"]).stem or "images"


def synthetic_images(
    m_train: int = 60, m_test: int = 20, size: int = 16, seed: int = 0
) -> dict[str, np.ndarray]:
    """A small image set in the course's layout: bright-centre (1) vs dark-centre (0) images.

    Each image has a random grey background level, a centre square (half the side) brighter or
    darker than it by a fixed contrast, and Gaussian pixel noise. Returns the course's arrays by
    name — train_set_x (m_train, size, size, 3) uint8, train_set_y (m_train,) int64, test_set_x,
    test_set_y, list_classes — so ``np.savez(path, **synthetic_images())`` writes a loadable file.
    Classes alternate, so both appear in any set of two or more images.
    """
    for arg, value, lo in (("m_train", m_train, 2), ("m_test", m_test, 0), ("size", size, 4)):
        if isinstance(value, bool) or not isinstance(value, int) or value < lo:
            raise ValueError(f"{arg} must be an int >= {lo}; got {value!r}")
    rng = np.random.default_rng(seed)

    def make(m: int) -> tuple[np.ndarray, np.ndarray]:
        y = np.arange(m, dtype=np.int64) % 2
        background = rng.uniform(*SYNTHETIC_BACKGROUND, (m, 1, 1, 1))
        images = np.broadcast_to(background, (m, size, size, 3)).copy()
        lo, hi = size // 4, size - size // 4
        sign = np.where(y == 1, 1.0, -1.0).reshape(m, 1, 1, 1)
        images[:, lo:hi, lo:hi, :] += sign * SYNTHETIC_CONTRAST
        images += rng.standard_normal(images.shape) * SYNTHETIC_NOISE
        return np.clip(np.round(images), 0, 255).astype(np.uint8), y

    train_x, train_y = make(m_train)
    test_x, test_y = make(m_test)
    return {
        "train_set_x": train_x,
        "train_set_y": train_y,
        "test_set_x": test_x,
        "test_set_y": test_y,
        "list_classes": np.array(SYNTHETIC_CLASSES),
    }


def save_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write an image set (e.g. ``synthetic_images()``) to an uncompressed .npz file."""
    np.savez(Path(path), **dict(arrays))
