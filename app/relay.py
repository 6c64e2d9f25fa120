"""A shown run's frames across processes (with a broker, app/broker.py): the process that trains
the run relays its frames to Redis once; every other process whose students follow it
subscribes, and each such student's session sends them like any view's (the same bytes as the
owner's).

`Relay` is a view of the run (app/fanout.py) on its own process that publishes every frame and
detail it takes, remembers in Redis the newest frame that carried a boundary (frames that would
repeat a boundary go without it, and a viewer joining later needs one), and tells the viewers
when the run ends. `RemoteView` is a session's view of a run trained elsewhere: the newest
frame and detail received and not sent yet (a newer one replaces it, as in app/fanout.py; the
costs of a replaced frame are lost for that viewer, which only a viewer too slow to read 30
frames a second sees).
"""

from __future__ import annotations

import asyncio
import io
import json
import struct
from collections.abc import Callable

import numpy as np

from .broker import Broker, boundary_key, frames_channel, run_key
from .frames import MAGIC

ENDED = b"ended:"
"""Prefix of the message on a run's frames channel that says it ended (frames start MAGIC)."""
KEEP_SECONDS = 3600
"""Expiry of a relayed run's keys, renewed as it relays."""


STATE = b"NNPS"
"""Prefix of a run's state sent for a fork: then a 4-byte length, JSON, and an .npz."""


def encode_state(state: dict) -> bytes:
    """A run's exported state (Run.export_state) as bytes: JSON and an .npz (no pickles)."""
    buffer = io.BytesIO()
    np.savez(buffer, **state["arrays"])
    meta = json.dumps({k: v for k, v in state.items() if k != "arrays"}, allow_nan=False)
    return STATE + struct.pack("<I", len(meta.encode())) + meta.encode() + buffer.getvalue()


def decode_state(data: bytes) -> dict:
    if not data.startswith(STATE):
        raise ValueError("not a run's state")
    (length,) = struct.unpack_from("<I", data, 4)
    state = json.loads(data[8 : 8 + length])
    with np.load(io.BytesIO(data[8 + length :]), allow_pickle=False) as arrays:
        state["arrays"] = {name: arrays[name] for name in arrays.files}
    return state


def kind_and_blobs(message: bytes) -> tuple[str, list[str]]:
    """A binary message's type and the names of its blobs (its header only)."""
    (length,) = struct.unpack_from("<I", message, 4)
    header = json.loads(message[8 : 8 + length])
    return header.get("type", ""), [b["name"] for b in header.get("blobs", ())]


class Relay:
    """Publishes one local run's frames for other processes (event loop)."""

    def __init__(self, broker: Broker, run, loop: asyncio.AbstractEventLoop, scheduler) -> None:
        self.broker, self.run_id, self.run = broker, run.id, run
        self.scheduler = scheduler
        """The run's training thread: a fork elsewhere asks it for the run's state."""
        self._event = asyncio.Event()
        self._loop = loop
        self.view = run.outbox.subscribe(self._notify, self._ended)
        self._task: asyncio.Task | None = None
        if self.view is None:  # it ended meanwhile: nothing to relay
            return
        description = json.dumps(
            {"describe": run.describe(), "process": broker.id}, allow_nan=False
        )
        broker.post(lambda r: r.set(run_key(run.id), description, ex=KEEP_SECONDS))
        self._task = loop.create_task(self._pump(), name="nnplay-relay")

    def _notify(self) -> None:  # from the training thread
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)

    def _ended(self, reason: str) -> None:  # from the training thread
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._say_ended, reason)

    def _say_ended(self, reason: str) -> None:
        self.broker.publish(frames_channel(self.run_id), ENDED + reason.encode())
        self.broker.post(lambda r: r.delete(run_key(self.run_id), boundary_key(self.run_id)))
        self.stop()

    async def _pump(self) -> None:
        channel, key = frames_channel(self.run_id), boundary_key(self.run_id)
        while True:
            await self._event.wait()
            self._event.clear()
            for message in self.view.take():
                if message is None:
                    continue
                kind, blobs = kind_and_blobs(message)
                if kind == "frame" and "boundary" in blobs:
                    self.broker.post(lambda r, m=message: r.set(key, m, ex=KEEP_SECONDS))
                self.broker.publish(channel, message, droppable=kind != "gallery")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self.view is not None:
            self.view.close()


class RemoteView:
    """A session's view of a run trained in another process: same interface as fanout.View."""

    def __init__(
        self,
        broker: Broker,
        run_id: str,
        notify: Callable[[], None],
        ended: Callable[[str, str], None],
    ) -> None:
        self.broker, self.run_id = broker, run_id
        self.notify, self._ended = notify, ended
        self.closed = False
        self._frame: bytes | None = None
        self._detail: bytes | None = None
        self._gallery: bytes | None = None

    async def start(self) -> None:
        """Subscribe, then prime with the newest boundary frame (if a frame has not come)."""
        await self.broker.subscribe(frames_channel(self.run_id), self._on_message)
        first = await self.broker.redis.get(boundary_key(self.run_id))
        if first is not None and self._frame is None:
            self._frame = first
            self.notify()

    def _on_message(self, data: bytes) -> None:
        if self.closed:
            return
        if data.startswith(ENDED):
            reason = data[len(ENDED) :].decode(errors="replace")
            self.close()
            self._ended(self.run_id, reason)
            return
        if not data.startswith(MAGIC):
            return
        kind, _blobs = kind_and_blobs(data)
        if kind == "frame":
            self._frame = data
        elif kind == "detail":
            self._detail = data
        elif kind == "gallery":
            self._gallery = data
        self.notify()

    def take(self) -> tuple[bytes | None, bytes | None, bytes | None]:
        out = (self._gallery, self._frame, self._detail)
        self._gallery = self._frame = self._detail = None
        return out

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.broker.drop(frames_channel(self.run_id), self._on_message)
