"""The page's JavaScript unit tests (tests/js/*.test.mjs), run with Node's built-in test runner.

They import the page's pure modules (static/js: the store, the run history, the messages the page
builds, the boundary grid, the confusion table) directly, so a wrong field name or a transposed
grid fails in milliseconds, without a browser. Node is Debian's `nodejs`; without it this test
skips, unless NNPLAY_REQUIRE_NODE=1 (as .ci/run sets), where a missing Node fails.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]
JS_TESTS = ROOT / "tests" / "js"


def test_js_unit_tests_pass(tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        message = "node is not installed: apt-get install -y nodejs (it runs tests/js: node --test)"
        if os.environ.get("NNPLAY_REQUIRE_NODE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    files = sorted(str(p.relative_to(ROOT)) for p in JS_TESTS.glob("*.test.mjs"))
    assert files, "no JS unit tests found in tests/js"
    # The store's tests read GET /api/options (tests/js/options.mjs): the app's own, once.
    options = tmp_path / "options.json"
    with TestClient(create_app()) as client:
        options.write_text(json.dumps(client.get("/api/options").json()))
    env = {**os.environ, "NNPLAY_OPTIONS": str(options)}
    result = subprocess.run(
        [node, "--test", *files], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
