// templates/partials/modulepreload.html lists exactly the modules main.js imports (its module
// graph, tests/js/moduleGraph.mjs), so the page fetches them at once and none is ever missed.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { importsOf, moduleGraph, preloadPartial } from './moduleGraph.mjs';

const PARTIAL = new URL('../../templates/partials/modulepreload.html', import.meta.url);

test('imports are read over several lines, and not from JSDoc type imports', () => {
  const source = "import {\n  a,\n  b,\n} from './x.js';\nimport { c } from './y.js';\n"
    + "/** @param {import('./z.js').T} t */\nimport './w.js';\nconst s = 'import q from \"./no.js\"';";
  assert.deepEqual(importsOf(source), ['x.js', 'y.js', 'w.js']);
});

test('the graph is every module reached from main.js, once each, main.js excluded', () => {
  const files = { 'main.js': "import { a } from './a.js';\nimport { b } from './b.js';", 'a.js': "import { b } from './b.js';\nimport { c } from './c.js';", 'b.js': '', 'c.js': "import { a } from './a.js';" };
  assert.deepEqual(moduleGraph((name) => files[name]), ['a.js', 'b.js', 'c.js']);
});

test('the page preloads exactly the modules main.js imports', () => {
  const modules = moduleGraph();
  const onDisk = readdirSync(new URL('../../static/js/', import.meta.url)).filter((name) => name.endsWith('.js'));
  for (const name of modules) assert.ok(onDisk.includes(name), `${name} is imported but missing`);
  assert.equal(readFileSync(PARTIAL, 'utf8'), preloadPartial(modules),
    'stale: node tests/js/moduleGraph.mjs > templates/partials/modulepreload.html');
});
