"""Files users upload (POST /api/uploads): a CSV table or an image-set file, kept in memory.

An upload is only bytes and a name, under an unguessable id; a run names it in its config
(`{"kind": "csv", "upload": id, "label": …}`) and is built from it like any other dataset. The
store is bounded — at most `max_uploads` files and `max_upload_store_bytes` bytes, each for
`upload_ttl_seconds`, the oldest dropped
first — so a classroom uploading all afternoon cannot fill the server's memory. A run keeps its
own arrays: dropping a file never touches a run already built from it.

Thread-safe: routes add files on the event loop, runs are built in worker threads.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal

from engine.loaders import HDF5_MAGIC, ZIP_MAGIC

from .schemas import RequestError

Kind = Literal["csv", "images"]


@dataclass(frozen=True, eq=False)
class Upload:
    """One uploaded file: its id, the name the user gave it, its kind and bytes."""

    id: str
    name: str
    kind: Kind
    data: bytes
    created: float = field(default_factory=time.monotonic)


def kind_of(name: str, data: bytes) -> Kind:
    """An image set if its bytes are a zip (.npz) or HDF5 file, or its name says so; else CSV."""
    if data.startswith((ZIP_MAGIC, HDF5_MAGIC)):
        return "images"
    if name.lower().endswith((".h5", ".hdf5", ".npz")):
        return "images"
    return "csv"


class UploadStore:
    """The uploaded files of one app, by id; bounded in count and age."""

    def __init__(self, max_files: int, max_bytes: int, ttl_seconds: float) -> None:
        self.max_files, self.max_bytes, self.ttl = max_files, max_bytes, ttl_seconds
        self._files: OrderedDict[str, Upload] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, name: str, data: bytes) -> Upload:
        """Keep a file; the oldest go if the store is full."""
        upload = Upload(secrets.token_urlsafe(12), name, kind_of(name, data), data)
        with self._lock:
            self._expire()
            while self._files and (
                len(self._files) >= self.max_files or self._bytes + len(data) > self.max_bytes
            ):
                self._drop_oldest()
            self._files[upload.id] = upload
            self._bytes += len(data)
        return upload

    def get(self, upload_id: str, field: str) -> Upload:
        """The file with this id, or a RequestError on `field` saying to upload it again."""
        with self._lock:
            self._expire()
            upload = self._files.get(upload_id)
        if upload is None:
            raise RequestError(
                field,
                "unknown_upload",
                "this uploaded file is no longer on the server (it was uploaded too long ago, or "
                "the server restarted): upload it again",
            )
        return upload

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)

    @property
    def bytes(self) -> int:
        """Bytes held."""
        with self._lock:
            return self._bytes

    def _drop_oldest(self) -> None:
        _, upload = self._files.popitem(last=False)
        self._bytes -= len(upload.data)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.ttl
        while self._files and next(iter(self._files.values())).created < cutoff:
            self._drop_oldest()
