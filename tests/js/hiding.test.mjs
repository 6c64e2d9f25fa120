// A reduced page (static/js/hiding.js): the `hide` key's round trip through the URL, unknown
// names dropped with the page's notice, the shortcuts that go with hidden controls, a class push.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OPTIONS } from './options.mjs';
import { HIDEABLE, hiddenKeys, hideList, keepHidden } from '../../static/js/hiding.js';
import { Store, memoryUrl } from '../../static/js/store.js';
import { KIND, PROPS, defaultState, fromHash, knownNames, toHash } from '../../static/js/state.js';

const known = knownNames(OPTIONS, { hide: HIDEABLE });
const store = (hash = '') => new Store(OPTIONS, { known, url: memoryUrl(hash) });

test('hide is a view key, empty by default', () => {
  assert.equal(PROPS.hide.kind, KIND.VIEW);
  assert.deepEqual(defaultState(OPTIONS.defaults).hide, []);
});

test('a state with hidden controls written to the URL reads back the same', () => {
  const s = store();
  const state = { ...structuredClone(s.base), hide: ['lr', 'opt', 'layers', 'dataset'] };
  s.set(state, { push: true });
  assert.match(s.url.hash(), /[#&]hide=lr,opt,layers,dataset(&|$)/);
  const ignored = [];
  assert.deepEqual(s.readLink(ignored), s.sanitize(structuredClone(state)));
  assert.deepEqual(ignored, []);
  assert.deepEqual(fromHash(toHash(state), s.base).hide, state.hide);
});

test('unknown names in hide are dropped, each with a notice; the known ones stay', () => {
  const s = store('#hide=lr,bogus,<img src=x>,opt,lr');
  const ignored = [];
  const read = s.readLink(ignored);
  assert.deepEqual(read.hide, ['lr', 'opt']);
  assert.equal(ignored.length, 2, ignored.join('\n'));
  assert.match(ignored[0], /ignored unknown control to hide 'bogus' from the link/);
  assert.match(ignored[1], /'<img src=x>'/);
});

test('a page that knows no hideable names hides nothing', () => {
  const s = new Store(OPTIONS, { url: memoryUrl('#hide=lr') });
  const ignored = [];
  assert.deepEqual(s.readLink(ignored).hide, []);
  assert.equal(ignored.length, 1);
});

test('hiding play takes space, s and r with it; presenter takes p', () => {
  assert.deepEqual([...hiddenKeys(['play'])].sort(), [' ', 'r', 's']);
  assert.deepEqual([...hiddenKeys(['lr', 'presenter'])], ['p']);
  assert.equal(hiddenKeys(['lr', 'nope']).size, 0);
});

test('hideList keeps known names in the table order, once', () => {
  assert.deepEqual(hideList(['layers', 'lr', 'x', 'lr']), ['lr', 'layers']);
});

test('every hideable name has a label and selectors', () => {
  for (const [name, entry] of Object.entries(HIDEABLE)) {
    assert.ok(entry.label, name);
    assert.ok(entry.selectors.length, name);
  }
});

test('a class push that names no hidden controls keeps the page\'s', () => {
  const pushed = toHash(defaultState(OPTIONS.defaults)).slice(1);
  const kept = keepHidden(pushed, ['lr', 'opt']);
  const read = fromHash(kept, defaultState(OPTIONS.defaults));
  assert.deepEqual(read.hide, ['lr', 'opt']);
  assert.deepEqual({ ...read, hide: [] }, fromHash(pushed, defaultState(OPTIONS.defaults)));
  assert.equal(keepHidden('dataset=moons&hide=seed', ['lr']), 'dataset=moons&hide=seed');
  assert.equal(keepHidden('dataset=moons', []), 'dataset=moons');
});
