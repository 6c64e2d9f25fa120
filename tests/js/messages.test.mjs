// What the page sends (static/js/state.js): the run config of `create` and the `update` message,
// field names as in the protocol (docs/protocol.md, app's RunConfigModel).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultState, toRunConfig, updateMessage } from '../../static/js/state.js';

const state = { ...defaultState(), lr: 0.3, opt: 'adam', batch: 32, l2: 0.01, l1: 0.002 };

test('a live change is sent under the protocol field names', () => {
  const { message, values } = updateMessage(['r1'], state, ['batch', 'lr', 'opt', 'l2', 'l1', 'speed']);
  assert.deepEqual(message, {
    type: 'update', runs: ['r1'], batch_size: 32, learning_rate: 0.3, optimizer: 'adam', l2: 0.01, l1: 0.002,
  });
  assert.deepEqual(values, { batch: 32, lr: 0.3, opt: 'adam', l2: 0.01, l1: 0.002 });
});

test('only the changed live keys go in an update', () => {
  assert.deepEqual(updateMessage(['r1', 'r2'], state, ['batch']).message, { type: 'update', runs: ['r1', 'r2'], batch_size: 32 });
});

test('the run config carries every hyperparameter under its field name', () => {
  const config = toRunConfig(state);
  assert.equal(config.batch_size, 32);
  assert.equal(config.learning_rate, 0.3);
  assert.equal(config.optimizer, 'adam');
  assert.equal(config.l2, 0.01);
  assert.equal(config.l1, 0.002);
  assert.deepEqual(Object.keys(config).sort(),
    ['batch_size', 'dataset', 'init', 'l1', 'l2', 'layers', 'learning_rate', 'optimizer', 'output', 'seed']);
});
