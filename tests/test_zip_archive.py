"""The page's ZIP writer (static/js/zip.js) against an independent reader: Python's zipfile.

Node writes an archive (tests/js/zip.test.mjs, with ZIP_OUT set); zipfile lists it, checks every
CRC (`testzip`) and reads every file back. Skips without Node, as tests/test_js.py does.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FILES = [
    ("frames/frame-0001.png", "\x89PNG fake"),
    ("frames/frame-0002.png", "another one, a bit longer " * 40),
    ("nnplay – moons.txt", "ünïcode name\n"),
    ("empty.txt", ""),
]


def test_python_zipfile_reads_what_the_page_writes(tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        if os.environ.get("NNPLAY_REQUIRE_NODE") == "1":
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    out = tmp_path / "out.zip"
    env = {**os.environ, "ZIP_OUT": str(out), "ZIP_FILES": json.dumps(FILES)}
    result = subprocess.run(
        [node, "--test", "tests/js/zip.test.mjs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None  # every CRC checks
        infos = archive.infolist()
        assert [i.filename for i in infos] == [name for name, _ in FILES]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        for name, text in FILES:
            assert archive.read(name) == text.encode()
    check = subprocess.run(
        [sys.executable, "-m", "zipfile", "-t", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
