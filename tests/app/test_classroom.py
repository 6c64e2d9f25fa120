"""Classes (app/classroom.py) over real WebSockets on a real uvicorn: open and join by code,
follow the teacher's run, fork it, lock, push, the board, spotlight, challenge, remove, close;
who may do what; limits and guessing; the teacher's reload within the grace, and the sweep."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import numpy as np
import pytest
import segno

from app.classroom import ALPHABET, TEACHER_ONLY, Classroom, Classrooms
from app.main import create_app
from app.settings import Settings
from app.threaded import free_port
from tests.app.test_server import ROOT, SMALL, Client, ServerThread, get_json, wait_for

NOTICES = ("class_state", "board", "class_ended", "ended")


class Member(Client):
    """A protocol client that keeps the class notices it reads past."""

    def __init__(self, url: str) -> None:
        self.notices: list[dict] = []
        self.last: dict[str, dict] = {}
        """The newest frame header read of each run."""
        super().__init__(url)
        self.ws.close_timeout = 0.5  # a client that stopped reading frames closes at once

    def receive(self):
        message = super().receive()
        if isinstance(message, dict) and message["type"] in NOTICES:
            self.notices.append(message)
        elif isinstance(message, tuple) and message[0]["type"] == "frame":
            self.last[message[0]["run"]] = message[0]
        return message

    def status(self, run: str, status: str) -> dict:
        """The run's newest frame once it says `status` (maybe read already)."""
        while (self.last.get(run) or {}).get("status") != status:
            self.receive()
        return self.last[run]

    def answer(self, **message) -> dict:
        """Send a message; its one answer (ack, class, created, error), past frames and notices."""
        self.send(**message)
        while True:
            reply = self.receive()
            if isinstance(reply, dict) and reply["type"] not in NOTICES:
                return reply

    def ok(self, **message) -> dict:
        reply = self.answer(**message)
        assert reply["type"] != "error", reply
        return reply

    def notice(self, kind: str, until=lambda n: True) -> dict:
        """The first notice of `kind` matching `until`, already read or still to come."""
        while True:
            for n in self.notices:
                if n["type"] == kind and until(n):
                    self.notices.remove(n)
                    return n
            self.receive()


@pytest.fixture
def settings() -> Settings:
    return Settings(frame_rate=60, boundary_resolution=40, map_resolution=10)


@pytest.fixture
def server(settings):
    server = ServerThread(create_app(settings)).start()
    yield server
    server.stop()


@pytest.fixture
def connect(server):
    members: list[Member] = []

    def make() -> Member:
        member = Member(server.ws)
        members.append(member)
        return member

    yield make
    for member in members:
        with contextlib.suppress(Exception):
            member.close()


def open_class(connect) -> tuple[Member, dict]:
    teacher = connect()
    opened = teacher.ok(type="class_open")
    return teacher, opened


def test_a_class_opens_with_a_short_unambiguous_code_and_students_join_it(connect):
    teacher, opened = open_class(connect)
    assert opened["type"] == "class" and opened["role"] == "teacher"
    assert re.fullmatch(f"[{ALPHABET}]{{4}}", opened["code"])
    assert len(opened["token"]) >= 24 and opened["join_path"] == f"/join/{opened['code']}"
    # The link other computers open: this server's LAN address (the test reached 127.0.0.1).
    from app.lan import join_urls

    port = teacher.ws.remote_address[1]
    expected = join_urls(f"http://127.0.0.1:{port}/", opened["join_path"])[0]
    assert opened["join_url"] == expected and expected.endswith(opened["join_path"])
    student = connect()
    typed = "-".join(opened["code"].lower())  # typed in lower case, with dashes
    joined = student.ok(type="class_join", code=typed, name="  Ada \n Love\u202elace\x00 ")
    assert joined["role"] == "student" and joined["code"] == opened["code"]
    assert joined["name"] == "Ada Love lace" and "token" not in joined
    # The teacher's page counts the students (a join is not broadcast to the others).
    assert teacher.notice("class_state", lambda n: n["students"] == 1)["teacher_present"]


def test_a_student_follows_the_teachers_run_byte_for_byte_and_cannot_command_it(connect):
    teacher, opened = open_class(connect)
    run = teacher.create(**SMALL)
    teacher.ok(type="class_show", runs=[run])
    student = connect()
    joined = student.ok(type="class_join", code=opened["code"], name="s")
    assert joined["shown"]["runs"] == [run]  # the current run, told on joining
    watching = student.ok(type="watch", runs=joined["shown"]["runs"])
    assert watching["runs"][0]["run"] == run
    teacher.ok(type="speed", runs=[run], iterations_per_frame=2)
    teacher.ok(type="play", runs=[run])
    header, _ = student.frame(until=lambda h: h["iteration"] >= 20)
    assert header["run"] == run
    for kind in ("play", "pause", "reset", "delete"):
        assert student.answer(type=kind, runs=[run])["code"] == "not_owner"
    # A new shown run reaches the student as a class_state, with the teacher's lesson.
    other = teacher.create(**SMALL)
    teacher.ok(type="class_show", runs=[other], lesson="zero-init")
    told = student.notice("class_state", lambda n: n["shown"]["runs"] == [other])
    assert told["lesson"] == "zero-init"


@pytest.mark.parametrize("kind", sorted(TEACHER_ONLY))
def test_a_student_cannot_lead_the_class(connect, kind):
    _teacher, opened = open_class(connect)
    student = connect()
    student.ok(type="class_join", code=opened["code"])
    fields = {
        "class_show": {"runs": []},
        "class_lock": {"locked": True},
        "class_push": {"state": "#layers=1"},
        "class_board": {"open": True},
        "class_spotlight": {"student": None},
        "class_remove": {"student": "x"},
        "class_challenge": {"challenge": None},
        "class_close": {},
    }[kind]
    refused = student.answer(type=kind, **fields)
    assert refused["type"] == "error" and refused["code"] == "not_teacher", refused
    # Nothing changed: the class is open, unlocked, with nothing pushed.
    late = connect().ok(type="class_join", code=opened["code"])
    assert not late["locked"] and late["push"] is None


def test_a_wrong_teacher_token_is_refused_and_the_right_one_reclaims_the_class(connect):
    teacher, opened = open_class(connect)
    student = connect()
    student.ok(type="class_join", code=opened["code"])
    teacher.close()  # the teacher's page reloads
    assert student.notice("class_state", lambda n: not n["teacher_present"])
    thief = connect()
    refused = thief.answer(type="class_teach", code=opened["code"], token="x" * 32)
    assert refused["code"] == "not_teacher"
    back = connect()
    again = back.ok(type="class_teach", code=opened["code"], token=opened["token"])
    assert again["role"] == "teacher" and again["students"] == 1
    assert student.notice("class_state", lambda n: n["teacher_present"])


def test_lock_pauses_the_students_and_refuses_their_play_until_unlocked(connect):
    teacher, opened = open_class(connect)
    student = connect()
    student.ok(type="class_join", code=opened["code"])
    own = student.create(**SMALL)
    student.ok(type="play", runs=[own])
    teacher.ok(type="class_lock", locked=True)
    assert student.notice("class_state", lambda n: n["locked"])
    student.status(own, "paused")
    for kind in ("play", "step"):
        refused = student.answer(type=kind, runs=[own])
        assert refused["code"] == "class_locked", refused
    assert student.answer(type="pause", runs=[own])["type"] == "ack"  # pausing is always fine
    teacher.ok(type="class_lock", locked=False)
    assert student.ok(type="play", runs=[own])["action"] == "play"


def test_a_push_reaches_every_student_and_a_late_joiner(connect, settings):
    teacher, opened = open_class(connect)
    students = [connect() for _ in range(3)]
    for student in students:
        student.ok(type="class_join", code=opened["code"])
    state = "#dataset=circles&layers=8-8&activation=relu"
    teacher.ok(type="class_push", state=state, title="ReLU", text="<b>watch</b> the corners")
    for student in students:
        push = student.notice("class_state", lambda n: n["push"] is not None)["push"]
        assert push == {
            "version": 1,
            "state": state,
            "title": "ReLU",
            "text": "<b>watch</b> the corners",
        }
    late = connect().ok(type="class_join", code=opened["code"])
    assert late["push"]["state"] == state
    teacher.ok(type="class_push", state="#layers=2")
    assert students[0].notice("class_state", lambda n: (n["push"] or {}).get("version") == 2)
    big = "x" * (settings.max_push_bytes + 1)
    refused = teacher.answer(type="class_push", state=big)
    assert refused["code"] == "limit" and refused["limit"] == settings.max_push_bytes


def test_the_board_shows_every_students_runs_live_with_a_thumbnail(connect):
    teacher, opened = open_class(connect)
    students = [connect() for _ in range(3)]
    runs = []
    for i, student in enumerate(students):
        student.ok(type="class_join", code=opened["code"], name=f"<img src=x onerror=alert({i})>")
        runs.append(student.create(**SMALL))
        student.ok(type="play", runs=[runs[-1]])
    teacher.ok(type="class_board", open=True)
    first = teacher.notice("board", lambda b: len(b["students"]) == 3)
    later = teacher.notice(
        "board", lambda b: all(s["runs"] and s["runs"][0]["iteration"] > 0 for s in b["students"])
    )
    entry = later["students"][0]["runs"][0]
    assert entry["layer_dims"] == [2, 4, 1] and entry["parameters"] == 17
    assert entry["dataset"] == "flower" and 0 <= entry["train_accuracy"] <= 1
    side = entry["thumbnail_side"]
    assert len(base64.b64decode(entry["thumbnail"])) == side * side
    assert {s["name"] for s in first["students"]} == {
        f"<img src=x onerror=alert({i})>" for i in range(3)
    }
    by_student = {s["student"]: s["runs"][0]["run"] for s in later["students"]}
    assert sorted(by_student.values()) == sorted(runs)
    teacher.ok(type="class_board", open=False)


def test_spotlight_shows_a_students_runs_to_the_class_and_follows_a_new_run(connect):
    teacher, opened = open_class(connect)
    star, other = connect(), connect()
    joined = star.ok(type="class_join", code=opened["code"], name="star")
    other.ok(type="class_join", code=opened["code"])
    run = star.create(**SMALL)
    teacher.ok(type="class_spotlight", student=joined["student"])
    shown = other.notice("class_state", lambda n: n["shown"]["student"] == joined["student"])[
        "shown"
    ]
    assert shown == {"runs": [run], "student": joined["student"], "name": "star"}
    assert teacher.ok(type="watch", runs=shown["runs"])["runs"][0]["run"] == run
    star.ok(type="delete", runs=[run])
    newer = star.create(**SMALL)
    assert other.notice("class_state", lambda n: n["shown"]["runs"] == [newer])
    teacher.ok(type="class_spotlight", student=None)
    assert other.notice("class_state", lambda n: n["shown"]["student"] is None)
    assert teacher.answer(type="class_spotlight", student="nobody")["code"] == "unknown_student"


def test_a_student_joining_late_gets_the_shown_runs_whole_cost_curve(connect):
    teacher, opened = open_class(connect)
    run = teacher.create(**SMALL)
    teacher.ok(type="class_show", runs=[run])
    teacher.ok(type="step", runs=[run], n=300)
    costs = {}
    while len(costs) < 300:  # the teacher's own frames: every cost once
        header, arrays = teacher.frame(until=lambda h: h["run"] == run)
        for i, cost in enumerate(arrays["costs"]):
            costs[header["costs_from"] + i] = float(cost)
    student = connect()
    student.ok(type="class_join", code=opened["code"])
    student.ok(type="watch", runs=[run])
    header, arrays = student.frame(until=lambda h: h["run"] == run)
    assert header["iteration"] == 300 and header["costs_from"] == 1
    assert [float(c) for c in arrays["costs"]] == [costs[i] for i in range(1, 301)]
    # And from then on, only the new ones, for the teacher and the student alike.
    teacher.ok(type="step", runs=[run], n=5)
    later, arrays = student.frame(until=lambda h: h["run"] == run and h["iteration"] == 305)
    assert later["costs_from"] == 301 and len(arrays["costs"]) == 5


def test_fork_continues_from_the_teachers_weights_exactly(connect):
    teacher, opened = open_class(connect)
    run = teacher.create(**SMALL, optimizer="adam", batch_size=64, learning_rate=0.01)
    teacher.ok(type="class_show", runs=[run])
    teacher.ok(type="step", runs=[run], n=37)  # mid-epoch: the schedule matters
    student = connect()
    student.ok(type="class_join", code=opened["code"])
    student.ok(type="watch", runs=[run])
    student.frame(until=lambda h: h["run"] == run and h["iteration"] == 37)
    created = student.ok(type="create", fork=run)
    fork = created["run"]
    assert created["forked_from"] == {"run": run, "iteration": 37}
    assert created["config"]["optimizer"] == "adam" and created["config"]["batch_size"] == 64
    # The same next iterations, bit for bit: both step 25 more.
    teacher.ok(type="step", runs=[run], n=25)
    student.ok(type="step", runs=[fork], n=25)

    def parameters(client, of):
        while True:
            message = client.receive()
            if isinstance(message, tuple) and message[0]["type"] == "detail":
                header, arrays = message
                if header["run"] == of and header["iteration"] == 62:
                    return arrays["parameters"]

    theirs, ours = parameters(teacher, run), parameters(student, fork)
    assert np.array_equal(theirs, ours)
    # The fork is the student's: the teacher's run did not move with it.
    student.ok(type="step", runs=[fork], n=5)
    assert teacher.answer(type="ping")["type"] == "pong"


def test_a_fork_of_a_run_the_session_neither_owns_nor_watches_is_refused(connect):
    teacher, opened = open_class(connect)
    run = teacher.create(**SMALL)
    student = connect()
    student.ok(type="class_join", code=opened["code"])
    assert student.answer(type="create", fork=run)["code"] == "unknown_run"
    teacher.ok(type="class_lock", locked=True)
    student.ok(type="watch", runs=[run])
    assert student.answer(type="create", fork=run)["code"] == "class_locked"


def test_remove_ends_a_students_membership_and_bars_its_address(connect):
    teacher, opened = open_class(connect)
    student = connect()
    joined = student.ok(type="class_join", code=opened["code"], name="mischief")
    teacher.ok(type="class_remove", student=joined["student"])
    ended = student.notice("class_ended")
    assert ended["reason"] == "removed" and ended["code"] == opened["code"]
    assert student.answer(type="class_leave")["code"] == "not_in_class"
    # The removed address (all the tests' clients are 127.0.0.1) cannot come back in.
    assert connect().answer(type="class_join", code=opened["code"])["code"] == "removed"


def test_closing_ends_the_class_for_everyone_and_forgets_its_code(connect):
    teacher, opened = open_class(connect)
    students = [connect() for _ in range(2)]
    for student in students:
        student.ok(type="class_join", code=opened["code"])
    teacher.ok(type="class_close")
    for student in students:
        assert student.notice("class_ended")["reason"] == "closed"
    assert connect().answer(type="class_join", code=opened["code"])["code"] == "unknown_class"


def test_wrong_codes_are_rate_limited_per_address(connect, settings):
    _teacher, opened = open_class(connect)
    guesser = connect()
    wrong = next(c * 4 for c in ALPHABET if c * 4 != opened["code"])
    for _ in range(settings.class_join_failures):
        assert guesser.answer(type="class_join", code=wrong)["code"] == "unknown_class"
    # Now even the right code is refused from this address, for a while.
    assert guesser.answer(type="class_join", code=opened["code"])["code"] == "rate_limited"


def test_a_challenge_marks_broken_constraints_and_records_who_reached_the_target(connect):
    teacher, opened = open_class(connect)
    small, big = connect(), connect()
    small_id = small.ok(type="class_join", code=opened["code"], name="small")["student"]
    big_id = big.ok(type="class_join", code=opened["code"], name="big")["student"]
    challenge = {"target": 0.6, "dataset": "flower", "max_layers": 1, "max_units": 4}
    teacher.ok(type="class_challenge", challenge=challenge)
    assert (
        small.notice("class_state", lambda n: n["challenge"] is not None)["challenge"]["target"]
        == 0.6
    )
    for client, units in ((small, 4), (big, 8)):
        run = client.create(dataset={"name": "flower", "size": 200}, layers=[{"units": units}])
        client.ok(type="play", runs=[run])
    teacher.ok(type="class_board", open=True)
    board = teacher.notice("board", lambda b: any(s.get("reached") for s in b["students"]))
    tiles = {s["student"]: s for s in board["students"]}
    assert tiles[small_id]["broken"] == [] and tiles[small_id]["reached"]["parameters"] == 17
    assert tiles[big_id]["broken"] == ["a layer of 8 units (at most 4)"]
    assert tiles[big_id]["reached"] is None


def test_limits_refuse_clearly():
    settings = Settings(max_classes=1, max_class_students=1, boundary_resolution=40)
    server = ServerThread(create_app(settings)).start()
    members = []
    try:
        teacher = Member(server.ws)
        members.append(teacher)
        code = teacher.ok(type="class_open")["code"]
        other = Member(server.ws)
        members.append(other)
        full = other.answer(type="class_open")
        assert full["code"] == "limit" and full["limit"] == 1
        first, second = Member(server.ws), Member(server.ws)
        members += [first, second]
        first.ok(type="class_join", code=code)
        assert second.answer(type="class_join", code=code)["code"] == "limit"
        long = second.answer(type="class_join", code=code, name="n" * 41)
        assert long["code"] == "limit" and long["errors"][0]["field"] == "name"
    finally:
        for member in members:
            member.close()
        server.stop()


def test_several_workers_without_a_broker_refuse_class_mode_instead_of_splitting_a_class():
    server = ServerThread(create_app(Settings(workers=2, boundary_resolution=40))).start()
    try:
        client = Member(server.ws)
        for message in ({"type": "class_open"}, {"type": "class_join", "code": "KQ7M"}):
            refused = client.answer(**message)
            assert refused["code"] == "needs_redis" and "NNPLAY_REDIS_URL" in refused["message"]
        client.close()
    finally:
        server.stop()


def test_the_join_link_and_the_qr_code(server, connect):
    _teacher, opened = open_class(connect)
    code = opened["code"]
    request = urllib.request.Request(f"{server.http}/join/{code.lower()}")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=5)
    redirect.value.close()
    assert redirect.value.code == 303 and redirect.value.headers["Location"] == f"/?join={code}"
    with urllib.request.urlopen(f"{server.http}/class/{code}/qr.svg", timeout=5) as answer:
        assert answer.headers["Content-Type"] == "image/svg+xml"
        svg = answer.read()
    # The QR code of the join link (loopback: this machine's LAN address if it has one).
    expected = segno.make(f"{server.http}/join/{code}", error="m")
    from app.lan import join_urls

    url = join_urls(server.http + "/", f"/join/{code}")[0]
    assert url.endswith(f"/join/{code}")
    expected = segno.make(url, error="m")
    assert f'height="{(expected.symbol_size(scale=10, border=2))[1]}"'.encode() in svg
    for bad in ("0000", "KQ7M<script>", "x" * 40):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{server.http}/class/{bad}/qr.svg", timeout=5)
        missing.value.close()
        assert missing.value.code == 404


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeSession:
    def __init__(self) -> None:
        self.client_host = "10.0.0.9"
        self.told: list[tuple[str, str]] = []
        self.classroom = self.class_role = self.class_member = None

    def class_left(self, room, reason: str) -> None:
        self.told.append(("ended", reason))

    def class_notice(self, text: str, kind: str) -> None:
        self.told.append((kind, json.loads(text)["type"]))


def test_a_class_waits_its_grace_for_the_teacher_then_ends_and_idles_out():
    async def scenario():
        clock = FakeClock()
        settings = Settings(class_grace_seconds=60, class_idle_seconds=3600)
        rooms = Classrooms(settings, clock)
        teacher, student = FakeSession(), FakeSession()
        room = await rooms.open(teacher)
        await rooms.join(room.code, "s", student)
        room.teacher, room.teacher_gone_at = None, clock.now  # the teacher's page closed
        clock.now += 59
        assert rooms.sweep() == [] and room.code in rooms.rooms
        clock.now += 2
        assert rooms.sweep() == [room.code] and room.code not in rooms.rooms
        assert student.told[-1] == ("ended", "teacher_left")
        idle = await rooms.open(FakeSession())
        clock.now += 3599
        assert rooms.sweep() == []
        clock.now += 2
        assert rooms.sweep() == [idle.code]

    asyncio.run(scenario())


def test_nnplay_serve_class_opens_a_class_and_prints_its_links(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NNPLAY_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--class"],
        cwd=ROOT,
        env={**env, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        said = "".join(lines)
        found = re.search(rf"\?teach=([{ALPHABET}]{{4}})#class_token=([\w-]+)", said)
        assert found, said
        code, token = found.groups()
        assert f"class {code} is open" in said and f"/join/{code}" in said
        assert "--host 0.0.0.0" in said  # it listens on 127.0.0.1 only: other computers cannot

        def up():
            try:
                return get_json(f"http://127.0.0.1:{port}/api/health")
            except OSError:
                return None

        wait_for(up, "nnplay serve", timeout=30, interval=0.1)
        student = Member(f"ws://127.0.0.1:{port}/ws")
        assert student.ok(type="class_join", code=code)["teacher_present"] is False
        teacher = Member(f"ws://127.0.0.1:{port}/ws")
        assert teacher.ok(type="class_teach", code=code, token=token)["role"] == "teacher"
        assert student.notice("class_state", lambda n: n["teacher_present"])
        student.close()
        teacher.close()
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_nnplay_serve_class_refuses_several_workers():
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--class", "--workers", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "or use --workers 1" in done.stderr


def test_nnplay_serve_says_so_when_its_redis_does_not_answer():
    dead = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(free_port())],
        cwd=ROOT,
        env={**os.environ, "NNPLAY_REDIS_URL": f"redis://127.0.0.1:{dead}/0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done
    assert f"NNPLAY_REDIS_URL=redis://127.0.0.1:{dead}/0: Redis does not answer" in done.stderr
    assert "Traceback" not in done.stderr


class FakeRedis:
    async def sismember(self, key, value) -> bool:
        return False


class FakeBroker:
    id = "here"

    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []
        self.redis = FakeRedis()

    def publish(self, channel, data, droppable=False) -> None:
        self.published.append((channel, json.loads(data)))

    def post(self, command, droppable=False) -> None:
        pass


def test_other_processes_counts_expire_unless_renewed():
    """Membership over a broker: each process says its count again every sweep; the count of
    one that stopped (it died) stops counting after 3 sweeps, and the teacher is told."""

    async def scenario():
        clock, broker = FakeClock(), FakeBroker()
        rooms = Classrooms(Settings(), clock, broker=broker)
        teacher = FakeSession()
        room = Classroom("KQ7M", "t" * 32, teacher, clock.now)
        rooms.rooms[room.code] = room
        handler_event = {"from": "there", "kind": "members", "count": 7}
        rooms.sharing._on_event(room, handler_event)
        assert room.state()["students"] == 7 and teacher.told[-1] == ("class_state", "class_state")
        clock.now += 10
        rooms.sharing._on_event(room, handler_event)  # renewed: still counts
        clock.now += 14
        rooms.sharing.heartbeat(5.0)
        assert room.state()["students"] == 7
        clock.now += 2  # 16 s since it last said so
        told = len(teacher.told)
        rooms.sharing.heartbeat(5.0)
        assert room.state()["students"] == 0 and len(teacher.told) == told + 1
        # This process says its own count on every heartbeat when it holds students.
        await rooms.join("KQ7M", "s", FakeSession())
        broker.published.clear()
        rooms.sharing.heartbeat(5.0)
        assert [e["count"] for _c, e in broker.published if e["kind"] == "members"] == [1]

    asyncio.run(scenario())
