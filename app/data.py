"""A run's data from its config: a built-in dataset, points drawn by hand, an uploaded CSV table
or an image set — as an engine `Dataset` plus what the page shows about where it came from.

Built in worker threads (reading files is NumPy work). Every problem with a user's file becomes
a `RequestError` on the config field, carrying the loader's message and, for CSV files, the row
and column, so the page can say exactly what is wrong and where.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine import Dataset, LoadedData, LoaderError, points_dataset
from engine.loaders import TASK_RULE, image_set_from_arrays, synthetic_images

from . import parsing
from .errors import LimitExceededError, RequestError
from .runconfig import DRAW_BOUNDS, CsvDataModel, DatasetModel, DrawnDataModel, ImageDataModel
from .sandbox import SandboxError
from .settings import Settings
from .uploads import UploadStore

GALLERY_SIDE = 64
"""Gallery images wider or taller than this are shown subsampled to about this side."""
EXAMPLE_IMAGES = {"m_train": 80, "m_test": 40, "size": 16, "seed": 1}
"""The built-in image example: bright-centre vs dark-centre images (see engine.loaders)."""
EXAMPLE_NAME = "bright vs dark centre (synthetic)"


@dataclass(frozen=True, eq=False)
class Data:
    """A run's dataset and its provenance.

    `source` is JSON-ready, for the page: {"kind", …} with, for files, the file names, label
    column and class names, feature names and the standardization (CSV) or pixel scaling (images).
    `gallery` (images only) is the uint8 test images (k, h, w, 3) shown with their predictions,
    `gallery_X` (n_x, k) their inputs and `gallery_y` (k,) their true classes.
    """

    dataset: Dataset
    source: dict[str, Any]
    gallery: np.ndarray | None = None
    gallery_X: np.ndarray | None = None
    gallery_y: np.ndarray | None = None

    @property
    def plottable(self) -> bool:
        """Whether the inputs are a plane (or a line) a boundary can be drawn over."""
        d = self.dataset
        return d.n_x - len(d.features) <= 2


def build(model: Any, settings: Settings, uploads: UploadStore | None) -> Data:
    """The data a config's `dataset` describes. Raises RequestError (fields under "dataset")."""
    if isinstance(model, DatasetModel):
        return Data(model.to_engine().build(), {"kind": "builtin"})
    if isinstance(model, DrawnDataModel):
        return drawn(model)
    if uploads is None:
        raise RequestError("dataset.kind", "no_uploads", "this endpoint takes no uploaded files")
    if isinstance(model, CsvDataModel):
        return _csv(model, settings, uploads)
    if isinstance(model, ImageDataModel):
        return _images(model, settings, uploads)
    raise TypeError(f"unknown data model {type(model).__name__}")


def drawn(model: DrawnDataModel) -> Data:
    """Points drawn on the plane DRAW_BOUNDS."""
    try:
        dataset = points_dataset(
            np.array([model.x1, model.x2], dtype=np.float64).reshape(2, -1),
            np.array(model.y, dtype=np.int64),
            model.n_classes,
            train_fraction=model.train_fraction,
            seed=model.seed,
            features=model.features,
            bounds=DRAW_BOUNDS,
        )
    except ValueError as error:
        raise RequestError("dataset.y", "drawn_points", _drawn_message(model, error)) from None
    return Data(dataset, {"kind": "drawn"})


def _drawn_message(model: DrawnDataModel, error: ValueError) -> str:
    if len(model.y) < 2 or len(set(model.y)) < 2:
        return "draw points of at least two classes to train on"
    return str(error)


def file_error(field: str, error: LoaderError, rule: str = "file") -> RequestError:
    """A loader's error as a request error on `field`: rule "limit" (with the limit) if the
    file is over one, the loader's own rule if the file's structure breaks one (e.g.
    "external_storage"), else `rule`; with the row and column where the loader knows them."""
    where = {k: v for k, v in (("row", error.row), ("column", error.column)) if v is not None}
    if error.limit is not None:
        return RequestError(field, "limit", str(error), error.limit, **where)
    return RequestError(field, error.rule or rule, str(error), **where)


def sandbox_error(field: str, error: SandboxError) -> RequestError:
    """A parse that did not finish (crashed, out of memory or time, no slot) on `field`."""
    return RequestError(field, error.rule, str(error))


def _loaded_bytes(loaded: LoadedData) -> int:
    d = loaded.dataset
    return d.X_train.nbytes + d.X_test.nbytes + d.Y_train.nbytes + d.Y_test.nbytes


def _csv(model: CsvDataModel, settings: Settings, uploads: UploadStore) -> Data:
    upload = uploads.get(model.upload, "dataset.upload")
    if upload.kind != "csv":
        raise RequestError(
            "dataset.upload",
            "upload_kind",
            f"{upload.name} is an image set, not a CSV table: load it as images",
        )
    options = {
        "task": model.task,
        "max_bytes": settings.max_csv_bytes,
        "max_rows": settings.max_csv_rows,
        "max_columns": settings.max_csv_columns,
        "train_fraction": model.train_fraction,
        "seed": model.seed,
        "standardize_targets": True,  # a regression's label, as the features (see the engine)
    }
    try:
        loaded = uploads.parsed(
            ("csv", upload.id, model.label, *sorted(options.items())),
            lambda: parsing.load_csv(uploads.sandbox, upload.data, model.label, **options),
            _loaded_bytes,
        )
    except LoaderError as error:
        # labels that cannot have the asked task: the task is what to change, not the file
        field = "dataset.task" if error.rule == TASK_RULE else "dataset.upload"
        raise file_error(field, error) from None
    except SandboxError as error:
        raise sandbox_error("dataset.upload", error) from None
    dataset = dataclasses.replace(loaded.dataset, name=Path(upload.name).stem or "csv")
    s = loaded.standardization
    source = {
        "kind": "csv",
        "files": [upload.name],
        **_labels(loaded),
        "standardization": {
            "feature_names": list(s.feature_names),
            "mean": [_round(v) for v in s.mean],
            "std": [_round(v) for v in s.std],
        },
    }
    t = dataset.target_scale
    if t is not None:  # the network learns (y − mean) / std; the page shows y
        source["target_standardization"] = {"mean": _round(t.mean), "std": _round(t.std)}
    return Data(dataset, source)


def _images(model: ImageDataModel, settings: Settings, uploads: UploadStore) -> Data:
    if not model.uploads:
        loaded = image_set_from_arrays(**synthetic_images(**EXAMPLE_IMAGES), name=EXAMPLE_NAME)
        return _image_data(loaded, [], settings)
    files = [
        uploads.get(upload_id, f"dataset.uploads.{i}") for i, upload_id in enumerate(model.uploads)
    ]
    for i, upload in enumerate(files):
        if upload.kind != "images":
            raise RequestError(
                f"dataset.uploads.{i}",
                "upload_kind",
                f"{upload.name} is not an image set (.h5 or .npz in the course's layout)",
            )
    if len({f.name for f in files}) < len(files):
        raise RequestError("dataset.uploads", "duplicate", "the same file was given twice")
    try:
        loaded = uploads.parsed(
            ("images", settings.max_image_bytes, *(f.id for f in files)),
            lambda: parsing.load_images(
                uploads.sandbox, {f.name: f.data for f in files}, settings.max_image_bytes
            ),
            _loaded_bytes,
        )
    except LoaderError as error:
        raise file_error("dataset.uploads", error) from None
    except ImportError as error:  # h5py missing: the message says how to install it
        raise RequestError("dataset.uploads", "h5py_missing", str(error)) from None
    except SandboxError as error:
        raise sandbox_error("dataset.uploads", error) from None
    return _image_data(loaded, [f.name for f in files], settings)


def _image_data(loaded: LoadedData, names: list[str], settings: Settings) -> Data:
    d = loaded.dataset
    h, w, c = loaded.image_shape
    if d.n_x > settings.max_image_inputs:
        raise LimitExceededError(
            "dataset.uploads",
            settings.max_image_inputs,
            f"images of {h} × {w} × {c} = {d.n_x} inputs; this server takes at most "
            f"{settings.max_image_inputs}",
        )
    values = d.n_x * (d.X_train.shape[1] + d.X_test.shape[1])
    if values > settings.max_image_values:
        raise LimitExceededError(
            "dataset.uploads",
            settings.max_image_values,
            f"the image set holds {values} pixel values (m · h · w · 3); this server takes at "
            f"most {settings.max_image_values}",
        )
    shown_X, shown_Y = (d.X_test, d.Y_test) if d.X_test.shape[1] else (d.X_train, d.Y_train)
    k = min(settings.gallery_size, shown_X.shape[1])
    gallery_X = np.ascontiguousarray(shown_X[:, :k])
    gallery_y = np.asarray(shown_Y[0, :k]).astype(np.int64)
    images = np.rint(gallery_X.T * loaded.pixel_scale).reshape(k, h, w, c)
    stride = max(1, math.ceil(max(h, w) / GALLERY_SIDE))
    gallery = np.clip(images[:, ::stride, ::stride, :], 0, 255).astype(np.uint8)
    source = {
        "kind": "images",
        "files": names,
        **_labels(loaded),
        "image_shape": [h, w, c],
        "pixel_scale": loaded.pixel_scale,
        "gallery_split": "test" if d.X_test.shape[1] else "train",
    }
    return Data(d, source, gallery, gallery_X, gallery_y)


def _labels(loaded: LoadedData) -> dict[str, Any]:
    names = loaded.feature_names
    return {
        "label": loaded.label,
        "label_names": None if loaded.label_names is None else list(loaded.label_names),
        "feature_names": list(names) if len(names) <= 100 else None,
    }


def _round(value: float) -> float:
    return float(f"{value:.6g}")
