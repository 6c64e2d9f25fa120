"""The upload store: files on disk shared by a server's workers, bounded in count, bytes and age."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.sandbox import Sandbox
from app.schemas import RequestError
from app.settings import Settings
from app.threaded import free_port
from app.uploads import UploadStore
from tests.app.conftest import Peer
from tests.hostile_files import HOSTILE, MARKER

ROOT = Path(__file__).resolve().parents[2]

CSV = b"x1,x2,x3,y\n" + b"".join(
    f"{i % 7},{(i * 3) % 5},{i % 4},{i % 2}\n".encode() for i in range(40)
)


def test_a_file_uploaded_to_one_worker_trains_on_another(tmp_path):
    """Two apps sharing a directory, as `nnplay serve --workers 2` runs them."""
    settings = Settings(upload_dir=str(tmp_path), frame_rate=60, boundary_resolution=20)
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        response = first.post("/api/uploads?name=table.csv", content=CSV)
        assert response.status_code == 201
        upload = response.json()["id"]
        with second.websocket_connect("/ws") as ws:
            created = Peer(ws).create(dataset={"kind": "csv", "upload": upload, "label": "y"})
        assert created["dataset"]["source"]["files"] == ["table.csv"]
        assert created["dataset"]["m_train"] == 32
    # The directory was given, not made: it stays (the CLI that made it removes it).
    assert tmp_path.is_dir() and len(list(tmp_path.glob("*.upload"))) == 1


def test_an_app_without_a_directory_removes_its_own_on_stop():
    app = create_app(Settings())
    with TestClient(app) as client:
        assert client.post("/api/uploads?name=t.csv", content=CSV).status_code == 201
        directory = app.state.uploads.directory
        assert len(list(directory.glob("*.upload"))) == 1
    assert not directory.exists()


def test_the_oldest_files_go_when_the_count_is_reached(tmp_path):
    store = UploadStore(max_files=2, max_bytes=10**6, ttl_seconds=60, directory=tmp_path)
    first = store.add("a.csv", b"a,b\n1,2\n")
    os.utime(tmp_path / f"{first.id}.upload", (time.time() - 5, time.time() - 5))
    second = store.add("b.csv", b"a,b\n3,4\n")
    third = store.add("c.csv", b"a,b\n5,6\n")
    assert len(store) == 2
    assert store.get(second.id, "f").data == b"a,b\n3,4\n"
    assert (store.get(third.id, "f").name, store.get(third.id, "f").kind) == ("c.csv", "csv")
    with pytest.raises(RequestError, match="upload it again") as caught:
        store.get(first.id, "dataset.upload")
    assert (caught.value.field, caught.value.rule) == ("dataset.upload", "unknown_upload")


def test_the_oldest_files_go_when_the_bytes_are_reached(tmp_path):
    store = UploadStore(max_files=10, max_bytes=320, ttl_seconds=60, directory=tmp_path)
    old = store.add("a.npz", b"PK" + b"\0" * 100)
    os.utime(tmp_path / f"{old.id}.upload", (time.time() - 5, time.time() - 5))
    new = store.add("b.npz", b"PK" + b"\1" * 100)
    assert len(store) == 2 and store.get(old.id, "f").kind == "images"
    newest = store.add("c.npz", b"PK" + b"\2" * 100)
    assert len(store) == 2 and store.bytes <= 320  # each file: ~140 bytes on disk
    with pytest.raises(RequestError):
        store.get(old.id, "f")
    assert (
        store.get(new.id, "f").data[2:3] == b"\1" and store.get(newest.id, "f").data[2:3] == b"\2"
    )


def test_files_older_than_the_ttl_are_unknown(tmp_path):
    store = UploadStore(max_files=10, max_bytes=10**6, ttl_seconds=30, directory=tmp_path)
    upload = store.add("a.csv", b"a,b\n1,2\n")
    assert store.get(upload.id, "f").name == "a.csv"
    past = time.time() - 31
    os.utime(tmp_path / f"{upload.id}.upload", (past, past))
    with pytest.raises(RequestError, match="no longer on the server"):
        store.get(upload.id, "f")
    store.add("b.csv", b"a,b\n3,4\n")  # adding sweeps the expired file away
    assert len(store) == 1


@pytest.mark.parametrize("upload_id", ["../etc/passwd", "a/b", "", "x" * 65, ".hidden", "ab\0"])
def test_ids_that_are_not_ours_never_reach_the_disk(tmp_path, upload_id):
    store = UploadStore(max_files=10, max_bytes=10**6, ttl_seconds=30, directory=tmp_path)
    (tmp_path / ".hidden.upload").write_bytes(b"\0\0\0\0")
    with pytest.raises(RequestError, match="upload it again"):
        store.get(upload_id, "f")


def test_an_h5_upload_without_h5py_says_how_to_install_it(client, monkeypatch):
    h5py = pytest.importorskip("h5py")
    import io

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f["train_set_x"] = np.zeros((2, 4, 4, 3), dtype=np.uint8)
        f["train_set_y"] = np.array([0, 1])
    monkeypatch.setitem(sys.modules, "h5py", None)  # as if it were not installed
    response = client.post("/api/uploads?name=train.h5", content=buffer.getvalue())
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["rule"] == "h5py_missing"
    assert "pip install 'nnplay[images]'" in error["message"]


# --- Hostile files: refused by rule, and the server lives on ---------------------------------


def upload(client, name: str, data: bytes):
    return client.post("/api/uploads", params={"name": name}, content=data)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_file_is_refused_with_a_422_naming_its_rule(client, kind, tmp_path):
    marker = tmp_path / "marker.txt"
    marker.write_bytes(MARKER)
    build, name, rule = HOSTILE[kind]
    response = upload(client, name, build(marker))
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("file", rule)
    assert b"MARKER" not in response.content
    assert len(client.app.state.uploads) == 0
    assert client.get("/api/health").json()["status"] == "ok"
    assert upload(client, "t.csv", CSV).status_code == 201


def test_a_file_that_crashes_the_parser_is_a_422_and_the_server_serves_on(client):
    store = client.app.state.uploads
    good = upload(client, "t.csv", CSV).json()["id"]
    # From here on every parse crashes (SIGSEGV), as a parser bug met by a hostile file would.
    store.sandbox = Sandbox(memory_bytes=300_000_000, jobs_module="tests.app.sandbox_jobs")
    store._parsed.clear()
    response = upload(client, "t.csv", CSV)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["rule"], error["field"]) == ("parser_crashed", "file")
    assert "signal SIGSEGV" in error["message"]
    with client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        peer.send(type="create", config={"dataset": {"kind": "csv", "upload": good, "label": "y"}})
        refused = peer.reply()
        assert refused["type"] == "error"
        assert refused["errors"][0]["rule"] == "parser_crashed"
        assert peer.create()["dataset"]["m_train"] > 0  # a built-in dataset still trains
    assert client.get("/api/health").json()["status"] == "ok"


def test_a_hostile_file_never_kills_a_real_server(tmp_path):
    """`nnplay serve` as a class runs it: every hostile file, then health and a good upload.
    (Before the checks and the sandbox, the virtual dataset killed the process with SIGSEGV.)"""
    marker = tmp_path / "marker.txt"
    marker.write_bytes(MARKER)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NNPLAY_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--log-level", "error"],
        cwd=ROOT,
        env={**env, "TMPDIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while _request(f"{base}/api/health") is None:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "nnplay serve did not start"
            time.sleep(0.1)
        for kind, (build, name, rule) in sorted(HOSTILE.items()):
            status, body = _request(f"{base}/api/uploads?name={name}", build(marker))
            assert status == 422, (kind, body)
            assert json.loads(body)["errors"][0]["rule"] == rule
            assert b"MARKER" not in body
            assert process.poll() is None, f"{kind} killed the server"
        assert json.loads(_request(f"{base}/api/health")[1])["status"] == "ok"
        assert _request(f"{base}/api/uploads?name=t.csv", CSV)[0] == 201
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "Traceback" not in err, err


# --- Quotas: fair by client -------------------------------------------------------------------


def test_one_clients_uploads_evict_only_its_own(tmp_path):
    store = UploadStore(
        max_files=10,
        max_bytes=10**6,
        ttl_seconds=60,
        directory=tmp_path,
        max_files_per_owner=3,
    )
    alice, mallory = store.owner_of("10.0.0.1"), store.owner_of("10.0.0.66")
    kept = store.add("alice.csv", b"a,b\n1,2\n", alice)
    flood = [store.add(f"m{i}.csv", b"a,b\n1,2\n", mallory) for i in range(20)]
    assert store.get(kept.id, "f").name == "alice.csv"
    assert store.owner_usage(mallory)[0] == 3
    assert [u.id for u in flood[-3:]] == [
        u.id for u in flood if _exists(store, u.id)
    ]  # mallory keeps its newest three


def test_a_full_store_drops_from_whoever_holds_the_most(tmp_path):
    # The store is full (5 files) and nobody is over a quota: the next file takes one of the
    # biggest holder's, never the file of a student who holds one.
    store = UploadStore(
        max_files=5, max_bytes=10**6, ttl_seconds=60, directory=tmp_path, max_files_per_owner=4
    )
    owners = [store.owner_of(f"10.0.0.{i}") for i in range(3)]
    small = store.add("s.csv", b"a,b\n1,2\n", owners[0])
    big = [store.add(f"b{i}.csv", b"a,b\n1,2\n", owners[1]) for i in range(4)]
    store.add("new.csv", b"a,b\n1,2\n", owners[2])
    assert _exists(store, small.id)
    assert len(store) == 5 and store.owner_usage(owners[1])[0] == 3
    assert not _exists(store, big[0].id)


def test_uploads_are_counted_per_client_address(settings):
    settings = settings.model_copy(update={"max_uploads_per_client": 2})
    app = create_app(settings)
    with (
        TestClient(app, client=("10.0.0.1", 5000)) as alice,
        TestClient(app, client=("10.0.0.2", 5000)) as bob,
    ):
        first = alice.post("/api/uploads?name=a.csv", content=CSV).json()["id"]
        for _ in range(5):
            assert bob.post("/api/uploads?name=b.csv", content=CSV).status_code == 201
        store = app.state.uploads
        assert _exists(store, first)
        assert store.owner_usage(store.owner_of("10.0.0.2"))[0] == 2


def test_a_file_over_the_clients_byte_quota_is_refused(tmp_path):
    store = UploadStore(
        max_files=10, max_bytes=10**6, ttl_seconds=60, directory=tmp_path, max_bytes_per_owner=100
    )
    with pytest.raises(RequestError, match="one client may keep at most 100 bytes") as raised:
        store.add("big.csv", b"x" * 101, store.owner_of("10.0.0.1"))
    assert raised.value.rule == "limit"


def _exists(store: UploadStore, upload_id: str) -> bool:
    try:
        store.get(upload_id, "f")
    except RequestError:
        return False
    return True


def _request(url: str, body: bytes | None = None) -> tuple[int, bytes] | None:
    """(status, body) of a GET (or a POST of `body`); None if nothing answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return None
