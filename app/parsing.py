"""Uploaded files, parsed in the sandbox (app/sandbox.py): the jobs a child runs, and how their
results come back — plain arrays in an .npz plus JSON, never a pickle.

Each job is a function of plain values (the upload's bytes, names, limits) returning bytes; the
server side of each (`check_csv`, `check_images`, `load_csv`, `load_images`) runs it through a
`Sandbox` and decodes the answer with the loaders' own checked .npz reader.

A child imports this module before it limits itself, so everything a job needs is imported
here: once limited, a child may open no file, so it cannot import a module later.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.lib.format
import numpy.ma

from engine import Dataset, LoadedData, TargetScale
from engine.datasets import read_only as _read_only
from engine.loaders import (
    COURSE_ARRAYS,
    H5PY_HINT,
    HDF5_MAGIC,
    Standardization,
    check_image_arrays,
    csv_columns,
    image_set_from_arrays,
    pool_image_files,
    read_image_arrays,
)
from engine.loaders import load_csv as _load_csv

from .sandbox import Sandbox

with contextlib.suppress(ImportError):  # .h5 files need it: imported before a child is limited
    import h5py
    import h5py._hl.files  # noqa: F401
for _codec in ("ascii", "utf-8", "utf-8-sig", "latin-1", "cp437"):  # CSV, HDF5 and zip names
    codecs.lookup(_codec)

ARRAYS = ("X_train", "Y_train", "X_test", "Y_test")


# --- Results as bytes ------------------------------------------------------------------------


def _encode(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray] | None = None) -> bytes:
    """JSON metadata, then (if any) an uncompressed .npz of plain arrays."""
    head = json.dumps(meta).encode()
    buffer = io.BytesIO()
    if arrays:
        np.savez(buffer, **arrays)
    return len(head).to_bytes(4, "little") + head + buffer.getvalue()


def _decode(answer: bytes, max_bytes: int) -> tuple[dict, dict[str, np.ndarray]]:
    length = int.from_bytes(answer[:4], "little")
    meta = json.loads(answer[4 : 4 + length])
    rest = answer[4 + length :]
    arrays = read_image_arrays(rest, max_bytes=max_bytes, name="result") if rest else {}
    return meta, arrays


def _encode_loaded(loaded: LoadedData, extra: Mapping[str, Any] | None = None) -> bytes:
    d = loaded.dataset
    meta = {
        "dataset": {
            "name": d.name,
            "task": d.task,
            "n_classes": d.n_classes,
            "bounds": list(d.bounds),
            "features": list(d.features),
            "target_scale": None if d.target_scale is None else dataclasses.asdict(d.target_scale),
        },
        "feature_names": list(loaded.feature_names),
        "label": loaded.label,
        "label_names": None if loaded.label_names is None else list(loaded.label_names),
        "standardization": None
        if loaded.standardization is None
        else dataclasses.asdict(loaded.standardization),
        "image_shape": None if loaded.image_shape is None else list(loaded.image_shape),
        "pixel_scale": loaded.pixel_scale,
        **(extra or {}),
    }
    return _encode(meta, {key: getattr(d, key) for key in ARRAYS})


def _decode_loaded(answer: bytes, max_bytes: int) -> LoadedData:
    meta, arrays = _decode(answer, max_bytes)
    d = meta["dataset"]
    dataset = Dataset(
        name=d["name"],
        task=d["task"],
        **{key: _read_only(arrays[key]) for key in ARRAYS},
        n_classes=d["n_classes"],
        bounds=tuple(d["bounds"]),
        features=tuple(d["features"]),
        target_scale=None if d["target_scale"] is None else TargetScale(**d["target_scale"]),
    )
    s = meta["standardization"]
    return LoadedData(
        dataset,
        tuple(meta["feature_names"]),
        meta["label"],
        None if meta["label_names"] is None else tuple(meta["label_names"]),
        standardization=None
        if s is None
        else Standardization(tuple(s["feature_names"]), tuple(s["mean"]), tuple(s["std"])),
        image_shape=None if meta["image_shape"] is None else tuple(meta["image_shape"]),
        pixel_scale=meta["pixel_scale"],
    )


# --- Jobs: run in the child (files by name → bytes, JSON options → an answer in bytes) -------


def _check_csv_job(files: dict[str, bytes], options: dict) -> bytes:
    (data,) = files.values()
    columns = csv_columns(data, **options)
    loaded = _load_csv(data, columns.label, **options)
    return _encode(
        {
            "columns": list(columns.columns),
            "rows": columns.rows,
            "label": columns.label,
            "task": loaded.dataset.task,
        }
    )


def _check_images_job(files: dict[str, bytes], options: dict) -> bytes:
    ((name, data),) = files.items()
    arrays = read_image_arrays(data, max_bytes=options["max_bytes"], name=name)
    check_image_arrays(arrays)
    shapes = {key: list(arrays[key].shape) for key in COURSE_ARRAYS if key in arrays}
    return _encode({"arrays": shapes, "held": sorted(arrays)})


def _load_csv_job(files: dict[str, bytes], options: dict) -> bytes:
    (data,) = files.values()
    return _encode_loaded(_load_csv(data, **options))


def _load_images_job(files: dict[str, bytes], options: dict) -> bytes:
    # The course's arrays as the files hold them (uint8 pixels: an eighth of X in float64),
    # checked here by building the set once; the server flattens them again from plain arrays.
    arrays, name = pool_image_files(files, max_bytes=options["max_bytes"])
    image_set_from_arrays(**arrays, name=name)
    return _encode({"name": name}, arrays)


JOBS = {
    "check_csv": _check_csv_job,
    "check_images": _check_images_job,
    "load_csv": _load_csv_job,
    "load_images": _load_images_job,
}
"""What a sandboxed child may be asked to do, by name."""


# --- The server's side -----------------------------------------------------------------------


def _require_h5py(files: Iterable[bytes]) -> None:
    """ImportError saying how to install h5py, if an HDF5 file is given and it is missing here
    (a child has what the server has: asked here, no child is started in vain)."""
    if any(bytes(data[:8]) == HDF5_MAGIC for data in files):
        try:
            import h5py  # noqa: F401
        except ImportError:
            raise ImportError(H5PY_HINT) from None


def check_csv(sandbox: Sandbox, data: bytes, limits: dict) -> dict:
    """Columns, rows, guessed label and task of a CSV table (raises LoaderError)."""
    meta, _ = _decode(sandbox.run("check_csv", {"csv": data}, limits), sandbox.max_answer_bytes)
    return meta


def check_images(sandbox: Sandbox, name: str, data: bytes, max_bytes: int) -> dict:
    """{"arrays": shape of each course array, "held": every array's name} of an image file."""
    _require_h5py([data])
    answer = sandbox.run("check_images", {name: data}, {"max_bytes": max_bytes})
    meta, _ = _decode(answer, sandbox.max_answer_bytes)
    return meta


def load_csv(sandbox: Sandbox, data: bytes, label: str, **options: Any) -> LoadedData:
    """engine.loaders.load_csv of an uploaded table, parsed in the sandbox."""
    answer = sandbox.run("load_csv", {"csv": data}, {"label": label, **options})
    return _decode_loaded(answer, sandbox.max_answer_bytes)


def load_images(sandbox: Sandbox, files: Mapping[str, bytes], max_bytes: int) -> LoadedData:
    """engine.loaders.load_image_files of uploaded files, parsed in the sandbox."""
    _require_h5py(files.values())
    answer = sandbox.run("load_images", dict(files), {"max_bytes": max_bytes})
    meta, arrays = _decode(answer, sandbox.max_answer_bytes)
    return image_set_from_arrays(**arrays, name=meta["name"])
