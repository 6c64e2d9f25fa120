"""The user's own data over real HTTP and WebSockets: POST /api/uploads (CSV tables, image sets),
runs on CSV, image and drawn data (confusion tables, the gallery, collapsed input weights), the
live `data` message, and POST /api/train on such data."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import h5py
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.data import EXAMPLE_IMAGES
from app.main import create_app
from app.runs import DIAGRAM_MAX_INPUTS
from app.settings import Settings
from engine import Network
from engine.loaders import synthetic_images
from tests.app.conftest import Peer

GALLERY = 12
MAX_DRAWN = 40


@pytest.fixture
def settings() -> Settings:
    """The app's settings for this module: a gallery shorter than the test sets shown in it."""
    return Settings(
        frame_rate=60,
        boundary_resolution=40,
        map_resolution=10,
        gallery_size=GALLERY,
        max_drawn_points=MAX_DRAWN,
    )


SMALL = Settings(
    max_csv_bytes=2048,
    max_csv_rows=5,
    max_csv_columns=4,
    max_image_bytes=4096,
    max_image_inputs=100,
    frame_rate=60,
    boundary_resolution=20,
    map_resolution=4,
)
"""Tight upload limits, each distinct, so that a limit reported can only come from here."""


@pytest.fixture
def small():
    with TestClient(create_app(SMALL)) as client:
        yield client


# --- helpers ----------------------------------------------------------------------------------


def post_file(client, name: str, body: bytes, **kwargs):
    return client.post("/api/uploads", params={"name": name}, content=body, **kwargs)


def upload(client, name: str, body: bytes) -> dict:
    response = post_file(client, name, body)
    assert response.status_code == 201, response.text
    return response.json()


def refused(response, status: int = 422) -> dict:
    """The response is an ErrorResponse with `status`; returns errors[0] (or {})."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "errors"} and body["error"]
    return body["errors"][0] if body["errors"] else {}


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def h5(**arrays) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value)
    return buffer.getvalue()


def table(m: int = 60, seed: int = 5) -> str:
    """Three numeric features on very different scales and a text label 'no'/'yes'."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(m, 3)) * [1.0, 10.0, 100.0] + [0.0, 5.0, -50.0]
    label = raw[:, 0] + raw[:, 1] / 10 > 0.5
    rows = [
        f"{a:.4f},{b:.4f},{c:.4f},{'yes' if t else 'no'}"
        for (a, b, c), t in zip(raw, label, strict=True)
    ]
    return "a,b,c,cls\n" + "\n".join(rows) + "\n"


def plane_table(m: int = 40, seed: int = 2) -> str:
    """Two numeric features and a 0/1 label column named 'label'."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(-3, 3, size=(m, 2))
    rows = [f"{u:.3f},{v:.3f},{int(u > v)}" for u, v in raw]
    return "u,v,label\n" + "\n".join(rows) + "\n"


def binaries(peer: Peer, run: str, until):
    """The binary messages of `run`, in order, up to the first frame with `until(header)`."""
    seen = []
    while True:
        message = peer.receive()
        if isinstance(message, dict):
            assert message["type"] != "error", message
            continue
        header, arrays = message
        if header["run"] != run:
            continue
        seen.append((header, arrays))
        if header["type"] == "frame" and until(header):
            return seen


def drawn(m: int = 30, seed: int = 1, shift: float = 0.0, **extra) -> dict:
    """`m` points drawn on the plane, class 1 right of x1 = -shift; 3-decimal coordinates."""
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(-5, 5, m).round(3)
    x2 = rng.uniform(-5, 5, m).round(3)
    y = (x1 + shift > 0).astype(int)
    y[:2] = [0, 1]  # both classes, whatever the draw
    return {"kind": "drawn", "x1": x1.tolist(), "x2": x2.tolist(), "y": y.tolist(), **extra}


def points(summary: dict) -> list[tuple]:
    """Every point of a dataset summary (train and test) as sorted (x1, x2, y)."""
    return sorted(
        (x1, x2, y)
        for split in (summary["train"], summary["test"])
        for x1, x2, y in zip(split["x1"], split["x2"], split["y"], strict=True)
    )


def answer_frame_and_detail(peer: Peer, action: str, run: str, seq: int):
    """The ack of `action`, and the first frame of `run` after frame `seq` with the blobs of
    the detail that follows it (a command's frames may come before or after its ack)."""
    ack = frame = detail = None
    while ack is None or detail is None:
        message = peer.receive()
        if isinstance(message, dict):
            assert message["type"] != "error", message
            if message["type"] == "ack" and message["action"] == action:
                ack = message
            continue
        header, arrays = message
        if header["run"] != run:
            continue
        if frame is None and header["type"] == "frame" and header["seq"] > seq:
            frame = header
        elif frame is not None and detail is None and header["type"] == "detail":
            detail = arrays
    return ack, frame, detail


def refusal(peer: Peer, **config) -> dict:
    peer.send(type="create", config=config)
    answer = peer.reply(("created", "error"))
    assert answer["type"] == "error", answer
    return answer


# --- POST /api/uploads: CSV tables ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "task"),
    [
        ("x1,kind,x2\n1,a,2\n3,b,4\n5,a,6\n", "kind", "binary"),  # the one text column
        ("Species,x1,x2\n0,1,2\n1,3,4\n2,5,6\n", "Species", "multiclass"),  # a label's name
        ("x1,x2,x3\n1,2,0.5\n3,4,1.25\n5,6,7.75\n", "x3", "regression"),  # else the last
    ],
)
def test_a_csv_upload_reports_columns_rows_and_the_guessed_label(client, text, label, task):
    response = post_file(client, "table.csv", text.encode())
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["id"]) >= 16 and body["name"] == "table.csv" and body["kind"] == "csv"
    assert body["columns"] == text.splitlines()[0].split(",")
    assert body["rows"] == 3 and body["bytes"] == len(text.encode())
    assert (body["label"], body["task"]) == (label, task)
    assert body["arrays"] is None


def test_two_uploads_of_the_same_file_get_different_ids(client):
    first = upload(client, "t.csv", table().encode())
    second = upload(client, "t.csv", table().encode())
    assert first["id"] != second["id"]


@pytest.mark.parametrize(
    ("body", "words", "row", "column"),
    [
        (b"x1,x2\x00,y\n1,2,0\n3,4,1\n", "binary data", None, None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data", None, None),
        (b"x1,x2,y\n1,2,0\n3,4\n5,6,1\n", "Row 3 has 2 values", 3, None),
        (b"x1,x2,species\n1,2,a\n3,abc,b\n5,6,a\n", "not a number: 'abc'", 3, "x2"),
        (b"x1,x2,y\n1,2,0\n3,4,1\n5,,1\n", "missing value", 4, "x2"),
        (b"x1,x2,y\n1,2,0\n3,4,0\n5,6,0\n", "only one class", None, "y"),
        (b"\xff\xfex1,x2\n", "not valid UTF-8", None, None),
    ],
)
def test_a_bad_csv_is_refused_with_one_message_and_where(client, body, words, row, column):
    error = refused(post_file(client, "bad.csv", body))
    assert error["field"] == "file" and error["rule"] == "csv"
    assert words in error["message"]
    assert error.get("row") == row and error.get("column") == column


def test_an_empty_file_is_refused(client):
    error = refused(post_file(client, "empty.csv", b""))
    assert error["rule"] == "empty" and "empty" in error["message"]
    assert "row" not in error and "column" not in error


def test_a_refused_csv_is_not_kept(client):
    refused(post_file(client, "bad.csv", b"x1,x2,y\n1,2,0\n3,4\n"))
    assert len(client.app.state.uploads) == 0


def test_too_many_rows_names_the_limit_and_the_row(small):
    text = "x1,x2,y\n" + "".join(f"{i},{i * i},{i % 2}\n" for i in range(SMALL.max_csv_rows + 1))
    error = refused(post_file(small, "long.csv", text.encode()))
    assert f"limit of {SMALL.max_csv_rows} data rows" in error["message"]
    assert error["row"] == SMALL.max_csv_rows + 2  # the header is row 1
    assert (error["rule"], error["limit"]) == ("limit", SMALL.max_csv_rows)
    text = "x1,x2,y\n" + "".join(f"{i},{i * i},{i % 2}\n" for i in range(SMALL.max_csv_rows))
    assert upload(small, "ok.csv", text.encode())["rows"] == SMALL.max_csv_rows


def test_too_many_columns_names_the_limit_and_the_header_row(small):
    header = ",".join(f"x{j}" for j in range(SMALL.max_csv_columns + 1))
    row = ",".join(str(j % 2) for j in range(SMALL.max_csv_columns + 1))
    error = refused(post_file(small, "wide.csv", f"{header}\n{row}\n{row[::-1]}\n".encode()))
    n, limit = SMALL.max_csv_columns + 1, SMALL.max_csv_columns
    assert f"the header has {n}, over the limit of {limit}" in error["message"]
    assert error["row"] == 1
    assert (error["rule"], error["limit"]) == ("limit", limit)


def test_a_csv_over_the_csv_limit_is_refused_with_413_naming_it(small):
    body = b"x1,x2,y\n" + b"1.5,2.5,0\n3.5,4.5,1\n" * 120  # over 2048 bytes, under 4096
    assert SMALL.max_csv_bytes < len(body) < SMALL.max_image_bytes
    response = post_file(small, "big.csv", body)
    error = refused(response, 413)
    assert (error["field"], error["rule"], error["limit"]) == ("file", "limit", SMALL.max_csv_bytes)
    message = response.json()["error"]
    assert f"limit of {SMALL.max_csv_bytes} bytes" in message and "CSV" in message


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(small):
    limit = max(SMALL.max_csv_bytes, SMALL.max_image_bytes)
    response = post_file(small, "huge.csv", b"x" * (limit + 1))
    error = refused(response, 413)
    assert error["limit"] == limit and str(limit) in response.json()["error"]
    # the declared length alone is enough: the body is never read
    response = post_file(
        small, "huge.csv", b"x1,y\n1,0\n2,1\n", headers={"content-length": str(10**9)}
    )
    assert refused(response, 413)["limit"] == limit


# --- POST /api/uploads: image sets ------------------------------------------------------------


def test_an_npz_upload_reports_its_arrays(client):
    arrays = synthetic_images(m_train=10, m_test=4, size=8, seed=2)
    body = upload(client, "set.npz", npz(**arrays))
    assert body["kind"] == "images" and body["columns"] is None
    assert body["arrays"] == {
        "train_set_x": [10, 8, 8, 3],
        "train_set_y": [10],
        "test_set_x": [4, 8, 8, 3],
        "test_set_y": [4],
        "list_classes": [2],
    }


def test_an_h5_upload_reports_its_arrays(client):
    arrays = synthetic_images(m_train=6, m_test=0, size=4, seed=2)
    body = upload(client, "train.h5", h5(train_set_x=arrays["train_set_x"], train_set_y=[0, 1] * 3))
    assert body["kind"] == "images"
    assert body["arrays"] == {"train_set_x": [6, 4, 4, 3], "train_set_y": [6]}


def test_a_zip_without_the_course_s_arrays_is_refused(client):
    error = refused(post_file(client, "other.npz", npz(pictures=np.zeros((2, 4, 4, 3)))))
    assert error["field"] == "file" and error["rule"] == "images"
    assert "train_set_x" in error["message"] and "pictures" in error["message"]


def test_a_file_named_npz_that_is_not_one_is_refused(client):
    error = refused(post_file(client, "set.npz", b"x1,x2,y\n1,2,0\n"))
    assert error["rule"] == "images" and ".npz" in error["message"]


def test_a_zip_whose_member_is_not_an_array_is_refused(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train_set_x", b"not an array")
    error = refused(post_file(client, "odd.npz", buffer.getvalue()))
    assert error["field"] == "file"
    assert error["message"] == "odd.npz holds 'train_set_x', which is not a NumPy array"


def test_images_wider_than_the_input_limit_are_refused(small):
    arrays = synthetic_images(m_train=2, m_test=0, size=8, seed=0)  # 8·8·3 = 192 inputs
    body = npz(train_set_x=arrays["train_set_x"], train_set_y=arrays["train_set_y"])
    error = refused(post_file(small, "wide.npz", body))
    assert (error["rule"], error["limit"]) == ("limit", SMALL.max_image_inputs)
    assert "192" in error["message"] and str(SMALL.max_image_inputs) in error["message"]


# --- runs on a CSV table ----------------------------------------------------------------------


def test_a_csv_run_standardizes_with_the_training_split_only(client, peer):
    text = table(m=60)
    up = upload(client, "measures.csv", text.encode())
    created = peer.create(
        dataset={
            "kind": "csv",
            "upload": up["id"],
            "label": "cls",
            "train_fraction": 0.7,
            "seed": 7,
        },
        layers=[],
    )
    dataset = created["dataset"]
    assert dataset["task"] == "binary" and dataset["n_x"] == 3
    assert (dataset["m_train"], dataset["m_test"]) == (42, 18)
    assert dataset["plottable"] is False
    assert dataset["train"] is None and dataset["test"] is None
    assert created["network"]["inputs_shown"] == 3
    source = dataset["source"]
    assert source["kind"] == "csv" and source["files"] == ["measures.csv"]
    assert source["label"] == "cls" and source["label_names"] == ["no", "yes"]
    assert source["feature_names"] == ["a", "b", "c"]
    # The mean and std of the raw columns over the training rows, recomputed from the text.
    rows = list(csv.reader(io.StringIO(text)))[1:]
    raw = np.array([[float(v) for v in row[:3]] for row in rows]).T
    train = np.random.default_rng(7).permutation(60)[: round(0.7 * 60)]
    standardization = source["standardization"]
    assert standardization["feature_names"] == ["a", "b", "c"]
    np.testing.assert_allclose(standardization["mean"], raw[:, train].mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(standardization["std"], raw[:, train].std(axis=1), rtol=1e-5)
    assert not np.allclose(standardization["mean"], raw.mean(axis=1), rtol=1e-5)  # not all rows


def test_csv_frames_carry_confusion_tables_consistent_with_accuracy(client, peer):
    text = table(m=60)
    up = upload(client, "measures.csv", text.encode())
    created = peer.create(
        dataset={"kind": "csv", "upload": up["id"], "label": "cls"},
        layers=[{"units": 3, "activation": "tanh"}],
        learning_rate=0.5,
    )
    run, m_train, m_test = created["run"], 48, 12
    assert (created["dataset"]["m_train"], created["dataset"]["m_test"]) == (m_train, m_test)
    first, arrays = peer.frame(run)
    assert set(arrays) == {"costs"}  # not plottable: no boundary
    peer.send(type="step", runs=[run], n=60)
    last, _ = peer.frame(run, until=lambda h: h["iteration"] == 60)
    # Rows are the actual classes ("no" = 0, "yes" = 1) of each split, columns the predicted.
    labels = np.array([row[-1] == "yes" for row in csv.reader(io.StringIO(text))][1:])
    split = np.random.default_rng(0).permutation(60)
    actual_train = np.bincount(labels[split[:m_train]], minlength=2)
    actual_test = np.bincount(labels[split[m_train:]], minlength=2)
    for header in (first, last):
        confusion = header["confusion"]
        train, test = np.array(confusion["train"]), np.array(confusion["test"])
        assert train.shape == test.shape == (2, 2)
        assert train.sum() == m_train and test.sum() == m_test
        np.testing.assert_array_equal(train.sum(axis=1), actual_train)
        np.testing.assert_array_equal(test.sum(axis=1), actual_test)
        assert np.trace(train) / m_train == pytest.approx(header["train_accuracy"])
        assert np.trace(test) / m_test == pytest.approx(header["test_accuracy"])
    assert last["train_accuracy"] > 0.8  # a nearly linear rule: it learns


def test_a_csv_run_with_two_features_is_plottable_and_draws_a_boundary(client, peer):
    up = upload(client, "plane.csv", plane_table(m=40).encode())
    assert up["label"] == "label"
    created = peer.create(dataset={"kind": "csv", "upload": up["id"], "label": "label"})
    dataset = created["dataset"]
    assert dataset["plottable"] is True and dataset["n_x"] == 2
    assert len(dataset["train"]["x1"]) == dataset["m_train"] == 32
    assert len(dataset["test"]["x2"]) == dataset["m_test"] == 8
    # the points travel standardized, with the training split's mean and std
    train_x1 = np.array(dataset["train"]["x1"])
    assert abs(train_x1.mean()) < 1e-4 and train_x1.std() == pytest.approx(1, abs=1e-4)
    header, arrays = peer.frame(created["run"])
    assert arrays["boundary"].shape == (40, 40)
    assert "confusion" not in header


def test_a_multiclass_csv_has_a_confusion_table_per_class(client, peer):
    rng = np.random.default_rng(3)
    rows = [
        f"{a:.3f},{b:.3f},{c:.3f},{k}"
        for (a, b, c), k in zip(
            rng.normal(size=(30, 3)), ["setosa", "versicolor", "virginica"] * 10, strict=True
        )
    ]
    up = upload(client, "iris.csv", ("a,b,c,species\n" + "\n".join(rows)).encode())
    assert (up["label"], up["task"]) == ("species", "multiclass")
    created = peer.create(dataset={"kind": "csv", "upload": up["id"], "label": "species"})
    source = created["dataset"]["source"]
    assert source["label_names"] == ["setosa", "versicolor", "virginica"]
    assert created["network"]["layer_dims"][-1] == 3
    header, _ = peer.frame(created["run"])
    train = np.array(header["confusion"]["train"])
    assert train.shape == (3, 3) and train.sum() == 24
    assert np.trace(train) / 24 == pytest.approx(header["train_accuracy"])


def test_a_regression_csv_has_neither_confusion_nor_boundary(client, peer):
    up = upload(client, "prices.csv", b"x1,x2,x3,price\n1,2,3,1.5\n2,1,0,2.25\n3,5,1,7.5\n")
    assert up["task"] == "regression"
    created = peer.create(dataset={"kind": "csv", "upload": up["id"], "label": "price"})
    assert created["dataset"]["source"]["label_names"] is None
    header, arrays = peer.frame(created["run"])
    assert "confusion" not in header and set(arrays) == {"costs"}
    assert header["train_accuracy"] is None


RATINGS = b"a,b,stars\n" + b"\n".join(
    f"{i % 7},{(i * 3) % 5},{1 + i % 4}".encode() for i in range(40)
)
"""Four whole-number labels 1 … 4: a guess makes them classes; regression may be chosen."""


def test_the_csv_task_can_be_chosen_in_the_run_config(client, peer):
    up = upload(client, "ratings.csv", RATINGS)
    assert up["task"] == "multiclass"  # the guess
    data = {"kind": "csv", "upload": up["id"], "label": "stars"}
    guessed = peer.create(dataset=data)
    assert guessed["dataset"]["task"] == "multiclass" and guessed["dataset"]["n_classes"] == 4
    assert guessed["config"]["dataset"]["task"] is None
    chosen = peer.create(dataset={**data, "task": "regression"})
    assert chosen["config"]["dataset"]["task"] == "regression"
    assert chosen["dataset"]["task"] == "regression" and chosen["dataset"]["n_classes"] is None
    assert chosen["network"]["activations"][-1] == "linear"
    assert chosen["dataset"]["source"]["label_names"] is None
    header, _ = peer.frame(chosen["run"])
    assert header["train_accuracy"] is None and "confusion" not in header
    classes = peer.create(dataset={**data, "task": "classes"})
    assert classes["dataset"]["task"] == "multiclass"
    assert classes["dataset"]["source"]["label_names"] == ["1", "2", "3", "4"]
    binary = upload(client, "two.csv", table(m=20).encode())
    two = peer.create(
        dataset={"kind": "csv", "upload": binary["id"], "label": "cls", "task": "classes"}
    )
    assert two["dataset"]["task"] == "binary" and two["network"]["activations"][-1] == "sigmoid"


def test_an_impossible_csv_task_is_refused_naming_the_task(client, peer):
    up = upload(client, "measures.csv", table(m=20).encode())  # labels "yes" / "no"
    data = {"kind": "csv", "upload": up["id"], "label": "cls"}
    error = refusal(peer, dataset={**data, "task": "regression"})
    assert error["code"] == "invalid"
    item = error["errors"][0]
    assert (item["field"], item["rule"], item["column"]) == ("config.dataset.task", "task", "cls")
    assert (
        "is not a number" in error["message"]
        and "regression label must be numeric" in (error["message"])
    )
    ratings = upload(client, "ratings.csv", RATINGS)
    error = refusal(
        peer, dataset={"kind": "csv", "upload": ratings["id"], "label": "stars", "task": "binary"}
    )
    assert error["errors"][0]["field"] == "config.dataset.task"
    assert "4 different values; a binary label needs exactly two" in error["message"]
    error = refusal(peer, dataset={**data, "task": "ranking"})
    assert error["errors"][0]["field"] == "config.dataset.task"


def test_a_label_that_leaves_a_text_feature_names_its_row_and_column(client, peer):
    up = upload(client, "measures.csv", table(m=20).encode())
    error = refusal(peer, dataset={"kind": "csv", "upload": up["id"], "label": "b"})
    assert error["code"] == "invalid"
    item = error["errors"][0]
    assert item["field"] == "config.dataset.upload" and item["rule"] == "file"
    assert (item["row"], item["column"]) == (2, "cls")
    assert "row 2" in error["message"] and "'cls'" in error["message"]


def test_an_unknown_upload_id_is_refused(peer):
    error = refusal(peer, dataset={"kind": "csv", "upload": "no-such-file", "label": "y"})
    item = error["errors"][0]
    assert (item["field"], item["rule"]) == ("config.dataset.upload", "unknown_upload")
    assert "upload it again" in error["message"]


def test_an_upload_of_the_wrong_kind_is_refused(client, peer):
    images = upload(client, "set.npz", npz(**synthetic_images(m_train=4, m_test=2, size=4)))
    error = refusal(peer, dataset={"kind": "csv", "upload": images["id"], "label": "y"})
    assert error["errors"][0]["rule"] == "upload_kind" and "image set" in error["message"]
    table_up = upload(client, "t.csv", table(m=10).encode())
    error = refusal(peer, dataset={"kind": "images", "uploads": [table_up["id"]]})
    item = error["errors"][0]
    assert (item["field"], item["rule"]) == ("config.dataset.uploads.0", "upload_kind")


# --- runs on image sets -----------------------------------------------------------------------


def test_the_built_in_image_example_streams_a_gallery_then_frames(peer):
    created = peer.create(
        dataset={"kind": "images"}, layers=[{"units": 3, "activation": "tanh"}], seed=5
    )
    run = created["run"]
    n_x = 16 * 16 * 3
    assert created["network"]["layer_dims"] == [n_x, 3, 1]
    assert created["network"]["inputs_shown"] == 1 and n_x > DIAGRAM_MAX_INPUTS
    dataset = created["dataset"]
    assert (dataset["m_train"], dataset["m_test"]) == (80, 40)
    assert dataset["plottable"] is False and dataset["train"] is None
    source = dataset["source"]
    assert source["kind"] == "images" and source["files"] == []
    assert source["image_shape"] == [16, 16, 3] and source["pixel_scale"] == 255.0
    assert source["gallery_split"] == "test" and len(source["label_names"]) == 2

    messages = binaries(peer, run, until=lambda h: True)
    gallery, images = messages[0]
    assert gallery["type"] == "gallery"  # once, before the run's first frame
    assert [h["type"] for h, _ in messages] == ["gallery", "frame"]
    test_x = synthetic_images(**EXAMPLE_IMAGES)["test_set_x"][:GALLERY]
    test_y = synthetic_images(**EXAMPLE_IMAGES)["test_set_y"][:GALLERY]
    assert images["images"].dtype == np.uint8 and images["images"].shape == (GALLERY, 16, 16, 3)
    np.testing.assert_array_equal(images["images"], test_x)
    assert gallery["labels"] == test_y.tolist() and gallery["split"] == "test"
    assert gallery["label_names"] == source["label_names"]

    # The frame's gallery blob: each image's predicted class and its probability, as the
    # same network (same seed) predicts them.
    frame, arrays = messages[1]
    predictions = arrays["gallery"]
    assert predictions.dtype == np.float32 and predictions.shape == (2, GALLERY)
    net = Network([n_x, 3, 1], ["tanh", "sigmoid"], init="random", init_scale=0.01, seed=5)
    p = net.forward(test_x.reshape(GALLERY, -1).T / 255.0)[0]
    np.testing.assert_allclose(predictions[1], np.maximum(p, 1 - p), rtol=1e-6)
    np.testing.assert_array_equal(predictions[0], (p > 0.5).astype(np.float32))
    assert "confusion" in frame and "boundary" not in arrays

    # The detail: W1 travels as its rows' norms, one per hidden unit; the rest as they are.
    _detail, blobs = peer.frame(run, kind="detail")
    theta = blobs["parameters"]
    assert theta.shape == (3 * 1 + 1 * 3 + 3 + 1,)
    assert (theta[:3] >= 0).all()
    np.testing.assert_allclose(theta[:3], np.linalg.norm(net.weights[0], axis=1), rtol=1e-6)
    np.testing.assert_allclose(theta[3:6], net.weights[1].ravel(), rtol=1e-6)

    # Later frames carry predictions, never the gallery again.
    peer.send(type="step", runs=[run], n=5)
    later = binaries(peer, run, until=lambda h: h["iteration"] == 5)
    assert all(h["type"] in ("frame", "detail") for h, _ in later)
    assert all(a["gallery"].shape == (2, GALLERY) for h, a in later if h["type"] == "frame")


def test_logistic_regression_learns_the_built_in_image_example(peer):
    run = peer.create(dataset={"kind": "images"}, layers=[], learning_rate=0.005)["run"]
    first, _ = peer.frame(run)
    assert first["test_accuracy"] < 0.85
    peer.send(type="step", runs=[run], n=300)
    header, arrays = peer.frame(run, until=lambda h: h["iteration"] == 300)
    assert header["test_accuracy"] > 0.85 and header["train_accuracy"] > 0.85
    test = np.array(header["confusion"]["test"])
    assert test.sum() == 40 and np.trace(test) / 40 == pytest.approx(header["test_accuracy"])
    confidence = arrays["gallery"][1]
    assert ((confidence >= 0.5) & (confidence <= 1)).all()
    _detail, blobs = peer.frame(run, kind="detail")
    assert blobs["parameters"].shape == (2,) and blobs["parameters"][0] > 0  # ‖W1‖, b1


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_run_on_uploaded_train_and_test_files(client, peer, order):
    arrays = synthetic_images(m_train=30, m_test=16, size=8, seed=4)
    files = [
        (
            "train.npz",
            npz(
                train_set_x=arrays["train_set_x"],
                train_set_y=arrays["train_set_y"],
                list_classes=np.array(["dark", "bright"]),
            ),
        ),
        ("test.npz", npz(test_set_x=arrays["test_set_x"], test_set_y=arrays["test_set_y"])),
    ]
    ups = [upload(client, name, body) for name, body in files]
    assert ups[0]["arrays"]["train_set_x"] == [30, 8, 8, 3]
    assert ups[1]["arrays"] == {"test_set_x": [16, 8, 8, 3], "test_set_y": [16]}
    ids = [ups[i]["id"] for i in order]
    created = peer.create(dataset={"kind": "images", "uploads": ids}, layers=[])
    assert created["network"]["layer_dims"] == [192, 1]
    assert created["network"]["inputs_shown"] == 1
    dataset = created["dataset"]
    assert (dataset["m_train"], dataset["m_test"]) == (30, 16)
    assert dataset["name"] == "train"
    assert dataset["source"]["files"] == [files[i][0] for i in order]
    assert dataset["source"]["label_names"] == ["dark", "bright"]
    (gallery, images), (frame, blobs) = binaries(peer, created["run"], until=lambda h: True)
    assert gallery["type"] == "gallery" and frame["type"] == "frame"
    np.testing.assert_array_equal(images["images"], arrays["test_set_x"][:GALLERY])
    assert gallery["labels"] == arrays["test_set_y"][:GALLERY].tolist()
    assert blobs["gallery"].shape == (2, GALLERY)
    assert np.array(frame["confusion"]["test"]).sum() == 16


def test_a_run_on_an_uploaded_h5_file(client, peer):
    arrays = synthetic_images(m_train=20, m_test=6, size=4, seed=3)
    classes = np.array([b"dark centre", b"bright centre"])
    up = upload(client, "cats.h5", h5(**{**arrays, "list_classes": classes}))
    created = peer.create(dataset={"kind": "images", "uploads": [up["id"]]}, layers=[])
    assert created["dataset"]["source"]["label_names"] == ["dark centre", "bright centre"]
    assert (created["dataset"]["m_train"], created["dataset"]["m_test"]) == (20, 6)
    (gallery, images), _ = binaries(peer, created["run"], until=lambda h: True)
    np.testing.assert_array_equal(images["images"], arrays["test_set_x"])
    assert gallery["labels"] == arrays["test_set_y"].tolist()


def test_an_image_set_over_the_input_limit_is_refused_at_create(small):
    with small.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        error = refusal(peer, dataset={"kind": "images"})  # 16·16·3 = 768 inputs
        assert error["code"] == "limit" and error["limit"] == SMALL.max_image_inputs
        assert error["errors"][0]["field"] == "config.dataset.uploads"


def test_the_same_file_twice_is_refused(client, peer):
    up = upload(client, "set.npz", npz(**synthetic_images(m_train=4, m_test=2, size=4)))
    error = refusal(peer, dataset={"kind": "images", "uploads": [up["id"], up["id"]]})
    assert error["errors"][0]["rule"] == "duplicate"


# --- runs on drawn points ---------------------------------------------------------------------


def test_a_run_on_drawn_points_trains_on_exactly_those_points(peer):
    points_drawn = drawn(m=30)
    created = peer.create(dataset=points_drawn)
    dataset = created["dataset"]
    assert dataset["bounds"] == [-6.0, 6.0, -6.0, 6.0]
    assert dataset["plottable"] is True and dataset["source"] == {"kind": "drawn"}
    assert (dataset["m_train"], dataset["m_test"]) == (24, 6)
    expected = sorted(
        zip(points_drawn["x1"], points_drawn["x2"], map(float, points_drawn["y"]), strict=True)
    )
    assert points(dataset) == expected
    header, arrays = peer.frame(created["run"])
    assert arrays["boundary"].shape == (40, 40) and "confusion" not in header


def test_drawn_points_of_three_classes_make_a_softmax_run(peer):
    points_drawn = drawn(m=12, n_classes=3)
    points_drawn["y"][2] = 2
    created = peer.create(dataset=points_drawn)
    assert created["dataset"]["task"] == "multiclass" and created["dataset"]["n_classes"] == 3
    assert created["network"]["layer_dims"][-1] == 3


@pytest.mark.parametrize("y", [[0] * 6, [1] * 6])
def test_drawn_points_of_one_class_are_refused_clearly(peer, y):
    error = refusal(peer, dataset={**drawn(m=6), "y": y})
    assert error["code"] == "invalid"
    assert error["message"] == "draw points of at least two classes to train on"
    assert error["errors"][0]["field"] == "config.dataset.y"


def test_more_drawn_points_than_the_limit_are_refused(peer):
    error = refusal(peer, dataset=drawn(m=MAX_DRAWN + 1))
    assert error["code"] == "limit" and error["limit"] == MAX_DRAWN
    assert error["errors"][0]["field"] == "config.dataset.y"
    assert peer.create(dataset=drawn(m=MAX_DRAWN))["dataset"]["m_train"] == 32


def test_a_drawn_class_beyond_n_classes_is_invalid(peer):
    points_drawn = drawn(m=6)
    points_drawn["y"][3] = 2
    error = refusal(peer, dataset=points_drawn)
    assert error["code"] == "invalid" and "point 3 has class 2" in error["message"]
    assert error["errors"][0]["field"] == "config.dataset"


# --- the live `data` message ------------------------------------------------------------------

TRAINABLE = {"layers": [{"units": 3, "activation": "tanh"}], "learning_rate": 0.5}


def test_new_points_keep_the_network_and_its_progress(peer):
    run = peer.create(dataset=drawn(m=30), **TRAINABLE)["run"]
    peer.frame(run)
    _, initial = peer.frame(run, kind="detail")
    peer.send(type="step", runs=[run], n=100)
    before, _ = peer.frame(run, until=lambda h: h["iteration"] == 100)
    _, trained = peer.frame(run, kind="detail")
    assert not np.array_equal(trained["parameters"], initial["parameters"])

    new = drawn(m=25, seed=9, shift=2.0)
    peer.send(type="data", runs=[run], dataset=new, ref="d1")
    ack, after, replaced = answer_frame_and_detail(peer, "data", run, before["seq"])
    assert ack["ref"] == "d1" and ack["runs"] == [run]
    summary = ack["dataset"]
    assert (summary["m_train"], summary["m_test"]) == (20, 5)
    assert points(summary) == sorted(zip(new["x1"], new["x2"], map(float, new["y"]), strict=True))
    # The same parameters (paused: nothing trained), now scored on the new points.
    assert after["iteration"] == 100 and after["status"] == "paused"
    assert after["train_cost"] != before["train_cost"]
    np.testing.assert_array_equal(replaced["parameters"], trained["parameters"])

    # Training goes on from iteration 101, on the new points: their cost falls.
    peer.send(type="step", runs=[run], n=50)
    header, arrays = peer.frame(run, until=lambda h: h["iteration"] == 150)
    assert header["costs_from"] + len(arrays["costs"]) - 1 == 150
    assert header["costs_from"] > 100
    assert header["train_cost"] < after["train_cost"]


def test_new_points_while_playing_do_not_reset_the_iteration(peer):
    run = peer.create(dataset=drawn(m=30), **TRAINABLE)["run"]
    peer.send(type="play", runs=[run])
    playing, _ = peer.frame(run, until=lambda h: h["iteration"] >= 30)
    peer.send(type="data", runs=[run], dataset=drawn(m=20, seed=4))
    ack, _ = peer.expect("data", run, until=lambda h: h["seq"] > playing["seq"])
    assert ack["dataset"]["m_train"] == 16
    header, _ = peer.frame(run, until=lambda h: h["seq"] > playing["seq"] + 2)
    assert header["iteration"] > playing["iteration"] and header["status"] == "running"
    peer.send(type="pause", runs=[run])


def test_new_points_for_a_built_in_dataset_are_refused(peer):
    run = peer.create(dataset={"name": "moons", "size": 50})["run"]
    peer.send(type="data", runs=[run], dataset=drawn(m=10))
    error = peer.reply()
    assert error["type"] == "error" and error["code"] == "invalid"
    assert "drawn points" in error["message"]


@pytest.mark.parametrize("change", [{"n_classes": 3}, {"features": ["x1_squared"]}])
def test_new_points_must_keep_the_classes_and_inputs(peer, change):
    run = peer.create(dataset=drawn(m=10))["run"]
    peer.send(type="data", runs=[run], dataset=drawn(m=10, seed=2, **change))
    error = peer.reply()
    assert error["type"] == "error"
    assert error["errors"][0]["rule"] == "same_inputs"


def test_new_points_are_checked_like_drawn_points(peer):
    run = peer.create(dataset=drawn(m=10))["run"]
    peer.send(type="data", runs=[run], dataset=drawn(m=MAX_DRAWN + 1))
    error = peer.reply()
    assert error["code"] == "limit" and error["errors"][0]["field"] == "dataset.y"
    peer.send(type="data", runs=[run], dataset={**drawn(m=4), "y": [1, 1, 1, 1]})
    error = peer.reply()
    assert error["code"] == "invalid" and "two classes" in error["message"]
    peer.send(type="data", runs=[run], dataset={"kind": "builtin", "name": "moons"})
    assert peer.reply()["code"] == "invalid"  # only drawn points travel in `data`


@pytest.mark.parametrize("source", ["hello", "options"])
def test_the_data_limits_are_announced(client, peer, settings, source):
    limits = (
        peer.hello["limits"] if source == "hello" else client.get("/api/options").json()["limits"]
    )
    assert limits["max_drawn_points"] == MAX_DRAWN
    for name in ("max_csv_bytes", "max_csv_rows", "max_csv_columns", "max_image_bytes"):
        assert limits[name] == getattr(settings, name)


def test_options_describe_the_drawing_plane(client):
    options = client.get("/api/options").json()
    assert options["draw_bounds"] == [-6.0, 6.0, -6.0, 6.0]
    assert options["max_drawn_classes"] == 6
    drawn_points = drawn(m=12, n_classes=6)
    drawn_points["y"][2:6] = [2, 3, 4, 5]
    config = {"dataset": drawn_points, "layers": []}
    result = client.post("/api/train", json={"config": config, "iterations": 1}).json()
    assert np.array(result["parameters"]["W1"]).shape == (6, 2)


# --- POST /api/train on the user's data -------------------------------------------------------


def test_headless_training_on_the_built_in_image_example(client):
    config = {"dataset": {"kind": "images"}, "layers": [], "learning_rate": 0.005}
    response = client.post("/api/train", json={"config": config, "iterations": 300})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "finished" and result["iterations"] == 300
    assert result["test_accuracy"] > 0.85
    assert np.array(result["parameters"]["W1"]).shape == (1, 768)  # the full W1 here


def test_headless_training_on_drawn_points(client):
    points_drawn = drawn(m=30)
    config = {"dataset": points_drawn, "layers": [{"units": 3}], "learning_rate": 0.5}
    result = client.post("/api/train", json={"config": config, "iterations": 200}).json()
    assert result["status"] == "finished" and len(result["costs"]) == 200
    assert result["costs"][-1] < result["costs"][0]
    assert np.array(result["parameters"]["W1"]).shape == (3, 2)


def test_headless_training_on_an_uploaded_csv_and_its_errors(client):
    up = upload(client, "measures.csv", table(m=40).encode())
    config = {"dataset": {"kind": "csv", "upload": up["id"], "label": "cls"}, "layers": []}
    result = client.post("/api/train", json={"config": config, "iterations": 50}).json()
    assert result["status"] == "finished"
    assert np.array(result["parameters"]["W1"]).shape == (1, 3)
    config["dataset"]["label"] = "a"
    response = client.post("/api/train", json={"config": config, "iterations": 5})
    error = refused(response)
    assert error["field"] == "config.dataset.upload"
    assert (error["row"], error["column"]) == (2, "cls")
    config["dataset"]["upload"] = "gone"
    error = refused(client.post("/api/train", json={"config": config, "iterations": 5}))
    assert error["rule"] == "unknown_upload"


def test_the_error_body_is_valid_json_with_row_and_column_only_where_known(client):
    response = post_file(client, "bad.csv", b"x1,x2,y\n1,2,0\n3,4\n")
    body = json.loads(response.text)
    assert set(body["errors"][0]) == {"field", "rule", "message", "limit", "row"}
