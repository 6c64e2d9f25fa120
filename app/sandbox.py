"""A sandbox for parsing uploaded files: one separate, short-lived process per parse.

An uploaded file is hostile until parsed. The loaders refuse every HDF5 and .npy feature that
reaches outside the file (engine/image_sets.py), but the parsers underneath — h5py's C library
above all — are large, and a file they mishandle must not take the server with it. So every
parse of an upload runs in a child process that:

- holds at most `memory_bytes` more address space than it started with (RLIMIT_AS), a few
  seconds of CPU (RLIMIT_CPU) and wall-clock time (the parent kills it), may write no file
  (RLIMIT_FSIZE 0) and dumps no core;
- can open no file and make no TCP connection: Linux's Landlock (kernel 5.13+, unprivileged) is
  set up with an empty rule set before the upload is read, so even a parser told to open
  "/etc/passwd" gets EACCES; where Landlock is missing and the process runs as root, the child
  chroots into an empty directory instead. `Sandbox.isolation` says which is in force
  ("landlock", "chroot" or "none"; /api/health reports it);
- answers in bytes, never a pickle: a child taken over by a file cannot take over the server
  through its answer. Results are an .npz of plain arrays (read back by the same checked
  reader) plus JSON (app/parsing.py).

A child that dies — a segfault, the memory limit, the time limit — becomes a `SandboxError`
(a 422 naming the rule "parser_crashed", "memory" or "time"), never a dead server.

Each child is a fresh interpreter (`python -m app.sandbox`, about 0.15 s to start with NumPy
and h5py imported), not a fork of the server: the server runs threads, and a fork of a threaded
process may inherit a lock another thread held. The request goes to the child's stdin (a JSON
header, then the files' bytes); the answer comes back on its stdout, read up to a bound. At
most `max_parallel` parses run at once; more wait for a slot at most `seconds`, then are
refused as "busy".
"""

from __future__ import annotations

import ctypes
import importlib
import json
import logging
import math
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from engine.loaders import LoaderError

log = logging.getLogger("nnplay.sandbox")

PIPE_CHUNK = 1 << 16
RESULT, FAILURE = b"R", b"E"

# Landlock (linux/landlock.h). The syscall numbers are the same on every architecture.
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_RESTRICT_SELF = 444, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
PR_SET_NO_NEW_PRIVS = 38
FS_ACCESS_BITS = {1: 13, 2: 14, 3: 15, 4: 15, 5: 16}
"""Landlock ABI version → number of filesystem access rights it knows (all handled, none
granted); versions above 5 know as many as 5."""
NET_ACCESS_ALL = 0b11  # bind and connect TCP, ABI 4+
SCOPE_ALL = 0b11  # abstract unix sockets and signals, ABI 6+


class SandboxError(Exception):
    """A parse that did not finish: the child crashed, ran out of memory or time, or no slot."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (or not Linux)."""
    try:
        version = _libc().syscall(
            SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), LANDLOCK_CREATE_RULESET_VERSION
        )
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def _deny_all_files(abi: int) -> None:
    """Landlock this process: no file opened, read, written or executed; no TCP; no signals."""
    libc = _libc()
    attr = _RulesetAttr(handled_access_fs=(1 << FS_ACCESS_BITS[min(abi, 5)]) - 1)
    size = 8
    if abi >= 4:
        attr.handled_access_net, size = NET_ACCESS_ALL, 16
    if abi >= 6:
        attr.scoped, size = SCOPE_ALL, 24
    ruleset = libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0
    )
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)


def _chroot(empty: str) -> None:
    os.chroot(empty)
    os.chdir("/")


def choose_isolation() -> str:
    """The strongest file isolation this machine allows: landlock, chroot (as root) or none."""
    if landlock_abi() >= 1:
        return "landlock"
    if hasattr(os, "chroot") and os.geteuid() == 0:
        return "chroot"
    return "none"


def _address_space() -> int:
    """Bytes of address space this process maps now (VmSize)."""
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _limit(memory_bytes: int, cpu_seconds: int, isolation: str, empty: str | None) -> None:
    """In the child, before it reads the upload: resource limits, then the file isolation."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    try:
        space = _address_space() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (space, space))
    except (OSError, ValueError):  # no /proc (not Linux): the time limit still holds
        pass
    if isolation == "landlock":
        _deny_all_files(landlock_abi())
    elif isolation == "chroot" and empty:
        _chroot(empty)


def _failure(kind: str, message: str, error: LoaderError | None = None) -> bytes:
    fields = {"kind": kind, "message": message}
    if error is not None:
        fields.update(row=error.row, column=error.column, limit=error.limit, rule=error.rule)
    return FAILURE + json.dumps(fields).encode()


def _answer(request: bytes) -> bytes:
    """The child's work on one request: limit itself, run the job, the answer as bytes."""
    length = int.from_bytes(request[:4], "little")
    header = json.loads(request[4 : 4 + length])
    # Every parser, imported before the child may open no file.
    jobs = importlib.import_module(header["module"]).JOBS
    files, offset = {}, 4 + length
    for name, size in header["files"]:
        files[name] = request[offset : offset + size]
        offset += size
    del request
    try:
        _limit(**header["limits"])
        return RESULT + jobs[header["job"]](files, header["options"])
    except LoaderError as error:
        return _failure("loader", str(error), error)
    except ImportError as error:
        return _failure("import", str(error))
    except MemoryError:
        return _failure("memory", "")
    except Exception as error:  # a parser's bug: reported, not raised into the server
        return _failure("crash", f"{type(error).__name__}: {error}"[:500])


def _child_main() -> None:
    """`python -m app.sandbox`: one request on stdin, one answer on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C of `nnplay serve`: the parent decides
    request = sys.stdin.buffer.read()
    try:
        answer = _answer(request)
    except MemoryError:
        answer = _failure("memory", "")
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()


class Sandbox:
    """Runs parse jobs (`jobs_module`.JOBS: files and options → bytes) in limited children."""

    def __init__(
        self,
        memory_bytes: int = 1_000_000_000,
        seconds: float = 20.0,
        max_parallel: int = 2,
        isolation: str | None = None,
        jobs_module: str = "app.parsing",
        max_answer_bytes: int | None = None,
    ) -> None:
        self.memory_bytes, self.seconds = memory_bytes, seconds
        self.max_answer_bytes = max_answer_bytes or memory_bytes // 4
        """The longest answer read from a child; a longer one is treated as a crash."""
        self.jobs_module = jobs_module
        """The module whose JOBS a child runs (tests name their own)."""
        self.isolation = isolation or choose_isolation()
        """"landlock", "chroot" or "none": how children are kept from the server's files."""
        self._empty = (
            tempfile.mkdtemp(prefix="nnplay-sandbox-") if self.isolation == "chroot" else None
        )
        """The chroot's empty directory (isolation "chroot" only)."""
        self._slots = threading.BoundedSemaphore(max_parallel)
        if self.isolation == "none":
            log.warning(
                "uploaded files are parsed without file isolation (no Landlock on this kernel, "
                "not root): structural checks still refuse links and external storage"
            )

    def close(self) -> None:
        """Remove the chroot's empty directory, if any."""
        if self._empty:
            shutil.rmtree(self._empty, ignore_errors=True)

    def run(self, job: str, files: dict[str, bytes], options: dict[str, Any]) -> bytes:
        """The job's answer, computed in a fresh child process from `files` and `options`.

        Raises:
            LoaderError / ImportError: as the job raised them (message, row, column, rule kept).
            SandboxError: the child crashed, ran out of memory or time, or no slot was free.
        """
        if not self._slots.acquire(timeout=self.seconds):
            raise SandboxError(
                "The server is busy reading other files: try again in a moment", "busy"
            )
        try:
            return self._run(job, files, options)
        finally:
            self._slots.release()

    def _run(self, job: str, files: dict[str, bytes], options: dict[str, Any]) -> bytes:
        limits = {
            "memory_bytes": self.memory_bytes,
            "cpu_seconds": max(1, math.ceil(self.seconds)),
            "isolation": self.isolation,
            "empty": self._empty,
        }
        header = json.dumps(
            {
                "module": self.jobs_module,
                "job": job,
                "options": options,
                "files": [[name, len(data)] for name, data in files.items()],
                "limits": limits,
            }
        ).encode()
        request = len(header).to_bytes(4, "little") + header + b"".join(files.values())
        child = subprocess.Popen(
            [sys.executable, "-s", "-P", "-m", "app.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_environment(),
            cwd=self._empty or "/",
            start_new_session=True,  # no terminal signals; killed alone
        )
        try:
            answer = _exchange(child, request, self.max_answer_bytes, self.seconds)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            for stream in (child.stdin, child.stdout):
                if stream and not stream.closed:
                    stream.close()
        if answer is None:
            raise SandboxError(
                f"Reading the file took longer than {self.seconds:g} s; nnplay stopped it", "time"
            )
        if answer.startswith(RESULT):
            return answer[1:]
        if answer.startswith(FAILURE):
            raise _error_from(json.loads(answer[1:]), self.memory_bytes)
        raise self._death(child.returncode)

    def _death(self, exitcode: int | None) -> SandboxError:
        if exitcode is not None and exitcode < 0:
            number = -exitcode
            if number in (signal.SIGXCPU, signal.SIGKILL):
                return SandboxError(
                    f"Reading the file took longer than {self.seconds:g} s; nnplay stopped it",
                    "time",
                )
            name = signal.Signals(number).name if number in signal.valid_signals() else number
            return SandboxError(
                f"The file crashed the parser (signal {name}); it is not a file nnplay can read",
                "parser_crashed",
            )
        return SandboxError(
            f"The file could not be read (the parser exited with code {exitcode})",
            "parser_crashed",
        )


def _error_from(failure: dict, memory_bytes: int) -> Exception:
    kind, message = failure.get("kind"), str(failure.get("message", ""))
    if kind == "loader":
        return LoaderError(
            message,
            row=failure.get("row"),
            column=failure.get("column"),
            limit=failure.get("limit"),
            rule=failure.get("rule"),
        )
    if kind == "import":
        return ImportError(message)
    if kind == "memory":
        return SandboxError(
            f"Reading the file needs more than the {memory_bytes // 1_000_000} MB of memory "
            "this server allows for it",
            "memory",
        )
    return SandboxError(
        f"The file could not be read: the parser failed ({message})", "parser_crashed"
    )


def _child_environment() -> dict[str, str]:
    """The child's environment: the server's module path, one BLAS thread, nothing else."""
    environment = {
        "PYTHONPATH": os.pathsep.join(path for path in sys.path if path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for name in ("PATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL"):
        if name in os.environ:  # OpenBLAS's own settings: some processors need them
            environment[name] = os.environ[name]
    return environment


def _exchange(
    child: subprocess.Popen, request: bytes, max_answer: int, seconds: float
) -> bytes | None:
    """Write the request, read the answer (at most max_answer bytes); None past `seconds`."""
    deadline = time.monotonic() + seconds
    chunks, received, sent = [], 0, 0
    view = memoryview(request)
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdin, selectors.EVENT_WRITE)
        selector.register(child.stdout, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for key, _ in selector.select(left):
                if key.fileobj is child.stdin:
                    try:
                        sent += os.write(child.stdin.fileno(), view[sent : sent + PIPE_CHUNK])
                    except BrokenPipeError:  # the child died early: its exit code says why
                        sent = len(request)
                    if sent >= len(request):
                        selector.unregister(child.stdin)
                        child.stdin.close()
                else:
                    chunk = os.read(child.stdout.fileno(), PIPE_CHUNK)
                    if not chunk:
                        selector.unregister(child.stdout)
                        continue
                    received += len(chunk)
                    if received > max_answer:  # no answer of ours is that long
                        raise SandboxError(
                            "The parser's answer was longer than any image set's data can be: "
                            "this is not a file nnplay can read",
                            "parser_crashed",
                        )
                    chunks.append(chunk)
    return b"".join(chunks)


if __name__ == "__main__":
    _child_main()
