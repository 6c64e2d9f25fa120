"""One class over two `nnplay serve` processes through a real Redis server (app/sharing.py,
app/broker.py, app/relay.py): a student on one follows the teacher on the other, gets its
pushes and locks, shows on its board, can be spotlighted and removed, and hears the class end.

Needs Debian's redis-server (`apt-get install -y redis-server`); without it these tests skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from app.main import create_app
from app.settings import Settings
from app.threaded import free_port
from tests.app.test_classroom import Member
from tests.app.test_server import ROOT, ServerThread, get_json, wait_for

REDIS = shutil.which("redis-server")
if REDIS is None and os.environ.get("NNPLAY_REQUIRE_REDIS"):  # CI (.ci/run) installs it
    raise RuntimeError("NNPLAY_REQUIRE_REDIS is set but redis-server is not installed")
pytestmark = pytest.mark.skipif(
    REDIS is None, reason="needs Redis: install it with `apt-get install -y redis-server`"
)


@pytest.fixture(scope="module")
def redis_url():
    port = free_port()
    process = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        wait_for(lambda: _pings(client), "redis-server", timeout=15, interval=0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


@contextlib.contextmanager
def serve(redis_url: str, tmp_path):
    """`nnplay serve` in its own process, sharing classes through `redis_url`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NNPLAY_")}
    env |= {"NNPLAY_REDIS_URL": redis_url, "TMPDIR": str(tmp_path), "NNPLAY_FRAME_RATE": "30"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def up():
        if process.poll() is not None:
            raise AssertionError(f"nnplay serve exited: {process.communicate()}")
        try:
            return get_json(f"http://127.0.0.1:{port}/api/health")
        except OSError:
            return None

    try:
        wait_for(up, "nnplay serve", timeout=30, interval=0.1)
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
        assert "Traceback" not in err, err


@pytest.fixture(scope="module")
def two_servers(redis_url, tmp_path_factory):
    with (
        serve(redis_url, tmp_path_factory.mktemp("a")) as a,
        serve(redis_url, tmp_path_factory.mktemp("b")) as b,
    ):
        yield a, b


@pytest.fixture
def members():
    made: list[Member] = []

    def make(url: str) -> Member:
        member = Member(url)
        made.append(member)
        return member

    yield make
    for member in made:
        with contextlib.suppress(Exception):
            member.close()


def test_a_student_on_one_process_follows_the_teacher_on_another(two_servers, members):
    a, b = two_servers
    teacher = members(a)
    code = teacher.ok(type="class_open")["code"]
    run = teacher.create(dataset={"name": "flower", "size": 200}, layers=[{"units": 4}])
    teacher.ok(type="class_show", runs=[run])
    teacher.ok(type="play", runs=[run])
    student = members(b)
    joined = student.ok(type="class_join", code=code, name="far away")
    assert joined["shown"]["runs"] == [run] and joined["teacher_present"]
    assert teacher.notice("class_state", lambda n: n["students"] == 1)
    watching = student.ok(type="watch", runs=[run])
    assert watching["runs"][0]["network"]["layer_dims"] == [2, 4, 1]
    first, arrays = student.frame(until=lambda h: h["run"] == run)
    assert "boundary" in arrays  # a viewer joining late gets the newest boundary first
    later, _ = student.frame(
        until=lambda h: h["run"] == run and h["iteration"] > first["iteration"]
    )
    assert later["status"] == "running"
    # Live: the student sees the teacher's iteration within a few frames.
    teacher.ok(type="pause", runs=[run])
    paused = teacher.status(run, "paused")
    assert student.status(run, "paused")["iteration"] == paused["iteration"]
    # Try it yourself: the fork continues from the teacher's state, bit for bit, though it
    # trains on this other process.
    created = student.ok(type="create", fork=run)
    fork = created["run"]
    at = paused["iteration"]
    assert created["forked_from"] == {"run": run, "iteration": at}
    teacher.ok(type="step", runs=[run], n=20)
    student.ok(type="step", runs=[fork], n=20)
    assert np.array_equal(parameters(teacher, run, at + 20), parameters(student, fork, at + 20))
    assert student.answer(type="play", runs=[run])["code"] == "not_owner"  # only watched


def parameters(client: Member, run: str, iteration: int):
    """The parameters of `run` at `iteration`, from its detail message."""
    while True:
        message = client.receive()
        if isinstance(message, tuple) and message[0]["type"] == "detail":
            header, arrays = message
            if header["run"] == run and header["iteration"] == iteration:
                return arrays["parameters"]


def test_push_lock_board_spotlight_remove_and_close_reach_the_other_process(two_servers, members):
    a, b = two_servers
    teacher = members(a)
    code = teacher.ok(type="class_open")["code"]
    student = members(b)
    me = student.ok(type="class_join", code=code, name="<b>bold</b>")["student"]
    own = student.create(dataset={"name": "flower", "size": 200}, layers=[{"units": 3}])
    student.ok(type="play", runs=[own])
    teacher.ok(type="class_push", state="dataset=moons", title="Moons", text="try it")
    push = student.notice("class_state", lambda n: n["push"] is not None)["push"]
    assert push["state"] == "dataset=moons" and push["text"] == "try it"
    # The board: the other process's student, live.
    teacher.ok(type="class_board", open=True)
    board = teacher.notice(
        "board", lambda x: any(s["runs"] and s["runs"][0]["iteration"] > 0 for s in x["students"])
    )
    (tile,) = board["students"]
    assert tile["student"] == me and tile["name"] == "<b>bold</b>"
    assert tile["runs"][0]["run"] == own and tile["runs"][0]["layer_dims"] == [2, 3, 1]
    # Spotlight: the teacher watches the student's run, relayed from the student's process.
    teacher.ok(type="class_spotlight", student=me)
    shown = student.notice("class_state", lambda n: n["shown"]["student"] == me)["shown"]
    assert shown["runs"] == [own]
    teacher.ok(type="watch", runs=[own])
    header, _ = teacher.frame(until=lambda h: h["run"] == own and h["iteration"] > 0)
    assert header["status"] == "running"
    # Lock: the student's runs pause on its process, and its play is refused.
    teacher.ok(type="class_lock", locked=True)
    student.notice("class_state", lambda n: n["locked"])
    student.status(own, "paused")
    assert student.answer(type="play", runs=[own])["code"] == "class_locked"
    teacher.ok(type="class_lock", locked=False)
    student.notice("class_state", lambda n: not n["locked"])
    # Remove: out, and barred from this class on every process.
    teacher.ok(type="class_remove", student=me)
    assert student.notice("class_ended")["reason"] == "removed"
    for url in (a, b):
        assert members(url).answer(type="class_join", code=code)["code"] == "removed"
    teacher.ok(type="class_close")


def test_the_class_ends_on_every_process_and_its_code_is_forgotten(two_servers, members):
    a, b = two_servers
    teacher = members(a)
    code = teacher.ok(type="class_open")["code"]
    far = members(b)
    far.ok(type="class_join", code=code)
    teacher.ok(type="class_close")
    assert far.notice("class_ended")["reason"] == "closed"
    time.sleep(0.2)  # the key's deletion is queued behind the event
    assert members(b).answer(type="class_join", code=code)["code"] == "unknown_class"


def test_the_teacher_takes_the_class_back_on_the_other_process(two_servers, members):
    a, b = two_servers
    teacher = members(a)
    opened = teacher.ok(type="class_open")
    student = members(a)
    student.ok(type="class_join", code=opened["code"])
    teacher.close()  # the page reloads, and lands on the other process
    assert student.notice("class_state", lambda n: not n["teacher_present"])
    back = members(b)
    assert (
        back.ok(type="class_teach", code=opened["code"], token=opened["token"])["role"] == "teacher"
    )
    assert student.notice("class_state", lambda n: n["teacher_present"])
    back.ok(type="class_lock", locked=True)
    assert student.notice("class_state", lambda n: n["locked"])


def test_several_workers_with_a_broker_open_classes(redis_url):
    settings = Settings(workers=2, redis_url=redis_url, boundary_resolution=40)
    server = ServerThread(create_app(settings)).start()
    try:
        client = Member(server.ws)
        assert client.ok(type="class_open")["role"] == "teacher"
        client.close()
    finally:
        server.stop()
