"""Files users upload (POST /api/uploads): a CSV table or an image-set file, kept on disk.

An upload is only bytes and a name, under an unguessable id; a run names it in its config
(`{"kind": "csv", "upload": id, "label": …}`) and is built from it like any other dataset.

The files live in a directory, not in a process's memory, so that every worker of `nnplay serve
--workers N` sees every upload (the upload may reach one worker, the WebSocket another): the CLI
makes one directory per server and hands it to its workers as NNPLAY_UPLOAD_DIR; an app with no
directory set makes its own temporary one and removes it when it stops. The store is bounded —
at most `max_uploads` files and `max_upload_store_bytes` bytes, each for `upload_ttl_seconds` —
so a classroom uploading all afternoon cannot fill the disk. A run keeps its own arrays:
dropping a file never touches a run already built from it.

Fair by person: each file records its owner (a hash of the client's address), and each owner
has a quota of its own (`max_uploads_per_client` files, `max_upload_bytes_per_client` bytes).
A new file first pushes out its own owner's oldest; only when the whole store is still full does
a file go from someone else — the oldest of whoever holds the most bytes — so one student
uploading in a loop evicts only their own files, never the class's.

Uploaded bytes are parsed only in the sandbox (app/sandbox.py, app/parsing.py); a parse's
result is kept in memory for the runs that follow (a compare group builds three or four runs
from one file), bounded by PARSED_CACHE_BYTES.

Safe across threads and processes: a file is written under a temporary name and renamed into
place, so a reader sees a whole file or none; one dropped while being read is "unknown".
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from engine.loaders import HDF5_MAGIC, ZIP_MAGIC

from .errors import LimitExceededError, RequestError
from .sandbox import Sandbox

Kind = Literal["csv", "images"]
ID_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
PARSED_CACHE_BYTES = 256_000_000
"""Bytes of parsed uploads (arrays) kept in memory for the runs built from them."""
HEADER_BYTES = 4096
"""A stored file's JSON header is read at most this far when the store is listed."""


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
        *,
        max_files_per_owner: int | None = None,
        max_bytes_per_owner: int | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.max_files, self.max_bytes, self.ttl = max_files, max_bytes, ttl_seconds
        self.max_files_per_owner = max_files_per_owner or max_files
        self.max_bytes_per_owner = max_bytes_per_owner or max_bytes
        self.sandbox = sandbox or Sandbox()
        """Where the stored files are parsed (app/parsing.py)."""
        self.owned = directory is None
        """Whether the directory is this store's own, to remove in `close`."""
        self.directory = Path(directory or tempfile.mkdtemp(prefix="nnplay-uploads-"))
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._parsed: collections.OrderedDict[tuple, tuple[Any, int]] = collections.OrderedDict()
        self._parsed_lock = threading.Lock()

    @staticmethod
    def owner_of(client: str | None) -> str:
        """The owner key of a client address: a hash, so no address is written to disk."""
        return hashlib.sha256((client or "unknown").encode()).hexdigest()[:16]

    def add(self, name: str, data: bytes, owner: str = "") -> Upload:
        """Keep a file of `owner` (see `owner_of`); the owner's oldest go first if over quota."""
        if len(data) > self.max_bytes_per_owner:
            raise LimitExceededError(
                "file",
                self.max_bytes_per_owner,
                f"the file is {len(data)} bytes; one client may keep at most "
                f"{self.max_bytes_per_owner} bytes of uploads",
            )
        upload = Upload(secrets.token_urlsafe(12), name, kind_of(name, data), data)
        meta = json.dumps({"name": name, "kind": upload.kind, "owner": owner}).encode()
        self._make_room(len(data) + len(meta) + 4, owner)
        temporary = self.directory / f".{upload.id}.tmp"
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

    def parsed(self, key: tuple, parse: Callable[[], Any], size: Callable[[Any], int]) -> Any:
        """A parse's result, from memory if this process parsed the same files the same way.

        `key` names the files (ids) and every option of the parse; `size` gives a result's bytes.
        """
        with self._parsed_lock:
            if key in self._parsed:
                self._parsed.move_to_end(key)
                return self._parsed[key][0]
        result = parse()
        nbytes = size(result)
        with self._parsed_lock:
            self._parsed[key] = (result, nbytes)
            total = sum(n for _, n in self._parsed.values())
            while total > PARSED_CACHE_BYTES and len(self._parsed) > 1:
                _, (_, dropped) = self._parsed.popitem(last=False)
                total -= dropped
        return result

    def owner_usage(self, owner: str) -> tuple[int, int]:
        """(files, bytes) the owner keeps now."""
        mine = [size for _, _, size, who in self._files() if who == owner]
        return len(mine), sum(mine)

    def __len__(self) -> int:
        return len(self._files())

    @property
    def bytes(self) -> int:
        """Bytes held on disk."""
        return sum(size for _, _, size, _ in self._files())

    def close(self) -> None:
        """Remove the directory if this store made it, and the sandbox's leftovers."""
        self.sandbox.close()
        if self.owned:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _files(self) -> list[tuple[float, Path, int, str]]:
        """(modified time, path, size, owner) of every kept file, oldest first."""
        files = []
        for path in self.directory.glob("*.upload"):
            try:
                stat = path.stat()
                with path.open("rb") as f:
                    head = f.read(HEADER_BYTES)
                length = int.from_bytes(head[:4], "little")
                owner = str(json.loads(head[4 : 4 + length]).get("owner", ""))
            except (OSError, ValueError):  # dropped meanwhile, by another worker
                continue
            files.append((stat.st_mtime, path, stat.st_size, owner))
        return sorted(files)

    def _make_room(self, size: int, owner: str) -> None:
        """Drop expired files, then the owner's oldest over its quota, then — if the store is
        still full — the oldest file of whoever holds the most bytes."""
        cutoff = time.time() - self.ttl
        files = []
        for file in self._files():
            if file[0] < cutoff:
                file[1].unlink(missing_ok=True)
            else:
                files.append(file)
        mine = [file for file in files if file[3] == owner]
        mine_bytes = sum(file[2] for file in mine)
        while mine and (
            len(mine) >= self.max_files_per_owner or mine_bytes + size > self.max_bytes_per_owner
        ):
            dropped = mine.pop(0)
            dropped[1].unlink(missing_ok=True)
            files.remove(dropped)
            mine_bytes -= dropped[2]
        total = sum(file[2] for file in files)
        while files and (len(files) >= self.max_files or total + size > self.max_bytes):
            by_count = len(files) >= self.max_files
            held: collections.Counter[str] = collections.Counter()
            for file in files:
                held[file[3]] += 1 if by_count else file[2]
            largest = max(held, key=lambda who: (held[who], who == owner))
            dropped = next(file for file in files if file[3] == largest)
            dropped[1].unlink(missing_ok=True)
            files.remove(dropped)
            total -= dropped[2]
