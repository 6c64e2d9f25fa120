"""Reading an image set in the course's file layout into a Dataset, and making one to try.

The course's HDF5 layout (``train_set_x`` (m, h, w, 3) uint8, ``train_set_y`` (m,),
``test_set_x``, ``test_set_y``, optional ``list_classes``) or a NumPy ``.npz`` with the same
array names. Flattened as the course does, ``x.reshape(m, -1).T / 255``, so the unrolling order
is row, column, channel. Reading ``.h5`` needs h5py, imported only when such a file is given.
A file's structure is checked before any array is read (see ``read_image_arrays``). What loaders
share (``LoaderError``, ``LoadedData``, the limit checks) is in ``loading.py``.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .datasets import Dataset, Task, read_only
from .loading import MAX_CSV_CLASSES, LoadedData, LoaderError, check_limit, check_size

MAX_IMAGE_BYTES = 200_000_000
IMAGE_SUFFIXES = (".h5", ".hdf5", ".npz")
COURSE_ARRAYS = ("train_set_x", "train_set_y", "test_set_x", "test_set_y", "list_classes")
H5PY_HINT = (
    "reading .h5 image sets needs h5py, which is not installed: "
    "pip install h5py (or pip install 'nnplay[images]'); .npz image sets need nothing more"
)

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
        check_size(path, max_bytes, name)
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
    return _read_arrays(source, check_limit("max_bytes", max_bytes), what=name)


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
        X_train=read_only(flatten(train_x)),
        Y_train=read_only(labels(train_y)),
        X_test=read_only(flatten(test_x)),
        Y_test=read_only(labels(test_y)),
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
    max_bytes = check_limit("max_bytes", max_bytes)
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
    max_bytes = check_limit("max_bytes", max_bytes)
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
