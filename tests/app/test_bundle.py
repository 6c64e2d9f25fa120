"""app/bundle.py: main.js and its modules as one script, and its serving (app/assets.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import bundle
from app.main import create_app

JS = Path(__file__).resolve().parents[2] / "static" / "js"


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def run_node(script: str, tmp_path: Path) -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("NNPLAY_REQUIRE_NODE"):
            pytest.fail("Node is required here (apt-get install -y nodejs)")
        pytest.skip("needs Node to run the bundle: apt-get install -y nodejs")
    path = tmp_path / "bundle.mjs"
    path.write_text(script)
    done = subprocess.run([node, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_modules_run_once_each_in_dependency_order_with_their_own_names(tmp_path):
    write(
        tmp_path,
        {
            "main.js": "import { a } from './a.js';\n"
            "import {\n  b,\n  SAME as other,\n} from './b.js';\n"
            "const SAME = 'main';\nconsole.log([a(), b, other, SAME].join(' '));\n",
            "a.js": "import { b } from './b.js';\n/** @param {import('./c.js').T} t */\n"
            "export function a() { return `a(${b})`; }\n",
            "b.js": "console.log('b runs');\nexport const b = 'b';\n"
            "export const SAME = 'b.SAME';\n",
        },
    )
    text, modules = bundle.build(tmp_path, "main.js")
    assert modules == ["b.js", "a.js", "main.js"]
    assert re.findall(r"^// ---- static/js/(\S+)$", text, re.M) == modules
    assert run_node(text, tmp_path) == "b runs\na(b) b b.SAME main\n"


def test_an_external_module_stays_a_real_import_of_the_same_file(tmp_path):
    write(
        tmp_path,
        {
            "main.js": "import { early } from './early.js';\nimport { x } from './x.js';\n"
            "console.log(early === x);\n",
            "x.js": "import { early } from './early.js';\nexport const x = early;\n",
            "early.js": "export const early = {};\n",
        },
    )
    text, modules = bundle.build(tmp_path, "main.js", external=["early.js"])
    assert modules == ["x.js", "main.js"]
    assert text.startswith("import { early } from './early.js';\n")
    assert "// ---- static/js/early.js" not in text
    assert run_node(text.replace("./early.js", (tmp_path / "early.js").as_uri()), tmp_path) == (
        "true\n"
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"main.js": "export default 1;\n"}, "unsupported module syntax"),
        ({"main.js": "import x from './x.js';\n"}, "unsupported module syntax"),
        ({"main.js": "const a = 1;\nexport { a };\n"}, "unsupported module syntax"),
        ({"main.js": "export let a = 1;\n"}, "unsupported module syntax"),  # no live binding
        ({"main.js": "import { a } from './gone.js';\n"}, "no such module"),
        (
            {"main.js": "import { a } from './a.js';\n", "a.js": "export const b = 1;\n"},
            "does not export",
        ),
        (
            {
                "main.js": "import { a } from './a.js';\n",
                "a.js": "import { m } from './main.js';\n",
            },
            "cycle",
        ),
        ({"main.js": "import { a-b } from './a.js';\n", "a.js": ""}, "cannot read the import"),
    ],
)
def test_what_it_cannot_bundle_is_an_error_not_a_broken_page(tmp_path, files, message):
    write(tmp_path, files)
    with pytest.raises(bundle.BundleError, match=message):
        bundle.build(tmp_path, "main.js")


def test_the_page_bundle_holds_every_module_main_js_imports_and_parses(tmp_path):
    text, order = bundle.build(JS, "main.js", external=["earlySocket.js"])
    modules = set(re.findall(r"^// ---- static/js/(\S+)$", text, re.M))
    assert modules == set(order) and len(order) == len(modules)
    reached, todo = set(), ["main.js"]
    while todo:  # the import graph, read independently of app/bundle.py
        name = todo.pop()
        if name in reached or name == "earlySocket.js":
            continue
        reached.add(name)
        todo += re.findall(r"from '\./(\w+\.js)';$", (JS / name).read_text(), re.M)
    assert modules == reached and len(modules) > 40
    node = shutil.which("node")
    if node is not None:  # the bundle is valid JavaScript (a module: it has an import)
        (tmp_path / "page.mjs").write_text(text)
        done = subprocess.run([node, "--check", str(tmp_path / "page.mjs")], capture_output=True)
        assert done.returncode == 0, done.stderr


def test_the_bundle_is_served_revalidated_and_rebuilt_when_a_module_changes(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(JS.parent, static, ignore=shutil.ignore_patterns("vendor"))
    app = create_app()
    mount = next(r for r in app.routes if getattr(r, "name", None) == "static")
    mount.app.__init__(directory=static, check_dir=False)
    with TestClient(app) as client:
        first = client.get("/static/js/main.bundle.js")
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/javascript")
        assert "// ---- static/js/main.js" in first.text
        etag = first.headers["etag"]
        again = client.get("/static/js/main.bundle.js", headers={"if-none-match": etag})
        assert again.status_code == 304
        colors = static / "js" / "colors.js"
        colors.write_text(colors.read_text() + "\n// changed\n")
        changed = client.get("/static/js/main.bundle.js", headers={"if-none-match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        assert "// changed" in changed.text
