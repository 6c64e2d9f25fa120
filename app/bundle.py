"""The page's JavaScript as one file: main.js and every module it imports, in one response.

Why: a first visit used to fetch ~50 modules. Over HTTP/1.1's six connections, with the page's
main thread loading each module in turn, the last one arrived ~290 ms after navigation, and the
page started after that. One file arrives in ~80 ms, and the first trained boundary is drawn
~150 ms sooner (bench/README.md, "Issue 14, fifth round"). The modules stay the source: the JS
unit tests import them one by one, and this file is built from them when the server first serves
it (and again whenever one of them changes on disk).

How: each module becomes a function scope that returns its exports, called once, in dependency
order (a module after the modules it imports), so module-level names never collide:

    // ---- static/js/a.js
    const __a = (() => {
    const { b, c: d } = __b;        // was: import { b, c as d } from './b.js';
    function e() { ... }             // was: export function e() { ... }
    return { e };
    })();

The modules use one subset of ES module syntax, and only that is accepted: `import { ... } from
'./x.js';` (over several lines, `as` allowed) at the start of a line, and `export` before a
`function`, `async function`, `class` or `const` declaration. Anything else at the start of a
line (`export default`, `import x from`, `export { ... }`, `export let`, which would lose ES
modules' live binding), an import cycle, a missing module or an imported name its module does
not export is a `BundleError`, not a silently broken page. The reading is by lines, not a
parser: a line inside a template literal that starts with `import` or `export` would be read as
a statement (the modules have none; it would be an error, not a quiet change).

Modules named `external` stay real ES imports (earlySocket.js: its own `<script async>` opens
the socket first, and the bundle must share that module instance, not run a copy).
`import.meta.url` is the bundle's URL, in the same directory as the modules, so relative URLs
built from it resolve the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

IMPORT = re.compile(r"^import\s*\{([^}]*)\}\s*from\s*'\./([A-Za-z0-9_]+\.js)';[ \t]*$\n?", re.M)
EXPORT = re.compile(r"^export\s+((?:async\s+)?function\*?|class|const)\s+([A-Za-z_$][\w$]*)", re.M)
STATEMENT = re.compile(r"^(?:import|export)\b.*$", re.M)
NAME = r"[A-Za-z_$][\w$]*"
SPECIFIER = re.compile(rf"^({NAME})(?:\s+as\s+({NAME}))?$")


class BundleError(ValueError):
    """The modules use syntax the bundle does not handle, or do not link."""


def _pairs(name: str, names: str, module: str) -> list[tuple[str, str]]:
    """[(exported name, local name), ...] of one import statement's braces `names`."""
    pairs = []
    for spec in (s.strip() for s in names.split(",")):
        if not spec:
            continue
        match = SPECIFIER.match(spec)
        if match is None:
            raise BundleError(f"{name}: cannot read the import {spec!r} from {module}")
        pairs.append((match[1], match[2] or match[1]))
    return pairs


def _check_statements(name: str, source: str) -> None:
    """Every line starting with import or export is one this module handles."""
    rest = IMPORT.sub("", source)
    for line in STATEMENT.findall(rest):
        if not EXPORT.match(line):
            raise BundleError(f"{name}: unsupported module syntax: {line.strip()[:80]!r}")


def build(directory: Path, entry: str, external: Iterable[str] = ()) -> tuple[str, list[str]]:
    """The bundle of `entry` (a module of `directory`) and every module it imports, but those in
    `external` (left as real imports of the same file), and the modules in it, in order.
    BundleError if they do not fit."""
    external = set(external)
    sources: dict[str, str] = {}
    imports: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in sources or name in external:
            return
        if name in visiting:
            raise BundleError("an import cycle: " + " -> ".join([*visiting, name]))
        path = directory / name
        if not path.is_file():
            raise BundleError(
                f"{visiting[-1] if visiting else 'the entry'} imports {name}: no such module"
            )
        source = path.read_text(encoding="utf-8")
        _check_statements(name, source)
        imports[name] = [(m, _pairs(name, names, m)) for names, m in IMPORT.findall(source)]
        visiting.append(name)
        for module, _ in imports[name]:
            visit(module)
        visiting.pop()
        sources[name] = source
        order.append(name)

    visit(entry)
    exports = {name: [m[2] for m in EXPORT.finditer(sources[name])] for name in order}
    head: list[str] = []
    parts: list[str] = []
    for name in order:
        for module, pairs in imports[name]:
            known = exports.get(module)
            for exported, _ in pairs:
                if known is not None and exported not in known:
                    raise BundleError(
                        f"{name} imports {exported} from {module}, which does not export it"
                    )

        def replace(match: re.Match, name=name) -> str:
            if match[2] in external:
                head.append(match[0].rstrip("\n"))  # a real import, at the bundle's top
                return "\n"  # lines kept, so the module's line numbers shift by its header only
            pairs = _pairs(name, match[1], match[2])
            fields = ", ".join(e if e == local else f"{e}: {local}" for e, local in pairs)
            return f"const {{ {fields} }} = {_variable(match[2])};\n"

        body = IMPORT.sub(replace, sources[name])
        body = EXPORT.sub(lambda m: f"{m[1]} {m[2]}", body)
        parts.append(
            f"// ---- static/js/{name}\nconst {_variable(name)} = (() => {{\n{body}\n"
            f"return {{ {', '.join(exports[name])} }};\n}})();\n"
        )
    return "\n".join([*dict.fromkeys(head), *parts]), order


def _variable(module: str) -> str:
    return "__" + module.removesuffix(".js")
