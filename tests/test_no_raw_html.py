"""The page's code writes markup only through static/js/html.js (which escapes every value), and
the templates hold no inline script: a Content-Security-Policy of script-src 'self' runs them all.

A grep, not a parser: a new `el.innerHTML = …` anywhere but html.js fails here, so what a user
typed or uploaded keeps arriving as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JS = sorted((ROOT / "static" / "js").glob("*.js"))
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
HELPER = ROOT / "static" / "js" / "html.js"
RAW_SINKS = re.compile(
    r"\b(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment|srcdoc)\b"
    r"|document\.write|\.parseFromString\("
)


@pytest.mark.parametrize("path", [p for p in JS if p != HELPER], ids=lambda p: p.name)
def test_no_module_writes_markup_but_through_the_helper(path):
    hits = [
        f"{path.name}:{n}: {line.strip()}"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if RAW_SINKS.search(line)
    ]
    assert not hits, "use html`…` and setHtml from html.js, or textContent:\n" + "\n".join(hits)


def test_the_helper_assigns_innerhtml_once_from_a_fragment():
    writes = [
        line.strip()
        for line in HELPER.read_text().splitlines()
        if re.search(r"\w+HTML\s*=[^=]|\w+HTML\(", line)
    ]
    assert writes == ["el.innerHTML = fragment.markup;"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_inline_script(path):
    text = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text, re.I):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), "event handler attribute"
    assert "javascript:" not in text.lower()
