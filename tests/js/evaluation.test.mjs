// The confusion table's model (static/js/evaluation.js confusionTable).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { confusionTable } from '../../static/js/evaluation.js';

test('rows are the actual class, cells the predicted one (counts[actual][predicted])', () => {
  // 5 of class 0 right, 1 of class 0 taken for 1, 2 of class 1 taken for 0, 7 of class 1 right,
  // 3 of class 2 taken for 0.
  const counts = [[5, 1, 0], [2, 7, 0], [3, 0, 4]];
  const { rows, right, total } = confusionTable(counts);
  assert.equal(right, 16);
  assert.equal(total, 22);
  assert.deepEqual(rows.map((row) => row.actual), [0, 1, 2]);
  assert.deepEqual(rows.map((row) => row.cells.map((c) => c.count)), counts);
  assert.deepEqual(rows[2].cells[0], { predicted: 0, count: 3, hit: false });
  assert.deepEqual(rows.map((row) => row.cells.filter((c) => c.hit).map((c) => c.predicted)), [[0], [1], [2]]);
});
