// The run's train-cost history (static/js/history.js): one copy, bounded, spikes kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CostHistory, EXACT } from '../../static/js/history.js';
import { CostChart } from '../../static/js/charts.js';

test('the cost of iteration i is the i-th cost of the frames (a frame ends at its iteration)', () => {
  const h = new CostHistory();
  h.add(3, Float32Array.from([0.9, 0.8, 0.7]));
  h.add(5, Float32Array.from([0.7, 0.6, 0.5])); // iteration 3 again: skipped
  assert.equal(h.length, 5);
  assert.deepEqual([1, 2, 3, 4, 5].map((it) => h.at(it)), [0.9, 0.8, 0.7, 0.6, 0.5].map(Math.fround));
  const { x, y } = h.downsample(100);
  assert.deepEqual(x, [1, 2, 3, 4, 5]);
  assert.deepEqual(y, [0.9, 0.8, 0.7, 0.6, 0.5].map(Math.fround));
});

test('a gap between frames is a hole, not a shift', () => {
  const h = new CostHistory();
  h.add(2, [1, 2]);
  h.add(5, [5]);
  assert.equal(h.length, 5);
  assert.deepEqual(h.downsample(100), { x: [1, 2, 3, 4, 5], y: [1, 2, null, null, 5], upTo: 5 });
});

test('the cost chart plots the cost of iteration i at x = i, raw and smoothed', () => {
  const h = new CostHistory();
  h.add(4, [4, 3, 2, 1]);
  const chart = new CostChart(null);
  chart.reset(h);
  assert.deepEqual(chart.sample(1), { x: [1, 2, 3, 4], y: [4, 3, 2, 1], upTo: 4 });
  chart.setView({ log: false, smooth: 0.5 });
  Object.assign(chart, { ema: null, emaAt: 0 });
  assert.deepEqual(chart.sample(1), { x: [1, 2, 3, 4], y: [4, 3.5, 2.75, 1.875], upTo: 4 });
});

test('a 1,000,000-iteration run keeps a bounded history, and a one-iteration spike survives', () => {
  const h = new CostHistory();
  const spikeAt = 123_457;
  for (let it = 1000; it <= 1_000_000; it += 1000) {
    const costs = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) {
      const x = it - 999 + i;
      costs[i] = x === spikeAt ? 50 : 1 / Math.sqrt(x);
    }
    h.add(it, costs);
  }
  assert.equal(h.length, 1_000_000);
  assert.ok(h.storedSize <= EXACT + 7 * 8192, `stored ${h.storedSize} numbers`);
  assert.ok(h.values.length <= EXACT);
  assert.ok(h.buckets.length <= 8192);
  // The newest costs are exact; the old ones are buckets whose max is the spike.
  assert.equal(h.at(1_000_000), Math.fround(1 / 1000));
  const { x, y } = h.downsample(3000);
  assert.ok(x.length <= 2 * 3000, `${x.length} points`);
  const i = y.indexOf(Math.max(...y));
  assert.equal(y[i], 50);
  assert.equal(x[i], spikeAt);
  for (let k = 1; k < x.length; k++) assert.ok(x[k] > x[k - 1], 'x ascends');
  // The export: one row per bucket, then every exact iteration.
  const rows = h.rows();
  assert.equal(rows[rows.length - 1].iteration, 1_000_000);
  assert.ok(rows.some((r) => r.max === 50));
});

test('reached: the first iteration from which every cost stays at or below the target', () => {
  const h = new CostHistory();
  assert.equal(h.reached(0.5), null);
  h.add(6, [0.9, 0.4, 0.6, 0.45, 0.3, 0.2]);
  assert.equal(h.reached(0.5), 4);
  assert.equal(h.reached(0.1), null);
  assert.equal(h.reached(1), 1);
});

test('folding keeps reached and the bucket extremes right', () => {
  const h = new CostHistory({ exact: 8, maxBuckets: 2 });
  for (let it = 1; it <= 40; it++) h.add(it, [it === 7 ? 9 : 1 / it]);
  assert.equal(h.length, 40);
  assert.ok(h.buckets.length <= 2 && h.values.length <= 8);
  assert.equal(h.extremes(1, h.start).max, 9);
  assert.equal(h.extremes(1, h.start).maxAt, 7);
  assert.equal(h.reached(0.5), h.width + 1); // the bucket holding the spike is above
});

test('the kept curve is the fresh downsampling, however the costs came', () => {
  const h = new CostHistory({ exact: 64, maxBuckets: 128 }); // folds and merges (widths up to 32)
  for (let it = 7; it <= 3000; it += 7) {
    h.add(it, Array.from({ length: 7 }, (_, i) => Math.sin(it - 6 + i) + (it - 6 + i === 1234 ? 9 : 0)));
    const kept = h.curve(50);
    const fresh = h.downsample(50);
    assert.deepEqual(kept, fresh, `at ${it}`);
  }
  assert.ok(h.width > 1, 'old costs were folded');
  assert.ok(h.curve(50).y.includes(Math.fround(Math.sin(1234) + 9)), 'the spike is in the curve');
  h.clear();
  assert.deepEqual(h.curve(50), { x: [], y: [], upTo: 0 });
});
