"""The upload store: files on disk shared by a server's workers, bounded in count, bytes and age."""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.schemas import RequestError
from app.settings import Settings
from app.uploads import UploadStore
from tests.app.conftest import Peer

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
