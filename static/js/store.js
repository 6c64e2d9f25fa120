/**
 * The page's store: the one state every mode shares (the single run, compare mode, a run opened
 * from a comparison), kept consistent with GET /api/options (sanitize), read from and written to
 * the URL (each change a history entry), what a change means (its kinds: rebuild the run, update
 * it live, new points, speed, view, compare), and the page's mode (comparing, a run opened,
 * presenter), which views read here instead of from classes of `document.body`.
 * Pure: the URL comes through an adapter ({hash(), push(hash), replace(hash)}; main.js gives it
 * `location` and `history`, tests memoryUrl()), so Node imports it.
 */

import {
  OWN_DATA, OWN_DATASETS, PROPS, changedKeys, checkNames, defaultState, fromHash, knownNames, toHash,
} from './state.js';
import { FIELDS, refusal, shown, taskLearningRate } from './rules.js';

/**
 * A URL held in memory, for tests (and a page without history).
 * @param {string} [hash]
 */
export function memoryUrl(hash = '') {
  const entries = [hash];
  return {
    entries,
    hash: () => entries[entries.length - 1],
    push: (h) => { entries.push(h); },
    replace: (h) => { entries[entries.length - 1] = h; },
  };
}

/**
 * The kinds of change a set of keys makes (state.js KIND).
 * @param {string[]} keys
 * @returns {Set<string>}
 */
export function changeKinds(keys) {
  return new Set(keys.map((key) => PROPS[key].kind));
}

export class Store {
  /**
   * @param {object} options GET /api/options
   * @param {{known?: object, url?: {hash(): string, push(h: string): void, replace(h: string): void}}} [deps]
   *   known: the names a link may use (state.js knownNames); url: where the state is written
   */
  constructor(options, { known = knownNames(options), url = memoryUrl() } = {}) {
    this.options = options;
    this.known = known;
    this.url = url;
    this.datasets = Object.fromEntries([...options.datasets, ...OWN_DATASETS].map((d) => [d.name, d]));
    /** The defaults: what a link without a key means, and what a refused value falls back to. */
    this.base = defaultState(options.defaults);
    this.state = structuredClone(this.base);
    /** The page's mode: set by compare mode (comparing, opened) and the presenter toggle. */
    this.mode = { comparing: false, opened: false, presenter: false, following: false };
    this.modeListeners = [];
  }

  // --- the state and the URL ------------------------------------------------------------------

  /**
   * Make `next` the state; the URL follows (a new history entry, or the current one replaced).
   * @param {object} next
   * @param {{push?: boolean}} [how]
   * @returns {string[]} the keys that changed
   */
  set(next, { push = false } = {}) {
    const keys = changedKeys(this.state, next);
    this.state = next;
    if (push) this.url.push(toHash(next));
    else this.url.replace(toHash(next));
    return keys;
  }

  /**
   * The state the URL describes, every name in it checked against the server's options (and the
   * lessons, the compare kinds), every typed number against its bounds; what was dropped goes
   * to `ignored` as text. A link without a learning rate gets its task's.
   * @param {string[]} ignored
   * @param {object|null} [created] the run shown (its task, for a CSV's)
   * @returns {object}
   */
  readLink(ignored, created = null) {
    const hash = this.url.hash();
    const read = fromHash(hash, this.base, ignored, { drawBounds: this.options.draw_bounds });
    const state = this.sanitize(checkNames(read, this.known, this.base, ignored), created);
    for (const key of Object.keys(FIELDS)) {
      const reason = refusal(key, state[key], this.options.bounds, 'the link has');
      if (!reason) continue;
      state[key] = structuredClone(this.base[key]);
      ignored.push(`${reason} Using ${state[key] == null ? 'the default' : shown(state[key])} instead.`);
    }
    const task = this.taskOf(state, created);
    if (!new URLSearchParams(hash.replace(/^#/, '')).has('lr') && task) {
      state.lr = taskLearningRate(this.options, task) ?? state.lr; // a link without α: the task's
    }
    return state;
  }

  /**
   * Keep a state consistent: a known dataset, its own data keys (noise, size, classes; drawn
   * classes within the limit, their points), an output that fits the task. Mutates and returns it.
   * @param {object} state
   * @param {object|null} [created] the run shown (a CSV's task)
   * @returns {object}
   */
  sanitize(state, created = null) {
    if (!this.datasets[state.dataset]) state.dataset = this.base.dataset;
    const d = this.datasets[state.dataset];
    if (d.own) {
      Object.assign(state, { noise: null, size: null, classes: null });
      if (state.dataset !== OWN_DATA.DRAW) state.features = [];
      state.pclasses = Math.max(2, Math.min(this.options.max_drawn_classes, state.pclasses || 2));
      if (state.pts.y.some((c) => !(c < state.pclasses))) {
        const keep = (_, i) => state.pts.y[i] < state.pclasses;
        state.pts = { x1: state.pts.x1.filter(keep), x2: state.pts.x2.filter(keep), y: state.pts.y.filter(keep) };
      }
    } else {
      if (state.noise == null) state.noise = d.default_noise;
      if (state.size == null) state.size = d.default_size;
      if (d.task === 'multiclass' && state.classes == null) state.classes = d.default_classes;
      if (d.task !== 'multiclass') state.classes = null;
    }
    const task = this.taskOf(state, created);
    if (task && state.output && !this.options.outputs[task].includes(state.output)) state.output = '';
    return state;
  }

  /**
   * The task of a state's data, or null while unknown (files: until the server reads them).
   * @param {object} state
   * @param {object|null} [created] the run shown: an uploaded file's task comes with it
   * @returns {string|null}
   */
  taskOf(state, created = null) {
    const d = this.datasets[state.dataset];
    if (!d.own) return d.task;
    if (state.dataset === OWN_DATA.DRAW) return state.pclasses > 2 ? 'multiclass' : 'binary';
    return created && created.config.dataset.kind !== 'builtin' ? created.dataset.task : null;
  }

  /**
   * The drawn points as a dataset summary (all shown as training points until the server splits
   * them), on the drawing plane.
   * @param {object} state
   */
  planeDataset(state) {
    return {
      name: 'drawn', task: state.pclasses > 2 ? 'multiclass' : 'binary', n_classes: state.pclasses,
      bounds: this.options.draw_bounds, features: state.features, plottable: true, train: state.pts,
      test: { x1: [], x2: [], y: [] },
    };
  }

  // --- changes ------------------------------------------------------------------------------

  /**
   * A patch from a view, checked against the current state: the first typed number the server
   * would refuse is taken out (rules.js), unknown names dropped, the state kept consistent, and
   * the learning rate follows the task when the data changes task (a regression's squared error
   * diverges at the classification rate 1.2: if α is still a task's default, it becomes the new
   * task's, GET /api/options `task_defaults`).
   * @param {object} patch
   * @param {object|null} [created] the run shown
   * @returns {{next: object, accepted: object, refused: object|null, ignored: string[], keys: string[],
   *   retune: boolean|undefined}} refused: an error for the status view ({key, message, errors});
   *   retune: whether α should follow the task a CSV's run will tell (undefined: unchanged)
   */
  propose(patch, created = null) {
    const ignored = [];
    const accepted = { ...patch };
    const refused = this.refuse(accepted);
    const next = this.sanitize(checkNames({ ...this.state, ...accepted }, this.known, this.state, ignored, ''), created);
    const retune = this.followTask(this.state, next, accepted, created);
    return { next, accepted, refused, ignored, keys: changedKeys(this.state, next), retune };
  }

  /**
   * Take out of a patch the first typed number the server would refuse.
   * @returns {object|null} an error for the status view ({key, message, errors}), or null
   */
  refuse(patch) {
    for (const key of Object.keys(patch)) {
      const message = refusal(key, patch[key], this.options.bounds);
      if (!message) continue;
      delete patch[key];
      return { key, code: 'refused', message, errors: [{ field: FIELDS[key].path, message }] };
    }
    return null;
  }

  /**
   * The task's learning rate into `next` if the data changed task and α was a task's default.
   * @returns {boolean|undefined} whether α waits for a CSV's task (undefined: no say)
   */
  followTask(prev, next, patch, created) {
    if (patch.lr !== undefined) return false; // the student's own α
    if (!['dataset', 'upload', 'label', 'ctask'].some((key) => patch[key] !== undefined)) return undefined;
    const defaults = Object.keys(this.options.task_defaults || {}).map((task) => taskLearningRate(this.options, task));
    if (!defaults.includes(next.lr)) return undefined;
    const csv = next.dataset === OWN_DATA.CSV; // its task comes with the run
    const task = csv ? null : this.taskOf(next, created);
    if (task && task !== this.taskOf(prev, created)) next.lr = taskLearningRate(this.options, task) ?? next.lr;
    return csv;
  }

  // --- the mode ---------------------------------------------------------------------------------

  /**
   * Change the page's mode; listeners hear of a real change.
   * @param {{comparing?: boolean, opened?: boolean, presenter?: boolean, following?: boolean}} patch
   */
  setMode(patch) {
    const next = { ...this.mode, ...patch };
    if (Object.keys(next).every((key) => next[key] === this.mode[key])) return;
    this.mode = next;
    for (const listener of this.modeListeners) listener(next);
  }

  /** @param {(mode: object) => void} listener called with the new mode on each change */
  onMode(listener) {
    this.modeListeners.push(listener);
  }
}
