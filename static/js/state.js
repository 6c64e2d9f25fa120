/**
 * The playground's state as plain data, one declarative table (like TensorFlow Playground's
 * state.ts), serialized to the URL hash so a link reproduces data, seed and network.
 * Pure: no DOM, no network.
 */

/**
 * What a change to a key means for the run: rebuild it, update it live, give it new points
 * (drawn data: the network keeps training), or only redraw.
 */
export const KIND = { RUN: 'run', LIVE: 'live', POINTS: 'points', SPEED: 'speed', VIEW: 'view', COMPARE: 'compare' };

/** The data sources besides the built-in datasets, as values of the `dataset` key. */
export const OWN_DATA = { DRAW: 'draw', CSV: 'csv', IMAGES: 'images' };
/** How the own-data sources appear beside the built-in datasets (previews, menu). */
export const OWN_DATASETS = [
  { name: OWN_DATA.DRAW, title: 'Draw your own', icon: '✎', description: 'Click on the plot to add points of each class' },
  { name: OWN_DATA.CSV, title: 'Upload a CSV', icon: '▤', description: 'A table: numeric feature columns and a label column' },
  { name: OWN_DATA.IMAGES, title: 'Images', icon: '▦', description: "The course's image sets (.h5, .npz), or a built-in example" },
].map((d) => ({ ...d, own: true, task: null, n_inputs: d.name === OWN_DATA.DRAW ? 2 : null }));

/**
 * The grid drawn points snap to, the page's own URL codec (the plane itself, [x1 lo, hi, x2 lo,
 * hi], is GET /api/options `draw_bounds`: the codec and snap() take it as an argument).
 */
export const DRAW_STEP = 0.05;
/** Drawn points travel in the link up to this many (3 bytes each, 4 characters in base64). */
export const URL_MAX_POINTS = 2000;

/**
 * Drawn points {x1: [], x2: [], y: []} as URL-safe base64 of 3 bytes per point: x1 and x2 in
 * steps of DRAW_STEP as int8 (±6 → ±120), then the class.
 */
const points = {
  /**
   * @param {string} s
   * @param {{drawBounds?: number[]}} context the plane (options.draw_bounds): points off it are refused
   * @throws {Error} on data no link of ours holds (fromHash drops it and says so)
   */
  parse: (s, { drawBounds } = {}) => {
    const out = { x1: [], x2: [], y: [] };
    const bytes = Uint8Array.from(atob(s.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
    if (bytes.length % 3 || bytes.length > 3 * URL_MAX_POINTS) throw new Error('not a whole number of points');
    const signed = new Int8Array(bytes.buffer);
    const bounds = drawBounds ?? [-128 * DRAW_STEP, 127 * DRAW_STEP, -128 * DRAW_STEP, 127 * DRAW_STEP]; // int8's range
    const off = (k, lo, hi) => k * DRAW_STEP < lo - 1e-9 || k * DRAW_STEP > hi + 1e-9;
    for (let i = 0; i < bytes.length; i += 3) {
      if (off(signed[i], bounds[0], bounds[1]) || off(signed[i + 1], bounds[2], bounds[3])) throw new Error('a point off the plane');
      out.x1.push(snap(signed[i] * DRAW_STEP, bounds.slice(0, 2)));
      out.x2.push(snap(signed[i + 1] * DRAW_STEP, bounds.slice(2, 4)));
      out.y.push(bytes[i + 2]);
    }
    return out;
  },
  write: (v) => {
    if (v.y.length > URL_MAX_POINTS) return '';
    const bytes = new Int8Array(v.y.length * 3);
    v.y.forEach((c, i) => {
      bytes[3 * i] = Math.round(v.x1[i] / DRAW_STEP);
      bytes[3 * i + 1] = Math.round(v.x2[i] / DRAW_STEP);
      bytes[3 * i + 2] = c;
    });
    let text = '';
    for (const b of new Uint8Array(bytes.buffer)) text += String.fromCharCode(b);
    return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  },
};

/**
 * A coordinate on the drawing grid (multiples of DRAW_STEP, within [lo, hi]).
 * @param {number} v
 * @param {number[]} range [lo, hi]: one axis of options.draw_bounds
 */
export function snap(v, [lo, hi]) {
  // k / 20, not k * 0.05: 3 / 20 is 0.15 where 3 * 0.05 is 0.15000000000000002, which would
  // make the messages (and the link) longer for nothing.
  return Math.round(Math.min(hi, Math.max(lo, v)) / DRAW_STEP) / (1 / DRAW_STEP);
}

/**
 * Whether drawn points can be trained on: two points at least, of two classes at least.
 * @param {{y: number[]}} pts
 */
export function trainable(pts) {
  return pts.y.length >= 2 && new Set(pts.y).size >= 2;
}

const num = { parse: Number, write: String };
const int = { parse: (s) => Math.trunc(Number(s)), write: String };
const str = { parse: (s) => s, write: (v) => v };
const bool = { parse: (s) => s === '1', write: (v) => (v ? '1' : '0') };
const nullableInt = { parse: (s) => (s === '' ? null : Math.trunc(Number(s))), write: (v) => (v == null ? '' : String(v)) };
const list = { parse: (s) => (s ? s.split(',') : []), write: (v) => v.join(',') };
const layers = {
  parse: (s) => (s ? s.split(',').map((part) => {
    const [units, activation] = part.split(':');
    if (!/^\d+$/.test(units) || Number(units) < 1) throw new Error('units are a whole number');
    return { units: Number(units), activation: activation || 'tanh' };
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
  // Own data: drawn points and their number of classes; an uploaded CSV file (its id on the
  // server), label column and task ('' = guessed from the labels, 'classes', 'regression');
  // uploaded image-set files (none: the built-in example).
  pts: { codec: points, kind: KIND.POINTS, initial: { x1: [], x2: [], y: [] } },
  pclasses: { codec: int, kind: KIND.RUN, initial: 2 },
  upload: { codec: str, kind: KIND.RUN, initial: '' },
  label: { codec: str, kind: KIND.RUN, initial: '' },
  ctask: { codec: str, kind: KIND.RUN, initial: '' },
  images: { codec: list, kind: KIND.RUN, initial: [] },
  layers: { codec: layers, kind: KIND.RUN, initial: [{ units: 4, activation: 'tanh' }] },
  output: { codec: str, kind: KIND.RUN, initial: '' },
  init: { codec: str, kind: KIND.RUN, initial: 'random' },
  scale: { codec: num, kind: KIND.RUN, initial: 0.01 },
  seed: { codec: int, kind: KIND.RUN, initial: 3 },
  lr: { codec: num, kind: KIND.LIVE, initial: 1.2 },
  opt: { codec: str, kind: KIND.LIVE, initial: 'gd' },
  batch: { codec: nullableInt, kind: KIND.LIVE, initial: null },
  l2: { codec: num, kind: KIND.LIVE, initial: 0 },
  l1: { codec: num, kind: KIND.LIVE, initial: 0 },
  speed: { codec: str, kind: KIND.SPEED, initial: 'auto' },
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
  // A reduced page: the controls the link hides (static/js/hiding.js HIDEABLE's names).
  hide: { codec: list, kind: KIND.VIEW, initial: [] },
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
      lr: defaults.learning_rate, opt: defaults.optimizer, batch: defaults.batch_size, l2: defaults.l2, l1: defaults.l1 ?? 0,
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
 * Read a URL hash over a base state; unknown keys are ignored, and so are unreadable values
 * (a number that is none, malformed drawn points), each with a line in `ignored`. Never throws.
 * @param {string} hash location.hash
 * @param {object} base the state to start from (defaults)
 * @param {string[]} [ignored] receives what was dropped, as text for the page
 * @param {{drawBounds?: number[]}} [context] options.draw_bounds, the plane drawn points lie on
 * @returns {object}
 */
export function fromHash(hash, base, ignored = [], context = {}) {
  const state = structuredClone(base);
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, prop] of Object.entries(PROPS)) {
    if (!params.has(key)) continue;
    const text = params.get(key);
    let value;
    try {
      value = prop.codec.parse(text, context);
    } catch {
      ignored.push(`ignored malformed ${KEY_NAMES[key] || key} from the link`);
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      ignored.push(`ignored unreadable ${KEY_NAMES[key] || key} ${quote(text)} from the link`);
      continue;
    }
    state[key] = value;
  }
  return state;
}

/** How the page names a key in its notices. */
const KEY_NAMES = { ctask: 'CSV task', pts: 'drawn points', lr: 'learning rate', dseed: 'data seed', l2: 'L2 λ', l1: 'L1 λ' };

/** A value from a link, quoted for a notice and cut short ('<img src=x …'). */
function quote(value) {
  const text = String(value);
  return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
}

const UPLOAD_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What a CSV's label may be learnt as (the `ctask` key; the run config's dataset.task, null for
 * ''): guessed from the labels, classes (binary or multiclass by their number), or regression.
 */
export const CSV_TASKS = [
  { name: '', title: 'auto' },
  { name: 'classes', title: 'classes' },
  { name: 'regression', title: 'regression (a number)' },
];

/**
 * The names a state may use: those GET /api/options lists, the own-data sources, the lessons
 * what compare mode can vary and the controls a link may hide. Registries come in as data (this
 * module imports none of them).
 * @param {object} options GET /api/options
 * @param {{lessons?: string[], vary?: Object<string, {valid(value: string, known: object): boolean}>,
 *   hide?: object}} [more] hide: hiding.js HIDEABLE (its keys are the names)
 */
export function knownNames(options, { lessons = [], vary = {}, hide = {} } = {}) {
  const names = (items) => new Set(items.map((item) => item.name));
  return {
    dataset: new Set([...options.datasets, ...OWN_DATASETS].map((d) => d.name)),
    activation: names(options.activations.filter((a) => a.hidden)),
    output: names(options.activations.filter((a) => a.output)),
    init: names(options.initializations),
    opt: names(options.optimizers),
    feature: names(options.features),
    lesson: new Set(lessons),
    vary,
    hide: new Set(Object.keys(hide)),
    maxClasses: options.max_drawn_classes,
    maxPoints: Math.min(options.limits.max_drawn_points, URL_MAX_POINTS),
    maxLayers: options.limits.max_hidden_layers,
    maxUnits: options.limits.max_units,
    bounds: options.bounds,
  };
}

/**
 * Drop every name the server and the page do not know (a dataset, an activation, an
 * initialization, an optimizer, a feature, a lesson, what to compare and its values, an upload
 * id) and drawn points they cannot hold, falling back to `base`; each drop is a line of text
 * in `ignored` (shown on the page, as text). Mutates and returns `state`.
 * @param {object} state e.g. fromHash's
 * @param {object} known knownNames(…)
 * @param {object} base the defaults
 * @param {string[]} ignored
 * @param {string} [from] where the state came from, for the notices
 * @returns {object}
 */
export function checkNames(state, known, base, ignored, from = ' from the link') {
  const drop = (what, value) => ignored.push(`ignored unknown ${what} ${quote(value)}${from}`);
  /** A filter keeping the values `ok` accepts; it reports the others. */
  const accepts = (what, ok) => (value) => {
    if (ok(value)) return true;
    drop(what, value);
    return false;
  };
  const keep = (key, what, set) => {
    if (!set.has(state[key])) {
      drop(what, state[key]);
      state[key] = structuredClone(base[key]);
    }
  };
  keep('dataset', 'dataset', known.dataset);
  keep('init', 'initialization', known.init);
  keep('opt', 'optimizer', known.opt);
  if (state.output) keep('output', 'output activation', known.output);
  const fallback = base.layers[0]?.activation ?? 'tanh';
  state.layers = state.layers.map((layer) => {
    if (known.activation.has(layer.activation)) return layer;
    drop('activation', layer.activation);
    return { ...layer, activation: fallback };
  });
  state.features = state.features.filter(accepts('input feature', (f) => known.feature.has(f)));
  if (state.lesson) keep('lesson', 'lesson', known.lesson);
  if (!CSV_TASKS.some((t) => t.name === state.ctask)) {
    drop('CSV task', state.ctask);
    state.ctask = '';
  }
  const hideable = known.hide ?? new Set();
  state.hide = [...new Set(state.hide.filter(accepts('control to hide', (name) => hideable.has(name))))];
  if (state.upload && !UPLOAD_ID.test(state.upload)) {
    drop('upload', state.upload);
    state.upload = '';
  }
  state.images = state.images.filter(accepts('upload', (id) => UPLOAD_ID.test(id)));
  if (state.cmp && !known.vary[state.cmp]) {
    drop('comparison', state.cmp);
    Object.assign(state, { cmp: '', vals: [], open: null });
  }
  if (state.cmp) {
    const vary = known.vary[state.cmp];
    state.vals = state.vals.filter((v) => {
      if (vary.valid(v, known)) return true;
      const why = vary.why?.(v, known); // a value of the right kind, out of bounds: say why
      if (why) ignored.push(`not compared: ${quote(v)}${from}. ${why}`);
      else drop(`value to compare (${state.cmp})`, v);
      return false;
    });
  }
  const pts = state.pts;
  if (pts.y.some((c) => c >= known.maxClasses) || pts.y.length > known.maxPoints) {
    ignored.push(`ignored drawn points of unknown classes or beyond ${known.maxPoints}${from}`);
    const keepPoint = (_, i) => pts.y[i] < known.maxClasses && i < known.maxPoints;
    state.pts = { x1: pts.x1.filter(keepPoint), x2: pts.x2.filter(keepPoint), y: pts.y.filter(keepPoint) };
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
    dataset: toDataConfig(state),
    layers: state.layers,
    output: state.output || null,
    init: { name: state.init, scale: state.scale },
    seed: state.seed,
    learning_rate: state.lr,
    optimizer: state.opt,
    batch_size: state.batch,
    l2: state.l2,
    l1: state.l1,
  };
}

/**
 * The state of a run's config (toRunConfig's inverse): a run this page did not build, a class's
 * followed or forked run, shown in the page's controls. What a config does not say (the view's
 * toggles, the speed) comes from `base`; compare mode and lessons are off.
 * @param {object} config a run's `config` as `created` or `watching` describe it
 * @param {object} base the state to start from
 * @returns {object}
 */
export function stateFromConfig(config, base) {
  const d = config.dataset || {};
  const state = {
    ...structuredClone(base),
    lr: config.learning_rate, opt: config.optimizer, batch: config.batch_size ?? null, l2: config.l2, l1: config.l1 ?? 0,
    layers: structuredClone(config.layers), output: config.output || '', init: config.init.name, scale: config.init.scale,
    seed: config.seed, cmp: '', vals: [], open: null, lesson: '',
  };
  const common = { train: d.train_fraction ?? base.train, dseed: d.seed ?? base.dseed };
  if (d.kind === 'drawn') {
    Object.assign(state, common, {
      dataset: OWN_DATA.DRAW, pts: { x1: [...d.x1], x2: [...d.x2], y: [...d.y] }, pclasses: d.n_classes, features: [...(d.features || [])],
    });
  } else if (d.kind === 'csv') {
    // binary and multiclass (a run another client made) are both classes here
    const ctask = d.task === 'binary' || d.task === 'multiclass' ? 'classes' : d.task || '';
    Object.assign(state, common, { dataset: OWN_DATA.CSV, upload: d.upload, label: d.label, ctask });
  } else if (d.kind === 'images') {
    Object.assign(state, { dataset: OWN_DATA.IMAGES, images: [...(d.uploads || [])] });
  } else {
    Object.assign(state, common, {
      dataset: d.name, size: d.size ?? null, noise: d.noise ?? null, features: [...(d.features || [])], classes: d.n_classes ?? null,
    });
  }
  return state;
}

/** The live keys (KIND.LIVE) and the fields of the protocol's `update` message they go in. */
export const LIVE_FIELDS = { lr: 'learning_rate', opt: 'optimizer', batch: 'batch_size', l2: 'l2', l1: 'l1' };

/**
 * The `update` message for a change of live keys, and the values it sends (by key).
 * @param {string[]} runs the runs it names
 * @param {object} state the new state
 * @param {string[]} keys the keys that changed (others are left out)
 * @returns {{message: object, values: object}}
 */
export function updateMessage(runs, state, keys) {
  const message = { type: 'update', runs };
  const values = {};
  for (const key of keys) {
    if (!LIVE_FIELDS[key]) continue;
    message[LIVE_FIELDS[key]] = state[key];
    values[key] = structuredClone(state[key]);
  }
  return { message, values };
}

/**
 * The `dataset` of the run config: a built-in dataset, drawn points, a CSV upload or images.
 * @param {object} state
 * @returns {object}
 */
export function toDataConfig(state) {
  switch (state.dataset) {
    case OWN_DATA.DRAW:
      return {
        kind: 'drawn', x1: state.pts.x1, x2: state.pts.x2, y: state.pts.y, n_classes: state.pclasses,
        train_fraction: state.train, seed: state.dseed, features: state.features,
      };
    case OWN_DATA.CSV:
      return {
        kind: 'csv', upload: state.upload, label: state.label, task: state.ctask || null, train_fraction: state.train, seed: state.dseed,
      };
    case OWN_DATA.IMAGES:
      return { kind: 'images', uploads: state.images };
    default:
      return {
        name: state.dataset,
        size: state.size,
        noise: state.noise,
        train_fraction: state.train,
        seed: state.dseed,
        features: state.features,
        n_classes: state.classes,
      };
  }
}

/**
 * The network a state will build while it waits for data (hasData false: drawn points of one
 * class, a CSV with no file yet), in the shape of a `created` payload's network and dataset, as
 * the diagram draws it: the hidden layers as set, the inputs and output the data will give (for
 * a CSV, a placeholder input and output until the file says), and what it waits for.
 * @param {object} state
 * @param {object} options GET /api/options (outputs per task, draw_bounds)
 * @returns {{planned: true, network: object, dataset: object, inputs: string[], waiting: string}}
 */
export function plannedNetwork(state, options) {
  const hidden = state.layers.map((l) => l.units);
  const acts = state.layers.map((l) => l.activation);
  if (state.dataset === OWN_DATA.DRAW) {
    const task = state.pclasses > 2 ? 'multiclass' : 'binary';
    const output = state.output || options.outputs[task][0];
    const inputs = ['x1', 'x2', ...state.features];
    const classes = new Set(state.pts.y).size;
    return {
      planned: true,
      network: { layer_dims: [inputs.length, ...hidden, output === 'softmax' ? state.pclasses : 1], activations: [...acts, output] },
      dataset: { name: 'drawn', n_x: inputs.length, bounds: options.draw_bounds, features: state.features, train: { x1: [], x2: [], y: [] } },
      inputs,
      waiting: `waiting for data: ${classes ? 'points of a second class' : 'points of two classes'} (click on the output plot)`,
    };
  }
  return {
    planned: true,
    network: { layer_dims: [1, ...hidden, 1], activations: [...acts, state.output || '?'], inputs_shown: 1 },
    dataset: { name: 'csv', n_x: 1, features: [], train: null },
    inputs: ['features'],
    waiting: 'waiting for data: a CSV file (its columns give the inputs, its label the output)',
  };
}

/**
 * Whether the state describes data a run can be built from (drawn points of two classes, an
 * uploaded CSV with a label column); if not, the page waits for the user.
 * @param {object} state
 */
export function hasData(state) {
  if (state.dataset === OWN_DATA.DRAW) return trainable(state.pts);
  if (state.dataset === OWN_DATA.CSV) return Boolean(state.upload && state.label);
  return true;
}
