// compare.js's pure part: what a comparison this page did not build varies, read off its runs.
import assert from 'node:assert/strict';
import test from 'node:test';

import { VARY, compareValues, variantState, variedKind } from '../../static/js/compare.js';
import { defaultState, stateFromConfig, toRunConfig } from '../../static/js/state.js';
import { OPTIONS } from './options.mjs';

const BASE = defaultState(OPTIONS.defaults);

/** The states a follower reads from the `watching` descriptions of a comparison's runs. */
function followed(kind, values) {
  return values.map((v) => stateFromConfig(toRunConfig(variantState(BASE, kind, v)), BASE));
}

test('each kind of comparison is told by the runs\' configs alone, with its own labels', () => {
  for (const kind of Object.keys(VARY)) {
    const values = compareValues({ ...BASE, cmp: kind, vals: [] });
    const found = variedKind(followed(kind, values));
    assert.equal(found.kind, kind, kind);
    assert.equal(found.values.length, values.length);
    assert.equal(new Set(found.labels).size, values.length, `${kind}: one label per run`);
  }
  assert.deepEqual(variedKind(followed('activation', ['sigmoid', 'tanh', 'relu'])).labels, ['sigmoid', 'tanh', 'relu']);
  assert.deepEqual(variedKind(followed('lr', ['0.1', '1.2'])).labels, ['α = 0.1', 'α = 1.2']);
  assert.deepEqual(variedKind(followed('init', ['zeros', 'random:10', 'he'])).labels, ['zeros', 'random × 10', 'he']);
});

test('runs that differ in nothing compare can vary are numbered', () => {
  const same = followed('lr', ['0.1', '0.1']);
  assert.deepEqual(variedKind(same).labels, ['run 1', 'run 2']);
  assert.ok(VARY[variedKind(same).kind], 'a kind the compare view can show');
});
