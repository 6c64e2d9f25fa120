"""The sandbox that parses uploads: each parse in a fresh, limited child process.

Real children, real limits: a job that crashes, allocates without end, spins, floods its answer,
or reaches for the server's files or network is stopped and reported; the server side lives on.
"""

from __future__ import annotations

import json
import socket

import pytest

from app import parsing
from app.sandbox import Sandbox, SandboxError, choose_isolation
from engine.loaders import LoaderError
from tests.hostile_files import HOSTILE, MARKER

JOBS = "tests.app.sandbox_jobs"


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(memory_bytes=300_000_000, seconds=5.0, jobs_module=JOBS)
    yield box
    box.close()


isolated = pytest.mark.skipif(
    choose_isolation() == "none",
    reason="no file isolation here: needs Linux's Landlock (kernel 5.13+) or running as root",
)


def test_a_job_gets_its_files_and_answers_in_bytes(sandbox):
    answer = sandbox.run("echo", {"a.h5": b"12345", "b.npz": b""}, {})
    assert json.loads(answer) == {"a.h5": 5, "b.npz": 0}


def test_a_crashing_parser_is_a_refusal_not_a_dead_server(sandbox):
    with pytest.raises(SandboxError, match="crashed the parser \\(signal SIGSEGV\\)") as raised:
        sandbox.run("segfault", {}, {})
    assert raised.value.rule == "parser_crashed"
    assert json.loads(sandbox.run("echo", {}, {})) == {}  # and the next parse is served


def test_a_parse_that_allocates_without_end_hits_the_memory_limit(sandbox):
    with pytest.raises(SandboxError, match="more than the 300 MB") as raised:
        sandbox.run("allocate", {}, {})
    assert raised.value.rule == "memory"


def test_a_parse_that_never_ends_is_stopped():
    box = Sandbox(memory_bytes=300_000_000, seconds=1.0, jobs_module=JOBS)
    with pytest.raises(SandboxError, match="longer than 1 s") as raised:
        box.run("spin", {}, {})
    assert raised.value.rule == "time"


def test_an_answer_longer_than_the_bound_is_not_read_whole():
    box = Sandbox(memory_bytes=300_000_000, seconds=5.0, jobs_module=JOBS, max_answer_bytes=10**6)
    with pytest.raises(SandboxError) as raised:
        box.run("flood", {}, {})
    assert raised.value.rule == "parser_crashed"


@isolated
def test_a_parse_cannot_read_the_servers_files(sandbox, tmp_path):
    marker = tmp_path / "marker.txt"
    marker.write_bytes(MARKER)
    with pytest.raises(SandboxError, match="PermissionError") as raised:
        sandbox.run("read_file", {}, {"path": str(marker)})
    assert b"MARKER" not in str(raised.value).encode()
    with pytest.raises(SandboxError, match=r"PermissionError|FileNotFoundError"):
        sandbox.run("read_file", {}, {"path": "/etc/passwd"})


@isolated
def test_a_parse_cannot_write_files(sandbox, tmp_path):
    target = tmp_path / "written.txt"
    with pytest.raises(SandboxError):
        sandbox.run("write_file", {}, {"path": str(target)})
    assert not target.exists()


@pytest.mark.skipif(choose_isolation() != "landlock", reason="needs Landlock's network rules")
def test_a_parse_cannot_connect_out(sandbox):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with pytest.raises(SandboxError, match="PermissionError"):
            sandbox.run("connect", {}, {"port": port})


def test_no_free_slot_within_the_time_is_busy():
    box = Sandbox(memory_bytes=300_000_000, seconds=0.2, max_parallel=1, jobs_module=JOBS)
    assert box._slots.acquire()  # a parse in flight
    try:
        with pytest.raises(SandboxError, match="busy") as raised:
            box.run("echo", {}, {})
        assert raised.value.rule == "busy"
    finally:
        box._slots.release()


# --- The real parsers, in the sandbox ---------------------------------------------------------


@pytest.fixture(scope="module")
def parser():
    box = Sandbox(memory_bytes=500_000_000, seconds=20.0)
    yield box
    box.close()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_files_are_refused_by_rule_in_the_sandbox(parser, kind, tmp_path):
    marker = tmp_path / "marker.txt"
    marker.write_bytes(MARKER)
    build, name, rule = HOSTILE[kind]
    with pytest.raises(LoaderError) as raised:
        parsing.check_images(parser, name, build(marker), 20_000_000)
    assert (raised.value.limit is not None) if rule == "limit" else raised.value.rule == rule
    assert b"MARKER" not in str(raised.value).encode()


def test_a_csv_parsed_in_the_sandbox_equals_one_parsed_here(parser):
    from engine.loaders import load_csv

    text = b"a,b,label\n" + b"".join(f"{i},{i * i % 7},{i % 2}\n".encode() for i in range(30))
    here = load_csv(text, "label", train_fraction=0.7, seed=3)
    there = parsing.load_csv(parser, text, "label", train_fraction=0.7, seed=3)
    for key in ("X_train", "Y_train", "X_test", "Y_test"):
        assert (getattr(here.dataset, key) == getattr(there.dataset, key)).all()
        assert getattr(here.dataset, key).dtype == getattr(there.dataset, key).dtype
        assert not getattr(there.dataset, key).flags.writeable
    assert here.dataset.bounds == there.dataset.bounds
    assert here.standardization == there.standardization
    assert (here.feature_names, here.label_names) == (there.feature_names, there.label_names)


def test_a_csv_error_keeps_its_row_and_column(parser):
    with pytest.raises(LoaderError, match="not a number") as raised:
        parsing.load_csv(parser, b"a,label\n1,0\nx,1\n2,0\n", "label")
    assert (raised.value.row, raised.value.column) == (3, "a")
