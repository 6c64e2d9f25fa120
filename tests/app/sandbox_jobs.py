"""Jobs that misbehave, run by the sandbox's children in tests (`Sandbox(jobs_module=...)`).

Each does what a parser taken over by a hostile file might: crash, allocate without end, spin,
read or write the server's files, open a connection, flood its answer.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket

from app.parsing import JOBS as PARSING_JOBS


def segfault(files, options):
    ctypes.string_at(0)  # reads address 0: SIGSEGV
    return b""


def allocate(files, options):
    blocks = []
    while True:
        blocks.append(bytearray(50_000_000))


def spin(files, options):
    while True:
        pass


def read_file(files, options):
    with open(options["path"], "rb") as f:
        return f.read()


def write_file(files, options):
    with open(options["path"], "wb") as f:
        f.write(b"written by a sandboxed parse")
    return b"wrote"


def connect(files, options):
    with socket.create_connection(("127.0.0.1", options["port"]), timeout=2):
        return b"connected"


def flood(files, options):
    chunk = b"x" * 1_000_000
    while True:
        os.write(1, chunk)


def echo(files, options):
    return json.dumps({name: len(data) for name, data in files.items()}).encode()


JOBS = {
    "segfault": segfault,
    "allocate": allocate,
    "spin": spin,
    "read_file": read_file,
    "write_file": write_file,
    "connect": connect,
    "flood": flood,
    "echo": echo,
    # An app whose uploads crash the parser, whatever they hold.
    **dict.fromkeys(PARSING_JOBS, segfault),
}
