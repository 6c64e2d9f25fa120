"""The broker: several server processes, on one machine or many, share their classes through a
Redis server (`NNPLAY_REDIS_URL`, e.g. redis://10.0.0.5:6379/0).

What travels (app/classroom.py says when):

- keys, each with an expiry, so that nothing outlives a class: `nnplay:class:{code}` (the
  class's token and state, JSON), `nnplay:class:{code}:barred` (addresses the teacher removed),
  `nnplay:run:{id}` (a shown run's description, JSON) and `nnplay:run:{id}:boundary` (its newest
  frame that carried a boundary, for a viewer that joins later);
- pub/sub: `nnplay:class:{code}` (a class's events between processes: its state, member
  counts, board tiles, removals, its end) and `nnplay:frames:{id}` (a shown run's frames, the
  bytes its process encoded, published once for every process whose students follow it).

One connection per process: commands go out in order through one queue (a slow Redis delays
them but never the event loop), and one reader task hands each message to the channel's
handlers, on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("nnplay.broker")

PREFIX = "nnplay:"
OUTGOING = 10_000
"""Commands waiting for Redis at most; beyond, the oldest frames are dropped (never state)."""


def class_key(code: str) -> str:
    return f"{PREFIX}class:{code}"


def barred_key(code: str) -> str:
    return f"{PREFIX}class:{code}:barred"


def run_key(run_id: str) -> str:
    return f"{PREFIX}run:{run_id}"


def boundary_key(run_id: str) -> str:
    return f"{PREFIX}run:{run_id}:boundary"


def frames_channel(run_id: str) -> str:
    return f"{PREFIX}frames:{run_id}"


def process_channel(process: str) -> str:
    """Requests to one process (a fork of a run it trains)."""
    return f"{PREFIX}process:{process}"


class BrokerError(RuntimeError):
    """Redis cannot be reached: said once, plainly, at start-up."""


class Broker:
    """This process's connection to Redis: keys, ordered publishing, and subscriptions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.id = secrets.token_hex(6)
        """This process, as the classes' events name their sender."""
        self.redis: Any = None
        self._pubsub: Any = None
        self._handlers: dict[str, set[Callable[[bytes], None]]] = {}
        self._out: asyncio.Queue[Callable[[Any], Awaitable]] = asyncio.Queue(OUTGOING)
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        import redis.asyncio as aioredis  # only a server with a broker needs the package

        self.redis = aioredis.from_url(self.url, socket_timeout=10, socket_connect_timeout=5)
        try:
            await self.redis.ping()
        except Exception as error:
            raise BrokerError(f"cannot reach Redis at {self.url}: {error}") from None
        self._pubsub = self.redis.pubsub()
        await self._pubsub.subscribe(process_channel(self.id))  # never without a channel
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._read(), name="nnplay-broker-read"),
            loop.create_task(self._write(), name="nnplay-broker-write"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()

    # --- out --------------------------------------------------------------------------------------

    def post(self, command: Callable[[Any], Awaitable], droppable: bool = False) -> None:
        """Run `command(redis)` after every command posted before it (from the event loop)."""
        if self._out.full():
            if droppable:
                return
            with contextlib.suppress(asyncio.QueueEmpty):
                self._out.get_nowait()
        self._out.put_nowait(command)

    def publish(self, channel: str, data: bytes | str, droppable: bool = False) -> None:
        self.post(lambda r: r.publish(channel, data), droppable)

    async def _write(self) -> None:
        while True:
            command = await self._out.get()
            try:
                await command(self.redis)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a Redis command failed")

    # --- in ---------------------------------------------------------------------------------------

    async def subscribe(self, channel: str, handler: Callable[[bytes], None]) -> None:
        handlers = self._handlers.setdefault(channel, set())
        first = not handlers
        handlers.add(handler)
        if first:
            await self._pubsub.subscribe(channel)

    async def unsubscribe(self, channel: str, handler: Callable[[bytes], None]) -> None:
        handlers = self._handlers.get(channel)
        if not handlers:
            return
        handlers.discard(handler)
        if not handlers:
            del self._handlers[channel]
            with contextlib.suppress(Exception):
                await self._pubsub.unsubscribe(channel)

    def drop(self, channel: str, handler: Callable[[bytes], None]) -> None:
        """Unsubscribe `handler` now (synchronous; Redis hears it after the commands before)."""
        handlers = self._handlers.get(channel)
        if not handlers:
            return
        handlers.discard(handler)
        if not handlers:
            del self._handlers[channel]
            self.post(lambda _r: self._pubsub.unsubscribe(channel))

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading from Redis failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            for handler in list(self._handlers.get(channel, ())):
                try:
                    handler(message["data"])
                except Exception:  # one bad message must not stop the reading
                    log.exception("handling a message of %s failed", channel)
