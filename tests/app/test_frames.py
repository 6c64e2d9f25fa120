"""The binary frame's layout (app/frames.py, docs/protocol.md): what a client reads back."""

from __future__ import annotations

import json
import struct

import numpy as np

from app import frames


def layout(message: bytes) -> tuple[dict, list[dict]]:
    """The header and its blob table, read as a client does."""
    assert message[:4] == frames.MAGIC
    (length,) = struct.unpack_from("<I", message, 4)
    header = json.loads(message[8 : 8 + length])
    return header, header["blobs"]


def test_blobs_start_on_four_byte_boundaries_and_read_back_whole():
    rng = np.random.default_rng(0)
    costs = frames.Blob.of("costs", rng.random(7).astype(np.float32))
    boundary = frames.Blob.of(
        "boundary", rng.integers(0, 256, (5, 5), dtype=np.uint8), encoding="linear", lo=0, hi=1
    )
    header = {"type": "frame", "run": 'r\u00e9 "<b>"', "seq": 3}
    message = frames.encode(header, [costs, boundary])
    header, table = layout(message)
    assert header["run"] == 'r\u00e9 "<b>"' and header["seq"] == 3
    assert [entry["name"] for entry in table] == ["costs", "boundary"]
    assert table[1] == {
        "name": "boundary", "offset": table[1]["offset"], "length": 25, "dtype": "uint8",
        "shape": [5, 5], "encoding": "linear", "lo": 0, "hi": 1,
    }  # fmt: skip
    for entry in table:
        assert entry["offset"] % 4 == 0
    assert table[1]["offset"] >= table[0]["offset"] + 28
    _, arrays = frames.decode(message)
    assert arrays["costs"].tobytes() == costs.data
    assert arrays["boundary"].tobytes() == boundary.data


def test_a_blob_sent_in_many_frames_is_placed_by_each_frame_s_own_header():
    # A boundary travels in many frames' tables (its table entry is written once): each frame
    # puts it after its own header, however long that is.
    boundary = frames.Blob.of("boundary", np.arange(100, dtype=np.uint8).reshape(10, 10))
    offsets = set()
    for text in ("", "x" * 9, "y" * 1000):
        costs = frames.Blob.of("costs", np.ones(3, np.float32))
        message = frames.encode({"message": text}, [costs, boundary])
        header, arrays = frames.decode(message)
        assert header["message"] == text
        assert arrays["boundary"].tolist() == np.arange(100).reshape(10, 10).tolist()
        assert arrays["costs"].tolist() == [1.0, 1.0, 1.0]
        offsets.add(layout(message)[1][1]["offset"])
    assert len(offsets) == 3
