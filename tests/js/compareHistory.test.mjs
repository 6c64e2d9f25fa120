// Compare mode's history of gradient norms (static/js/compareView.js gradientHistoryTraces):
// a panel per weight layer with one trace per run, iteration 0 left out (no backward pass yet),
// shallower runs absent from the deeper panels, each trace bounded with its newest point kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { gradientHistoryTraces, thin } from '../../static/js/compareView.js';

/** A recorder's record of a run with `L` weight layers and frames at these iterations. */
function record(L, iterations) {
  return {
    created: { network: { layer_dims: [2, ...Array(L - 1).fill(4), 1] } },
    points: iterations.map((it) => ({ iteration: it, gradient_norms: Array.from({ length: L }, (_, l) => (it === 0 ? 0 : (l + 1) / it)) })),
  };
}

const run = (label, color) => ({ label, color });

test('a trace per run in each layer\'s panel, one legend entry per run', () => {
  const rows = [
    { run: run('1 hidden layer', '#d62728'), record: record(2, [0, 1, 2, 3]) },
    { run: run('2 hidden layers', '#0877bd'), record: record(3, [0, 1, 2, 3]) },
  ];
  const { traces, layers } = gradientHistoryTraces(rows);
  assert.equal(layers, 3);
  assert.deepEqual(traces.map((t) => [t.meta.layer, t.name]), [
    [1, '1 hidden layer'], [1, '2 hidden layers'], [2, '1 hidden layer'], [2, '2 hidden layers'], [3, '2 hidden layers'],
  ]);
  assert.deepEqual(traces.map((t) => [t.xaxis, t.yaxis]), [['x', 'y'], ['x', 'y'], ['x2', 'y2'], ['x2', 'y2'], ['x3', 'y3']]);
  assert.deepEqual(traces.filter((t) => t.showlegend).map((t) => t.name), ['1 hidden layer', '2 hidden layers']);
  const deep2 = traces[3];
  assert.deepEqual(deep2.x, [1, 2, 3]); // iteration 0: no gradient yet
  assert.deepEqual(deep2.y, [2, 1, 2 / 3]);
  assert.equal(deep2.line.color, '#0877bd');
});

test('a run not created yet has empty traces; none at all: no panel', () => {
  const { traces, layers } = gradientHistoryTraces([{ run: run('a', '#000'), record: null }]);
  assert.equal(layers, 0);
  assert.deepEqual(traces, []);
});

test('each trace is bounded and ends on the newest frame', () => {
  const iterations = Array.from({ length: 5000 }, (_, i) => i + 1);
  const { traces } = gradientHistoryTraces([{ run: run('a', '#000'), record: record(2, iterations) }], 400);
  for (const t of traces) {
    assert.ok(t.x.length <= 401, String(t.x.length));
    assert.equal(t.x.at(-1), 5000);
    assert.deepEqual(t.x, [...t.x].sort((a, b) => a - b));
  }
  assert.deepEqual(thin([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(thin([1, 2, 3, 4, 5, 6, 7], 3), [1, 4, 7]);
  assert.deepEqual(thin([1, 2, 3, 4, 5, 6, 7, 8], 3), [1, 4, 7, 8]);
});
