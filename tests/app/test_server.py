"""A real uvicorn server on a free port, real WebSocket clients (the `websockets` library): frames
stream, clients are isolated, closing frees everything, shutdown leaves no thread or task behind;
viewers of a run get its owner's bytes, cannot command it, are told when it ends, and one that
stops reading costs the owner nothing; and `nnplay serve` as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.frames import decode
from app.main import create_app
from app.runconfig import make_trainer
from app.serving import uvicorn_options
from app.session import CLOSE_UNREAD
from app.settings import Settings
from app.threaded import free_port

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"dataset": {"name": "flower", "size": 200}, "layers": [{"units": 4}]}
TIMEOUT = 10.0
OUR_TASKS = ("nnplay-send", "nnplay-lag")


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=2) as response:
        return json.loads(response.read())


def _drain(*clients) -> None:
    """Read whatever the clients have been sent (returns None, so it can sit in a predicate)."""
    for client in clients:
        with contextlib.suppress(TimeoutError):
            while True:
                client.ws.recv(timeout=0)


def wait_for(predicate, what: str, timeout: float = TIMEOUT, interval: float = 0.02):
    """Poll `predicate()` until it returns something truthy; return that, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class ServerThread:
    """uvicorn serving `app` on its own event loop in a thread, so tests can look inside."""

    def __init__(self, app) -> None:
        self.app = app
        self.port = free_port()
        config = uvicorn.Config(  # started as `nnplay serve` does
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(),
        )
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.tasks_left: list[str] | None = None
        """Names of the tasks still pending on the loop after the server stopped."""
        self.thread = threading.Thread(target=self._run, name="test-uvicorn", daemon=True)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self.server.serve())
            self.tasks_left = [t.get_name() for t in asyncio.all_tasks(self.loop)]
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
        finally:
            self.loop.close()

    def start(self) -> ServerThread:
        self.thread.start()
        wait_for(lambda: self.server.started or not self.thread.is_alive(), "uvicorn to start")
        assert self.server.started, "uvicorn did not start"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=TIMEOUT)
        assert not self.thread.is_alive(), "uvicorn did not stop"

    def task_names(self) -> list[str]:
        """Names of the tasks on the server's loop right now."""

        async def names() -> list[str]:
            return [t.get_name() for t in asyncio.all_tasks()]

        return asyncio.run_coroutine_threadsafe(names(), self.loop).result(timeout=TIMEOUT)

    def health(self) -> dict:
        return get_json(f"{self.http}/api/health")


@pytest.fixture
def settings() -> Settings:
    return Settings(frame_rate=60, boundary_resolution=40, map_resolution=10)


@pytest.fixture
def server(settings):
    server = ServerThread(create_app(settings)).start()
    yield server
    server.stop()


class Client:
    """A protocol client over a real WebSocket."""

    def __init__(self, url: str, receive_buffer: int | None = None) -> None:
        sock = None
        if receive_buffer is not None:  # a client whose buffers fill fast when it stops reading
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.connect(("127.0.0.1", int(url.split(":")[2].split("/")[0])))
        # Entered as a context manager (websockets ≥ 17.1 warns otherwise); close() exits it.
        self.ws = connect(
            url, open_timeout=TIMEOUT, max_size=None, sock=sock, max_queue=4 if sock else 16
        ).__enter__()
        self.hello = self.receive()

    def close(self) -> None:
        self.ws.__exit__(None, None, None)

    def send(self, **message) -> None:
        self.ws.send(json.dumps(message))

    def receive(self):
        """A dict for a text message, (header, arrays) for a binary one."""
        message = self.ws.recv(timeout=TIMEOUT)
        if isinstance(message, str):
            return json.loads(message)
        return decode(message)

    def reply(self, kinds=("ack", "error", "created", "pong")) -> dict:
        while True:
            message = self.receive()
            if isinstance(message, dict) and message["type"] in kinds:
                assert message["type"] != "error", message
                return message

    def frame(self, until=lambda header: True):
        while True:
            message = self.receive()
            if isinstance(message, tuple) and message[0]["type"] == "frame" and until(message[0]):
                return message

    def create(self, **config) -> str:
        self.send(type="create", config=config)
        return self.reply(("created", "error"))["run"]


@contextlib.contextmanager
def client_of(server: ServerThread):
    client = Client(server.ws)
    try:
        yield client
    finally:
        client.close()


def test_hello_greets_a_real_client(server, settings):
    with client_of(server) as client:
        assert client.hello["type"] == "hello"
        assert client.hello["limits"]["max_message_bytes"] == settings.max_message_bytes
        assert client.ws.protocol.extensions == []  # no permessage-deflate


def test_frames_climb_while_playing_and_every_cost_arrives_once(server):
    with client_of(server) as client:
        run = client.create(**SMALL)
        client.send(type="speed", runs=[run], iterations_per_frame=5)
        client.reply()
        client.send(type="play", runs=[run])
        client.reply()
        costs: dict[int, float] = {}
        iterations = []
        while not iterations or iterations[-1] < 300:
            header, arrays = client.frame()
            assert header["run"] == run
            iterations.append(header["iteration"])
            for i, cost in enumerate(arrays["costs"]):
                assert header["costs_from"] + i not in costs  # each cost arrives once
                costs[header["costs_from"] + i] = float(cost)
        assert iterations == sorted(iterations) and len(set(iterations)) > 10
        client.send(type="pause", runs=[run])
        while True:
            header, arrays = client.frame()
            for i, cost in enumerate(arrays["costs"]):
                assert header["costs_from"] + i not in costs
                costs[header["costs_from"] + i] = float(cost)
            if header["status"] == "paused":
                break
        final = header["iteration"]
        assert sorted(costs) == list(range(1, final + 1))
        assert costs[final] < costs[1]  # the flower's cost falls
        # Paused: a step of 1 moves the counter by exactly one.
        client.send(type="step", runs=[run], n=1)
        header, _ = client.frame(until=lambda h: h["status"] == "paused" and h["iteration"] > final)
        assert header["iteration"] == final + 1


def test_two_clients_at_once_each_get_their_own_frames(server):
    with client_of(server) as a, client_of(server) as b:
        run_a, run_b = a.create(**SMALL), b.create(**SMALL, seed=5)
        for client, run in ((a, run_a), (b, run_b)):
            client.send(type="play", runs=[run])
        seen = {run_a: [], run_b: []}
        for _ in range(30):
            for client, run in ((a, run_a), (b, run_b)):
                header, _ = client.frame()
                assert header["run"] == run
                seen[run].append(header["iteration"])
        for iterations in seen.values():
            assert iterations == sorted(iterations) and iterations[-1] > iterations[0]
        health = server.health()
        assert health["sessions"] == 2 and health["runs"] == 2


def test_closing_the_client_frees_its_runs_and_its_send_task(server):
    with client_of(server) as client:
        runs = [client.create(**SMALL), client.create(**SMALL, seed=4)]
        client.send(type="play", runs=runs)
        client.frame(until=lambda h: h["iteration"] > 20)
        assert server.health()["runs"] == 2
        assert server.task_names().count("nnplay-send") == 1
    wait_for(lambda: server.health()["runs"] == 0, "the runs to be freed")
    assert server.health()["sessions"] == 0
    wait_for(lambda: "nnplay-send" not in server.task_names(), "the send task to end")
    assert server.task_names().count("nnplay-lag") == 1


def test_a_client_that_vanishes_mid_stream_is_cleaned_up(server):
    client = Client(server.ws)
    run = client.create(**SMALL)
    client.send(type="speed", runs=[run], iterations_per_frame="max")
    client.send(type="play", runs=[run])
    client.frame(until=lambda h: h["iteration"] > 50)
    client.ws.socket.shutdown(socket.SHUT_RDWR)  # no close handshake
    client.ws.socket.close()
    wait_for(lambda: server.health() == {**server.health(), "runs": 0, "sessions": 0}, "cleanup")
    wait_for(lambda: "nnplay-send" not in server.task_names(), "the send task to end")
    with client_of(server) as other:
        other.send(type="ping", ref="still-here")
        assert other.reply()["ref"] == "still-here"


@pytest.mark.parametrize("client_open_at_shutdown", [False, True])
def test_shutdown_leaves_no_trainer_thread_and_no_task(settings, client_open_at_shutdown):
    before = set(threading.enumerate())
    server = ServerThread(create_app(settings)).start()
    ours = [t for t in threading.enumerate() if t not in before and t.name == "nnplay-trainer"]
    assert len(ours) == 1  # the lifespan started the training thread
    client = Client(server.ws)
    run = client.create(**SMALL)
    client.send(type="play", runs=[run])
    client.frame(until=lambda h: h["iteration"] > 10)
    if not client_open_at_shutdown:
        client.close()
        wait_for(lambda: server.health()["sessions"] == 0, "the session to end")
    try:
        server.stop()
    finally:
        client.close()
    leaked = [
        t.name for t in threading.enumerate() if t not in before and t.name.startswith("nnplay")
    ]
    assert leaked == []
    assert not ours[0].is_alive()
    assert [name for name in server.tasks_left if name in OUR_TASKS] == []


def test_nnplay_serve_prints_the_url_and_answers_health(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "NNPLAY_UPLOAD_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**env, "TMPDIR": str(tmp_path)},  # where serve makes its directory of uploads
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def health():
            if process.poll() is not None:
                raise AssertionError(f"nnplay serve exited: {process.communicate()}")
            try:
                return get_json(f"http://127.0.0.1:{port}/api/health")
            except OSError:
                return None

        assert wait_for(health, "nnplay serve", timeout=30, interval=0.1)["status"] == "ok"
        assert len(list(tmp_path.glob("nnplay-uploads-*"))) == 1
        with contextlib.closing(Client(f"ws://127.0.0.1:{port}/ws")) as client:
            assert client.hello["type"] == "hello"
            assert client.ws.protocol.extensions == []  # serve turns compression off
    finally:
        process.terminate()
        out, err = process.communicate(timeout=TIMEOUT)
    assert f"http://127.0.0.1:{port}/" in out
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal.
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Traceback" not in err, err
    assert list(tmp_path.glob("nnplay-uploads-*")) == []  # removed on SIGTERM too


UNREAD = {"boundary_resolution": 200, "map_resolution": 10, "frame_rate": 60}
"""Big frames (40 KB of boundary), so a client that stops reading fills its buffers at once."""


def start_unread_client(server: ServerThread) -> tuple[Client, list[str]]:
    """A client with four `max`-speed runs playing, that then stops reading."""
    client = Client(server.ws, receive_buffer=4096)
    runs = [client.create(**SMALL, seed=seed) for seed in range(4)]
    client.send(type="speed", runs=runs, iterations_per_frame="max")
    client.reply()
    for run in runs:
        client.send(type="play", runs=[run])
        client.reply()
    return client, runs


def session_runs(server: ServerThread) -> list:
    (session,) = list(server.app.state.sessions)
    return list(session.runs.values())


@pytest.mark.parametrize("settings", [Settings(**UNREAD, unread_pause_seconds=0.5)])
def test_a_client_that_stops_reading_has_its_runs_paused_and_is_told(server):
    client, runs = start_unread_client(server)
    try:
        wait_for(
            lambda: not any(run.group.playing for run in session_runs(server)),
            "the runs of a client that does not read to pause",
        )
        iterations = [run.trainer.iteration for run in session_runs(server)]
        time.sleep(0.3)
        assert [run.trainer.iteration for run in session_runs(server)] == iterations
        notice = client.reply(("unread",))  # read again: the old frames, then the notice
        assert sorted(notice["runs"]) == sorted(runs)
        assert notice["unread_seconds"] == 0.5 and "play" in notice["message"]
        client.send(type="play", runs=runs[:1])  # reading again, it may resume
        assert client.reply()["type"] == "ack"
        header, _ = client.frame(lambda h: h["run"] == runs[0] and h["status"] == "running")
        assert header["iteration"] > min(iterations)
        assert server.health()["sessions"] == 1
    finally:
        client.close()


@pytest.mark.parametrize(
    "settings", [Settings(**UNREAD, unread_pause_seconds=0.3, unread_close_seconds=1.0)]
)
def test_a_client_that_stays_unread_is_closed_with_code_4000(server):
    client, _ = start_unread_client(server)
    try:
        wait_for(lambda: server.health()["sessions"] == 0, "the unread session to end")
        assert server.health()["runs"] == 0
        with pytest.raises(ConnectionClosed) as closed:
            while True:  # what was buffered, then the close frame
                client.ws.recv(timeout=TIMEOUT)
        assert closed.value.rcvd is not None, "the connection was dropped without a close"
        assert closed.value.rcvd.code == CLOSE_UNREAD == 4000
        assert "not reading" in closed.value.rcvd.reason
    finally:
        client.close()


def test_nnplay_serve_closes_half_sent_requests_after_the_header_timeout(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "NNPLAY_UPLOAD_DIR"}
    env |= {
        "TMPDIR": str(tmp_path),
        "NNPLAY_HTTP_HEADER_TIMEOUT_SECONDS": "0.5",
        "NNPLAY_HTTP_KEEP_ALIVE_SECONDS": "60",  # so only the header timeout can close
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def read_response(sock: socket.socket) -> bytes:
        """One whole response's head (its body read too: it may come in another segment)."""
        sock.settimeout(TIMEOUT)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])
        while len(body) < length:
            body += sock.recv(65536)
        return head

    def closed_by_server(sock: socket.socket) -> bool:
        sock.settimeout(TIMEOUT)
        try:
            return sock.recv(1024) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False

    try:

        def health():
            try:
                return get_json(f"http://127.0.0.1:{port}/api/health")
            except OSError:
                return None

        wait_for(health, "nnplay serve", timeout=30, interval=0.1)
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /api/health HT")  # half a request line, never finished
            assert closed_by_server(sock)
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")  # a whole request
            assert read_response(sock).startswith(b"HTTP/1.1 200")
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: ")  # then half of the next one
            assert closed_by_server(sock)
        with socket.create_connection(("127.0.0.1", port)) as sock:
            # Half of the next request arrives while the first is being answered (pipelined).
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/health HT")
            assert read_response(sock).startswith(b"HTTP/1.1 200")
            assert closed_by_server(sock)
        with socket.create_connection(("127.0.0.1", port)) as sock:
            assert closed_by_server(sock)  # nothing sent at all: closed too
        assert health()["status"] == "ok"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=TIMEOUT)
    assert "Traceback" not in err, err


# --- Viewers: one run, its owner and other connections watching it ------------------------------


def raw_frame(client: Client, run: str, kind: str = "frame", until=lambda h: True):
    """The next binary message of `kind` for `run` matching `until`: (header, bytes as sent)."""
    while True:
        message = client.ws.recv(timeout=TIMEOUT)
        if isinstance(message, bytes):
            header, _ = decode(message)
            if header["type"] == kind and header["run"] == run and until(header):
                return header, message


def answer(client: Client, kinds=("ack", "error", "watching", "ended", "pong")) -> dict:
    """The next text message of one of `kinds` (an error included), skipping frames."""
    while True:
        message = client.receive()
        if isinstance(message, dict) and message["type"] in kinds:
            return message


def watch(viewer: Client, run: str, ref: str = "w") -> dict:
    viewer.send(type="watch", runs=[run], ref=ref)
    watching = answer(viewer)
    assert watching["type"] == "watching", watching
    assert watching["ref"] == ref and len(watching["runs"]) == 1, watching
    return {"ref": watching["ref"], **watching["runs"][0]}


def the_run(server: ServerThread, run_id: str):
    """The server's Run of that id (whichever session owns it)."""
    for session in list(server.app.state.sessions):
        if run_id in session.runs:
            return session.runs[run_id]
    return None


def served_state(run) -> tuple:
    """What a command could change of a run on the server."""
    group = run.group
    return (
        run.trainer.iteration,
        run.status,
        run.config,
        run.iterations_per_frame,
        group.playing,
        group.step_remaining,
        run.outbox.closed,
    )


def test_two_connections_receive_byte_identical_frames_of_one_run(server):
    with client_of(server) as owner, client_of(server) as viewer:
        owner.send(type="create", config=SMALL)
        created = owner.reply(("created",))
        run = created["run"]
        raw_frame(owner, run)
        watching = watch(viewer, run)
        assert watching["ref"] == "w"
        assert {k: v for k, v in watching.items() if k not in ("type", "ref")} == {
            k: v for k, v in created.items() if k not in ("type", "ref")
        }  # the run's description, as its owner got it
        first, _ = raw_frame(viewer, run)  # the newest frame at once, though the run is paused
        assert first["iteration"] == 0 and first["costs_from"] == 1
        for k in range(1, 4):  # one iteration a step: one frame each, built once for both
            owner.send(type="step", runs=[run], n=1)
            got = [
                raw_frame(c, run, until=lambda h, k=k: h["iteration"] == k) for c in (owner, viewer)
            ]
            assert got[0][1] == got[1][1], "the two connections got different bytes"
            assert got[0][0]["status"] == "paused" and got[0][0]["costs_from"] == k
        # Playing: whatever frames each reads, costs arrive once each, the same for both, and a
        # frame with the same seq and the same costs is the same bytes.
        owner.send(type="play", runs=[run])
        seen = {"owner": [], "viewer": []}
        while not seen["viewer"] or seen["viewer"][-1][0]["iteration"] < 200:
            seen["viewer"].append(raw_frame(viewer, run))
        owner.send(type="pause", runs=[run])
        for name, client in (("owner", owner), ("viewer", viewer)):
            while not seen[name] or seen[name][-1][0]["status"] != "paused":
                seen[name].append(raw_frame(client, run))
        costs = {}
        for name, frames in seen.items():
            costs[name], expected = {}, frames[0][0]["costs_from"]
            for header, message in frames:
                assert header["costs_from"] == expected, (name, header)  # none lost, none twice
                values = decode(message)[1]["costs"]
                iterations = range(expected, expected + len(values))
                costs[name].update(zip(iterations, values.tolist(), strict=True))
                expected += len(values)
        shared = set(costs["owner"]) & set(costs["viewer"])
        assert len(shared) >= 190 and all(costs["owner"][i] == costs["viewer"][i] for i in shared)
        by_seq = {(h["seq"], h["costs_from"]): m for h, m in seen["owner"]}
        same = [by_seq[(h["seq"], h["costs_from"])] == m for h, m in seen["viewer"]
                if (h["seq"], h["costs_from"]) in by_seq]  # fmt: skip
        assert same and all(same)


def test_a_viewer_s_commands_are_refused_and_change_nothing(server):
    drawn = {"kind": "drawn", "x1": [0.1, -0.2], "x2": [0.3, 0.4], "y": [0, 1]}
    commands = {
        "play": {},
        "pause": {},
        "step": {"n": 5},
        "reset": {},
        "update": {"learning_rate": 0.5, "optimizer": "adam"},
        "speed": {"iterations_per_frame": "max"},
        "data": {"dataset": drawn},
        "delete": {},
    }
    with client_of(server) as owner, client_of(server) as viewer:
        run = owner.create(**SMALL)
        owner.send(type="step", runs=[run], n=3)
        raw_frame(owner, run, until=lambda h: h["iteration"] == 3)
        watch(viewer, run)
        raw_frame(viewer, run)
        served = the_run(server, run)
        before = served_state(served)
        for kind, fields in commands.items():
            viewer.send(type=kind, runs=[run], ref=kind, **fields)
            error = answer(viewer)
            assert error["type"] == "error" and error["code"] == "not_owner", error
            assert error["ref"] == kind and "only the session that created it" in error["message"]
        viewer.send(type="ping", ref="after")
        between = []
        while not (isinstance(m := viewer.receive(), dict) and m["type"] == "pong"):
            between.append(m)
        assert between == []  # no frame either: a refused pause or reset emits none
        assert served_state(served) == before
        assert server.health()["runs"] == 1
        owner.send(type="step", runs=[run], n=2)  # the owner still commands it, the viewer sees
        _, message = raw_frame(owner, run, until=lambda h: h["iteration"] == 5)
        assert raw_frame(viewer, run, until=lambda h: h["iteration"] == 5)[1] == message


def test_viewers_are_told_when_the_owner_deletes_the_run_or_leaves(server):
    with client_of(server) as viewer:
        owner = Client(server.ws)
        try:
            deleted, kept = owner.create(**SMALL), owner.create(**SMALL, seed=1)
            for run in (deleted, kept):
                watch(viewer, run)
            owner.send(type="delete", runs=[deleted])
            assert owner.reply()["action"] == "delete"
            ended = answer(viewer, ("ended",))
            assert ended == {**ended, "run": deleted, "reason": "deleted", "ref": None}
            assert "deleted" in ended["message"]
            viewer.send(type="watch", runs=[deleted])  # gone: as if it never was
            assert answer(viewer)["code"] == "unknown_run"
        finally:
            owner.close()
        ended = answer(viewer, ("ended",))
        assert ended["run"] == kept and ended["reason"] == "owner_left"
        wait_for(lambda: server.health()["runs"] == 0, "the owner's runs to be freed")
        viewer.send(type="ping", ref="still here")
        assert answer(viewer)["ref"] == "still here"
        assert server.health()["sessions"] == 1


def test_watch_refuses_unknown_and_own_runs_and_unwatch_stops_the_frames(server):
    with client_of(server) as owner, client_of(server) as viewer:
        run = owner.create(**SMALL)
        owner.send(type="watch", runs=[run])
        assert answer(owner)["code"] == "invalid"  # its own frames come already
        viewer.send(type="watch", runs=["no-such-run"], ref="x")
        error = answer(viewer)
        assert (error["code"], error["ref"]) == ("unknown_run", "x")
        watch(viewer, run)
        viewer.send(type="watch", runs=[run, run], ref="again")  # still one answer, nothing new
        assert answer(viewer) == {"type": "watching", "ref": "again", "runs": []}
        viewer.send(type="unwatch", runs=[run, "not-watched"], ref="u")
        assert answer(viewer) == {"type": "ack", "ref": "u", "action": "unwatch", "runs": [run]}
        owner.send(type="step", runs=[run], n=3)
        raw_frame(owner, run, until=lambda h: h["iteration"] == 3)
        viewer.send(type="ping")
        between = []
        while not (isinstance(m := viewer.receive(), dict) and m["type"] == "pong"):
            between.append(m)
        assert between == []  # no frame after the unwatch's ack
        viewer.send(type="play", runs=[run])  # no longer watched: not its run at all
        assert answer(viewer)["code"] == "unknown_run"


@pytest.mark.parametrize(
    "settings", [Settings(**UNREAD, unread_pause_seconds=0.3, unread_close_seconds=30)]
)
def test_a_viewer_that_stops_reading_never_pauses_the_run_nor_starves_another_viewer(server):
    with client_of(server) as owner, client_of(server) as reader:
        run = owner.create(**SMALL)
        stalled = Client(server.ws, receive_buffer=4096)  # reads nothing from here on
        try:
            stalled.send(type="watch", runs=[run])
            watch(reader, run)
            owner.send(type="speed", runs=[run], iterations_per_frame="max")
            owner.reply()
            owner.send(type="play", runs=[run])
            owner.reply()
            # The owner and the other viewer keep reading meanwhile (a client that stops
            # reading is paused: that is the owner's policy, not what this test is about).
            wait_for(
                lambda: (
                    _drain(owner, reader)
                    or any(s.player.watching and s._unread for s in server.app.state.sessions)
                ),
                "the stalled viewer's sends to block",
            )
            deadline = time.monotonic() + 0.5  # past unread_pause_seconds: the owner's policy
            while time.monotonic() < deadline:  # would have paused by now
                _drain(owner, reader)
            served = the_run(server, run)
            assert served.group.playing and served.status == "running"
            for client in (owner, reader):  # both still get new frames, running
                now = client.frame(lambda h: h["run"] == run)[0]["iteration"]
                later, _ = client.frame(
                    lambda h, now=now: h["run"] == run and h["iteration"] > now + 100
                )
                assert later["status"] == "running"
            owner.send(type="pause", runs=[run])
            for client in (owner, reader):  # read up to the end: their closes need not wait
                client.frame(lambda h: h["run"] == run and h["status"] == "paused")
        finally:
            stalled.ws.close_timeout = 0.1  # it reads nothing: no close handshake to wait for
            stalled.close()


# --- Setting one parameter (the diagram's edge and bias editor) ---------------------------------


def set_parameter(client: Client, run: str, **where) -> tuple[dict, dict, np.ndarray]:
    """Send set_parameter; its ack, and the detail (header, parameters) that follows it."""
    client.send(type="set_parameter", runs=[run], ref="set", **where)
    ack = detail = None
    while ack is None or detail is None:
        message = client.receive()
        if isinstance(message, dict) and message["type"] in ("ack", "error"):
            assert message["type"] == "ack" and message["ref"] == "set", message
            ack = message
        elif isinstance(message, tuple) and message[0]["type"] == "detail" and detail is None:
            detail = message[0], message[1]["parameters"]
    return ack, *detail


def theta_index(layer_dims, layer: int, row: int, col: int | None) -> int:
    """Where W[layer][row, col] (b[layer][row] when col is None) sits in the engine's θ, whose
    layout is [W1 | b1] row by row, then [W2 | b2] …: each row of W followed by its bias."""
    offset = sum(n * (n_prev + 1) for n_prev, n in itertools.pairwise(layer_dims[:layer]))
    n_prev = layer_dims[layer - 1]
    return offset + row * (n_prev + 1) + (n_prev if col is None else col)


def test_set_parameter_lands_in_the_run_and_training_continues_from_it_with_adam_s_moments(server):
    """Paused: the next detail carries the typed values; three more Adam steps are those of the
    run's state before the edit with those two entries of θ replaced (moments, t, schedule kept)."""
    with client_of(server) as client:
        run = client.create(**SMALL, optimizer="adam", learning_rate=0.01, seed=3)
        client.send(type="step", runs=[run], n=5)
        raw_frame(client, run, until=lambda h: h["iteration"] == 5)
        raw_frame(client, run, kind="detail", until=lambda h: h["iteration"] == 5)
        served = the_run(server, run)
        meta, arrays = served.trainer.export_state()  # paused: the training thread is idle
        dims = served.network_config.layer_dims  # (2, 4, 1): θ = W1 (8), W2 (4), b1 (4), b2 (1)
        ack, header, theta = set_parameter(client, run, layer=2, row=0, col=1, value=1.5)
        assert ack["action"] == "set_parameter" and ack["runs"] == [run]
        assert {k: ack[k] for k in ("layer", "row", "col", "value", "iteration")} == {
            "layer": 2, "row": 0, "col": 1, "value": 1.5, "iteration": 5
        }  # fmt: skip
        assert header["iteration"] == 5 and theta[8 + 1] == np.float32(1.5)
        ack, _, theta = set_parameter(client, run, layer=1, row=2, bias=True, value=-0.75)
        assert ack["bias"] is True and "col" not in ack
        assert theta[8 + 4 + 2] == np.float32(-0.75) and theta[8 + 1] == np.float32(1.5)
        assert (
            served.net.parameters["W2"][0, 1] == 1.5 and served.net.parameters["b1"][2, 0] == -0.75
        )
        # The oracle: a trainer of the same config taking the state before the edit, θ patched.
        oracle = make_trainer(served.config, served.dataset)
        patched = arrays["network.theta"].copy()
        patched[theta_index(dims, 2, 0, 1)] = 1.5
        patched[theta_index(dims, 1, 2, None)] = -0.75
        oracle.import_state(meta, {**arrays, "network.theta": patched})
        assert meta["network"]["optimizer_t"] == 5
        client.send(type="step", runs=[run], n=3)
        raw_frame(client, run, until=lambda h: h["iteration"] == 8)
        _, message = raw_frame(client, run, kind="detail", until=lambda h: h["iteration"] == 8)
        costs = oracle.run(3)
        assert len(costs) == 3 and served.trainer.iteration == oracle.iteration == 8
        np.testing.assert_array_equal(served.net.flat_parameters(), oracle.net.flat_parameters())
        np.testing.assert_array_equal(
            decode(message)[1]["parameters"], oracle.net.flat_parameters().astype(np.float32)
        )
        assert served.net.export_state()[0]["optimizer_t"] == 8  # the moments went on


def test_set_parameter_while_playing_keeps_the_run_playing_from_the_new_value(server):
    with client_of(server) as client:
        run = client.create(**SMALL, learning_rate=0.01)
        client.send(type="speed", runs=[run], iterations_per_frame=5)
        client.reply()
        client.send(type="play", runs=[run])
        client.reply()
        client.frame(lambda h: h["iteration"] >= 20)
        ack, header, theta = set_parameter(client, run, layer=2, row=0, col=3, value=42.0)
        assert header["iteration"] == ack["iteration"] >= 20
        assert theta[8 + 3] == np.float32(42.0)
        later, _ = client.frame(lambda h: h["iteration"] >= ack["iteration"] + 50)
        assert later["status"] == "running"
        _, message = raw_frame(client, run, kind="detail", until=lambda h: h["iteration"] > 0)
        after = decode(message)[1]["parameters"][8 + 3]
        assert 41.0 < after < 43.0  # from 42 on, at α = 0.01: it has not jumped back
        client.send(type="pause", runs=[run])
        client.frame(lambda h: h["status"] == "paused")


def test_set_parameter_refuses_what_is_outside_the_network_not_finite_or_not_its_owner_s(server):
    with client_of(server) as owner, client_of(server) as viewer:
        run = owner.create(**SMALL)  # W1 (4, 2), W2 (1, 4), b1 (4, 1), b2 (1, 1)
        raw_frame(owner, run)
        served = the_run(server, run)
        theta = served.net.flat_parameters()
        bad = {
            "layer 3 of 2": ({"layer": 3, "row": 0, "col": 0, "value": 1}, "layer", "1 … 2"),
            "row 4 of W1": ({"layer": 1, "row": 4, "col": 0, "value": 1}, "row", "0 … 3, got 4"),
            "col 2 of W1": ({"layer": 1, "row": 0, "col": 2, "value": 1}, "col", "0 … 1, got 2"),
            "row 1 of b2": ({"layer": 2, "row": 1, "bias": True, "value": 1}, "row", "0 … 0"),
            "layer 0": ({"layer": 0, "row": 0, "col": 0, "value": 1}, "layer", "greater than"),
            "a bias's col": (
                {"layer": 1, "row": 0, "col": 0, "bias": True, "value": 1},
                "col",
                "no col",
            ),
            "no col": ({"layer": 1, "row": 0, "value": 1}, "col", "needs col"),
            "too large": ({"layer": 1, "row": 0, "col": 0, "value": 1e6}, "value", "100"),
            "a string": ({"layer": 1, "row": 0, "col": 0, "value": "1"}, "value", "valid number"),
        }
        for name, (fields, field, said) in bad.items():
            owner.send(type="set_parameter", runs=[run], ref=name, **fields)
            error = answer(owner)
            assert error["type"] == "error" and error["code"] == "invalid", (name, error)
            assert error["ref"] == name and said in error["message"], (name, error)
            assert error["errors"][0]["field"] == field, (name, error)
        for raw in ("NaN", "Infinity", "-Infinity"):  # JSON's non-standard numbers: refused
            message = {"type": "set_parameter", "runs": [run], "layer": 1, "row": 0, "col": 0}
            owner.ws.send(json.dumps(message)[:-1] + f', "value": {raw}}}')
            error = answer(owner)
            assert (error["code"], error["errors"][0]["field"]) == ("invalid", "value"), error
            assert "finite" in error["message"], error
        owner.send(type="set_parameter", runs=["no-such-run"], layer=1, row=0, col=0, value=1)
        assert answer(owner)["code"] == "unknown_run"
        watch(viewer, run)
        viewer.send(type="set_parameter", runs=[run], layer=1, row=0, col=0, value=1, ref="v")
        error = answer(viewer)
        assert (error["code"], error["ref"]) == ("not_owner", "v"), error
        np.testing.assert_array_equal(served.net.flat_parameters(), theta)  # nothing changed
