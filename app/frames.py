"""The binary frame: how a run's live state travels to the browser (see docs/protocol.md).

    offset 0   4 bytes   magic b"NNPF"
    offset 4   uint32 LE H, the length of the header
    offset 8   H bytes   UTF-8 JSON header (scalars, and a `blobs` table)
    then       the blobs, each starting at a multiple of 4 bytes from the start of the message

Each entry of `header["blobs"]` is {"name", "dtype", "shape", "offset", "length", ...}: `offset`
counts from the start of the message, so a client reads a blob with
`new Uint8Array(buffer, offset, length)` (or Float32Array(buffer, offset, length / 4)).

Grids are quantized to uint8 — q = round(255 · (v - lo) / (hi - lo)), v ≈ lo + q (hi - lo) / 255
— which is ample for a heatmap and makes a 100 × 100 boundary 10 KB. They are encoded once, in
the training thread, when the frame is built; the event loop only sends bytes.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

MAGIC = b"NNPF"
BLOB_DTYPES = {np.dtype(np.uint8): "uint8", np.dtype(np.float32): "float32"}
"""The dtypes a blob may hold, and their names in the header."""
_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
"""Compact JSON, NaN refused: `json.dumps` with these options, without building an encoder for
each call (a frame writes two or three JSON texts, 30 times a second)."""


@dataclass
class Blob:
    """One binary section: its bytes and what the header says about them."""

    name: str
    data: bytes
    meta: dict
    _entry: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def entry(self) -> tuple[str, str]:
        """Its entry in a header's blob table as JSON, around the offset: the text before the
        offset and the text after it (`"length"` and the meta), written once per blob (a
        boundary travels in many frames' tables)."""
        if self._entry is None:
            meta = _JSON(self.meta)[1:-1]
            head = '{"name":' + _JSON(self.name) + ',"offset":'
            self._entry = (head, f',"length":{len(self.data)}' + ("," + meta if meta else "") + "}")
        return self._entry

    @classmethod
    def of(cls, name: str, array: np.ndarray, **meta) -> Blob:
        """A blob of a uint8 or float32 array (C order), its dtype and shape recorded."""
        dtype = BLOB_DTYPES.get(array.dtype)
        if dtype is None:
            raise TypeError(f"blob {name!r}: only uint8 and float32 travel, got {array.dtype}")
        return cls(name, array.tobytes(order="C"), {"dtype": dtype, "shape": array.shape, **meta})


def quantize(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """uint8 codes of `values` on [lo, hi]; NaN becomes 0, ±inf the ends.

    Three passes over the grid in the usual case (scale, round, clip) and one conversion: a
    frame quantizes its boundary 30 times a second. NaN, which only a diverging network gives,
    is looked for once (in the sum) and cleaned only when present."""
    span = hi - lo if hi > lo else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        if lo == 0.0:
            scaled = np.multiply(values, np.float32(255.0 / span), dtype=np.float32)
        else:
            scaled = np.subtract(values, np.float32(lo), dtype=np.float32)
            scaled *= np.float32(255.0 / span)
        np.rint(scaled, out=scaled)
        np.clip(scaled, 0, 255, out=scaled)  # ±inf: the ends
        if np.isnan(np.add.reduce(scaled, axis=None)):
            np.nan_to_num(scaled, copy=False, nan=0.0)
    return scaled.astype(np.uint8)


def quantize_boundary(output: np.ndarray, task: str) -> Blob:
    """The decision boundary as one uint8 grid (r, r).

    binary: P(y = 1) on [0, 1] — from a sigmoid (r, r) or a two-unit softmax (2, r, r).
    regression: the value on [lo, hi] (given in the blob's meta).
    multiclass: output (C, r, r) probabilities packed as q = class · K + level, K = 256 // C,
    level = round((K - 1) · (p_max - 1/C) / (1 - 1/C)): the winning class and its confidence.
    """
    if task == "binary" and output.ndim == 3:
        output = output[1]  # a softmax over the two classes: P(y = 1)
    if task == "multiclass":
        C = output.shape[0]
        K = 256 // C
        winner = output.argmax(axis=0)
        confidence = output.max(axis=0)
        level = np.rint((K - 1) * np.clip((confidence - 1 / C) / (1 - 1 / C), 0, 1))
        codes = (winner * K + level).astype(np.uint8)
        return Blob.of("boundary", codes, encoding="class-confidence", classes=C, levels=K)
    if task == "regression":
        finite = output[np.isfinite(output)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        return Blob.of("boundary", quantize(output, lo, hi), encoding="linear", lo=lo, hi=hi)
    return Blob.of("boundary", quantize(output, 0.0, 1.0), encoding="linear", lo=0.0, hi=1.0)


def boundary_scale(output: np.ndarray, task: str) -> list[tuple[np.ndarray, float]] | None:
    """The values `quantize_boundary` codes and how many codes one unit of them spans (for
    app/pictures.py to measure how fast the boundary moves); None for a regression, whose codes
    follow the range of its own values."""
    if task == "binary":
        return [(output[1] if output.ndim == 3 else output, 255.0)]
    if task == "multiclass":  # the confidence's levels
        C = output.shape[0]
        return [(output, (256 // C - 1) / (1 - 1 / C))]
    return None


ACTIVATION_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def maps_scale(
    maps: Sequence[np.ndarray], activations: Sequence[str]
) -> list[tuple[np.ndarray, float]] | None:
    """As `boundary_scale`, for `quantize_maps`: None unless every layer has a fixed range."""
    if not all(activation in ACTIVATION_RANGES for activation in activations):
        return None
    return [
        (A, 255.0 / (ACTIVATION_RANGES[a][1] - ACTIVATION_RANGES[a][0]))
        for A, a in zip(maps, activations, strict=True)
    ]


def quantize_maps(maps: Sequence[np.ndarray], activations: Sequence[str]) -> Blob:
    """Every hidden unit's map, all layers stacked: uint8 (Σ n[l], r, r).

    Each unit k has its own range lo[k], hi[k] (the activation's range for sigmoid and tanh, the
    map's own min and max otherwise), given in the meta as lists. One layer is quantized at once
    (a 6 × 64 network has 384 maps: unit by unit took ~10 ms a frame).
    """
    codes, los, his = [], [], []
    for A, activation in zip(maps, activations, strict=True):
        n = A.shape[0]
        if activation in ACTIVATION_RANGES:  # the usual case: one range for the whole layer
            lo, hi = ACTIVATION_RANGES[activation]
            codes.append(quantize(A, lo, hi))
            los += [lo] * n
            his += [hi] * n
            continue
        flat = A.reshape(n, -1)
        finite = np.isfinite(flat)
        lo = np.where(finite, flat, np.inf).min(axis=1).astype(np.float64)
        hi = np.where(finite, flat, -np.inf).max(axis=1).astype(np.float64)
        none = ~finite.any(axis=1)
        lo[none], hi[none] = 0.0, 1.0
        span = np.where(hi > lo, hi - lo, 1.0)
        shape = (n,) + (1,) * (A.ndim - 1)
        with np.errstate(invalid="ignore"):
            scaled = (A - lo.astype(np.float32).reshape(shape)) * (255.0 / span).astype(
                np.float32
            ).reshape(shape)
        np.nan_to_num(scaled, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
        np.clip(scaled, 0, 255, out=scaled)
        codes.append(np.rint(scaled, out=scaled).astype(np.uint8))
        los += [round(float(v), 6) for v in lo]
        his += [round(float(v), 6) for v in hi]
    return Blob.of("maps", np.concatenate(codes), encoding="linear", lo=los, hi=his)


def encode(header: dict, blobs: Sequence[Blob]) -> bytes:
    """One binary frame: magic, header length, JSON header, 4-byte-aligned blobs."""
    return encode_json(header_json(header), blobs)


def header_json(header: dict) -> str:
    """A frame header's JSON text (compact; NaN refused): what `encode_json` takes."""
    if "blobs" in header:
        raise ValueError("a frame header's `blobs` is the encoder's own")
    return _JSON(header)


def encode_json(body: str, blobs: Sequence[Blob]) -> bytes:
    """`encode` of a header already written as JSON (`header_json`): a run's frame is written
    to JSON once and encoded for its viewers with only their `costs_from` added to the text.

    Only the small blob table, whose offsets depend on the header's own length, is written
    again until that length settles."""
    opening = (body[:-1] + "," if len(body) > 2 else "{") + '"blobs":'
    # Offsets depend on the header's own length, which depends on the offsets: lay the blobs
    # out relative to the blob section, then shift by the (padded) header length.
    entries, position = [], 0
    for blob in blobs:
        entries.append((position, *blob.entry()))
        position += (len(blob.data) + 3) & ~3
    shift = 0
    for _ in range(3):  # the header length settles in at most two passes
        table = ",".join([f"{head}{shift + offset}{tail}" for offset, head, tail in entries])
        raw = (opening + "[" + table + "]}").encode()
        start = (8 + len(raw) + 3) & ~3
        if start == shift:
            break
        shift = start
    parts = [MAGIC, struct.pack("<I", len(raw)), raw, b" " * (shift - 8 - len(raw))]
    for blob in blobs:
        parts.append(blob.data)
        parts.append(b"\0" * (-len(blob.data) % 4))
    return b"".join(parts)


def decode(message: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and the blobs (as arrays, still quantized) of a frame: for tests and clients."""
    if message[:4] != MAGIC:
        raise ValueError("not an nnplay frame")
    (length,) = struct.unpack_from("<I", message, 4)
    header = json.loads(message[8 : 8 + length])
    arrays = {}
    for entry in header["blobs"]:
        data = message[entry["offset"] : entry["offset"] + entry["length"]]
        arrays[entry["name"]] = np.frombuffer(data, dtype=entry["dtype"]).reshape(entry["shape"])
    return header, arrays
