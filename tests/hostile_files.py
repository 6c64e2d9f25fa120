"""Hostile image-set files, built in the test that uses them: each abuses one feature of the
HDF5 or .npy formats that a careless reader would follow (another file's bytes, a huge
allocation, a crash, code execution). Engine and app tests both refuse every one.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest

from engine.loaders import synthetic_images

MARKER = b"NNPLAY-SECRET-MARKER-" * 8
"""The content of a file no upload may ever read."""


def _h5py():
    return pytest.importorskip("h5py")


def _small_arrays() -> dict[str, np.ndarray]:
    return synthetic_images(m_train=4, m_test=2, size=4)


def _h5(build) -> bytes:
    buffer = io.BytesIO()
    with _h5py().File(buffer, "w") as f:
        build(f)
    return buffer.getvalue()


def h5_external_storage(marker_path) -> bytes:
    """train_set_x's pixels kept in `marker_path` (HDF5 external storage), labels in the file."""
    arrays = _small_arrays()
    x = arrays["train_set_x"]

    def build(f):
        f.create_dataset(
            "train_set_x", shape=x.shape, dtype="u1", external=[(str(marker_path), 0, x.size)]
        )
        f["train_set_y"] = arrays["train_set_y"]
        f["list_classes"] = np.array([b"a", b"b"])

    return _h5(build)


def h5_external_storage_classes(marker_path) -> bytes:
    """The course's arrays in the file, but list_classes read from `marker_path`."""
    arrays = _small_arrays()

    def build(f):
        f["train_set_x"] = arrays["train_set_x"]
        f["train_set_y"] = arrays["train_set_y"]
        f.create_dataset(
            "list_classes", shape=(2,), dtype="S16", external=[(str(marker_path), 0, 32)]
        )

    return _h5(build)


def h5_virtual_dataset() -> bytes:
    """train_set_x a virtual dataset whose source is itself ("." is the same file): reading it
    makes h5py recurse until the process dies of SIGSEGV."""
    h5py = _h5py()
    layout = h5py.VirtualLayout(shape=(4, 4, 4, 3), dtype="u1")
    layout[:] = h5py.VirtualSource(".", "train_set_x", shape=(4, 4, 4, 3))

    def build(f):
        f.create_virtual_dataset("train_set_x", layout, fillvalue=0)
        f["train_set_y"] = np.array([0, 1, 0, 1])

    return _h5(build)


def h5_external_link(target) -> bytes:
    """train_set_x an external link into another file."""
    h5py = _h5py()

    def build(f):
        f["train_set_x"] = h5py.ExternalLink(str(target), "/train_set_x")
        f["train_set_y"] = np.array([0, 1])

    return _h5(build)


def h5_soft_link() -> bytes:
    """train_set_x a soft link (to the labels)."""
    h5py = _h5py()

    def build(f):
        f["train_set_y"] = np.array([0, 1])
        f["train_set_x"] = h5py.SoftLink("/train_set_y")

    return _h5(build)


def npz_lying_header(shape=(10_000_000, 64, 64, 3)) -> bytes:
    """An .npz whose train_set_x header claims `shape` (114 GiB by default) over a few bytes."""
    npy = io.BytesIO()
    header = {"descr": "|u1", "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(npy, header)
    npy.write(bytes(64))
    labels = io.BytesIO()
    np.save(labels, np.array([0, 1]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train_set_x.npy", npy.getvalue())
        archive.writestr("train_set_y.npy", labels.getvalue())
    return buffer.getvalue()


class Planted:
    """Unpickling this runs code; a reader that unpickles has been taken over."""

    def __reduce__(self):
        return (exec, ("raise SystemExit('pickle ran')",))


def npz_pickled() -> bytes:
    """An .npz holding an object array: np.load(allow_pickle=True) would run a payload."""
    npy = io.BytesIO()
    header = {"descr": "|O", "fortran_order": False, "shape": (1,)}
    np.lib.format.write_array_header_1_0(npy, header)
    npy.write(pickle.dumps(np.array([Planted()], dtype=object)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train_set_x.npy", npy.getvalue())
    return buffer.getvalue()


HOSTILE = {
    # name: (build(marker_path) -> bytes, file name, the rule that refuses it)
    "external_storage": (h5_external_storage, "train.h5", "external_storage"),
    "external_storage_classes": (h5_external_storage_classes, "train.h5", "external_storage"),
    "virtual_dataset": (lambda marker: h5_virtual_dataset(), "train.h5", "virtual_dataset"),
    "external_link": (h5_external_link, "train.h5", "external_link"),
    "soft_link": (lambda marker: h5_soft_link(), "train.h5", "soft_link"),
    "lying_header": (lambda marker: npz_lying_header(), "train.npz", "limit"),
    "pickle": (lambda marker: npz_pickled(), "train.npz", "pickle"),
}
"""Each hostile file, made from the path of a marker file the server must never read."""
