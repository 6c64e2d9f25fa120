"""The page's own copy of plotly.js (app/routes/pages.py, static/vendor/): served by the app, the
file its README describes, and holding every trace type the page draws."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
PLOTLY = VENDOR / "plotly-basic.min.js"
BASIC_TRACES = {"scatter", "bar", "pie"}  # what plotly's "basic" partial bundle registers


def test_plotly_is_served_by_the_app_and_cached(client):
    response = client.get("/vendor/plotly-basic.min.js")
    assert response.status_code == 200
    assert response.content == PLOTLY.read_bytes()
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert client.head("/vendor/plotly-basic.min.js").status_code == 200


def test_the_vendored_file_is_the_one_its_readme_names():
    readme = (VENDOR / "README.md").read_text()
    digest = re.search(r"sha256 ([0-9a-f]{64})", readme).group(1)
    assert hashlib.sha256(PLOTLY.read_bytes()).hexdigest() == digest
    version = re.search(r"plotly\.js \*\*(\d+\.\d+\.\d+)\*\*", readme).group(1)
    assert PLOTLY.read_text()[:200].splitlines()[1] == f"* plotly.js (basic - minified) v{version}"
    assert "MIT" in (VENDOR / "plotly-LICENSE").read_text()


def test_the_page_draws_only_traces_the_bundle_holds():
    page_js = "\n".join(p.read_text() for p in sorted((ROOT / "static" / "js").glob("*.js")))
    # Every trace the page builds names its type, as `type: 'scatter'` (axes say `type: 'log'`).
    types = set(re.findall(r"\btype: '([a-z0-9]+)'", page_js))
    axis_types = {"log", "linear", "category", "date"}
    protocol = {"play", "create", "delete", "unwatch", "watch", "update", "detail", "example"}
    traces = types - axis_types - protocol - {"number", "line"}
    assert traces, "no trace types found: the pattern no longer matches the charts' code"
    assert traces <= BASIC_TRACES, f"traces outside plotly's basic bundle: {traces - BASIC_TRACES}"
