// The recorder's record and the history download (static/js/exporter.js): what the CSV and JSON hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RunRecord, historyCsv, historyJson, historyRows } from '../../static/js/exporter.js';
import { MAX_SCORES, ScoreLog } from '../../static/js/history.js';

const created = { run: 'r1', config: { seed: 3 }, network: { layer_dims: [2, 1], activations: ['sigmoid'] } };

function frame(iteration, costs, extra = {}) {
  return [{ type: 'frame', run: 'r1', iteration, train_cost: costs[costs.length - 1], ...extra }, { costs: { data: Float32Array.from(costs) } }];
}

test('one row per iteration: its train cost, and the test scores where a frame reported them', () => {
  const record = new RunRecord(created);
  record.addFrame(...frame(2, [0.5, 0.25], { test_cost: 0.75, train_accuracy: 0.5, test_accuracy: 0.25 }));
  record.addFrame(...frame(4, [0.125, 0.0625], { test_cost: 0.5 }));
  assert.deepEqual(historyRows(record).map((r) => [r.iteration, r.train_cost, r.test_cost]), [
    [1, 0.5, null], [2, 0.25, 0.75], [3, 0.125, null], [4, 0.0625, 0.5],
  ]);
  assert.equal(historyCsv(record), 'iteration,train_cost,test_cost,train_accuracy,test_accuracy\n'
    + '1,0.5,,,\n2,0.25,0.75,0.5,0.25\n3,0.125,,,\n4,0.0625,0.5,,\n');
  const json = JSON.parse(historyJson(record));
  assert.deepEqual(json.config, created.config);
  assert.equal(json.history.length, 4);
  assert.deepEqual(record.costs, [0.5, 0.25, 0.125, 0.0625]);
});

test('a reset (an older iteration) starts the record over', () => {
  const record = new RunRecord(created);
  record.addFrame(...frame(3, [1, 2, 3]));
  const epoch = record.history.epoch;
  record.addFrame(...frame(0, []));
  assert.equal(record.history.length, 0);
  assert.ok(record.history.epoch > epoch, 'the charts reading it start over');
  assert.equal(record.reached(10), null);
});

test('past the exact history, a summarized row says it is one: its first iteration, mean, min and max', () => {
  const record = new RunRecord(created, { exact: 4, maxBuckets: 8 });
  record.addFrame(...frame(8, [4, 2, 6, 0, 1, 1, 1, 1]));
  const rows = historyRows(record);
  const summarized = rows.filter((r) => 'first_iteration' in r);
  assert.ok(summarized.length > 0, 'older iterations are folded into buckets');
  for (const r of summarized) {
    assert.ok(r.first_iteration <= r.iteration);
    assert.ok(r.train_cost_min <= r.train_cost && r.train_cost <= r.train_cost_max);
  }
  const covered = summarized.reduce((n, r) => n + r.iteration - r.first_iteration + 1, 0);
  assert.equal(covered + rows.length - summarized.length, 8, 'every iteration in exactly one row');
  const csv = historyCsv(record).split('\n');
  assert.equal(csv[0], 'iteration,train_cost,test_cost,train_accuracy,test_accuracy,first_iteration,train_cost_min,train_cost_max');
  const exact = rows.find((r) => !('first_iteration' in r));
  assert.ok(csv.includes(`${exact.iteration},${exact.train_cost},,,,,,`), 'exact rows leave the summary empty');
});

test('the test scores of a long run stay bounded: evenly spaced, first and newest kept', () => {
  const record = new RunRecord(created);
  const frames = 100_000; // a 1,000,000-iteration run at 10 iterations a frame
  for (let f = 1; f <= frames; f++) record.addFrame(...frame(10 * f, [1], { test_cost: f }));
  assert.ok(record.points.length <= MAX_SCORES, `${record.points.length} points kept`);
  assert.ok(record.points.length > MAX_SCORES / 4);
  const its = record.points.map((p) => p.iteration);
  assert.equal(its[its.length - 1], 10 * frames, 'the newest scores are kept');
  const gaps = new Set(its.slice(0, -1).map((it, i) => (i === 0 ? it : it - its[i - 1])));
  assert.equal(gaps.size, 1, `evenly spaced from the start (gaps ${[...gaps]})`);
  const rows = historyRows(record);
  assert.equal(rows[rows.length - 1].test_cost, frames, 'the download ends with the latest scores');
});

test('a score log without the newest keeps only the frames on its spacing, and says when it thinned', () => {
  const log = new ScoreLog({ cap: 4, newest: false });
  const thinnedAt = [];
  for (let f = 1; f <= 20; f++) if (log.add(f)) thinnedAt.push(f);
  assert.deepEqual(thinnedAt, [5, 10, 20]);
  assert.deepEqual(log.items, [8, 16]);
  assert.ok(log.items.length <= 4);
});
