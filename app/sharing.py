"""One class over several server processes (or machines), through the broker (app/broker.py).

Each process keeps its own copy of a class (app/classroom.py's `Classroom`) for the members
whose sessions it holds; the class's token and state are kept in Redis, and every change goes
to the other copies as an event on the class's channel, JSON naming its sender:

- `state` (from the teacher's process): what the class shows, locks, pushes, challenges, the
  board being open, the teacher present and where; each copy takes it, tells its members, pauses
  its students on a lock, relays the shown runs it trains (app/relay.py), and while the board is
  open sends its students' board entries;
- `members` (from each process): how many students it holds, for the teacher's count, said
  again every few seconds: a count not renewed (its process died) stops counting;
- `tiles`: a process's board entries, merged into the teacher's board;
- `remove` and `spot` (a spotlighted student's new runs): a command for the process that holds
  the student;
- on a process's own channel, `fork`: the state of a run it relays, for a fork elsewhere,
  answered on the asker's reply channel (app/relay.py encodes it: JSON and an .npz);
- `ended`: the class is over everywhere.

The teacher's process (`home`) is the one that sweeps the class (grace, idle). A copy whose last
member left is dropped; the class goes on where its teacher is. Codes are claimed in Redis
(SET NX), so two processes never open the same one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from .broker import PREFIX, Broker, barred_key, class_key, process_channel, run_key
from .relay import STATE, Relay, decode_state, encode_state

if TYPE_CHECKING:
    from .classroom import Classroom, Classrooms

log = logging.getLogger("nnplay.sharing")
SHARED_FIELDS = ("locked", "shown", "lesson", "push", "challenge", "board_open")


class Sharing:
    """This process's side of the classes it shares with others (event loop)."""

    def __init__(self, rooms: Classrooms, broker: Broker) -> None:
        self.rooms, self.broker = rooms, broker
        self.relays: dict[str, Relay] = {}
        self._handlers: dict[str, Any] = {}
        self._work: set[asyncio.Task] = set()

    def _spawn(self, work) -> None:
        """Run `work` on the loop, keeping a reference until it is done (and logging a bug)."""
        task = asyncio.get_running_loop().create_task(work)
        self._work.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._work.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a class's work for another process failed", exc_info=task.exception())

    async def start(self) -> None:
        """Answer the other processes' requests (forks of the runs this one relays)."""
        await self.broker.subscribe(process_channel(self.broker.id), self._on_request)

    # --- forks across processes ------------------------------------------------------------------

    async def fork_state(self, run_id: str, timeout: float = 10.0) -> dict:
        """The state of a shown run another process trains, for a fork here: asked of that
        process, answered through a reply channel. CommandRefusedError if it cannot be had."""
        from .player import CommandRefusedError

        raw = await self.broker.redis.get(run_key(run_id))
        if raw is None:
            raise CommandRefusedError("unknown_run", "the run to fork has ended")
        process = json.loads(raw)["process"]
        reply = f"{PREFIX}reply:{secrets.token_urlsafe(12)}"
        answer: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_reply(data: bytes) -> None:
            if not answer.done():
                answer.set_result(data)

        await self.broker.subscribe(reply, on_reply)
        try:
            request = {"kind": "fork", "run": run_id, "reply": reply}
            self.broker.publish(process_channel(process), json.dumps(request))
            data = await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            raise CommandRefusedError(
                "elsewhere", "the process that trains this run did not answer; try again"
            ) from None
        finally:
            self.broker.drop(reply, on_reply)
        if not data.startswith(STATE):
            raise CommandRefusedError("unknown_run", "the run to fork has ended")
        return decode_state(data)

    def _on_request(self, data: bytes) -> None:
        request = json.loads(data)
        if request.get("kind") == "fork" and str(request.get("reply", "")).startswith(PREFIX):
            self._spawn(self._answer_fork(request))

    async def _answer_fork(self, request: dict) -> None:
        relay = self.relays.get(request.get("run"))
        answer = b"gone"
        if relay is not None:
            try:
                answer = encode_state(await relay.scheduler.call(relay.run.export_state))
            except Exception:  # the run ended meanwhile, or a bug: the asker is told "gone"
                log.exception("exporting a run's state for a fork failed")
        self.broker.publish(request["reply"], answer)

    # --- keys -------------------------------------------------------------------------------------

    def _state(self, room: Classroom) -> dict:
        """The class's state as the other processes take it (`_apply`)."""
        state = {name: getattr(room, name) for name in SHARED_FIELDS}
        state["teacher_present"] = room.teacher is not None or room.teacher_elsewhere
        state["teacher_at"] = self.broker.id if room.teacher is not None else None
        return state

    def _record(self, room: Classroom, state: dict | None = None) -> str:
        """The class's key in Redis: its token and state."""
        state = self._state(room) if state is None else state
        return json.dumps({"token": room.token, "state": state}, allow_nan=False)

    def _ttl(self) -> int:
        return int(self.rooms.settings.class_idle_seconds) + 60

    async def claim(self, room: Classroom, exclusive: bool) -> bool:
        """Keep the class in Redis; with `exclusive`, only if no process has its code."""
        key, record = class_key(room.code), self._record(room)
        done = await self.broker.redis.set(key, record, ex=self._ttl(), nx=exclusive or None)
        if not done:
            return False
        await self._listen(room)
        return True

    async def fetch(self, code: str) -> Classroom | None:
        """A copy of a class another process leads, or None if no process has it."""
        from .classroom import Classroom

        raw = await self.broker.redis.get(class_key(code))
        if code in self.rooms.rooms:  # another join made the copy meanwhile
            return self.rooms.rooms[code]
        if raw is None:
            return None
        record = json.loads(raw)
        now = self.rooms.clock()
        room = Classroom(code, record["token"], None, now, home=False)
        self._apply(room, record["state"])
        self.rooms.rooms[code] = room
        await self._listen(room)
        return room

    async def barred(self, room: Classroom, address: str | None) -> bool:
        if address is None:
            return False
        return bool(await self.broker.redis.sismember(barred_key(room.code), address))

    def bar(self, room: Classroom, address: str) -> None:
        self.broker.post(lambda r: self._bar(r, room, address))

    async def _bar(self, redis, room: Classroom, address: str) -> None:
        """Bar an address from the class on every process (until the class's key expires)."""
        key = barred_key(room.code)
        await redis.sadd(key, address)
        await redis.expire(key, self._ttl())

    # --- events out -------------------------------------------------------------------------------

    def _send(self, room: Classroom, kind: str, **body) -> None:
        message = json.dumps({"from": self.broker.id, "kind": kind, **body}, allow_nan=False)
        self.broker.publish(class_key(room.code), message)

    def share_state(self, room: Classroom) -> None:
        state = self._state(room)
        record, key, ttl = self._record(room, state), class_key(room.code), self._ttl()
        self.broker.post(lambda r: r.set(key, record, ex=ttl))
        self._send(room, "state", state=state)

    def share_count(self, room: Classroom) -> None:
        self._send(room, "members", count=len(room.students))

    def spot(self, room: Classroom, shown: dict) -> None:
        self._send(room, "spot", shown=shown)

    def remove(self, room: Classroom, student: str) -> None:
        self._send(room, "remove", student=student)

    async def _remove(self, room: Classroom, member) -> None:
        """A student of this process the teacher removed elsewhere: barred in Redis first, so
        that once it is told, no process lets it back in."""
        from . import classroom

        address = member.session.client_host
        if address is not None:
            await self._bar(self.broker.redis, room, address)
        if room.students.get(member.id) is member:
            classroom.remove(self.rooms, room, member)

    def student(self, room: Classroom, student: str) -> dict | None:
        """A student of another process, as a spotlight shows it (from its board entries)."""
        for _when, entries in room.remote_tiles.values():
            for entry in entries:
                if entry["student"] == student:
                    runs = [r["run"] for r in entry["runs"]]
                    return {"runs": runs, "student": student, "name": entry["name"]}
        return None

    def ended(self, room: Classroom, reason: str, shared: bool) -> None:
        if shared:
            self._send(room, "ended", reason=reason)
            keys = (class_key(room.code), barred_key(room.code))
            self.broker.post(lambda r: r.delete(*keys))
        self.forget(room)

    def forget(self, room: Classroom) -> None:
        if room.home is False and room.teacher is None:
            self._send(room, "members", count=0)
        handler = self._handlers.pop(room.code, None)
        if handler is not None:
            self.broker.drop(class_key(room.code), handler)
        self.sync_relays()

    # --- events in --------------------------------------------------------------------------------

    async def _listen(self, room: Classroom) -> None:
        def handler(data: bytes, room=room) -> None:
            self._on_event(room, json.loads(data))

        self._handlers[room.code] = handler
        await self.broker.subscribe(class_key(room.code), handler)

    def _apply(self, room: Classroom, state: dict) -> None:
        for name in SHARED_FIELDS:
            if name in state:
                setattr(room, name, state[name])
        elsewhere = state.get("teacher_at") not in (None, self.broker.id)
        room.teacher_elsewhere = bool(state.get("teacher_present")) and elsewhere

    def _on_event(self, room: Classroom, event: dict) -> None:
        sender, kind = event.get("from"), event.get("kind")
        if sender == self.broker.id or self.rooms.rooms.get(room.code) is not room:
            return
        if kind == "state":
            was_locked = room.locked
            state = event["state"]
            if state.get("teacher_at") not in (None, self.broker.id) and room.teacher is not None:
                teacher, room.teacher = room.teacher, None  # taken back on another process
                room.home = False
                teacher.class_left(room, "replaced")
            self._apply(room, state)
            if room.teacher_elsewhere:
                room.teacher_gone_at = None
            room.last_active = self.rooms.clock()
            self.rooms.broadcast(room, shared=False)
            if room.locked and not was_locked:
                self._pause_students(room)
            self._board(room)
        elif kind == "members":
            count = int(event.get("count", 0))
            before = room.state()["students"]
            if count:
                room.remote_counts[sender] = (count, self.rooms.clock())
            else:
                room.remote_counts.pop(sender, None)
            if room.state()["students"] != before:
                self.rooms.tell_teacher(room, shared=False)
        elif kind == "tiles":
            room.remote_tiles[sender] = (self.rooms.clock(), event.get("students", []))
        elif kind == "remove":
            member = room.students.get(event.get("student"))
            if member is not None:
                self._spawn(self._remove(room, member))
        elif kind == "spot":
            shown = event.get("shown") or {}
            if room.teacher is not None and room.shown.get("student") == shown.get("student"):
                room.shown = shown
                self.rooms.broadcast(room)
        elif kind == "ended":
            self.rooms.end(room, str(event.get("reason", "closed")), shared=False)

    # --- this process's work for the others -------------------------------------------------------

    def heartbeat(self, period: float) -> None:
        """Every `period` s: say this process's counts again (membership that expires), and
        forget the counts of processes that stopped saying theirs for 3 periods."""
        now = self.rooms.clock()
        for room in list(self.rooms.rooms.values()):
            if room.students:
                self.share_count(room)
            stale = [p for p, (_n, when) in room.remote_counts.items() if now - when > 3 * period]
            for process in stale:
                del room.remote_counts[process]
            if stale:
                self.rooms.tell_teacher(room, shared=False)

    def _scheduler(self, room: Classroom):
        for session in room.sessions():
            return session.scheduler
        return None

    def _pause_students(self, room: Classroom) -> None:
        from .classroom import pause_students

        pause, scheduler = pause_students(room), self._scheduler(room)
        if pause is not None and scheduler is not None:
            scheduler.post(pause)

    def _board(self, room: Classroom) -> None:
        """While the board is open (and the teacher elsewhere), send this process's entries."""
        wanted = room.board_open and room.teacher is None and bool(room.students)
        task = room.tiles_task
        if wanted and (task is None or task.done()):
            room.tiles_task = asyncio.get_running_loop().create_task(self._tiles(room))
        elif not wanted and task is not None:
            task.cancel()
            room.tiles_task = None

    async def _tiles(self, room: Classroom) -> None:
        from .classroom import local_entries

        seconds = self.rooms.settings.class_board_seconds
        while room.board_open and room.students and self.rooms.rooms.get(room.code) is room:
            started = time.monotonic()
            scheduler = self._scheduler(room)
            if scheduler is not None:
                self._send(room, "tiles", students=await local_entries(scheduler, room))
            await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))

    def sync_relays(self) -> None:
        """Relay every shown run this process trains; stop relaying the others."""
        wanted = {}
        for room in self.rooms.rooms.values():
            shown = set(room.shown.get("runs") or ())
            for session in room.sessions():
                for run_id, run in session.player.runs.items():
                    if run_id in shown:
                        wanted[run_id] = (run, session.scheduler)
        for run_id in [r for r in self.relays if r not in wanted]:
            self.relays.pop(run_id).stop()
        loop = asyncio.get_running_loop()
        for run_id, (run, scheduler) in wanted.items():
            if run_id not in self.relays:
                self.relays[run_id] = Relay(self.broker, run, loop, scheduler)
