"""A WebSocket session: one browser's connection and the protocol spoken over it.

The session is transport: it parses and validates each message, hands the command to its
`Player` (app/player.py, the one owner of its runs' life) and answers. The runs it creates are
its own: only it commands them (found through its own dictionary, by unguessable ids), and
closing the socket deletes them at once. Other sessions may watch a run by its id: they get its
frames, encoded once for all (app/fanout.py), and are told when it ends; nothing else is shared
between sessions, and nothing between processes, so any server process can serve any browser.

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

from . import classroom, protocol
from . import data as data_sources
from .broker import run_key
from .classroom import Classroom, Classrooms
from .errors import LimitExceededError, RequestError
from .options import hello_message
from .player import CommandRefusedError, Player
from .relay import RemoteView
from .runconfig import (
    NULLABLE_LIVE_FIELDS,
    DrawnDataModel,
    HyperparameterUpdate,
    RunConfigModel,
    enforce_limits,
)
from .runs import Run, dataset_summary
from .scheduler import Scheduler
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


RELAY_WAIT_SECONDS = 3.0
"""How long a `watch` of a run of another process waits for it to be relayed."""


class ProtocolError(Exception):
    """A request the session refuses: answered with an `error` message, nothing else happens."""

    def __init__(self, code: str, message: str, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors or []


class Session:
    """One WebSocket connection: the runs it owns and watches are its `player`'s."""

    def __init__(
        self,
        websocket: WebSocket,
        scheduler: Scheduler,
        settings: Settings,
        sessions: set,
        uploads: UploadStore | None = None,
        classrooms: Classrooms | None = None,
    ) -> None:
        self.ws = websocket
        self.uploads = uploads
        self.scheduler = scheduler
        self.settings = settings
        self.sessions = sessions
        self.player = Player(scheduler, settings, owner=self)
        self._outgoing: asyncio.Queue[str | bytes] = asyncio.Queue(OUTGOING_QUEUE)
        self._ready = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        client = websocket.client
        self.client_host: str | None = client.host if client is not None else None
        self._unread = False
        """True from `unread_pause_seconds` into a send that has not completed until it does."""
        self._read_again = asyncio.Event()
        self._notices: list[str] = []
        """Unsolicited text messages (`unread`), sent before anything else."""
        self._keyed: dict[str, str] = {}
        """Unsolicited messages of which only the newest counts (`class_state`, `board`), by
        kind: a newer one replaces one not sent yet."""
        self.classrooms = classrooms or Classrooms(settings)
        self.classroom: Classroom | None = None
        """The class this session is in (app/classroom.py), as `class_role` ("teacher" or
        "student"; a student's id in it is `class_member`)."""
        self.class_role: str | None = None
        self.class_member: str | None = None
        self._ended = False
        self._sender: asyncio.Task | None = None
        self._unread_task: asyncio.Future | None = None

    @property
    def runs(self) -> dict[str, Run]:
        """The runs this session owns, by id."""
        return self.player.runs

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
        if self.classroom is not None:
            classroom.left(self, self.classroom)
        self._free_runs()

    def _free_runs(self) -> None:
        runs = self.player.leave()
        if runs:
            self.scheduler.post(lambda: self.player.free(runs))

    def _hello(self) -> dict:
        return hello_message(self.settings)

    # --- sending ---------------------------------------------------------------------------------

    async def _queue(self, body: dict) -> None:
        await self._outgoing.put(json.dumps(body, allow_nan=False))
        self._ready.set()

    async def _queue_bytes(self, message: bytes) -> None:
        """Queue a binary answer (a `seek`), in order with the text ones."""
        await self._outgoing.put(message)
        self._ready.set()

    def _frame_ready(self) -> None:
        """Called from the training thread when a run this session shows has a new frame."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            self.scheduler.wake_loop(loop, self._ready.set)

    def _run_ended(self, run_id: str, reason: str) -> None:
        """Called from the training thread when a run this session watches ends."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._tell_ended, run_id, reason)

    def _tell_ended(self, run_id: str, reason: str) -> None:
        if self.player.watching.pop(run_id, None) is None or self._ended:
            return
        said = "its owner deleted it" if reason == "deleted" else "its owner left"
        self._notices.append(
            json.dumps(
                {
                    "type": "ended",
                    "ref": None,
                    "run": run_id,
                    "reason": reason,
                    "message": f"the run you watched has ended: {said}",
                }
            )
        )
        self._ready.set()

    # --- its class (app/classroom.py calls these, on the event loop) ------------------------------

    def base_url(self) -> str:
        """The server as this connection's browser reached it: http(s)://host[:port]/."""
        scheme = "https" if self.ws.url.scheme == "wss" else "http"
        host = self.ws.headers.get("host") or f"{self.ws.url.hostname}:{self.ws.url.port}"
        return f"{scheme}://{host}/"

    def class_seat(self, room: Classroom | None, role: str | None, member: str | None) -> None:
        self.classroom, self.class_role, self.class_member = room, role, member

    def class_notice(self, text: str, kind: str) -> None:
        """Send `text` unsolicited; a newer one of the same kind not sent yet replaces it."""
        if self._ended:
            return
        self._keyed.pop(kind, None)
        self._keyed[kind] = text
        self._ready.set()

    def class_left(self, room: Classroom, reason: str) -> None:
        """The session is out of `room` (it ended, or the teacher removed it)."""
        if self.classroom is not room:
            return
        self.class_seat(None, None, None)
        self._keyed.pop("class_state", None)
        self._keyed.pop("board", None)
        said = classroom.ENDED_MESSAGES.get(reason, reason)
        self.class_notice(
            json.dumps(
                {
                    "type": "class_ended",
                    "ref": None,
                    "code": room.code,
                    "reason": reason,
                    "message": said,
                }
            ),
            "class_ended",
        )

    async def _send_loop(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            await self._send_answers()
            for view in self.player.views():  # its own runs', then the watched ones'
                # Answers first, always: a run's `created` must precede its first frame, even
                # when the frame was built while this loop was busy sending others.
                await self._send_answers()
                for message in view.take():  # gallery (once), frame, detail
                    if message is not None:
                        await self._send(message)

    async def _send_answers(self) -> None:
        while self._notices:
            await self._send(self._notices.pop(0))
        while not self._outgoing.empty():
            await self._send(self._outgoing.get_nowait())
        while self._keyed:  # after the answers: a `class` precedes the class's news
            await self._send(self._keyed.pop(next(iter(self._keyed))))

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
        runs = list(self.runs.values())  # its own: the runs it watches are not its to pause
        paused = await self.scheduler.call(lambda: self.player.pause_for_unread(runs))
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
            except CommandRefusedError as error:
                await self._queue(self._error_body(error.code, error.message, ref))
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

    # --- commands: checked here, carried out by the player ---------------------------------------

    async def _handle(self, msg: Any) -> None:
        kind = msg.type
        if kind == "ping":
            await self._queue({"type": "pong", "ref": msg.ref, "time": time.time()})
            return
        if kind == "create":
            await self._create(msg)
            return
        if kind == "watch":
            await self._watch(msg)
            return
        if kind.startswith("class_"):
            await self._queue(await classroom.handle(self, msg))
            return
        if kind == "example":
            await self._queue(await self._example(msg))
            return
        if kind == "unwatch":
            stopped = self.player.unwatch(msg.runs)
            await self._queue({"type": "ack", "ref": msg.ref, "action": kind, "runs": stopped})
            return
        player, call = self.player, self.scheduler.call
        runs = player.owned(msg.runs)
        if kind in ("play", "step"):
            classroom.locked_out(self)
        if kind == "play":
            result = await call(lambda: player.play(runs))
        elif kind == "pause":
            result = await call(lambda: player.pause(runs))
        elif kind == "step":
            n = self._checked_step(msg)
            result = await call(lambda: player.step(runs, n))
        elif kind == "reset":
            result = await call(lambda: player.reset(runs))
        elif kind == "speed":
            speed = self._checked_speed(msg)
            result = await call(lambda: player.set_speed(runs, speed))
        elif kind == "update":
            update = self._checked_update(msg)
            result = await call(lambda: player.update(runs, update))
        elif kind == "data":
            result = await self._data(runs, msg)
        elif kind == "seek":
            answers = await call(lambda: player.seek(runs, msg.iteration, msg.ref))
            for answer in answers:
                await self._queue_bytes(answer)
            result = {"iteration": msg.iteration}
        elif kind == "set_parameter":
            run, (layer, row, col) = runs[0], self._checked_parameter(runs[0], msg)
            result = await call(lambda: player.set_parameter(run, layer, row, col, msg.value))
        elif kind == "delete":
            player.forget(runs)
            result = await call(lambda: player.delete(runs))
            classroom.runs_changed(self)
        else:  # a message type added to the protocol but not here
            raise ProtocolError("unknown_type", f"message type {kind!r} is not handled")
        await self._queue(
            {
                "type": "ack",
                "ref": msg.ref,
                "action": kind,
                "runs": [r.id for r in runs],
                **(result or {}),
            }
        )

    async def _example(self, msg: protocol.Example) -> dict:
        """The `example` answer: a run the session owns or watches here, a point or an index."""
        run_id = msg.runs[0]
        if run_id not in self.runs:
            view = self.player.watching.get(run_id)
            if view is None:
                raise CommandRefusedError(
                    "unknown_run", f"no run {run_id[:64]!r} owned or watched by this session"
                )
            if isinstance(view, RemoteView):
                raise CommandRefusedError(
                    "elsewhere",
                    "this run trains in another server process: its examples are not here",
                )
        by_index = msg.split is not None or msg.index is not None
        if (msg.point is not None) == by_index or (by_index and None in (msg.split, msg.index)):
            raise ProtocolError(
                "invalid",
                "name either a point [x1, x2] or an example by split and index",
                [{"field": "point", "rule": "one_of", "message": "point, or split and index"}],
            )
        result = await self.scheduler.call(
            lambda: self.player.example(run_id, msg.point, msg.split, msg.index)
        )
        return {**result, "ref": msg.ref}

    def _checked_step(self, msg: protocol.Step) -> int:
        limit = self.settings.max_step_iterations
        if msg.n > limit:
            raise LimitExceededError(
                "n", limit, f"a step may ask at most {limit} iterations, got {msg.n}"
            )
        return msg.n

    def _checked_speed(self, msg: protocol.Speed) -> int | str | None:
        """The speed asked: iterations per frame, None for "max", or "auto"."""
        speed = msg.iterations_per_frame
        limit = self.settings.max_iterations_per_frame
        if speed == "auto":
            return speed
        if speed != "max" and speed > limit:
            raise LimitExceededError(
                "iterations_per_frame",
                limit,
                f"at most {limit} iterations per frame, got {speed}",
            )
        return None if speed == "max" else speed

    def _checked_update(self, msg: protocol.Update) -> HyperparameterUpdate:
        """The fields the message sets, as a live update (null only where it means something:
        batch_size null is the full batch)."""
        fields = msg.model_fields_set - {"type", "runs", "ref"}
        for name in sorted(fields - NULLABLE_LIVE_FIELDS):
            if getattr(msg, name) is None:
                raise ProtocolError(
                    "invalid",
                    f"{name} cannot be null; leave it out to keep it",
                    [{"field": name, "rule": "not_null", "message": "may not be null"}],
                )
        return HyperparameterUpdate(**{name: getattr(msg, name) for name in fields})

    def _checked_parameter(
        self, run: Run, msg: protocol.SetParameter
    ) -> tuple[int, int, int | None]:
        """(layer, row, col) of a weight, (layer, row, None) of a bias, within the run's network:
        W[l] is (n[l], n[l-1]), b[l] is (n[l], 1)."""
        dims = run.network_config.layer_dims
        L = len(dims) - 1
        if msg.layer > L:
            raise self._out_of_network("layer", f"layer must be in 1 … {L}, got {msg.layer}", L)
        name = f"b[{msg.layer}]" if msg.bias else f"W[{msg.layer}]"
        shape = (dims[msg.layer], 1) if msg.bias else (dims[msg.layer], dims[msg.layer - 1])
        if msg.row >= shape[0]:
            said = f"{name} has {shape[0]} rows: row must be in 0 … {shape[0] - 1}, got {msg.row}"
            raise self._out_of_network("row", said, shape[0] - 1)
        if msg.bias:
            return msg.layer, msg.row, None
        if msg.col >= shape[1]:
            said = f"{name} has {shape[1]} columns: col must be in 0 … {shape[1] - 1}"
            said += f", got {msg.col}"
            raise self._out_of_network("col", said, shape[1] - 1)
        return msg.layer, msg.row, msg.col

    @staticmethod
    def _out_of_network(field: str, message: str, limit: int) -> ProtocolError:
        item = {"field": field, "rule": "in_network", "message": message, "limit": limit}
        return ProtocolError("invalid", message, [item])

    async def _create(self, msg: protocol.Create) -> None:
        self.player.check_room()
        if msg.fork is not None:
            await self._fork(msg)
            return
        if msg.at is not None or msg.changes is not None:
            raise ProtocolError("invalid", "`at` and `changes` go with `fork` (a run to fork)")
        # Building the data and the network is NumPy work: off the event loop. Refusals name
        # fields by their path in the message (config.layers.0.units), like schema errors do.
        try:
            enforce_limits(msg.config, self.settings)
            run = await asyncio.to_thread(Run, msg.config, self.settings, self.uploads)
        except RequestError as error:
            raise error.at("config.") from None
        except ValueError as error:  # the engine's own check, e.g. n_classes on a binary set
            raise RequestError("config", "engine", str(error)) from None
        # Owned from here on, so a connection closing at any await below still frees it; it
        # streams nothing before its first frame, which is built after `created` is queued.
        self.player.adopt(run, self._frame_ready)
        await self.scheduler.call(lambda: self.player.add(run))
        await self._queue({"type": "created", "ref": msg.ref, **run.describe()})
        classroom.runs_changed(self)
        await self.scheduler.call(lambda: run.build_frame(heavy=True))

    async def _fork(self, msg: protocol.Create) -> None:
        """A run that continues from another's state now: one this session owns or watches."""
        if msg.fork not in self.runs and msg.fork not in self.player.watching:
            raise CommandRefusedError("unknown_run", "fork a run of this session or one it watches")
        classroom.locked_out(self)
        if isinstance(self.player.watching.get(msg.fork), RemoteView):
            if msg.at is not None or msg.changes is not None:
                raise ProtocolError(
                    "invalid", "a run of another server process is forked as it is now only"
                )
            await self._fork_elsewhere(msg)
            return
        source = await self.scheduler.call(lambda: self.scheduler.find(msg.fork))
        if source is None:
            raise CommandRefusedError("unknown_run", "the run to fork has ended")
        changes = None
        if msg.changes is not None:
            changes = self._checked_update(msg.changes)
        run = await asyncio.to_thread(Run, source.config, self.settings, self.uploads, source.data)
        forked = await self.scheduler.call(lambda: self._fork_run(run, source, msg.at, changes))
        await self._start_fork(run, forked, msg.ref)

    def _fork_run(
        self, run: Run, source: Run, at: int | None, changes: HyperparameterUpdate | None
    ) -> dict:
        """Take up `source`'s state, now or `at` a past iteration, then `changes` (training
        thread). A past too far from a snapshot to replay within a step's bound is refused."""
        if at is not None:
            self.player.check_past(source, at)
            reachable = self.player.reachable(source, at)
            if reachable != at:
                raise CommandRefusedError(
                    "out_of_range",
                    f"iteration {at} is too far from the run's snapshots to replay (more than "
                    f"max_step_iterations); the nearest exact one before it is {reachable}",
                )
        forked = run.fork_from(source, at)
        if changes is not None:
            run.update(changes)
            forked["changed"] = changes.model_dump(include=changes.model_fields_set)
        return forked

    async def _start_fork(self, run: Run, forked: dict, ref: str | None) -> None:
        """A fork built: owned, scheduled (paused), described (`forked_from`), its first frame."""
        self.player.adopt(run, self._frame_ready)
        await self.scheduler.call(lambda: self.player.add(run))
        await self._queue({"type": "created", "ref": ref, **run.describe(), "forked_from": forked})
        classroom.runs_changed(self)
        await self.scheduler.call(lambda: run.build_frame(heavy=True))

    async def _fork_elsewhere(self, msg: protocol.Create) -> None:
        """A fork of a run another process trains: its state asked of that process (through
        the broker), a run of the same config built here, the state taken up."""
        state = await self.classrooms.sharing.fork_state(msg.fork)
        try:
            config = RunConfigModel.model_validate_json(json.dumps(state["config"]))
            enforce_limits(config, self.settings)
            run = await asyncio.to_thread(Run, config, self.settings, self.uploads)
        except RequestError as error:
            raise error.at("config.") from None
        forked = await self.scheduler.call(lambda: run.fork_from_state(msg.fork, state))
        await self._start_fork(run, forked, msg.ref)

    async def _watch(self, msg: protocol.Watch) -> None:
        """Watch other sessions' runs: one `watching` describing each (like `created`), then
        their frames."""
        ids = [i for i in dict.fromkeys(msg.runs) if i not in self.player.watching]
        for run_id in ids:
            if run_id in self.runs:
                raise ProtocolError(
                    "invalid", f"run {run_id[:64]!r} is this session's own: its frames come"
                )
        limit = self.settings.max_runs_per_session
        if len(self.player.watching) + len(ids) > limit:
            raise LimitExceededError(
                "runs", limit, f"a session watches at most {limit} runs; unwatch one first"
            )
        sharing = self.classrooms.sharing
        remote = []
        if sharing is not None:  # runs of other processes, relayed through the broker
            here = await self.scheduler.call(lambda: {i for i in ids if self.scheduler.find(i)})
            remote = [i for i in ids if i not in here]
            ids = [i for i in ids if i in here]
        elsewhere = [await self._watch_elsewhere(sharing.broker, i) for i in remote]
        watched = await self.scheduler.call(
            lambda: self.player.watch(ids, self._frame_ready, self._run_ended)
        )
        watched += elsewhere
        # One answer, queued before the views are the send loop's: it precedes the runs' first
        # frames. Runs already watched are not described again.
        await self._queue({"type": "watching", "ref": msg.ref, "runs": [d for d, _view in watched]})
        for description, view in watched:
            if self._ended or view.closed:  # gone meanwhile: `ended` was (or is) said
                view.close()
                continue
            self.player.watching[description["run"]] = view
        self._ready.set()

    async def _watch_elsewhere(self, broker, run_id: str) -> tuple[dict, RemoteView]:
        """A view of a run another process trains and relays (app/relay.py). A run just shown
        (a spotlight: this process said so before the run's process heard it) may take a moment
        to be relayed: it is waited for, up to RELAY_WAIT_SECONDS."""
        deadline = time.monotonic() + RELAY_WAIT_SECONDS
        while (raw := await broker.redis.get(run_key(run_id))) is None:
            if time.monotonic() >= deadline:
                raise CommandRefusedError("unknown_run", f"no run {run_id[:64]!r} on this server")
            await asyncio.sleep(0.05)
        view = RemoteView(broker, run_id, self._frame_ready, self._run_ended)
        await view.start()
        return json.loads(raw)["describe"], view

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
        await self.scheduler.call(lambda: self.player.replace_data(runs, points, data))
        return {"dataset": dataset_summary(data.dataset, data)}


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("handling an unread client failed", exc_info=task.exception())
