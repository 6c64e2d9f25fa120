"""A class: a teacher leads a room of students live (docs/protocol.md, "Classes").

The teacher's session opens a class (`class_open`) and gets a short join code (`KQ7M`: letters
and digits nobody misreads) and a secret teacher token; students join with the code and an
optional display name (`class_join`). Everything else rides on the run machinery: the runs the
teacher *shows* are watched by the students' pages (one training, frames encoded once and fanned
out: app/fanout.py); a *push* is a page state (the playground's URL state) and a text that each
student's page loads as its own run; the *board* is a summary of every student's runs, built
on the training thread once per `class_board_seconds` and sent to the teacher alone; a
*spotlight* shows one student's runs to the whole class the way the teacher's are shown; a
*challenge* sets a dataset, constraints and a target the board checks.

Who may do what is decided here and nowhere else: only the session holding the class's teacher
token controls it (show, lock, push, board, spotlight, remove, challenge, close); a student only
joins, leaves and commands its own runs (app/player.py refuses the rest). While the class is
locked students follow: their runs are paused and `play`/`step` are refused (`class_locked`).

Lifetimes: a class ends when its teacher closes it, when the teacher has been gone for
`class_grace_seconds` (a reload of the teacher's page comes back well within it, with the token
the page kept: `class_teach`), or after `class_idle_seconds` without a word from its teacher.
Nothing of a class outlives it: the registry forgets it, its members are told (`class_ended`).

Threading: everything here runs on the event loop, except `tile` (the board's summary of one
run), which reads a run and runs on the training thread through `Scheduler.call`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import LimitExceededError
from .lan import join_urls
from .player import CommandRefusedError
from .sharing import Sharing

if TYPE_CHECKING:
    from .broker import Broker
    from .runs import Run
    from .settings import Settings

log = logging.getLogger("nnplay.classroom")

ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
"""Join-code symbols: no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: a code read off a projector is typed
right. 23⁴ = 279,841 codes of 4; the code grows a symbol when the server holds many classes."""
CODE_LENGTH = 4
CODE_SHAPE = re.compile(f"[{ALPHABET}]{{4,8}}")
TILE_SIDE = 20
"""The board's boundary thumbnails: 20 × 20 codes, sampled from the run's boundary (400 bytes)."""
ENDED_MESSAGES = {
    "closed": "the teacher closed the class",
    "removed": "the teacher removed you from the class",
    "teacher_left": "the teacher's page did not come back: the class has ended",
    "idle": "the class ended after a long time without its teacher",
    "replaced": "this class is led from another page now",
}
"""Why a member is out of a class (`class_ended`), said plainly."""
SWEEP_SECONDS = 5.0
"""How often ended classes (teacher gone past the grace, idle) are looked for."""


def random_code(length: int = CODE_LENGTH) -> str:
    """A new join code: `length` symbols of ALPHABET."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def nothing_shown() -> dict:
    """What a class shows when it shows no run."""
    return {"runs": [], "student": None, "name": None}


def normalize_code(text: str) -> str:
    """A typed code as the registry keys it: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in text.upper() if ch not in " -")


@dataclass
class Member:
    """A student of a class: its session and the name it gave (shown escaped, as text)."""

    id: str
    name: str
    session: Any


@dataclass
class Classroom:
    """One class: its code, teacher, students and what the teacher set."""

    code: str
    token: str
    teacher: Any
    """The teacher's session, or None while the teacher is away (a reload)."""
    last_active: float
    teacher_gone_at: float | None = None
    students: dict[str, Member] = field(default_factory=dict)
    barred: set[str] = field(default_factory=set)
    """Client addresses the teacher removed: they cannot join this class again."""
    locked: bool = False
    shown: dict = field(default_factory=nothing_shown)
    push: dict | None = None
    lesson: str | None = None
    """The lesson the teacher's page shows with its runs (followers show its text)."""
    challenge: dict | None = None
    board_open: bool = False
    board_task: asyncio.Task | None = None
    challenge_started: float = 0.0
    reached: dict[str, dict] = field(default_factory=dict)
    """Challenge: student id → {"iteration", "seconds"} when their run first reached the target."""
    # With a broker (app/sharing.py): what the other processes said of this class.
    home: bool = True
    """Whether its teacher is (or was last) on this process: it alone sweeps it."""
    teacher_elsewhere: bool = False
    remote_counts: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Students on each other process, by its broker id: (count, when it said so). Each
    process says it again every SWEEP_SECONDS; a count not renewed for 3 sweeps (a process
    that died) no longer counts."""
    remote_tiles: dict[str, tuple[float, list]] = field(default_factory=dict)
    """Board entries of each other process's students: (when received, entries)."""
    tiles_task: asyncio.Task | None = None

    def state(self) -> dict:
        """What every member's page shows of the class (`class_state`)."""
        return {
            "code": self.code,
            "locked": self.locked,
            "shown": dict(self.shown),
            "lesson": self.lesson,
            "push": self.push,
            "challenge": self.challenge,
            "students": len(self.students) + sum(n for n, _ in self.remote_counts.values()),
            "teacher_present": self.teacher is not None or self.teacher_elsewhere,
        }

    def state_text(self) -> str:
        """The `class_state` message of the class now, as JSON (written once for everyone)."""
        return json.dumps({"type": "class_state", "ref": None, **self.state()}, allow_nan=False)

    def sessions(self) -> list:
        """Every member's session, the teacher's first (when present)."""
        out = [self.teacher] if self.teacher is not None else []
        return out + [m.session for m in self.students.values()]


class JoinGuard:
    """Failed join attempts per client address, against guessing codes: at most `limit` in
    any `window` seconds; a successful join does not count."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str | None, deque[float]] = {}

    def check(self, address: str | None) -> None:
        """Refuse (`rate_limited`) an address over its failures."""
        failures = self._failures.get(address)
        if not failures:
            return
        now = self.clock()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return
        if len(failures) >= self.limit:
            wait = failures[0] + self.window - now
            raise CommandRefusedError(
                "rate_limited",
                f"too many wrong class codes from this address; try again in {wait:.0f} s",
            )

    def failed(self, address: str | None) -> None:
        self._failures.setdefault(address, deque()).append(self.clock())
        if len(self._failures) > 10_000:  # many addresses: forget the oldest
            self._failures.pop(next(iter(self._failures)))


class Classrooms:
    """The classes of this server process, by code."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        broker: Broker | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.rooms: dict[str, Classroom] = {}
        self.guard = JoinGuard(settings.class_join_failures, 60.0, clock)
        self._sweeper: asyncio.Task | None = None
        self.sharing: Sharing | None = Sharing(self, broker) if broker is not None else None
        """The classes' other processes, through the broker (app/sharing.py); None alone."""

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the class of `open_class` (serve --class) and look for ended classes every
        SWEEP_SECONDS (on the running loop)."""
        if self.sharing is not None:
            await self.sharing.start()
        if self.settings.open_class:
            code, token = self.settings.open_class.split(":", 1)
            now = self.clock()
            room = self.rooms[code] = Classroom(code, token, None, now)
            if self.sharing is not None:
                await self.sharing.claim(room, exclusive=False)
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for room in list(self.rooms.values()):
            self.end(room, "closed")

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                self.sweep()
                if self.sharing is not None:
                    self.sharing.heartbeat(SWEEP_SECONDS)
            except Exception:  # a bug of ours must not stop the sweeping
                log.exception("sweeping classes failed")

    def sweep(self) -> list[str]:
        """End classes whose teacher is gone past the grace, or idle too long; their codes."""
        now, s = self.clock(), self.settings
        ended = []
        for room in list(self.rooms.values()):
            if not room.home:  # its teacher's process sweeps it
                continue
            gone = room.teacher_gone_at
            if (
                room.teacher is None
                and not room.teacher_elsewhere
                and gone is not None
                and now - gone >= s.class_grace_seconds
            ):
                self.end(room, "teacher_left")
                ended.append(room.code)
                continue
            if now - room.last_active >= s.class_idle_seconds:
                self.end(room, "idle")
                ended.append(room.code)
        return ended

    def new_code(self) -> str:
        length = CODE_LENGTH + (len(self.rooms) > len(ALPHABET) ** CODE_LENGTH // 1000)
        while True:
            code = random_code(length)
            if code not in self.rooms:
                return code

    async def open(self, teacher: Any) -> Classroom:
        """A new class led by `teacher`'s session (its code unique among the processes)."""
        limit = self.settings.max_classes
        if len(self.rooms) >= limit:
            raise LimitExceededError(
                "(server)",
                limit,
                f"this server holds at most {limit} classes; close one first",
                setting="max_classes",
            )
        now = self.clock()
        while True:
            room = Classroom(self.new_code(), secrets.token_urlsafe(24), teacher, now)
            if self.sharing is None or await self.sharing.claim(room, exclusive=True):
                break
        self.rooms[room.code] = room
        return room

    async def find(self, code: str, address: str | None) -> Classroom:
        """The class of a code a client typed (of this process, or of another one through the
        broker); a wrong code counts against its address."""
        self.guard.check(address)
        code = normalize_code(code)
        room = self.rooms.get(code)
        if room is None and self.sharing is not None and CODE_SHAPE.fullmatch(code):
            room = await self.sharing.fetch(code)
        if room is None:
            self.guard.failed(address)
            raise CommandRefusedError("unknown_class", "no class has this code; check it")
        return room

    async def teach(self, code: str, token: str, session: Any) -> Classroom:
        """The teacher's page is back (a reload): the class is its again, with the token."""
        room = await self.find(code, session.client_host)
        if not secrets.compare_digest(room.token.encode(), token.encode()):
            self.guard.failed(session.client_host)
            raise CommandRefusedError("not_teacher", "this is not the class's teacher token")
        old = room.teacher
        if old is not None and old is not session:
            old.class_left(room, "replaced")
        room.teacher, room.teacher_gone_at = session, None
        room.home, room.teacher_elsewhere = True, False
        room.last_active = self.clock()
        return room

    async def join(self, code: str, name: str, session: Any) -> tuple[Classroom, Member]:
        room = await self.find(code, session.client_host)
        barred = session.client_host in room.barred
        if not barred and self.sharing is not None:
            barred = await self.sharing.barred(room, session.client_host)
        if barred:
            raise CommandRefusedError("removed", "the teacher removed you from this class")
        limit = self.settings.max_class_students
        if room.state()["students"] >= limit:
            raise LimitExceededError(
                "(class)",
                limit,
                f"this class holds at most {limit} students",
                setting="max_class_students",
            )
        member = Member(secrets.token_urlsafe(8), name, session)
        room.students[member.id] = member
        return room, member

    def end(self, room: Classroom, reason: str, shared: bool = True) -> None:
        """End a class: everyone is told, nothing of it is kept (nor, with a broker and
        `shared`, on the other processes)."""
        if self.rooms.get(room.code) is not room:
            return
        del self.rooms[room.code]
        for task in (room.board_task, room.tiles_task):
            if task is not None:
                task.cancel()
        for session in room.sessions():
            session.class_left(room, reason)
        room.students.clear()
        if self.sharing is not None:
            self.sharing.ended(room, reason, shared)

    def drop(self, room: Classroom) -> None:
        """Forget a class's copy on this process (its last local member left; with a broker,
        the class goes on elsewhere)."""
        if self.rooms.get(room.code) is room:
            del self.rooms[room.code]
            if room.tiles_task is not None:
                room.tiles_task.cancel()
            if self.sharing is not None:
                self.sharing.forget(room)

    # --- telling the members --------------------------------------------------------------------

    def broadcast(self, room: Classroom, shared: bool = True) -> None:
        """Every member gets the class's new state (one JSON text, written once); with a
        broker and `shared`, the other processes' members too."""
        text = room.state_text()
        for session in room.sessions():
            session.class_notice(text, "class_state")
        if self.sharing is not None:
            if shared:
                self.sharing.share_state(room)
            self.sharing.sync_relays()

    def tell_teacher(self, room: Classroom, shared: bool = True) -> None:
        """The student count changed: only the teacher's page shows it (not broadcast); with
        a broker and `shared`, the other processes hear this one's count."""
        if room.teacher is not None:
            room.teacher.class_notice(room.state_text(), "class_state")
        if self.sharing is not None and shared:
            self.sharing.share_count(room)


# --- the board ------------------------------------------------------------------------------------


def tile(run: Run) -> dict:
    """One run's entry on the board (training thread): its architecture, progress, scores and a
    TILE_SIDE² thumbnail of its boundary (uint8 codes, base64), sampled from the last boundary
    it computed (no new grid pass)."""
    net, trainer = run.net, run.trainer
    scores = run.last_scores or {}
    thumbnail = None
    blob = run.boundary.blob
    if blob is not None and len(blob.meta.get("shape", ())) == 2:
        side = blob.meta["shape"][0]
        codes = np.frombuffer(blob.data, np.uint8).reshape(blob.meta["shape"])
        pick = np.linspace(0, side - 1, TILE_SIDE).round().astype(int)
        thumbnail = base64.b64encode(codes[np.ix_(pick, pick)].tobytes()).decode()
    return {
        "run": run.id,
        "dataset": getattr(run.config.dataset, "name", None),  # a built-in dataset's
        "layer_dims": list(run.network_config.layer_dims),
        "activations": list(run.network_config.activations),
        "parameters": int(net.n_parameters),
        "iteration": trainer.iteration,
        "status": run.status,
        "train_cost": scores.get("train_cost"),
        "train_accuracy": scores.get("train_accuracy"),
        "test_accuracy": scores.get("test_accuracy"),
        "thumbnail": thumbnail,
        "thumbnail_side": TILE_SIDE if thumbnail is not None else None,
    }


def broken_rules(challenge: dict, entry: dict) -> list[str]:
    """What of the challenge's constraints a run's board entry breaks, each said plainly."""
    broken = []
    if challenge.get("dataset") and entry["dataset"] != challenge["dataset"]:
        broken.append(f"dataset is {entry['dataset']}, not {challenge['dataset']}")
    hidden = entry["layer_dims"][1:-1]
    if challenge.get("max_layers") is not None and len(hidden) > challenge["max_layers"]:
        broken.append(f"{len(hidden)} hidden layers (at most {challenge['max_layers']})")
    if challenge.get("max_units") is not None and any(n > challenge["max_units"] for n in hidden):
        broken.append(f"a layer of {max(hidden)} units (at most {challenge['max_units']})")
    cap = challenge.get("max_iterations")
    if cap is not None and entry["iteration"] > cap:
        broken.append(f"{entry['iteration']} iterations (at most {cap})")
    return broken


def reached(challenge: dict, entry: dict) -> bool:
    accuracy = entry["test_accuracy"]
    if accuracy is None:
        accuracy = entry["train_accuracy"]
    return accuracy is not None and accuracy >= challenge["target"]


# --- messages: checked here, answered by the session ---------------------------------------------

TEACHER_ONLY = frozenset(
    {
        "class_show",
        "class_lock",
        "class_push",
        "class_board",
        "class_spotlight",
        "class_remove",
        "class_challenge",
        "class_close",
    }
)


def needs_broker(session: Any) -> None:
    """Several worker processes without a broker would split a class among them (each holds
    its own sessions, and a student lands on whichever accepts it): refuse, saying what works."""
    settings = session.settings
    if settings.workers > 1 and session.classrooms.sharing is None:
        raise CommandRefusedError(
            "needs_redis",
            f"this server runs {settings.workers} worker processes, and a class must reach "
            "every student's process: start it with a Redis broker (NNPLAY_REDIS_URL) or with "
            "one worker (nnplay serve --workers 1)",
        )


async def handle(session: Any, msg: Any) -> dict:
    """Carry out one `class_*` message of `session`; the answer to queue."""
    kind = msg.type
    rooms: Classrooms = session.classrooms
    room: Classroom | None = session.classroom
    if kind == "class_open":
        needs_broker(session)
        _leave_first(session)
        room = await rooms.open(session)
        session.class_seat(room, "teacher", None)
        return _welcome(session, room, msg.ref, "teacher")
    if kind == "class_teach":
        needs_broker(session)
        if room is not None and room.code != normalize_code(msg.code):
            _leave_first(session)
        room = await rooms.teach(msg.code, msg.token, session)
        session.class_seat(room, "teacher", None)
        rooms.broadcast(room)  # the students see the teacher back
        return _welcome(session, room, msg.ref, "teacher")
    if kind == "class_join":
        needs_broker(session)
        # Shown to the class as text: no control or format characters (bidi overrides that
        # would reorder the board), no runs of spaces.
        name = " ".join("".join(ch if ch.isprintable() else " " for ch in msg.name).split())
        limit = session.settings.max_class_name_chars
        if len(name) > limit:
            raise LimitExceededError(
                "name",
                limit,
                f"a name is at most {limit} characters",
                setting="max_class_name_chars",
            )
        _leave_first(session)
        room, member = await rooms.join(msg.code, name or _anonymous(), session)
        session.class_seat(room, "student", member.id)
        rooms.tell_teacher(room)
        return _welcome(session, room, msg.ref, "student", member)
    if room is None:
        raise CommandRefusedError("not_in_class", "this session is in no class: join one first")
    if kind == "class_leave":
        _leave_first(session)
        return _ack(msg, kind)
    if kind in TEACHER_ONLY and session.class_role != "teacher":
        raise CommandRefusedError("not_teacher", "only the class's teacher may do this")
    room.last_active = rooms.clock()
    if kind == "class_show":
        runs = session.player.owned(msg.runs) if msg.runs else []
        for run in runs:  # a student who joins later gets the whole cost curve
            run.outbox.keep_costs()
        room.shown = {"runs": [r.id for r in runs], "student": None, "name": None}
        room.lesson = msg.lesson
    elif kind == "class_lock":
        room.locked = msg.locked
        pause = pause_students(room) if msg.locked else None
        if pause is not None:
            await session.scheduler.call(pause)
    elif kind == "class_push":
        limit = session.settings.max_push_bytes
        size = len(msg.state.encode()) + len(msg.text.encode()) + len(msg.title.encode())
        if size > limit:
            raise LimitExceededError(
                "state", limit, f"a push is at most {limit} bytes, got {size}", "max_push_bytes"
            )
        version = (room.push or {}).get("version", 0) + 1
        room.push = {"version": version, "state": msg.state, "text": msg.text, "title": msg.title}
    elif kind == "class_board":
        room.board_open = msg.open
        if msg.open and (room.board_task is None or room.board_task.done()):
            room.board_task = asyncio.get_running_loop().create_task(_board_loop(session, room))
        elif not msg.open and room.board_task is not None:
            room.board_task.cancel()
            room.board_task = None
        if rooms.sharing is not None:  # the other processes send their students' entries
            rooms.sharing.share_state(room)
        return _ack(msg, kind)
    elif kind == "class_spotlight":
        if msg.student is None:
            room.shown = nothing_shown()
        else:
            member = room.students.get(msg.student)
            elsewhere = rooms.sharing.student(room, msg.student) if rooms.sharing else None
            if member is None and elsewhere is None:
                raise CommandRefusedError("unknown_student", "no such student in this class")
            room.shown = _spotlight(member) if member is not None else elsewhere
    elif kind == "class_remove":
        member = room.students.get(msg.student)
        elsewhere = rooms.sharing.student(room, msg.student) if rooms.sharing else None
        if member is None and elsewhere is None:
            raise CommandRefusedError("unknown_student", "no such student in this class")
        if member is not None:
            remove(rooms, room, member)
        else:
            rooms.sharing.remove(room, msg.student)
        room.reached.pop(msg.student, None)
        if room.shown.get("student") == msg.student:
            room.shown = nothing_shown()
    elif kind == "class_challenge":
        room.challenge = None if msg.challenge is None else msg.challenge.model_dump(mode="json")
        if room.challenge is not None:
            room.challenge["set_at"] = time.time()
            room.challenge_started = rooms.clock()
        room.reached.clear()
    elif kind == "class_close":
        rooms.end(room, "closed")
        return _ack(msg, kind)
    rooms.broadcast(room)
    return _ack(msg, kind)


def remove(rooms: Classrooms, room: Classroom, member: Member) -> None:
    """The teacher removed a student of this process: out, and its address barred."""
    room.students.pop(member.id, None)
    address = member.session.client_host
    if address is not None:
        room.barred.add(address)
        if rooms.sharing is not None:
            rooms.sharing.bar(room, address)
    member.session.class_left(room, "removed")
    rooms.tell_teacher(room)


def runs_changed(session: Any) -> None:
    """The session created or deleted runs: what its class shows follows (a spotlighted
    student's runs are all its runs; a shown run of the teacher's that is gone is no more shown)."""
    room: Classroom | None = session.classroom
    if room is None:
        return
    shown = room.shown
    if session.class_role == "teacher" and not shown.get("student"):
        kept = [r for r in shown["runs"] if r in session.player.runs]
        if kept == shown["runs"]:
            return
        room.shown = {**shown, "runs": kept}
    elif session.class_role == "student" and shown.get("student") == session.class_member:
        member = room.students.get(session.class_member)
        if member is None:
            return
        if room.teacher is None and session.classrooms.sharing is not None:
            session.classrooms.sharing.spot(room, _spotlight(member))  # its teacher's process
            return
        room.shown = _spotlight(member)
    else:
        return
    session.classrooms.broadcast(room)


def left(session: Any, room: Classroom) -> None:
    """The session closed or left its class (event loop, synchronous)."""
    rooms: Classrooms = session.classrooms
    if rooms.rooms.get(room.code) is not room:
        return
    if session.class_role == "teacher" and room.teacher is session:
        room.teacher, room.teacher_gone_at = None, rooms.clock()
        if room.board_task is not None:
            room.board_task.cancel()
            room.board_task = None
        if not room.shown.get("student"):
            room.shown = nothing_shown()  # its runs are freed
        rooms.broadcast(room)
    elif session.class_role == "student":
        member = room.students.pop(session.class_member, None)
        if member is not None:
            if room.shown.get("student") == member.id and room.teacher is not None:
                room.shown = nothing_shown()
                rooms.broadcast(room)
            rooms.tell_teacher(room)
    if room.teacher is None and not room.students and not room.home:
        rooms.drop(room)  # the class goes on in its teacher's process


def locked_out(session: Any) -> None:
    """Refuse a student's play or step while the class is locked (the class follows)."""
    room: Classroom | None = session.classroom
    if room is not None and room.locked and session.class_role == "student":
        raise CommandRefusedError(
            "class_locked", "the teacher locked the class: everyone follows the teacher's run"
        )


def _leave_first(session: Any) -> None:
    room = session.classroom
    if room is not None:
        left(session, room)
        session.class_seat(None, None, None)


def _anonymous() -> str:
    """A name for a student who gave none."""
    return "student " + secrets.choice(ALPHABET) + secrets.choice(ALPHABET)


def _spotlight(member: Member) -> dict:
    return {"runs": list(member.session.player.runs), "student": member.id, "name": member.name}


def _ack(msg: Any, kind: str) -> dict:
    return {"type": "ack", "ref": msg.ref, "action": kind}


def _welcome(session: Any, room: Classroom, ref: str | None, role: str, member=None) -> dict:
    """The answer to open, teach and join: the class, and who this session is in it."""
    path = f"/join/{room.code}"
    body = {
        "type": "class",
        "ref": ref,
        "role": role,
        "join_path": path,
        "join_url": join_urls(session.base_url(), path)[0],
        "qr_path": f"/class/{room.code}/qr.svg",
        **room.state(),
    }
    if role == "teacher":
        body["token"] = room.token
    else:
        body["student"], body["name"] = member.id, member.name
    return body


def students_runs(room: Classroom) -> list[tuple[Member, list[Run]]]:
    """Each student of this process and the runs its session owns now (event loop)."""
    return [(m, list(m.session.player.runs.values())) for m in room.students.values()]


def pause_students(room: Classroom) -> Callable[[], None] | None:
    """Lock: what pauses every student's own runs (they follow now, and the server saves the
    time), for one call on the training thread for the whole class; None if none has a run."""
    own = [(m.session.player, runs) for m, runs in students_runs(room) if runs]
    if not own:
        return None
    return lambda: [player.pause(runs) for player, runs in own]


async def local_entries(scheduler: Any, room: Classroom) -> list[dict]:
    """The board's entries of this process's students: one call on the training thread."""
    runs = students_runs(room)
    entries = await scheduler.call(lambda: [[tile(r) for r in rs] for _m, rs in runs])
    return [
        {"student": m.id, "name": m.name, "runs": e}
        for (m, _), e in zip(runs, entries, strict=True)
    ]


async def _board_loop(session: Any, room: Classroom) -> None:
    """While the board is open: every `class_board_seconds`, every student's runs summarized
    (this process's, and with a broker the other processes' as they sent them) and sent to
    the teacher."""
    seconds = session.settings.class_board_seconds
    rooms: Classrooms = session.classrooms
    while room.board_open and rooms.rooms.get(room.code) is room:
        started = rooms.clock()
        entries = await local_entries(session.scheduler, room)
        now = rooms.clock()
        for when, remote in list(room.remote_tiles.values()):
            if when >= now - 3 * seconds:  # a process that stopped sending is gone
                entries += remote
        challenge = room.challenge
        tiles = []
        for info in entries:
            if challenge is not None:
                _judge(room, info["student"], info["runs"], challenge, now)
                broken = {b for e in info["runs"] for b in broken_rules(challenge, e)}
                info = {
                    **info,
                    "broken": sorted(broken),
                    "reached": room.reached.get(info["student"]),
                }
            tiles.append(info)
        teacher = room.teacher
        if teacher is not None:
            body = {"type": "board", "ref": None, "students": tiles, "challenge": challenge}
            teacher.class_notice(json.dumps(body, allow_nan=False), "board")
        await asyncio.sleep(max(0.0, seconds - (rooms.clock() - started)))


def _judge(room: Classroom, student: str, entries: list[dict], challenge: dict, now: float):
    """Record when a student's run first reached the challenge's target within its rules."""
    if student in room.reached:
        return
    for entry in entries:
        if not broken_rules(challenge, entry) and reached(challenge, entry):
            room.reached[student] = {
                "run": entry["run"],
                "iteration": entry["iteration"],
                "parameters": entry["parameters"],
                "seconds": round(now - room.challenge_started, 1),
            }
            return
