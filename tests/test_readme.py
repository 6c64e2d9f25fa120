"""The README's code runs as pasted: its Python blocks in order, in one interpreter (as a reader
types them into one session), and its `nnplay` commands.

The first two shell blocks install the project (CI runs the second, .ci/run); every other
`nnplay train` command runs, in a directory holding the files it names (a CSV and the course's
two .h5 files, made here at a small size), and every `nnplay serve` command is parsed.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from app.cli import build_parser
from engine import synthetic_images

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PYPROJECT_PYTHON = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
    "requires-python"
]
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall(README) if lang == language]


def commands() -> list[list[str]]:
    """Each `nnplay …` command of the shell blocks after the first two, continuations joined."""
    found = []
    for code in blocks("sh")[2:]:
        for line in code.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0].endswith("nnplay"):
                found.append(words[1:])
    return found


def test_the_first_blocks_are_the_install_and_test_commands():
    install, test = blocks("sh")[:2]
    assert README.index(install) < README.index("<!-- test-command -->") < README.index(test)
    assert "nnplay serve" in install and "pytest" in test


def test_python_blocks_run_in_order_as_pasted(tmp_path):
    code = "\n".join(blocks("python"))
    assert code
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_readme_has_nnplay_train_and_serve_commands():
    kinds = {words[0] for words in commands()}
    assert {"train", "serve"} <= kinds


def _course_files(folder: Path) -> None:
    """Stand-ins for the course's train_catvnoncat.h5 and test_catvnoncat.h5, and points.csv."""
    import h5py

    arrays = synthetic_images(m_train=20, m_test=6, size=8)
    for split in ("train", "test"):
        with h5py.File(folder / f"{split}_catvnoncat.h5", "w") as file:
            file["list_classes"] = np.array([b"non-cat", b"cat"])
            file[f"{split}_set_x"] = arrays[f"{split}_set_x"]
            file[f"{split}_set_y"] = arrays[f"{split}_set_y"]
    rows = "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40))
    (folder / "points.csv").write_text("x1,x2,class\n" + rows)


@pytest.mark.parametrize("words", [w for w in commands() if w[0] == "train"], ids=" ".join)
def test_nnplay_train_commands_run(words, tmp_path):
    _course_files(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *words],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("words", [w for w in commands() if w[0] == "serve"], ids=" ".join)
def test_nnplay_serve_commands_parse(words):
    args = build_parser().parse_args(words)
    assert args.command == "serve"


def test_the_top_tells_a_newcomer_which_python_the_clone_and_next_time():
    top = README[: README.index("<!-- test-command -->")]
    required = PYPROJECT_PYTHON.removeprefix(">=")
    assert f"Python {required} or newer" in top and "git clone" in top
    assert "Next time, start it with `.venv/bin/nnplay serve` alone" in README


def test_the_screenshots_exist_and_come_from_the_script():
    images = re.findall(r"!\[[^\]]+\]\((docs/[\w-]+\.png)\)", README)
    assert {"docs/playground.png", "docs/compare.png"} <= set(images)
    for image in images:
        assert (ROOT / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (ROOT / "docs" / "screenshots.py").is_file() and "docs/screenshots.py" in README
    tour = README[README.index("**A tour:**") : README.index("---")]
    for topic in ("Datasets", "network", "Play", "Compare", "Lessons", "Presenter", "Share"):
        assert f"**{topic}" in tour or topic in tour
    assert "Shortcuts" in tour


def test_running_a_class_says_host_workers_capacity_and_firewall():
    section = README[README.index("## Running a class") :]
    section = section[: section.index("\n## ", 1)]
    for needed in ("--host 0.0.0.0", "--workers", "bench/README.md", "2-core", "Firewall"):
        assert needed in section, needed
