"""`nnplay serve --workers 2` as a real subprocess: the clients are shared evenly between the two
worker processes, a worker that dies is replaced, SIGTERM stops everything and removes the
upload directory; and the supervisor's rules (`app.workers`) on their own."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from websockets.sync.client import connect

from app import workers
from app.threaded import free_port

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0
CLIENTS = 12
WORKERS = ("--workers", "2", "--log-level", "info")

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="reads which process holds a connection in /proc"
)


def health(port: int) -> dict | None:
    """/api/health over a fresh connection (so any worker may answer), or None if refused."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as answer:
            return json.loads(answer.read())
    except OSError:
        return None


def wait_for(predicate, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return value


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Serve:
    """`python -m app.cli serve --workers 2` on a free port, its upload directory in `tmp`."""

    def __init__(self, tmp: Path) -> None:
        self.port, self.tmp = free_port(), tmp
        env = {k: v for k, v in os.environ.items() if k != "NNPLAY_UPLOAD_DIR"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port), *WORKERS],
            cwd=ROOT,
            env={**env, "TMPDIR": str(tmp), "NNPLAY_MAX_SESSIONS_PER_CLIENT": "100"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def health(self) -> dict | None:
        if self.process.poll() is not None:
            raise AssertionError(f"nnplay serve exited: {self.process.communicate()}")
        return health(self.port)

    def worker_pids(self, expected: int = 2) -> dict[int, dict]:
        """Each worker's /api/health, by pid, once `expected` workers have answered."""
        seen: dict[int, dict] = {}

        def every_worker() -> bool:
            answer = self.health()
            if answer is not None:
                seen[answer["pid"]] = answer
            return len(seen) >= expected

        wait_for(every_worker, f"{expected} workers to answer /api/health")
        return seen

    def stop(self) -> tuple[str, str]:
        self.process.terminate()
        try:
            return self.process.communicate(timeout=TIMEOUT)
        finally:
            self.process.kill()


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()


def connections_by_pid(port: int, pids: set[int]) -> dict[int, int]:
    """How many of the connections to `port` each process holds, from the kernel's tables (the
    oracle: whatever the server says about itself). Linux only."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                established = fields[3] == "01"
                if established and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    counts = dict.fromkeys(pids, 0)
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes:
                    counts[pid] += 1
    return counts


def sessions_by_pid(serve: Serve, pids: set[int], total: int) -> dict[int, int]:
    """Each worker's session count, read until they all answered and add up to `total`."""
    counts: dict[int, int] = {}

    def settled() -> bool:
        answer = serve.health()
        counts[answer["pid"]] = answer["sessions"]
        return set(counts) == pids and sum(counts.values()) == total

    wait_for(settled, f"{total} sessions over the workers {pids}")
    return counts


def test_a_burst_of_clients_is_shared_evenly_and_sigterm_stops_every_process(serve):
    pids = set(serve.worker_pids())
    assert len(list(serve.tmp.glob("nnplay-uploads-*"))) == 1

    leave, greeted = threading.Event(), []

    def student(_) -> None:  # a class opening the page at the same moment, staying a while
        with connect(f"ws://127.0.0.1:{serve.port}/ws", open_timeout=TIMEOUT) as ws:
            assert json.loads(ws.recv(timeout=TIMEOUT))["type"] == "hello"
            greeted.append(ws)
            leave.wait(TIMEOUT)

    with ThreadPoolExecutor(CLIENTS) as pool:
        students = [pool.submit(student, i) for i in range(CLIENTS)]
        try:
            wait_for(lambda: len(greeted) == CLIENTS, "every student's hello")
            counts = connections_by_pid(serve.port, pids)
            # uvicorn's own workers=2 often gave such a burst to one process (12 and 0, 9 and 3)
            assert sum(counts.values()) == CLIENTS, counts
            assert max(counts.values()) - min(counts.values()) <= 1, counts
        finally:
            leave.set()
        for done in students:
            done.result()  # each got its hello
    out, err = serve.stop()
    assert serve.process.returncode == 0, err
    assert "Traceback" not in err, err
    assert f"http://127.0.0.1:{serve.port}/" in out
    assert not [pid for pid in pids if alive(pid)]  # no worker outlives the server
    assert list(serve.tmp.glob("nnplay-uploads-*")) == []


def test_a_worker_that_dies_is_replaced_and_takes_the_next_clients(serve):
    first = set(serve.worker_pids())
    killed = min(first)
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: not alive(killed), "the killed worker to be reaped")
    now = set(serve.worker_pids())  # two workers answer again, one of them new
    assert killed not in now and len(now) == 2 and len(now & first) == 1
    with contextlib.ExitStack() as stack:
        for _ in range(4):
            ws = stack.enter_context(connect(f"ws://127.0.0.1:{serve.port}/ws"))
            assert json.loads(ws.recv(timeout=TIMEOUT))["type"] == "hello"
        counts = sessions_by_pid(serve, now, 4)
        assert max(counts.values()) - min(counts.values()) <= 1, counts
    _, err = serve.stop()
    assert serve.process.returncode == 0, err
    assert "died" in err and "starting another" in err


def test_the_least_loaded_live_worker_accepts_and_a_silent_one_is_skipped():
    loads = workers.Loads(3)
    loads.beat(0, 5)
    loads.beat(1, 5)
    loads.beat(2, 4)
    assert [loads.is_least_loaded(slot) for slot in range(3)] == [False, False, True]
    loads.beat(2, 5)
    assert all(loads.is_least_loaded(slot) for slot in range(3))  # a tie: whoever is first
    loads.connections[2] = 0
    loads.beats[2] = time.monotonic() - workers.STALE_SECONDS - 1  # hung, dead or restarting
    assert loads.is_least_loaded(0) and loads.is_least_loaded(1)


class _Exited:
    """A worker process that has exited with `exitcode`."""

    def __init__(self, exitcode: int) -> None:
        self.exitcode, self.pid = exitcode, 4242

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        pass


def test_a_worker_that_fails_to_start_stops_the_server_and_one_that_dies_later_is_restarted(
    monkeypatch,
):
    supervisor = workers.Supervisor(2, "127.0.0.1", 0)
    started = []
    monkeypatch.setattr(supervisor, "_start", started.append)
    supervisor.processes = [_Exited(-signal.SIGKILL), None]
    supervisor._keep_alive()
    assert started == [0] and not supervisor.should_exit.is_set()
    supervisor.processes = [_Exited(3), None]  # uvicorn's STARTUP_FAILURE
    supervisor._keep_alive()
    assert started == [0] and supervisor.should_exit.is_set() and supervisor.failed
