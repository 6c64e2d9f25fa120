// Counts as the page shows them (static/js/domWrite.js): toLocaleString('en-US')'s text, by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatCount } from '../../static/js/domWrite.js';

test('a count reads as toLocaleString("en-US") gives it', () => {
  const counts = [0, 1, 12, 999, 1000, 1234, 99999, 100000, 1234567, 1000000, -1, -1234, -1234567, 2 ** 40];
  for (let n = 1; n < 1e15; n = n * 7 + 3) counts.push(n);
  for (const n of counts) assert.equal(formatCount(n), n.toLocaleString('en-US'), String(n));
  assert.equal(formatCount(1234.5), (1234.5).toLocaleString('en-US'));
});
