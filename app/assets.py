"""The page's static files (`/static`), served from memory.

The page's modules come as one bundle (app/bundle.py), built here from static/js the first time
it is asked for and again when one of its modules changes. Other files: each
request that Starlette's `StaticFiles` answers costs two trips to a worker thread (the path's
lookup, then the file's reads), and the event loop serves the next one only after them. Here a
file is looked up and read the first time it is asked for, by `StaticFiles` itself (the same
path checks: nothing outside the directory is ever served), and kept; later requests for it are
answered from memory on the loop, with the same headers (ETag, Last-Modified, content type) and
304s. One `os.stat` per request (microseconds) notices a file changed on disk (an editable
install being worked on) and reads it again. What is kept is bounded by the directory itself:
only files that exist in it are ever cached.
"""

from __future__ import annotations

import hashlib
import os
from email.utils import formatdate
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from . import bundle

MAX_CACHED_FILE_BYTES = 4 * 1024 * 1024
"""Larger files are streamed from disk each time, as `StaticFiles` does."""


def stamp(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(mtime_ns, size) of a file: what tells a kept copy of it is still the file on disk."""
    result = os.stat(path)
    return result.st_mtime_ns, result.st_size


BUNDLE_PATH = os.path.join("js", "main.bundle.js")
"""Where the page's script is served under /static: main.js and the modules it imports."""


class Bundle:
    """The bundle of `entry` in `directory` (app/bundle.py) with its response headers, rebuilt
    when a module of it changes on disk (one `os.stat` per module per request)."""

    def __init__(self, directory: Path, entry: str, external: tuple[str, ...] = ()) -> None:
        self.directory, self.entry, self.external = directory, entry, external
        self._key: tuple | None = None
        self._files: list[Path] = []
        self.body = b""
        self.headers: dict[str, str] = {}

    def _stamp(self) -> tuple:
        return tuple(stamp(p) for p in self._files)

    def get(self) -> tuple[bytes, dict[str, str]]:
        """(body, headers) now. OSError if a module is gone, BundleError if they do not fit."""
        try:
            fresh = self._key is not None and self._stamp() == self._key
        except OSError:
            fresh = False
        if not fresh:
            text, modules = bundle.build(self.directory, self.entry, self.external)
            self._files = [self.directory / m for m in modules]
            self._key = self._stamp()
            self.body = text.encode()
            mtime = max(p.stat().st_mtime for p in self._files)
            self.headers = {
                "content-type": "text/javascript; charset=utf-8",
                "content-length": str(len(self.body)),
                "etag": '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"',
                "last-modified": formatdate(mtime, usegmt=True),
            }
        return self.body, self.headers


class CachedStaticFiles(StaticFiles):
    """`StaticFiles` answering the files it has served once from memory, and the page's bundle."""

    def __init__(self, *, directory: str | os.PathLike[str], **kwargs) -> None:
        super().__init__(directory=directory, **kwargs)
        self.cache: dict[str, tuple[tuple[int, int, str], bytes, dict[str, str]]] = {}
        """By the normalized path asked: ((mtime_ns, size, full path), body, headers)."""
        self.bundle = Bundle(Path(directory) / "js", "main.js", external=("earlySocket.js",))

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] in ("GET", "HEAD"):
            if path == BUNDLE_PATH:
                body, headers = await run_in_threadpool(self.bundle.get)
                return self._answer(body, headers, scope)
            cached = self.cache.get(path)
            if cached is not None:
                (mtime_ns, size, full_path), body, headers = cached
                try:
                    now = stamp(full_path)
                except OSError:
                    now = None
                if now == (mtime_ns, size):
                    return self._answer(body, headers, scope)
                del self.cache[path]  # changed or gone: look it up again
        response = await super().get_response(path, scope)
        if isinstance(response, FileResponse) and response.status_code == 200:
            stat_result = response.stat_result
            if stat_result is not None and stat_result.st_size <= MAX_CACHED_FILE_BYTES:
                full_path = str(response.path)
                body = await run_in_threadpool(Path(full_path).read_bytes)
                if len(body) == stat_result.st_size:  # not caught mid-write
                    key = (stat_result.st_mtime_ns, stat_result.st_size, full_path)
                    headers = dict(response.headers)
                    headers.pop("accept-ranges", None)  # whole files only, from memory
                    self.cache[path] = (key, body, headers)
                    return self._answer(body, headers, scope)
        return response

    def _answer(self, body: bytes, headers: dict[str, str], scope: Scope) -> Response:
        if self.is_not_modified(Headers(headers), Headers(scope=scope)):
            return NotModifiedResponse(Headers(headers))
        if scope["method"] == "HEAD":
            return Response(b"", headers=headers)  # headers carry the file's content-length
        return Response(body, headers=headers)
