/**
 * A reduced page: the controls a link hides (the `hide` key of the URL hash, like TensorFlow
 * Playground's `…_hide` options), so a teacher hands students a page with only what the lesson
 * is about. HIDEABLE is the one table of names (the share menu's checkboxes, the link's check in
 * state.js checkNames, the view below); HiddenControls hides what the state names: out of sight
 * and out of the keyboard's reach (display: none and `inert`; its shortcuts refused too).
 * The table is data (selectors are strings): Node imports this module.
 */

/**
 * Each name a link may hide: its label (the share menu), the page's elements it hides (CSS
 * selectors), and the keyboard shortcuts that go with them (static/js/shortcuts.js).
 */
export const HIDEABLE = {
  play: { label: 'Play, step, reset', selectors: ['.topbar .transport > button', '.topbar .step-group', '#compare .transport > button'], keys: [' ', 's', 'r'] },
  lr: { label: 'Learning rate', selectors: ['[data-field="learning_rate"]'] },
  opt: { label: 'Optimizer', selectors: ['[data-field="optimizer"]'] },
  batch: { label: 'Batch size', selectors: ['[data-field="batch_size"]'] },
  l2: { label: 'L2 λ', selectors: ['[data-field="l2"]'] },
  l1: { label: 'L1 λ', selectors: ['[data-field="l1"]'] },
  speed: { label: 'Speed', selectors: ['[data-field="iterations_per_frame"]'] },
  dataset: { label: 'Dataset choice', selectors: ['[data-field="dataset.name"]'] },
  noise: { label: 'Noise', selectors: ['[data-field="dataset.noise"]'] },
  size: { label: 'Number of points', selectors: ['[data-field="dataset.size"]'] },
  train: { label: 'Train share', selectors: ['[data-field="dataset.train_fraction"]'] },
  classes: { label: 'Classes', selectors: ['[data-field="dataset.n_classes"]'] },
  dseed: { label: 'Data seed', selectors: ['[data-field="dataset.seed"]'] },
  features: { label: 'Derived inputs', selectors: ['[data-field="dataset.features"]'] },
  data: { label: 'Whole data panel', selectors: ['.data-panel'] },
  layers: { label: 'Hidden layers', selectors: ['[data-field="layers"]', '#layer-controls'] },
  init: { label: 'Initialization', selectors: ['[data-field="init"]', '[data-field="init.scale"]'] },
  output: { label: 'Output activation', selectors: ['[data-field="output"]'] },
  seed: { label: 'Weight seed', selectors: ['[data-field="seed"]'] },
  timeline: { label: 'Rewind and replay', selectors: ['#timeline', '#cmp-timeline'] },
  insight: { label: 'Inside the network', selectors: ['.insight-panel'] },
  course: { label: 'Course notation', selectors: ['.course-panel'] },
  compare: { label: 'Compare', selectors: ['#compare-toggle'] },
  lessons: { label: 'Lessons', selectors: ['#lessons-menu'] },
  class: { label: 'Class', selectors: ['#class-menu'] },
  presenter: { label: 'Presenter', selectors: ['#presenter'], keys: ['p'] },
};

/** The class that hides an element (templates' style sheet: display: none). */
export const HIDDEN_CLASS = 'link-hidden';

/**
 * The keyboard shortcuts the hidden controls take with them.
 * @param {string[]} hide the state's `hide`
 * @returns {Set<string>} event.key values
 */
export function hiddenKeys(hide) {
  return new Set(hide.flatMap((name) => HIDEABLE[name]?.keys ?? []));
}

/**
 * The `hide` a link may hold: the known names, in the table's order, each once.
 * @param {string[]} names
 * @returns {string[]}
 */
export function hideList(names) {
  const wanted = new Set(names);
  return Object.keys(HIDEABLE).filter((name) => wanted.has(name));
}

/**
 * A page state as a hash (no '#', a class's push) that keeps the page's hidden controls when it
 * names none: a student's reduced page stays reduced when the teacher pushes a setup.
 * @param {string} hash
 * @param {string[]} hide the page's `hide` now
 * @returns {string}
 */
export function keepHidden(hash, hide) {
  const params = new URLSearchParams(hash);
  if (params.get('hide') || !hide.length) return hash;
  params.set('hide', hide.join(','));
  return params.toString().replaceAll('%3A', ':').replaceAll('%2C', ',');
}

/** Hides what the state's `hide` names. Owns the HIDDEN_CLASS (and `inert`) of those elements. */
export class HiddenControls {
  /** @param {ParentNode} [root] */
  constructor(root = document) {
    this.root = root;
    this.shown = '';
    /** @type {Element[]} */
    this.hidden = [];
  }

  /** Hide the controls `state.hide` names, show again those it no longer names. */
  render(state) {
    const key = state.hide.join(',');
    if (key === this.shown) return;
    this.shown = key;
    for (const el of this.hidden) {
      el.classList.remove(HIDDEN_CLASS);
      el.inert = false;
    }
    const selectors = state.hide.flatMap((name) => HIDEABLE[name]?.selectors ?? []);
    this.hidden = selectors.length ? [...this.root.querySelectorAll(selectors.join(','))] : [];
    for (const el of this.hidden) {
      el.classList.add(HIDDEN_CLASS);
      el.inert = true; // nothing inside takes the focus (nor a click), whatever else shows it
    }
  }
}
