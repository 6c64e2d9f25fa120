"""What `pip install` gives: the sdist and the wheel hold the page, an installed nnplay serves
it from anywhere, and every install is pinned.

The slow test does what a user of the package does: builds the sdist, builds the wheel from it
(as `pip install nnplay-*.tar.gz` does), installs that wheel with its dependencies into a fresh
virtualenv outside the checkout, and runs `nnplay serve` from another directory.
"""

from __future__ import annotations

import ast
import email
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.threaded import free_port

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CONSTRAINTS = ROOT / "constraints.txt"
PAGE_FILES = ["static/js/main.js", "static/css/base.css", "templates/index.html"]


def requirements() -> list[Requirement]:
    """Everything pyproject.toml asks for: dependencies, extras, the test group, the backend."""
    project = PYPROJECT["project"]
    texts = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
        *(r for r in PYPROJECT["dependency-groups"]["test"] if isinstance(r, str)),
        *PYPROJECT["build-system"]["requires"],
    ]
    return [Requirement(text) for text in texts]


def pins() -> dict[str, str]:
    """constraints.txt as {canonical name: version}."""
    found = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[canonicalize_name(name)] = version
    return found


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_constraints_pin_every_requirement_within_its_bounds():
    pinned = pins()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {requirement}"
        )


def test_zero_x_dependencies_and_those_whose_internals_we_use_have_upper_bounds():
    pinned = pins()
    internals = {"uvicorn", "fastapi-offline"}  # app/serving.py, app/routes/*.py
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        if pinned[name].startswith("0.") or name in internals:
            if requirement in [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]:
                continue
            assert any(s.operator in ("<", "<=", "~=", "==") for s in requirement.specifier), (
                f"{requirement} needs an upper bound"
            )


def _imported_modules(paths: list[Path]) -> set[str]:
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_third_party_module_the_code_and_tests_import_is_declared():
    paths = [
        p
        for folder in ("app", "engine", "tests", "docs")
        for p in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in p.parts
    ]
    local = {"app", "engine", "tests", "bench", "conftest", "hostile_files", "sandbox_jobs"}
    modules = _imported_modules(paths) - set(sys.stdlib_module_names) - local
    declared = {canonicalize_name(r.name) for r in requirements()}
    distributions = metadata.packages_distributions()
    undeclared = {
        module: distributions.get(module)
        for module in modules
        if not {canonicalize_name(d) for d in distributions.get(module, [module])} & declared
    }
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"


def test_ci_the_readme_and_the_dockerfile_install_from_the_constraints():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```sh\n(.*?)```", readme, re.S)[:2]
    for command in commands:
        assert "pip install -c constraints.txt -e ." in command, command
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = [
        line
        for line in dockerfile.splitlines()
        if "pip install" in line and not line.lstrip().startswith("#")
    ]
    assert installs and all("constraints.txt" in line or "--no-deps" in line for line in installs)
    assert "constraints.txt" not in (ROOT / ".dockerignore").read_text()


def test_license_file_matches_pyproject():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sdist built from the checkout by the project's build backend, and the wheel built from
    that sdist (no isolation: the backend pinned in the test group, so it builds offline)."""
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    backend = PYPROJECT["build-system"]["build-backend"]
    code = f"import {backend} as b, sys; print(b.build_sdist(sys.argv[1]))"
    sdist = out / run(sys.executable, "-c", code, str(out), cwd=ROOT).stdout.strip()
    with tarfile.open(sdist) as tar:
        tar.extractall(out / "src", filter="data")
    (source,) = (out / "src").iterdir()
    run(*build, "-w", str(out), str(source))
    (wheel,) = out.glob("nnplay-*.whl")
    return {"sdist": sdist, "wheel": wheel}


def test_sdist_holds_the_page_the_license_and_the_constraints(built):
    with tarfile.open(built["sdist"]) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {*PAGE_FILES, "LICENSE", "constraints.txt", "pyproject.toml"} <= names


def test_wheel_holds_the_page_inside_the_app_package_and_the_license(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        for page_file in PAGE_FILES:
            assert wheel.read(f"app/{page_file}") == (ROOT / page_file).read_bytes()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(wheel.read(info))
        license_file = info.replace("METADATA", "licenses/LICENSE")
        assert wheel.read(license_file) == (ROOT / "LICENSE").read_bytes()
    assert meta["License-Expression"] == "MIT"
    assert meta["License-File"] == "LICENSE"


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_installed_wheel_serves_the_playground_from_another_directory(built, tmp_path):
    venv, elsewhere = tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert not tmp_path.is_relative_to(ROOT)
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    run(*pip, "-c", str(CONSTRAINTS), str(built["wheel"]))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NNPLAY_UPLOAD_DIR")}
    # The copy that runs is the installed one, not the checkout's.
    where = run(python, "-c", "import app; print(app.__file__)", cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)

    port = free_port()
    server = subprocess.Popen(
        [venv / "bin" / "nnplay", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{url}/api/health")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the installed server did not start"
                time.sleep(0.2)
        status, page = _get(f"{url}/")
        assert status == 200
        assert b'<script type="module"' in page and b"/static/js/main.bundle.js" in page
        status, script = _get(f"{url}/static/js/main.bundle.js")  # built from the wheel's modules
        assert status == 200 and b"// ---- static/js/main.js\n" in script
        assert b"// ---- static/js/controller.js\n" in script
        for path in ("static/js/main.js", "static/css/base.css", "static/docs/swagger-init.js"):
            assert _get(f"{url}/{path}") == (200, (ROOT / path).read_bytes())
        plotly_js = ROOT / "static" / "vendor" / "plotly-basic.min.js"
        assert _get(f"{url}/vendor/plotly-basic.min.js") == (200, plotly_js.read_bytes())
        status, docs = _get(f"{url}/docs")
        assert status == 200 and b"swagger-ui-bundle.js" in docs
        assert _get(f"{url}/docs/assets/swagger-ui-bundle.js")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=20)
