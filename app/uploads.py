"""Files users upload (POST /api/uploads): a CSV table or an image-set file, kept on disk.

An upload is only bytes and a name, under an unguessable id; a run names it in its config
(`{"kind": "csv", "upload": id, "label": …}`) and is built from it like any other dataset.

The files live in a directory, not in a process's memory, so that every worker of `nnplay serve
--workers N` sees every upload (the upload may reach one worker, the WebSocket another): the CLI
makes one directory per server and hands it to its workers as NNPLAY_UPLOAD_DIR; an app with no
directory set makes its own temporary one and removes it when it stops. The store is bounded —
at most `max_uploads` files and `max_upload_store_bytes` bytes, each for `upload_ttl_seconds`,
the oldest dropped first — so a classroom uploading all afternoon cannot fill the disk. A run
keeps its own arrays: dropping a file never touches a run already built from it.

Safe across threads and processes: a file is written under a temporary name and renamed into
place, so a reader sees a whole file or none; one dropped while being read is "unknown".
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.loaders import HDF5_MAGIC, ZIP_MAGIC

from .schemas import RequestError

Kind = Literal["csv", "images"]
ID_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True, eq=False)
class Upload:
    """One uploaded file: its id, the name the user gave it, its kind and bytes."""

    id: str
    name: str
    kind: Kind
    data: bytes


def kind_of(name: str, data: bytes) -> Kind:
    """An image set if its bytes are a zip (.npz) or HDF5 file, or its name says so; else CSV."""
    if data.startswith((ZIP_MAGIC, HDF5_MAGIC)):
        return "images"
    if name.lower().endswith((".h5", ".hdf5", ".npz")):
        return "images"
    return "csv"


class UploadStore:
    """The uploaded files of one server, by id, in `directory`; bounded in count, bytes, age."""

    def __init__(
        self,
        max_files: int,
        max_bytes: int,
        ttl_seconds: float,
        directory: str | os.PathLike | None = None,
    ) -> None:
        self.max_files, self.max_bytes, self.ttl = max_files, max_bytes, ttl_seconds
        self.owned = directory is None
        """Whether the directory is this store's own, to remove in `close`."""
        self.directory = Path(directory or tempfile.mkdtemp(prefix="nnplay-uploads-"))
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    def add(self, name: str, data: bytes) -> Upload:
        """Keep a file; the oldest go if the store is full."""
        upload = Upload(secrets.token_urlsafe(12), name, kind_of(name, data), data)
        self._make_room(len(data))
        temporary = self.directory / f".{upload.id}.tmp"
        meta = json.dumps({"name": name, "kind": upload.kind}).encode()
        # One file: a length-prefixed JSON header, then the bytes; renamed into place whole.
        temporary.write_bytes(len(meta).to_bytes(4, "little") + meta + data)
        temporary.rename(self.directory / f"{upload.id}.upload")
        return upload

    def get(self, upload_id: str, field: str) -> Upload:
        """The file with this id, or a RequestError on `field` saying to upload it again."""
        path = self.directory / f"{upload_id}.upload"
        valid = 0 < len(upload_id) <= 64 and set(upload_id) <= ID_ALPHABET
        try:
            if not valid or time.time() - path.stat().st_mtime > self.ttl:
                raise FileNotFoundError(upload_id)
            raw = path.read_bytes()
        except OSError:
            raise RequestError(
                field,
                "unknown_upload",
                "this uploaded file is no longer on the server (it was uploaded too long ago, or "
                "the server restarted): upload it again",
            ) from None
        length = int.from_bytes(raw[:4], "little")
        meta = json.loads(raw[4 : 4 + length])
        return Upload(upload_id, meta["name"], meta["kind"], raw[4 + length :])

    def __len__(self) -> int:
        return len(self._files())

    @property
    def bytes(self) -> int:
        """Bytes held on disk."""
        return sum(size for _, _, size in self._files())

    def close(self) -> None:
        """Remove the directory if this store made it."""
        if self.owned:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _files(self) -> list[tuple[float, Path, int]]:
        """(modified time, path, size) of every kept file, oldest first."""
        files = []
        for path in self.directory.glob("*.upload"):
            try:
                stat = path.stat()
            except OSError:  # dropped meanwhile, by another worker
                continue
            files.append((stat.st_mtime, path, stat.st_size))
        return sorted(files)

    def _make_room(self, size: int) -> None:
        files = self._files()
        cutoff = time.time() - self.ttl
        total = sum(s for _, _, s in files)
        for i, (mtime, path, file_size) in enumerate(files):
            left = len(files) - i
            if mtime >= cutoff and left < self.max_files and total + size <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= file_size
