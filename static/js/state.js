/**
 * The playground's state as plain data, one declarative table (like TensorFlow Playground's
 * state.ts), serialized to the URL hash so a link reproduces data, seed and network.
 * Pure: no DOM, no network.
 */

/** What a change to a key means for the run: rebuild it, update it live, or only redraw. */
export const KIND = { RUN: 'run', LIVE: 'live', SPEED: 'speed', VIEW: 'view', COMPARE: 'compare' };

const num = { parse: Number, write: String };
const int = { parse: (s) => Math.trunc(Number(s)), write: String };
const str = { parse: (s) => s, write: (v) => v };
const bool = { parse: (s) => s === '1', write: (v) => (v ? '1' : '0') };
const nullableInt = { parse: (s) => (s === '' ? null : Math.trunc(Number(s))), write: (v) => (v == null ? '' : String(v)) };
const list = { parse: (s) => (s ? s.split(',') : []), write: (v) => v.join(',') };
const layers = {
  parse: (s) => (s ? s.split(',').map((part) => {
    const [units, activation] = part.split(':');
    return { units: Math.trunc(Number(units)), activation: activation || 'tanh' };
  }) : []),
  write: (v) => v.map((l) => `${l.units}:${l.activation}`).join(','),
};

/** Every key: its URL codec, what a change means, and its default. */
export const PROPS = {
  dataset: { codec: str, kind: KIND.RUN, initial: 'flower' },
  noise: { codec: num, kind: KIND.RUN, initial: null },
  size: { codec: int, kind: KIND.RUN, initial: null },
  train: { codec: num, kind: KIND.RUN, initial: 0.8 },
  dseed: { codec: int, kind: KIND.RUN, initial: 0 },
  features: { codec: list, kind: KIND.RUN, initial: [] },
  classes: { codec: nullableInt, kind: KIND.RUN, initial: null },
  layers: { codec: layers, kind: KIND.RUN, initial: [{ units: 4, activation: 'tanh' }] },
  output: { codec: str, kind: KIND.RUN, initial: '' },
  init: { codec: str, kind: KIND.RUN, initial: 'random' },
  scale: { codec: num, kind: KIND.RUN, initial: 0.01 },
  seed: { codec: int, kind: KIND.RUN, initial: 3 },
  lr: { codec: num, kind: KIND.LIVE, initial: 1.2 },
  opt: { codec: str, kind: KIND.LIVE, initial: 'gd' },
  batch: { codec: nullableInt, kind: KIND.LIVE, initial: null },
  l2: { codec: num, kind: KIND.LIVE, initial: 0 },
  speed: { codec: str, kind: KIND.SPEED, initial: '10' },
  stepn: { codec: int, kind: KIND.VIEW, initial: 1 },
  test: { codec: bool, kind: KIND.VIEW, initial: false },
  discrete: { codec: bool, kind: KIND.VIEW, initial: false },
  logcost: { codec: bool, kind: KIND.VIEW, initial: false },
  smooth: { codec: num, kind: KIND.VIEW, initial: 0 },
  // Compare mode and lessons (static/js/compare.js, lessons.js): what varies ('' = off), its
  // values, the target cost, the lesson shown, and the run opened in the single-run view.
  cmp: { codec: str, kind: KIND.COMPARE, initial: '' },
  vals: { codec: list, kind: KIND.COMPARE, initial: [] },
  target: { codec: num, kind: KIND.COMPARE, initial: 0.3 },
  lesson: { codec: str, kind: KIND.COMPARE, initial: '' },
  open: { codec: nullableInt, kind: KIND.COMPARE, initial: null },
};

/**
 * A fresh default state, optionally seeded from the server's defaults (GET /api/options).
 * @param {object} [defaults] options.defaults, a RunConfigModel as JSON
 * @returns {object}
 */
export function defaultState(defaults) {
  const state = {};
  for (const [key, prop] of Object.entries(PROPS)) state[key] = structuredClone(prop.initial);
  if (defaults) {
    Object.assign(state, {
      lr: defaults.learning_rate, opt: defaults.optimizer, batch: defaults.batch_size, l2: defaults.l2,
      dataset: defaults.dataset.name, train: defaults.dataset.train_fraction, dseed: defaults.dataset.seed,
      layers: structuredClone(defaults.layers), init: defaults.init.name, scale: defaults.init.scale,
      seed: defaults.seed,
    });
  }
  return state;
}

/**
 * The state written as a URL hash: every key, so a link is complete.
 * @param {object} state
 * @returns {string} e.g. "#dataset=flower&layers=4:tanh&lr=1.2…"
 */
export function toHash(state) {
  const params = new URLSearchParams();
  for (const [key, prop] of Object.entries(PROPS)) {
    if (state[key] !== null && state[key] !== undefined) params.set(key, prop.codec.write(state[key]));
  }
  return '#' + params.toString().replaceAll('%3A', ':').replaceAll('%2C', ',');
}

/**
 * Read a URL hash over a base state; unknown keys and unparsable values are ignored.
 * @param {string} hash location.hash
 * @param {object} base the state to start from (defaults)
 * @returns {object}
 */
export function fromHash(hash, base) {
  const state = structuredClone(base);
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, prop] of Object.entries(PROPS)) {
    if (!params.has(key)) continue;
    const value = prop.codec.parse(params.get(key));
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    state[key] = value;
  }
  return state;
}

/**
 * The keys whose values differ between two states.
 * @returns {string[]}
 */
export function changedKeys(a, b) {
  return Object.keys(PROPS).filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

/**
 * The run config (the server's RunConfigModel) this state describes.
 * @param {object} state
 * @returns {object}
 */
export function toRunConfig(state) {
  return {
    dataset: {
      name: state.dataset,
      size: state.size,
      noise: state.noise,
      train_fraction: state.train,
      seed: state.dseed,
      features: state.features,
      n_classes: state.classes,
    },
    layers: state.layers,
    output: state.output || null,
    init: { name: state.init, scale: state.scale },
    seed: state.seed,
    learning_rate: state.lr,
    optimizer: state.opt,
    batch_size: state.batch,
    l2: state.l2,
  };
}
