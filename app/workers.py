"""`nnplay serve --workers N`: N uvicorn processes that share the class evenly.

uvicorn's own `workers=N` lets every process accept from one listening socket as fast as it
can: the first to wake takes most of a burst of connections (30 students connecting at once
split 18/12 to 26/4 over two workers, 200 split 116/84 to 164/36), and once the server is busy
a worker with more students gives each of them fewer frames. Per-worker SO_REUSEPORT sockets do
better but not well: the kernel picks a socket by a hash of the connection's addresses, a coin
toss per student, not by load (30 split up to 20/10, 200 up to 114/86).

So here the supervisor binds the one socket and starts N worker processes; each accepts for
itself, one connection at a time, and only when it holds no more connections than any other
live worker (their counts are in shared memory, `Loads`): 30, 100 and 200 students split
15/15, 50/50 and 100/100. A worker that is not the least loaded stops watching the socket for
`STEP_BACK_SECONDS`, so the least loaded one takes the connection. A worker whose heartbeat is
older than `STALE_SECONDS` (dead, restarting, or its event loop blocked) no longer counts, so
nobody waits on it. Every open connection counts, a page's HTTP keep-alive ones too (for the
few seconds they stay open), as they are counted at accept, before one knows which of them
becomes a WebSocket.

The supervisor restarts a worker that dies after it started, as uvicorn does, and stops the
whole server (exit status 3, an error logged) when one fails to start: a broken app or
settings would fail every restart the same way. Unlike uvicorn it does not kill a worker that
stops answering (its loop blocked): that worker only stops getting new connections. SIGINT or
SIGTERM shuts every worker down gracefully (uvicorn's own shutdown in each), then the
supervisor returns.

Each worker runs stock uvicorn (`uvicorn.Server`, uvloop where installed) with the app factory
and `uvicorn_options()`; only the accept is its own. POSIX only: elsewhere `serve` keeps
uvicorn's `workers=N`.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.sharedctypes import RawArray
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("uvicorn.error")

STEP_BACK_SECONDS = 0.02
"""How long a worker that is not the least loaded leaves the socket to the others."""
HEARTBEAT_SECONDS = 0.1
"""How often a worker writes its connection count and the time."""
STALE_SECONDS = 2.0
"""A worker silent for this long is skipped when choosing who accepts."""
SHUTDOWN_SECONDS = 30.0
"""How long the supervisor waits for a worker's graceful shutdown before killing it."""
SUPERVISE_SECONDS = 0.5
"""How often the supervisor looks for dead workers and signals."""


class Loads:
    """Each worker's open connections and last heartbeat, in memory shared by the processes.

    One slot per worker; a worker writes only its own slot, everyone reads all of them. A slot
    never written (or written by a worker that died) has a heartbeat older than
    `STALE_SECONDS` and is ignored."""

    def __init__(self, n_workers: int) -> None:
        self.connections = RawArray(ctypes.c_int64, n_workers)
        self.beats = RawArray(ctypes.c_double, n_workers)

    def beat(self, slot: int, connections: int) -> None:
        """Record `slot`'s connection count, now."""
        self.connections[slot] = connections
        self.beats[slot] = time.monotonic()

    def forget(self, slot: int) -> None:
        """`slot`'s worker is gone: skip it from now on, without waiting for it to go stale."""
        self.beats[slot] = 0.0

    def is_least_loaded(self, slot: int) -> bool:
        """Whether `slot` holds no more connections than any other live worker."""
        now = time.monotonic()
        mine = self.connections[slot]
        return all(
            mine <= self.connections[other]
            for other in range(len(self.beats))
            if other != slot and now - self.beats[other] < STALE_SECONDS
        )


class BalancedServer(uvicorn.Server):
    """uvicorn's server, accepting from a shared socket only while it is the least loaded.

    uvicorn starts with no listener of its own (`sockets=[]`); each accepted connection gets
    uvicorn's protocol as `Server.startup` builds it, through `connect_accepted_socket`, so
    uvicorn tracks, times out and shuts down these connections like its own."""

    def __init__(self, config: uvicorn.Config, listener: socket.socket, slot: int, loads: Loads):
        super().__init__(config)
        self.listener, self.slot, self.loads = listener, slot, loads
        self._pending = 0  # accepted, not yet handed to a protocol
        self._watching = False
        self._tasks: set[asyncio.Task] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        self._loop = asyncio.get_running_loop()
        self.listener.setblocking(False)
        self._beat()
        self._watch()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._unwatch()
        self.listener.close()
        await super().shutdown(sockets=[])

    def _load(self) -> int:
        return len(self.server_state.connections) + self._pending

    def _beat(self) -> None:
        self.loads.beat(self.slot, self._load())
        if not self.should_exit:
            self._loop.call_later(HEARTBEAT_SECONDS, self._beat)

    def _watch(self) -> None:
        if not self._watching and not self.should_exit:
            self._loop.add_reader(self.listener.fileno(), self._accept)
            self._watching = True

    def _unwatch(self) -> None:
        if self._watching:
            self._loop.remove_reader(self.listener.fileno())
            self._watching = False

    def _accept(self) -> None:
        """The socket has a connection waiting: take it if this worker is the least loaded,
        else step back for a moment. One connection per turn, then the counts decide again."""
        self.loads.beat(self.slot, self._load())
        if not self.loads.is_least_loaded(self.slot):
            self._unwatch()
            self._loop.call_later(STEP_BACK_SECONDS, self._watch)
            return
        try:
            conn, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it, or the client gave up
        except OSError as error:  # out of file descriptors, …: as asyncio's own accept does
            logger.error("accepting a connection failed: %s", error)
            self._unwatch()
            self._loop.call_later(1.0, self._watch)
            return
        conn.setblocking(False)
        self._pending += 1
        self.loads.beat(self.slot, self._load())
        task = self._loop.create_task(self._serve_connection(conn))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_connection(self, conn: socket.socket) -> None:
        """Hand `conn` to uvicorn's protocol; it stops being pending the moment the protocol
        counts it in `server_state.connections` (or fails to), never both or neither."""
        pending = True

        def counted() -> None:
            nonlocal pending
            if pending:
                pending = False
                self._pending -= 1

        def protocol() -> asyncio.Protocol:
            made = self.config.http_protocol_class(
                config=self.config, server_state=self.server_state, app_state=self.lifespan.state
            )
            connection_made = made.connection_made

            def connected(transport: asyncio.Transport) -> None:
                connection_made(transport)  # adds it to server_state.connections
                counted()

            made.connection_made = connected
            return made

        try:
            await self._loop.connect_accepted_socket(protocol, conn, ssl=self.config.ssl)
        except OSError:
            conn.close()  # the client left before its transport existed
        finally:
            counted()


def _run_worker(
    options: dict[str, Any], listener: socket.socket, slot: int, loads: Loads, stdin: int | None
) -> None:
    """A worker process: uvicorn serving the app factory, accepting as `BalancedServer` does."""
    if stdin is not None:  # as uvicorn's workers do: a debugger can still read the terminal
        sys.stdin = os.fdopen(stdin)
    config = uvicorn.Config("app.main:create_app", factory=True, **options)
    BalancedServer(config, listener, slot, loads).run()


class Supervisor:
    """Starts `n_workers` worker processes on one listening socket, keeps them alive and
    stops them all on SIGINT or SIGTERM."""

    def __init__(self, n_workers: int, host: str, port: int, **options: Any) -> None:
        self.n_workers = n_workers
        self.options = {"host": host, "port": port, **options}
        self.loads = Loads(n_workers)
        self.processes: list[multiprocessing.Process | None] = [None] * n_workers
        self.should_exit = threading.Event()
        self.failed = False

    def run(self) -> int:
        """Serve until a signal (exit status 0) or a worker that fails to start (3)."""
        config = uvicorn.Config("app.main:create_app", factory=True, **self.options)
        self.listener = config.bind_socket()  # logs "Uvicorn running on …"
        self.listener.listen(config.backlog)
        previous = {
            sig: signal.signal(sig, lambda *_: self.should_exit.set())
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        logger.info("Started parent process [%d]", os.getpid())
        try:
            for slot in range(self.n_workers):
                self._start(slot)
            while not self.should_exit.wait(SUPERVISE_SECONDS):
                self._keep_alive()
        finally:
            self._stop_all()
            self.listener.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("Stopping parent process [%d]", os.getpid())
        return STARTUP_FAILURE if self.failed else 0

    def _start(self, slot: int) -> None:
        try:
            stdin = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            stdin = None
        process = multiprocessing.get_context("spawn").Process(
            target=_run_worker,
            args=(self.options, self.listener, slot, self.loads, stdin),
            name=f"nnplay-worker-{slot}",
        )
        process.start()
        self.processes[slot] = process
        logger.info("Started worker process [%d]", process.pid)

    def _keep_alive(self) -> None:
        for slot, process in enumerate(self.processes):
            if process is None or process.is_alive() or self.should_exit.is_set():
                continue
            process.join()
            self.loads.forget(slot)
            if process.exitcode == STARTUP_FAILURE:
                logger.error(
                    "Worker process [%d] failed to start; stopping the server.", process.pid
                )
                self.failed = True
                self.should_exit.set()
                return
            logger.warning(
                "Worker process [%d] died (exit status %s); starting another.",
                process.pid,
                process.exitcode,
            )
            self._start(slot)

    def _stop_all(self) -> None:
        running = [p for p in self.processes if p is not None and p.is_alive()]
        for process in running:
            process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        deadline = time.monotonic() + SHUTDOWN_SECONDS
        for process in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logger.error("Worker process [%d] did not stop; killing it.", process.pid)
                process.kill()
                process.join()
