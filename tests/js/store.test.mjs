// The page's store (static/js/store.js): sanitize, the URL round trip, change kinds, the mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OPTIONS } from './options.mjs';
import { Store, changeKinds, memoryUrl } from '../../static/js/store.js';
import {
  KIND, PROPS, defaultState, plannedNetwork, stateFromConfig, toDataConfig, toHash, toRunConfig,
} from '../../static/js/state.js';

/** A store on a URL, its state read from it (as the page starts). */
const store = (hash = '') => {
  const s = new Store(OPTIONS, { url: memoryUrl(hash) });
  s.state = s.readLink([]);
  return s;
};

test('the defaults are the server\'s', () => {
  const s = store();
  const d = OPTIONS.defaults;
  assert.equal(s.base.lr, d.learning_rate);
  assert.equal(s.base.dataset, d.dataset.name);
  assert.deepEqual(s.base.layers, d.layers);
  assert.equal(s.base.seed, d.seed);
});

test('a state written to the URL reads back the same', () => {
  const s = store();
  const state = {
    ...structuredClone(s.base), dataset: 'draw', pclasses: 3, lr: 0.05, opt: 'adam', batch: 16, l2: 0.001,
    layers: [{ units: 5, activation: 'relu' }, { units: 3, activation: 'sigmoid' }], seed: 9, speed: 'max',
    pts: { x1: [-6, 0.15, 5.95], x2: [6, -0.05, 1], y: [0, 1, 2] }, test: true, smooth: 0.5,
  };
  s.set(state, { push: true });
  assert.equal(s.url.entries.length, 2, 'a change is a history entry');
  assert.equal(s.url.hash(), toHash(state));
  const ignored = [];
  const read = s.readLink(ignored);
  assert.deepEqual(ignored, []);
  assert.deepEqual(read, state);
});

test('a link is checked: unknown names, off-plane points and out-of-bounds numbers fall back', () => {
  const s = store('#dataset=nope&layers=4:swish&lr=-1&opt=sgd2');
  const ignored = [];
  const read = s.readLink(ignored);
  assert.equal(read.dataset, s.base.dataset);
  assert.equal(read.layers[0].activation, s.base.layers[0].activation);
  assert.equal(read.opt, s.base.opt);
  assert.equal(read.lr, s.base.lr);
  assert.equal(ignored.length, 4, ignored.join('\n'));
  // A point at x1 = 6.05, just off the plane options.draw_bounds gives.
  const off = store(`#dataset=draw&pts=${Buffer.from([121, 0, 0, 0, 0, 1]).toString('base64url')}`);
  const why = [];
  assert.deepEqual(off.readLink(why).pts, s.base.pts);
  assert.match(why[0], /malformed drawn points/);
});

test('sanitize: the output fits the task, own data drops the built-in keys, drawn classes stay within the limit', () => {
  const s = store();
  const regression = OPTIONS.datasets.find((d) => d.task === 'regression');
  const state = s.sanitize({ ...structuredClone(s.base), dataset: regression.name, output: 'sigmoid' });
  assert.equal(state.output, '', 'sigmoid is no regression output');
  assert.equal(state.size, regression.default_size);
  const ok = s.sanitize({ ...structuredClone(s.base), output: OPTIONS.outputs.binary[1] });
  assert.equal(ok.output, OPTIONS.outputs.binary[1]);
  const drawn = s.sanitize({
    ...structuredClone(s.base), dataset: 'draw', pclasses: 99, noise: 0.2, pts: { x1: [0, 1], x2: [0, 1], y: [0, 7] },
  });
  assert.equal(drawn.pclasses, OPTIONS.max_drawn_classes);
  assert.equal(drawn.noise, null);
  assert.deepEqual(drawn.pts.y, [0]);
  assert.equal(s.taskOf(drawn), 'multiclass');
  assert.equal(s.taskOf({ ...drawn, pclasses: 2 }), 'binary');
  assert.equal(s.taskOf({ ...drawn, dataset: 'csv' }), null, "a CSV's task comes with its run");
});

test('a link without a learning rate gets its task\'s', () => {
  const regression = OPTIONS.datasets.find((d) => d.task === 'regression');
  const read = store(`#dataset=${regression.name}`).readLink([]);
  assert.equal(read.lr, OPTIONS.task_defaults.regression.learning_rate);
});

test('change kinds: what a change of keys means for the run', () => {
  assert.deepEqual(changeKinds(['lr', 'batch']), new Set([KIND.LIVE]));
  assert.deepEqual(changeKinds(['layers', 'seed', 'dataset']), new Set([KIND.RUN]));
  assert.deepEqual(changeKinds(['pts']), new Set([KIND.POINTS]));
  assert.deepEqual(changeKinds(['speed', 'logcost', 'cmp']), new Set([KIND.SPEED, KIND.VIEW, KIND.COMPARE]));
  for (const key of ['lr', 'opt', 'batch', 'l2', 'l1']) assert.equal(PROPS[key].kind, KIND.LIVE, key);
  const s = store();
  assert.deepEqual(s.set({ ...s.state, lr: 0.5, test: true }), ['lr', 'test']);
});

test('the mode: listeners hear real changes only', () => {
  const s = store();
  const heard = [];
  s.onMode((mode) => heard.push({ ...mode }));
  s.setMode({ comparing: true });
  s.setMode({ comparing: true });
  s.setMode({ presenter: true });
  assert.deepEqual(heard, [
    { comparing: true, opened: false, presenter: false, following: false },
    { comparing: true, opened: false, presenter: true, following: false },
  ]);
});

test('defaultState without the server\'s defaults is the table\'s', () => {
  assert.equal(defaultState().dataset, PROPS.dataset.initial);
});

test('propose: a refused number is taken out with its reason; the rest goes through', () => {
  const s = store();
  const { next, refused, keys } = s.propose({ lr: 0, seed: 7 });
  assert.equal(refused.key, 'lr');
  assert.equal(refused.errors[0].field, 'learning_rate');
  assert.equal(next.lr, s.state.lr);
  assert.deepEqual(keys, ['seed']);
});

test('propose: α follows the data to a task of another default rate, unless the student chose it', () => {
  const s = store();
  const regression = OPTIONS.datasets.find((d) => d.task === 'regression');
  const rate = OPTIONS.task_defaults.regression.learning_rate;
  assert.notEqual(rate, s.state.lr);
  assert.equal(s.propose({ dataset: regression.name }).next.lr, rate);
  s.set({ ...s.state, lr: 0.7 });
  assert.equal(s.propose({ dataset: regression.name }).next.lr, 0.7, 'a rate of the student\'s own stays');
  assert.equal(s.propose({ dataset: 'csv' }).retune, undefined, 'not a default rate: no say');
  s.set({ ...s.state, lr: OPTIONS.task_defaults.binary.learning_rate });
  assert.equal(s.propose({ dataset: 'csv' }).retune, true, "a CSV's task comes with its run");
  assert.equal(s.propose({ lr: 0.2 }).retune, false);
});

test('the CSV task travels in the link and the run config, and an unknown one is dropped', () => {
  const s = store();
  const state = { ...structuredClone(s.base), dataset: 'csv', upload: 'abc123', label: 'price', ctask: 'regression' };
  const config = toDataConfig(state);
  assert.equal(config.task, 'regression');
  assert.equal(toDataConfig({ ...state, ctask: '' }).task, null); // auto: the server guesses
  assert.deepEqual(stateFromConfig(toRunConfig(state), s.base).ctask, 'regression');
  assert.equal(stateFromConfig({ ...toRunConfig(state), dataset: { ...config, task: 'binary' } }, s.base).ctask, 'classes');
  assert.equal(store(toHash(state)).state.ctask, 'regression');
  assert.equal(store(toHash({ ...state, ctask: 'ranking' })).state.ctask, '');
});

test('waiting for data, the planned network is the one the settings will build', () => {
  const s = store();
  const layers = [{ units: 5, activation: 'relu' }, { units: 3, activation: 'tanh' }];
  const drawn = plannedNetwork({ ...structuredClone(s.base), dataset: 'draw', layers, features: ['x1_x2'] }, OPTIONS);
  assert.deepEqual(drawn.network.layer_dims, [3, 5, 3, 1]);
  assert.deepEqual(drawn.network.activations, ['relu', 'tanh', 'sigmoid']);
  assert.deepEqual(drawn.inputs, ['x1', 'x2', 'x1_x2']);
  assert.deepEqual(drawn.dataset.bounds, OPTIONS.draw_bounds);
  assert.match(drawn.waiting, /^waiting for data: points of two classes/);
  const three = plannedNetwork({ ...structuredClone(s.base), dataset: 'draw', layers, pclasses: 3, pts: { x1: [0], x2: [0], y: [1] } }, OPTIONS);
  assert.deepEqual(three.network.layer_dims, [2, 5, 3, 3]);
  assert.equal(three.network.activations.at(-1), 'softmax');
  assert.match(three.waiting, /a second class/);
  const binarySoftmax = plannedNetwork({ ...structuredClone(s.base), dataset: 'draw', layers: [], output: 'softmax' }, OPTIONS);
  assert.deepEqual(binarySoftmax.network.layer_dims, [2, 2]); // as the server builds it: a unit per class
  const csv = plannedNetwork({ ...structuredClone(s.base), dataset: 'csv', layers }, OPTIONS);
  assert.deepEqual(csv.network.layer_dims, [1, 5, 3, 1]);
  assert.equal(csv.network.inputs_shown, 1);
  assert.equal(csv.network.activations.at(-1), '?');
  assert.match(csv.waiting, /a CSV file/);
});
