"""A WebSocket session: one browser's connection, its runs, and the protocol spoken over it.

The session owns its runs: they are found only through its own dictionary, by unguessable ids, so
no other connection can see or touch them, and closing the socket deletes them at once. Nothing
is shared between sessions or processes, so any server process can serve any browser.

Two tasks per session: the receive loop parses and validates each message (a bad one gets an
`error` answer and the connection carries on), and the send loop, the only writer to the socket,
sends queued answers and then the newest frame of each run. A slow client therefore gets the
newest state, never a growing backlog (the costs it missed travel with the next frame).

A client that does not read costs nothing for long. Its sends back up: the send loop's await
does not complete once the connection's buffers are full. When one send has waited
`unread_pause_seconds`, the session pauses its runs (no training, no frames: no CPU), stops
handling the client's messages, and queues an `unread` notice that the client gets when it reads
again (then it may send `play`). When a send has waited `unread_close_seconds`, the session
ends: its runs are freed and the socket is closed with code 4000 (see app/serving.py for why
that close cannot hang). One client address holds at most `max_sessions_per_client` sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from . import data as data_sources
from . import protocol
from .runs import Group, Run, dataset_summary
from .scheduler import Scheduler
from .schemas import (
    DrawnDataModel,
    HyperparameterUpdate,
    LimitExceededError,
    RequestError,
    enforce_limits,
)
from .settings import Settings
from .uploads import UploadStore

log = logging.getLogger("nnplay.session")

OUTGOING_QUEUE = 64
"""Answers waiting to be sent; past this the session stops reading until the client reads."""
CLOSE_UNREAD = 4000
"""Close code of a session whose client stopped reading (docs/protocol.md)."""
CLOSE_TOO_MANY_SESSIONS = 1008
"""Close code (policy violation) refusing a client address over `max_sessions_per_client`."""


def validation_errors(error: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    """Pydantic's errors as [{field, rule, message}], fields as dotted paths."""
    items = []
    for e in error.errors(include_url=False, include_context=False, include_input=False):
        # Union members appear in pydantic's paths as tags like "constrained-int" or
        # "literal['max']"; our field names never hold '-' or '[': drop those parts.
        parts = [str(p) for p in e["loc"] if not ("-" in str(p) or "[" in str(p))]
        field = ".".join(parts)
        items.append(
            {
                "field": f"{prefix}{field}" if field else prefix.rstrip(".") or "(message)",
                "rule": e["type"],
                "message": e["msg"],
            }
        )
    return items


class ProtocolError(Exception):
    """A request the session refuses: answered with an `error` message, nothing else happens."""

    def __init__(self, code: str, message: str, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors or []


class Session:
    """One WebSocket connection and the runs it owns."""

    def __init__(
        self,
        websocket: WebSocket,
        scheduler: Scheduler,
        settings: Settings,
        sessions: set,
        uploads: UploadStore | None = None,
    ) -> None:
        self.ws = websocket
        self.uploads = uploads
        self.scheduler = scheduler
        self.settings = settings
        self.sessions = sessions
        self.runs: dict[str, Run] = {}
        self._outgoing: asyncio.Queue[str] = asyncio.Queue(OUTGOING_QUEUE)
        self._ready = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        client = websocket.client
        self.client_host: str | None = client.host if client is not None else None
        self._unread = False
        """True from `unread_pause_seconds` into a send that has not completed until it does."""
        self._read_again = asyncio.Event()
        self._notices: list[str] = []
        """Unsolicited text messages (`unread`), sent before anything else."""
        self._ended = False
        self._sender: asyncio.Task | None = None
        self._unread_task: asyncio.Future | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    async def serve(self) -> None:
        """Accept, greet, then read messages until the client goes; always frees the runs."""
        await self.ws.accept()
        self._loop = asyncio.get_running_loop()
        if len(self.sessions) >= self.settings.max_sessions:
            await self.ws.send_text(
                json.dumps(
                    self._error_body(
                        "server_full",
                        f"this server holds at most {self.settings.max_sessions} sessions; "
                        "try again later",
                        limit=self.settings.max_sessions,
                    )
                )
            )
            await self.ws.close(code=1013)
            return
        limit = self.settings.max_sessions_per_client
        if sum(1 for s in self.sessions if s.client_host == self.client_host) >= limit:
            await self.ws.send_text(
                json.dumps(
                    self._error_body(
                        "too_many_sessions",
                        f"this address already has {limit} sessions open, the most allowed; "
                        "close a tab or try again later",
                        limit=limit,
                    )
                )
            )
            await self.ws.close(
                code=CLOSE_TOO_MANY_SESSIONS,
                reason=f"too many sessions from this address ({limit})",
            )
            return
        self.sessions.add(self)
        sender = self._sender = asyncio.create_task(self._send_loop(), name="nnplay-send")
        try:
            await self._queue(self._hello())
            await self._receive_loop()
        except WebSocketDisconnect:
            pass
        finally:
            # No awaits here: a closing connection may cancel this task, and anything awaited
            # in a cancelled scope is cancelled too. Everything below is synchronous.
            sender.cancel()
            if self._unread_task is not None and self._unread_task is not asyncio.current_task():
                self._unread_task.cancel()
            self._end()

    def _end(self) -> None:
        """Leave the registry and free the runs (once; synchronous)."""
        if self._ended:
            return
        self._ended = True
        self._read_again.set()  # a receive loop waiting for the client to read gives up
        self.sessions.discard(self)
        self._free_runs()

    def _free_runs(self) -> None:
        runs = list(self.runs.values())
        self.runs.clear()
        if not runs:
            return

        def remove_all() -> None:
            for run in runs:
                run.group.playing = False
                self.scheduler.remove(run)

        self.scheduler.post(remove_all)

    def _hello(self) -> dict:
        s = self.settings
        return {
            "type": "hello",
            "protocol": protocol.PROTOCOL_VERSION,
            "server": "nnplay",
            "frame_rate": s.frame_rate,
            "boundary_resolution": s.boundary_resolution,
            "map_resolution": s.map_resolution,
            "heavy_every": s.heavy_every,
            "limits": {
                "max_hidden_layers": s.max_hidden_layers,
                "max_units": s.max_units,
                "max_samples": s.max_samples,
                "max_runs_per_session": s.max_runs_per_session,
                "max_message_bytes": s.max_message_bytes,
                "max_step_iterations": s.max_step_iterations,
                "max_iterations_per_frame": s.max_iterations_per_frame,
                "max_run_iterations": s.max_run_iterations,
                "max_drawn_points": s.max_drawn_points,
                "max_csv_bytes": s.max_csv_bytes,
                "max_csv_rows": s.max_csv_rows,
                "max_csv_columns": s.max_csv_columns,
                "max_image_bytes": s.max_image_bytes,
            },
        }

    # --- sending ---------------------------------------------------------------------------------

    async def _queue(self, body: dict) -> None:
        await self._outgoing.put(json.dumps(body, allow_nan=False))
        self._ready.set()

    def _frame_ready(self) -> None:
        """Called from the training thread when a run has a new frame."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._ready.set)

    async def _send_loop(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            await self._send_answers()
            for run in list(self.runs.values()):
                # Answers first, always: a run's `created` must precede its first frame, even
                # when the frame was built while this loop was busy sending others.
                await self._send_answers()
                for message in run.take_frames():  # gallery (once), frame, detail
                    if message is not None:
                        await self._send(message)

    async def _send_answers(self) -> None:
        while self._notices:
            await self._send(self._notices.pop(0))
        while not self._outgoing.empty():
            await self._send(self._outgoing.get_nowait())

    async def _send(self, message: str | bytes) -> None:
        """Send one message; if it waits too long on a client that does not read, pause the
        session's runs, then end the session (see the module docstring)."""
        loop = self._loop
        timer = loop.call_later(self.settings.unread_pause_seconds, self._on_unread)
        try:
            if isinstance(message, str):
                await self.ws.send_text(message)
            else:
                await self.ws.send_bytes(message)
        finally:
            timer.cancel()
        if self._unread:
            self._unread = False
            self._read_again.set()

    def _on_unread(self) -> None:
        """The client has not read for `unread_pause_seconds` (called on the event loop)."""
        if self._ended or self._unread:
            return
        self._unread = True
        self._read_again.clear()
        task = self._unread_task = asyncio.ensure_future(self._handle_unread())
        task.set_name("nnplay-unread")
        task.add_done_callback(_log_failure)

    async def _handle_unread(self) -> None:
        settings = self.settings
        runs = list(self.runs.values())
        paused = await self.scheduler.call(lambda: self._pause_for_unread(runs))
        if paused:
            self._notices.append(
                json.dumps(
                    {
                        "type": "unread",
                        "ref": None,
                        "runs": paused,
                        "unread_seconds": settings.unread_pause_seconds,
                        "close_seconds": settings.unread_close_seconds,
                        "message": f"you did not read for {settings.unread_pause_seconds:g} s, so "
                        "your runs are paused; send play to resume",
                    }
                )
            )
        self._ready.set()
        wait = max(0.0, settings.unread_close_seconds - settings.unread_pause_seconds)
        try:
            await asyncio.wait_for(self._read_again.wait(), wait)
            return
        except TimeoutError:
            pass
        if self._ended:
            return
        log.info("closing a session that has not read for %g s", settings.unread_close_seconds)
        self._end()  # its runs are freed at once, whatever the transport does
        if self._sender is not None:
            self._sender.cancel()  # it waits on the full buffer; the close frame goes next
        with contextlib.suppress(Exception):
            # With app/serving.py's protocol the close frame is queued at once and the
            # connection aborted if the client never reads up to it; plain uvicorn waits for
            # the buffer to drain, hence the timeout.
            await asyncio.wait_for(
                self.ws.close(
                    code=CLOSE_UNREAD,
                    reason=f"not reading for {settings.unread_close_seconds:g} s",
                ),
                1.0,
            )

    def _pause_for_unread(self, runs: list[Run]) -> list[str]:
        """Pause every playing or stepping group of these runs (in the training thread); the ids
        of the runs it paused."""
        paused, seen = [], set()
        for run in runs:
            group = run.group
            if id(group) in seen or not (group.playing or group.step_remaining > 0):
                continue
            seen.add(id(group))
            group.playing = False
            group.step_remaining = 0
            self._emit_now(group)
            paused += [r.id for r in group.runs]
        return paused

    @staticmethod
    def _error_body(code: str, message: str, ref: str | None = None, errors=None, **extra) -> dict:
        return {
            "type": "error",
            "ref": ref,
            "code": code,
            "message": message,
            "errors": errors or [],
            **extra,
        }

    # --- receiving -------------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        limit = self.settings.max_message_bytes
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if self._unread:  # a client that does not read is not listened to either
                await self._read_again.wait()
            if self._ended:
                return
            ref = None
            try:
                text = message.get("text")
                if text is None:
                    raise ProtocolError(
                        "binary_not_accepted",
                        "binary messages are not accepted: send JSON text messages",
                    )
                if len(text) > limit // 4 and len(text.encode()) > limit:
                    raise ProtocolError(
                        "too_large",
                        f"a message may be at most {limit} bytes, got {len(text.encode())}",
                    )
                try:
                    data = json.loads(text)
                except (ValueError, RecursionError) as error:
                    raise ProtocolError("not_json", f"not valid JSON: {error}") from None
                if isinstance(data, dict) and isinstance(data.get("ref"), str):
                    ref = data["ref"][:64]
                if not isinstance(data, dict) or "type" not in data:
                    raise ProtocolError(
                        "invalid",
                        'a message is a JSON object with a "type": '
                        + ", ".join(protocol.MESSAGE_TYPES),
                    )
                if data["type"] not in protocol.MESSAGE_TYPES:
                    raise ProtocolError(
                        "unknown_type",
                        f"unknown message type {str(data['type'])[:40]!r}; allowed: "
                        + ", ".join(protocol.MESSAGE_TYPES),
                    )
                try:
                    parsed = protocol.CLIENT_MESSAGE.validate_python(data)
                except ValidationError as error:
                    items = validation_errors(error)
                    for item in items:  # drop the discriminator's own level from paths
                        prefix = f"{data['type']}."
                        if item["field"].startswith(prefix):
                            item["field"] = item["field"][len(prefix) :]
                    raise ProtocolError(
                        "invalid", items[0]["message"] + f" ({items[0]['field']})", items
                    ) from None
                await self._handle(parsed)
            except ProtocolError as error:
                await self._queue(self._error_body(error.code, error.message, ref, error.errors))
            except RequestError as error:
                code = "limit" if isinstance(error, LimitExceededError) else "invalid"
                await self._queue(
                    self._error_body(code, str(error), ref, [error.item()], limit=error.limit)
                )
            except ValueError as error:  # the engine's own checks, e.g. an impossible config
                await self._queue(self._error_body("invalid", str(error), ref))
            except (WebSocketDisconnect, asyncio.CancelledError):
                raise
            except Exception:  # a bug of ours: log it, tell the client plainly, carry on
                log.exception("error handling a message")
                await self._queue(
                    self._error_body("internal", "the server failed to handle this message", ref)
                )

    # --- commands --------------------------------------------------------------------------------

    def _runs_of(self, ids: list[str]) -> list[Run]:
        runs, seen = [], set()
        for run_id in ids:
            run = self.runs.get(run_id)
            if run is None:
                raise ProtocolError("unknown_run", f"no run {run_id[:64]!r} in this session")
            if run_id not in seen:
                seen.add(run_id)
                runs.append(run)
        return runs

    async def _handle(self, msg: Any) -> None:
        kind = msg.type
        if kind == "ping":
            await self._queue({"type": "pong", "ref": msg.ref, "time": time.time()})
            return
        if kind == "create":
            await self._create(msg)
            return
        runs = self._runs_of(msg.runs)
        settings = self.settings
        if kind == "step" and msg.n > settings.max_step_iterations:
            raise LimitExceededError(
                "n",
                settings.max_step_iterations,
                f"a step may ask at most {settings.max_step_iterations} iterations, got {msg.n}",
            )
        if (
            kind == "speed"
            and msg.iterations_per_frame != "max"
            and (msg.iterations_per_frame > settings.max_iterations_per_frame)
        ):
            raise LimitExceededError(
                "iterations_per_frame",
                settings.max_iterations_per_frame,
                f"at most {settings.max_iterations_per_frame} iterations per frame, "
                f"got {msg.iterations_per_frame}",
            )
        if kind == "update":
            fields = msg.model_fields_set - {"type", "runs", "ref"}
            for name in sorted(fields - {"batch_size"}):  # null batch_size means full batch
                if getattr(msg, name) is None:
                    raise ProtocolError(
                        "invalid",
                        f"{name} cannot be null; leave it out to keep it",
                        [{"field": name, "rule": "not_null", "message": "may not be null"}],
                    )
            update = HyperparameterUpdate(**{name: getattr(msg, name) for name in fields})
            result = await self.scheduler.call(lambda: self._update(runs, update))
        elif kind == "data":
            result = await self._data(runs, msg)
        elif kind == "delete":
            for run in runs:
                self.runs.pop(run.id, None)
            result = await self.scheduler.call(lambda: self._delete(runs))
        else:
            command = getattr(self, f"_{kind}")
            result = await self.scheduler.call(lambda: command(runs, msg))
        await self._queue(
            {
                "type": "ack",
                "ref": msg.ref,
                "action": kind,
                "runs": [r.id for r in runs],
                **(result or {}),
            }
        )

    async def _create(self, msg: protocol.Create) -> None:
        if len(self.runs) >= self.settings.max_runs_per_session:
            raise LimitExceededError(
                "(session)",
                self.settings.max_runs_per_session,
                f"a session holds at most {self.settings.max_runs_per_session} runs; "
                "delete one first",
            )
        # Building the data and the network is NumPy work: off the event loop. Refusals name
        # fields by their path in the message (config.layers.0.units), like schema errors do.
        try:
            enforce_limits(msg.config, self.settings)
            run = await asyncio.to_thread(Run, msg.config, self.settings, self.uploads)
        except RequestError as error:
            raise error.at("config.") from None
        except ValueError as error:  # the engine's own check, e.g. n_classes on a binary set
            raise RequestError("config", "engine", str(error)) from None
        run.notify = self._frame_ready
        run.owner = self  # the scheduler shares time among sessions, not runs
        # Owned from here on, so a connection closing at any await below still frees it; it
        # streams nothing before its first frame, which is built after `created` is queued.
        self.runs[run.id] = run
        await self.scheduler.call(lambda: self.scheduler.add(run))
        await self._queue({"type": "created", "ref": msg.ref, **run.describe()})
        await self.scheduler.call(lambda: run.build_frame(heavy=True))

    async def _data(self, runs: list[Run], msg: protocol.Data) -> dict:
        """New drawn points for runs on drawn points; their networks keep training."""
        points = msg.dataset
        for run in runs:
            before = run.config.dataset
            if not isinstance(before, DrawnDataModel):
                raise ProtocolError(
                    "invalid",
                    "only a run on drawn points takes new points; create a run for other data",
                )
            if (before.n_classes, before.features) != (points.n_classes, points.features):
                raise RequestError(
                    "dataset",
                    "same_inputs",
                    "new points must keep the run's classes and derived inputs; "
                    "create a new run to change them",
                )
        if len(points.y) > self.settings.max_drawn_points:
            raise LimitExceededError(
                "dataset.y",
                self.settings.max_drawn_points,
                f"at most {self.settings.max_drawn_points} drawn points, got {len(points.y)}",
            )
        data = await asyncio.to_thread(data_sources.drawn, points)

        def apply() -> None:
            for run in runs:
                run.replace_data(run.config.model_copy(update={"dataset": points}), data)
                run.group.seconds_per_iteration = None  # more points: measure again
                run.build_frame(heavy=True)  # the new points' boundary, even when paused

        await self.scheduler.call(apply)
        return {"dataset": dataset_summary(data.dataset, data)}

    # The commands below run in the training thread, between turns (see Scheduler.call).

    def _group(self, runs: list[Run]) -> Group:
        """The group of exactly these runs, formed if it does not exist yet."""
        group = runs[0].group
        if set(group.runs) == set(runs):
            return group
        for run in runs:
            if run in run.group.runs:
                run.group.runs.remove(run)
        group = Group(list(runs))
        for run in runs:
            run.group = group
        return group

    def _emit_now(self, group: Group) -> None:
        interval = 1.0 / self.settings.frame_rate
        self.scheduler._emit(group, time.perf_counter(), interval, final=True)

    def _play(self, runs: list[Run], msg: Any) -> dict:
        group = self._group(runs)
        group.playing = True
        group.step_remaining = 0
        group.frame_budget = group.iterations_per_frame or 0
        group.next_frame_at = 0.0
        group.fresh = True  # served ahead of the round until its first frame
        for run in runs:
            if run.can_train:
                run.status = "running"
        if not group.active:  # all diverged or finished: answer with their state at once
            group.playing = False
            self._emit_now(group)
        return {"iterations": [r.trainer.iteration for r in runs]}

    def _pause(self, runs: list[Run], msg: Any) -> dict:
        group = self._group(runs)
        group.playing = False
        group.step_remaining = 0
        self._emit_now(group)
        return {"iterations": [r.trainer.iteration for r in runs]}

    def _step(self, runs: list[Run], msg: protocol.Step) -> dict:
        group = self._group(runs)
        group.playing = False
        group.step_remaining = msg.n
        group.fresh = True
        for run in runs:
            if run.can_train:
                run.status = "running"
        if not group.active:  # all diverged or finished: answer with their state at once
            self._emit_now(group)
        return {"iterations": [r.trainer.iteration for r in runs], "n": msg.n}

    def _reset(self, runs: list[Run], msg: Any) -> dict:
        group = self._group(runs)
        group.playing = False
        group.step_remaining = 0
        for run in runs:
            run.reset()
        self._emit_now(group)
        return {"iterations": [0 for _ in runs]}

    def _speed(self, runs: list[Run], msg: protocol.Speed) -> dict:
        speed = None if msg.iterations_per_frame == "max" else msg.iterations_per_frame
        for run in runs:
            run.iterations_per_frame = speed
            run.group.frame_budget = min(run.group.frame_budget, speed or 0)
        return {"iterations_per_frame": msg.iterations_per_frame}

    def _update(self, runs: list[Run], update: HyperparameterUpdate) -> dict:
        for run in runs:
            run.update(update)
            run.group.seconds_per_iteration = None  # a batch size changes it: measure again
        return {"changed": update.model_dump(include=update.model_fields_set)}

    def _delete(self, runs: list[Run]) -> dict:
        for run in runs:
            run.group.playing = False
            self.scheduler.remove(run)
        return {}


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("handling an unread client failed", exc_info=task.exception())
