/**
 * Compare mode: one thing varies (hidden activation, initialization, learning rate, optimizer,
 * depth or width) over up to 4 values; everything else, the seed included, is the same, so runs
 * whose layer shapes agree start from identical weights (the engine's initial weights depend only
 * on init, scale, seed and shapes). The runs form one lockstep group on the server: play, pause,
 * step and reset always name all of them, so they stay on the same iteration.
 *
 * The variant functions are pure; CompareController turns the state into runs and commands and
 * hands what to draw to the CompareView. It never touches the DOM. Any run can be opened in the
 * single-run view: the playground's Controller adopts it (and still drives the whole group).
 * A class (classroom.js) can point it at a comparison another session owns (follow, unfollow):
 * it watches that group's runs and draws them as its own, read-only, labelled by what differs.
 */

import { KIND, PROPS, stateFromConfig, toRunConfig } from './state.js';
import { accepts, explain, refusal } from './rules.js';
import { downloadRun } from './exporter.js';
import { Replay } from './replay.js';

export const MAX_VALUES = 4;
/** The answers of the group's commands: an error of one is not the single-run view's to show. */
const QUIET = { error: () => {} };
export const RUN_COLORS = ['#d62728', '#0877bd', '#2ca02c', '#9467bd'];
const TEMPLATE_LAYER = { units: 4, activation: 'tanh' };

const NUMBER = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const WHOLE = /^\d+$/;

/**
 * What can vary: its label, default values, how a value (a string) changes a state, and
 * whether a value is one it can take (`known`: state.js's knownNames, from GET /api/options).
 */
export const VARY = {
  activation: {
    label: 'Hidden activation', defaults: ['sigmoid', 'tanh', 'relu'],
    apply: (s, v) => ({ layers: s.layers.map((l) => ({ ...l, activation: v })) }),
    valid: (v, known) => known.activation.has(v),
  },
  init: {
    label: 'Initialization', defaults: ['zeros', 'random:0.01', 'random:10', 'he'],
    apply: (s, v) => {
      const [name, scale] = v.split(':');
      return { init: name, scale: scale === undefined ? 0.01 : Number(scale) };
    },
    valid: (v, known) => {
      const [name, scale, ...rest] = v.split(':');
      return known.init.has(name) && !rest.length && (scale === undefined || (NUMBER.test(scale) && accepts('scale', Number(scale), known.bounds)));
    },
    why: (v, known) => {
      const [name, scale] = v.split(':');
      return known.init.has(name) && NUMBER.test(scale ?? '') ? refusal('scale', Number(scale), known.bounds, 'this asks for') : null;
    },
  },
  lr: {
    label: 'Learning rate', defaults: ['0.01', '0.1', '1.2', '10'], apply: (s, v) => ({ lr: Number(v) }),
    valid: (v, known) => NUMBER.test(v) && accepts('lr', Number(v), known.bounds),
    why: (v, known) => (NUMBER.test(v) ? refusal('lr', Number(v), known.bounds, 'this asks for') : null),
  },
  opt: {
    label: 'Optimizer', defaults: ['gd', 'momentum', 'adam'], apply: (s, v) => ({ opt: v }),
    valid: (v, known) => known.opt.has(v),
  },
  depth: {
    label: 'Depth (hidden layers)', defaults: ['1', '2', '3'],
    apply: (s, v) => ({ layers: Array.from({ length: Number(v) }, () => ({ ...(s.layers[0] || TEMPLATE_LAYER) })) }),
    valid: (v, known) => WHOLE.test(v) && Number(v) <= known.maxLayers,
    why: (v, known) => (WHOLE.test(v) ? `A network has at most ${known.maxLayers} hidden layers here.` : null),
  },
  width: {
    label: 'Width (units per layer)', defaults: ['2', '4', '8'],
    apply: (s, v) => ({ layers: (s.layers.length ? s.layers : [TEMPLATE_LAYER]).map((l) => ({ ...l, units: Number(v) })) }),
    valid: (v, known) => WHOLE.test(v) && Number(v) >= 1 && Number(v) <= known.maxUnits,
    why: (v, known) => (WHOLE.test(v) ? `A layer has 1 to ${known.maxUnits} units here.` : null),
  },
};

/** What a run's state holds of each kind of VARY, as a value VARY's apply would take. */
const VALUE_OF = {
  activation: (s) => [...new Set(s.layers.map((l) => l.activation))].join('/'),
  init: (s) => (s.init === 'random' ? `random:${s.scale}` : s.init),
  lr: (s) => String(s.lr),
  opt: (s) => s.opt,
  depth: (s) => String(s.layers.length),
  width: (s) => [...new Set(s.layers.map((l) => l.units))].join('/'),
};

/**
 * What varies across the states of a comparison's runs (a group this page did not build, so
 * its `cmp` is unknown here): the first kind of VARY whose values differ, and each run's value.
 * @param {object[]} states one per run (state.js stateFromConfig of each run's config)
 * @returns {{kind: string, values: string[], labels: string[]}} the labels valueLabel's; runs
 *   that differ in none of VARY's kinds are "run 1", "run 2"…
 */
export function variedKind(states) {
  for (const [kind, valueOf] of Object.entries(VALUE_OF)) {
    const values = states.map(valueOf);
    if (new Set(values).size > 1) return { kind, values, labels: values.map((v) => valueLabel(kind, v)) };
  }
  const labels = states.map((_, i) => `run ${i + 1}`);
  return { kind: 'activation', values: labels, labels };
}

/**
 * The values to compare: the state's, or the kind's defaults; at most MAX_VALUES.
 * @param {object} state
 * @returns {string[]}
 */
export function compareValues(state) {
  const values = state.vals && state.vals.length ? state.vals : VARY[state.cmp].defaults.slice(0, 3);
  return values.slice(0, MAX_VALUES);
}

/**
 * The state of one run of the comparison: the state with the varied value applied.
 * @param {object} state
 * @param {string} kind a key of VARY
 * @param {string} value
 * @returns {object}
 */
export function variantState(state, kind, value) {
  return { ...structuredClone(state), ...VARY[kind].apply(state, value) };
}

/** A short label for a value, e.g. "random × 10", "α = 0.1", "3 layers". */
export function valueLabel(kind, value) {
  if (kind === 'init') {
    const [name, scale] = value.split(':');
    return name === 'random' ? `random × ${scale ?? 0.01}` : name;
  }
  if (kind === 'lr') return `α = ${value}`;
  if (kind === 'depth') return value === '0' ? 'no hidden layer' : `${value} hidden layer${value === '1' ? '' : 's'}`;
  if (kind === 'width') return `${value} unit${value === '1' ? '' : 's'}`;
  return value;
}

export class CompareController {
  /**
   * @param {object} deps {client (runClient.js), controller (the playground's), view (CompareView), status (the notices), recorder, loop (renderLoop.js), store (store.js: the state, the mode),
   *   afterSync(state): called whenever the state may have changed (the lesson card)}
   */
  constructor({ client, controller, view, status, recorder, loop, store, afterSync = () => {}, schedule }) {
    this.afterSync = afterSync;
    this.client = client;
    this.controller = controller;
    this.view = view;
    this.recorder = recorder;
    this.loop = loop;
    this.store = store;
    this.notices = status;
    this.runs = [];
    this.key = null;
    this.connected = false;
    this.status = 'paused';
    this.wantPlay = false;
    /** Set while showing a comparison another session owns (a class): {spec} once described. */
    this.followed = null;
    /** Set while showing a run and its fork from a past iteration side by side ("continue from
     * here", timeline.js): {spec}. The page's own runs, commanded as a group; not in the URL. */
    this.paired = null;
    /** The past iteration the boundaries show (a group `seek`'s answers), null: live; and the
     * seek in flight and the newest one asked meanwhile (one at a time, as timeline.js). */
    this.past = null;
    this.seekRef = null;
    this.seekWanted = null;
    /** "Replay": the group's past a seek at a time, paced as the single view's (replay.js). */
    this.replayer = new Replay({
      ask: (iteration) => { this.seekWanted = iteration; this.sendSeek(); this.scheduleDraw(); },
      finish: () => this.live(),
      schedule, // undefined: setTimeout
    });
  }

  get state() {
    return this.store.state;
  }

  /** @returns {boolean} whether the page is in compare mode (its own, or a followed comparison) */
  get active() {
    return Boolean(this.followed) || Boolean(this.paired) || Boolean(this.state.cmp && VARY[this.state.cmp]);
  }

  /** @returns {boolean} whether the comparison shown is another session's (read-only) */
  get following() {
    return Boolean(this.followed);
  }

  /** Wire the view and the socket; must run before the controller connects (main.js: the URL's changes call sync). */
  start() {
    this.view.bind({
      toggle: () => this.toggleMode(),
      change: (patch) => this.change(patch),
      play: () => this.play(), pause: () => this.pause(), step: () => this.step(), reset: () => this.reset(),
      open: (i) => this.change({ open: i }),
      exit: () => this.change({ cmp: '', vals: [], open: null, lesson: '' }),
      download: (i, what) => this.download(i, what),
      seek: (iteration) => { this.stopReplay(); this.seek(iteration); },
      live: () => this.live(),
      replay: (every) => (this.replayer.active ? this.live() : this.replay(every)),
      redraw: () => this.scheduleDraw(),
    });
    this.client.subscribe({
      hello: () => {
        this.connected = true;
        this.live(); // nothing the old session was asked is shown
        this.key = null;
        this.runs = [];
        this.paired = null; // the new session has neither run
        if (this.followed) { // the new session watches nothing: its class follows again once back in it
          this.followed = null;
          this.store.setMode({ following: false });
        }
        this.sync();
      },
      state: (name) => {
        this.connected = name === 'connected';
        // Offline, it trains nothing; connected again, the group's own status (a page opened
        // on a comparison is offline for a moment, while the socket opens).
        if (this.active) this.view.renderStatus(this.connected ? this.status : 'offline');
      },
      binary: (message) => this.onBinary(message),
    });
    if (this.active) this.controller.suspend();
    this.sync();
  }

  /** A change from the compare view or the lessons menu: through the controller (URL), then here. */
  change(patch) {
    if (this.paired && ('cmp' in patch || 'open' in patch)) { // leaving the pair, or opening one run of it
      this.unpair(patch.open ?? this.runs.length - 1);
      delete patch.open;
    }
    if (this.followed) { // only the view's own settings: the runs are someone else's
      for (const key of Object.keys(patch)) if (PROPS[key]?.kind !== KIND.VIEW && key !== 'target') delete patch[key];
      if (Object.keys(patch).length) this.controller.change(patch);
      const spec = this.followed.spec;
      if (spec) { // the toolbar shows the followed group again, with the view's own settings
        Object.assign(spec.state, { target: this.state.target, logcost: this.state.logcost });
        this.show(true, spec);
        this.scheduleDraw();
      }
      return;
    }
    if (patch.cmp !== undefined && patch.cmp !== this.state.cmp && !patch.vals) {
      patch.vals = patch.cmp ? VARY[patch.cmp].defaults.slice(0, 3) : [];
    }
    if (patch.vals && patch.vals.length > MAX_VALUES) {
      const dropped = patch.vals.slice(MAX_VALUES).map((v) => `'${v}'`).join(', ');
      this.notices.showIgnored([`not compared: ${dropped}. A comparison holds at most ${MAX_VALUES} values.`]);
      patch.vals = patch.vals.slice(0, MAX_VALUES);
    }
    this.controller.change(patch);
    this.sync();
  }

  toggle() {
    if (this.status === 'running') this.pause();
    else this.play();
  }

  /** @returns {number} the iteration the comparison on screen has reached (what a drop loses) */
  progress() {
    return Math.max(0, ...this.runs.map((r) => this.recorder.get(r.id)?.frame?.iteration ?? 0));
  }

  /** The Compare button: back from an opened run, leave compare mode, or compare activations. */
  toggleMode() {
    const mode = this.store.mode;
    if (mode.opened) this.change({ open: null });
    else if (mode.comparing) this.change({ cmp: '', vals: [], open: null, lesson: '' });
    else this.change({ cmp: 'activation', open: null });
  }

  /**
   * Show the compare view (or not) and set the page's mode from it: comparing while it shows, a
   * run opened while a comparison's run has the single-run view.
   */
  show(visible, spec) {
    this.view.show(visible, spec);
    this.store.setMode({ comparing: visible, opened: Boolean(spec) && !visible });
  }

  get ids() {
    return this.runs.map((r) => r.id).filter(Boolean);
  }

  get ready() {
    return this.runs.length > 0 && this.runs.every((r) => r.id);
  }

  // --- following the state ----------------------------------------------------------------------

  /** Bring runs and views in line with the state: leave, enter, or rebuild the comparison. */
  sync() {
    this.afterSync(this.state);
    if (this.followed || this.paired) return; // the page's own state waits until unfollow / unpair
    const c = this.controller;
    if (!this.active) {
      if (this.runs.length || this.key !== null) this.deleteRuns();
      this.show(false);
      c.resume();
      return;
    }
    const kind = this.state.cmp;
    const values = compareValues(this.state);
    const configs = values.map((v) => toRunConfig(variantState(this.state, kind, v)));
    const key = JSON.stringify([kind, values, configs]);
    this.show(this.state.open == null, { kind, values, state: this.state });
    if (key !== this.key && this.connected) {
      this.deleteRuns();
      c.handOver();
      this.key = key;
      /** The state the comparison was built from: opening one of its runs shows that run's. */
      this.base = structuredClone(this.state);
      this.status = 'paused';
      this.runs = values.map((value, i) => ({
        value, label: valueLabel(kind, value), color: RUN_COLORS[i], index: i, id: null,
        ref: this.client.create(configs[i], { created: (m) => this.onCreated(m), refused: (m) => this.onRefused(m) }),
        state: variantState(this.state, kind, value),
      }));
      this.view.setRuns(this.runs);
    }
    this.syncOpen();
    this.scheduleDraw();
  }

  /** Show the opened run in the single-run view, or come back from it. */
  syncOpen() {
    const c = this.controller;
    const open = this.state.open;
    const run = open == null ? null : this.runs[open];
    if (run && run.id) {
      if (c.shows(run.id)) return;
      const record = this.recorder.get(run.id);
      // Opened: the toggle reads "Back to comparison" (show(false) alone made it "Compare",
      // which started a comparison of activations instead of coming back).
      this.show(false, { kind: this.state.cmp, values: compareValues(this.state), state: this.state });
      c.adopt({
        created: record.created, group: this.ids, state: { ...run.state, cmp: this.state.cmp, vals: this.state.vals, open },
        replay: record,
      });
    } else if (open == null && c.showsOpenedRun) {
      c.suspend(); // the opened run goes back to the comparison
      this.restoreBase();
      this.show(true, { kind: this.state.cmp, values: compareValues(this.state), state: this.state });
      this.view.setRuns(this.runs);
      for (const r of this.runs) if (r.created) this.view.setRun(r.index, r.created);
      this.redrawAll();
    }
  }

  /** Back from an opened run: the comparison's own network and data again (caption, link). */
  restoreBase() {
    if (!this.base) return;
    const c = this.controller;
    const next = { ...c.state };
    for (const [key, prop] of Object.entries(PROPS)) {
      if (prop.kind === KIND.RUN || prop.kind === KIND.LIVE || prop.kind === KIND.POINTS) next[key] = structuredClone(this.base[key]);
    }
    this.store.set(next);
    c.render();
  }

  deleteRuns() {
    this.live();
    this.client.remove(this.ids);
    // A run still being created would be left on the server, holding one of the session's
    // runs: the client deletes it as soon as it is created.
    for (const r of this.runs) if (!r.id) this.client.supersede(r.ref);
    this.runs = [];
    this.key = null;
    this.status = 'paused';
  }

  // --- a class: following a comparison another session owns (classroom.js) --------------------

  /**
   * Show another session's comparison (a class's teacher's group), live and read-only: watch its
   * runs (`watching` describes each as `created` does) and draw their frames as this view's
   * group; commands are not sent. The page's own run waits in the single-run view (not shown)
   * until unfollow. Called again with other ids, it watches only the new runs and drops the gone.
   * @param {string[]} runIds
   * @returns {boolean} whether it is followed (not while this page compares on its own)
   */
  follow(runIds) {
    if (!this.followed && this.active) return false;
    if (this.followed && this.ids.join() === runIds.join()) return true;
    const old = this.followed ? this.runs : [];
    const gone = old.filter((r) => !runIds.includes(r.id)).map((r) => r.id);
    if (gone.length) this.client.unwatch(gone);
    const fresh = runIds.filter((id) => !old.some((r) => r.id === id));
    if (!this.followed) {
      this.followed = {};
      this.status = 'paused';
      this.store.setMode({ following: true });
    }
    const followed = this.followed;
    followed.spec = null; // drawn again once every run is described
    this.runs = runIds.map((id, i) => ({
      ...(old.find((r) => r.id === id) || { id, created: null, value: '', label: '' }), index: i, color: RUN_COLORS[i],
    }));
    if (fresh.length) {
      this.client.request({ type: 'watch', runs: fresh }, {
        watching: (message) => {
          if (this.followed !== followed) return;
          for (const described of message.runs) {
            const run = this.runs.find((r) => r.id === described.run);
            if (!run) continue;
            this.recorder.open(described);
            run.created = described;
          }
          this.showFollowed();
        },
        error: () => { if (this.followed === followed) this.unfollow(); }, // the class shows its next runs
      });
    }
    this.showFollowed();
    return true;
  }

  /** Once every followed run is described: the comparison, labelled by what differs. */
  showFollowed() {
    if (!this.followed || !this.runs.every((r) => r.created)) return;
    const states = this.runs.map((r) => stateFromConfig(r.created.config, this.state));
    const { kind, values, labels } = variedKind(states);
    this.runs.forEach((r, i) => { r.value = values[i]; r.label = labels[i]; r.state = states[i]; });
    this.followed.spec = { kind, values, state: { ...states[0], target: this.state.target, logcost: this.state.logcost } };
    this.show(true, this.followed.spec);
    this.view.setRuns(this.runs);
    for (const r of this.runs) this.view.setRun(r.index, r.created);
    this.view.renderStatus(this.status);
    this.redrawAll();
  }

  /** Back to the page's own state (its single run, kept meanwhile). */
  unfollow() {
    if (!this.followed) return;
    this.client.unwatch(this.ids);
    this.followed = null;
    this.runs = [];
    this.key = null;
    this.status = 'paused';
    this.store.setMode({ following: false });
    this.sync();
  }

  // --- a run and its fork from the past, side by side (timeline.js: "continue from here") -------

  /**
   * Show the single view's run and its fork side by side, as a group of this page's own: the
   * fork's curve starts at the iteration it was forked at; play, pause, step and reset drive both.
   * @param {object} original the original run's `created`
   * @param {object} fork the fork's `created` (its forked_from says from where)
   */
  showPair(original, fork) {
    if (this.active) return;
    this.controller.suspend({ keep: true }); // the original goes on here, not deleted
    const from = fork.forked_from || {};
    const lr = from.changed?.learning_rate;
    this.paired = {};
    this.status = 'paused';
    this.runs = [original, fork].map((created, i) => {
      this.recorder.open(created);
      return { id: created.run, created, index: i, color: RUN_COLORS[i], state: stateFromConfig(created.config, this.state) };
    });
    this.runs[0].label = 'original';
    this.runs[1].label = `continued from iteration ${(from.iteration ?? 0).toLocaleString('en-US')}${lr != null ? `, α = ${lr}` : ''}`;
    this.runs.forEach((r, i) => { r.value = ['original', 'fork'][i]; });
    const state = { ...this.runs[0].state, target: this.state.target, logcost: this.state.logcost };
    this.paired.spec = {
      kind: lr != null ? 'lr' : 'activation', values: this.runs.map((r) => r.value), state,
      caption: `The original run and a new one continued from its iteration ${(from.iteration ?? 0).toLocaleString('en-US')}`
        + ` with its exact parameters${lr != null ? `, trained on with α = ${lr} instead of ${state.lr}` : ''}. Play, step and reset drive both.`,
    };
    this.show(true, this.paired.spec);
    this.view.setRuns(this.runs);
    for (const r of this.runs) this.view.setRun(r.index, r.created);
    this.client.command('pause', this.ids, {}, QUIET); // forms the group
    this.view.renderStatus(this.status);
    this.redrawAll();
  }

  /** Back to the single view with one run of the pair (`keep`: its index); the other goes. */
  unpair(keep) {
    const kept = this.runs[keep] || this.runs[this.runs.length - 1];
    this.client.remove(this.ids.filter((id) => id !== kept.id));
    this.paired = null;
    this.runs = [];
    this.key = null;
    this.status = 'paused';
    this.show(false);
    this.controller.takeRun(kept.created);
  }

  // --- commands (always the whole group) --------------------------------------------------------

  play() {
    if (this.followed) return; // a watched group is its owner's to command
    if (!this.ready) {
      this.wantPlay = true;
      return;
    }
    this.client.command('play', this.ids, {}, QUIET);
    // A frame built before the server saw the play says 'paused' at this iteration: not a pause.
    this.playedAt = this.recorder.get(this.runs[0]?.id)?.frame?.iteration ?? 0;
    this.setStatus('running');
  }

  pause() {
    this.wantPlay = false;
    if (!this.ready || this.followed) return;
    this.client.command('pause', this.ids, {}, QUIET);
    this.setStatus('paused');
  }

  step() {
    if (!this.ready || this.followed) return;
    this.client.command('step', this.ids, { n: this.state.stepn }, QUIET);
  }

  reset() {
    this.wantPlay = false;
    if (!this.ready || this.followed) return;
    this.live();
    this.client.command('reset', this.ids, {}, QUIET);
    this.setStatus('paused');
  }

  sendSpeed() {
    this.client.speed(this.ids, this.state.speed, QUIET);
  }

  setStatus(status) {
    this.status = status;
    this.view.renderStatus(status);
  }

  download(i, what) {
    const run = this.runs[i];
    const record = run && this.recorder.get(run.id);
    if (record) downloadRun(record, what, `nnplay-${this.state.cmp}-${run.value.replace(/[^\w.-]/g, '_')}`);
  }

  // --- rewinding the group (a `seek` of all its runs at one iteration) ---------------------------

  /** @returns {{start: number, end: number}} the iterations every run of the group can show */
  get timelineRange() {
    const ends = this.runs.map((r) => this.recorder.get(r.id)?.frame?.iteration ?? 0);
    const starts = this.runs.map((r) => r.created?.forked_from?.iteration ?? 0);
    const end = ends.length ? Math.min(...ends) : 0;
    return { start: Math.min(end, Math.max(0, ...starts)), end };
  }

  /** Show every run's boundary at `iteration` (the server recomputes each from its snapshots). */
  seek(iteration) {
    if (!this.ready || this.followed) return;
    const { start, end } = this.timelineRange;
    this.seekWanted = Math.max(start, Math.min(end, Math.round(iteration)));
    this.sendSeek();
  }

  sendSeek() {
    if (this.seekRef || this.seekWanted == null) return;
    const iteration = this.seekWanted;
    this.seekWanted = null;
    const done = (answered) => {
      if (this.seekRef === ref) { // every run's answer is in (the ack comes after them)
        this.seekRef = null;
        if (answered) this.replayer.answered();
        else this.stopReplay();
      }
      this.sendSeek();
    };
    const ref = this.client.command('seek', this.ids, { iteration }, { ack: () => done(true), error: () => done(false) });
    this.seekRef = ref;
  }

  /**
   * "Replay": every run's boundary from the group's first common iteration to now, `every`
   * iterations a step (one group seek at a time), then live again. A running group is paused
   * first: the past is replayed up to the iteration it stopped at.
   * @param {number} every
   */
  replay(every) {
    if (!this.ready || this.followed) return;
    if (this.status === 'running') this.pause();
    this.replayer.start({ from: this.timelineRange.start, every, end: () => this.timelineRange.end });
    this.scheduleDraw();
  }

  stopReplay() {
    if (!this.replayer.active) return;
    this.replayer.stop();
    this.scheduleDraw();
  }

  /** Back to the runs as they are now. */
  live() {
    this.stopReplay();
    this.seekRef = null;
    this.seekWanted = null;
    if (this.past == null) return;
    this.past = null;
    this.redrawAll();
  }

  // --- the server's answers ---------------------------------------------------------------------

  /** One run of the comparison was created (runClient.js routes its create's answer here). */
  onCreated(message) {
    this.recorder.open(message); // before the recorder hears of it: an opened run shows its record
    const run = this.runs.find((r) => r.ref === message.ref);
    if (!run) return;
    run.id = message.run;
    run.created = message;
    this.view.setRun(run.index, message);
    if (this.formGroup()) this.syncOpen();
  }

  /** Once every run is created: form the lockstep group (speed, pause), play if asked.
   * @returns {boolean} whether the group is complete */
  formGroup() {
    if (!this.ready) return false;
    if (this.state.speed !== PROPS.speed.initial) this.sendSpeed(); // the server's default too
    this.client.command('pause', this.ids, {}, QUIET); // forms the lockstep group now
    if (this.wantPlay) {
      this.wantPlay = false;
      this.play();
    }
    return true;
  }

  /** The server refused one run of the comparison: say which and why, and run the others. */
  onRefused(message) {
    const run = this.runs.find((r) => r.ref === message.ref && !r.id);
    if (!run) return;
    const why = explain((message.errors || [])[0] || message, this.store.options.bounds);
    this.notices.showIgnored([`not compared: ${run.label}. ${why}`]);
    this.runs = this.runs.filter((r) => r !== run);
    this.runs.forEach((r, i) => { r.index = i; r.color = RUN_COLORS[i]; });
    this.view.setRuns(this.runs);
    this.runs.filter((r) => r.created).forEach((r) => this.view.setRun(r.index, r.created));
    if (this.formGroup()) this.redrawAll();
  }

  onBinary({ header, blobs }) {
    const run = this.runs.find((r) => r.id === header.run);
    if (run && header.type === 'seek' && header.ref != null && header.ref === this.seekRef) {
      this.past = header.iteration;
      if (blobs.boundary) this.view.updateBoundary(run.index, blobs.boundary);
      this.scheduleDraw();
      return;
    }
    if (!run || header.type !== 'frame') return;
    if (this.controller.showsOpenedRun) return; // the single-run view shows it; the recorder keeps all
    if (this.followed && !this.followed.spec) return; // the view is set up once every run is described
    // While a past moment is held the boundaries stay on it; the curves and the table go on.
    if (blobs.boundary && this.past == null) this.view.updateBoundary(run.index, blobs.boundary);
    if (this.followed) { // a followed group's status is its owner's
      if (run === this.runs[0] && header.status !== this.status) this.setStatus(header.status);
    } else if (run === this.runs[0] && this.status === 'running'
      && (header.status === 'finished' || (header.status === 'paused' && header.iteration > (this.playedAt ?? -1)))) {
      this.setStatus(header.status); // the server stopped the group (one diverged run does not)
    }
    this.scheduleDraw();
  }

  // --- drawing ----------------------------------------------------------------------------------

  redrawAll() {
    this.runs.forEach((run) => {
      const record = run.id && this.recorder.get(run.id);
      if (record && record.boundary) this.view.updateBoundary(run.index, record.boundary);
    });
    this.scheduleDraw();
  }

  /** Draw at the next animation frame (renderLoop.js). */
  scheduleDraw() {
    if (this.active) this.loop.request(this);
  }

  /**
   * The frame's drawing: boundaries, table, counters, and the curves when due.
   * @returns {boolean} whether the curves still wait (the loop comes back)
   */
  paint(now) {
    if (!this.active) return false;
    this.view.renderTimeline({ ...this.timelineRange, shown: this.past, replaying: Boolean(this.replayer.active) });
    const rows = this.runs.map((run) => {
      const record = run.id ? this.recorder.get(run.id) : null;
      return { run, record };
    });
    return this.view.draw(rows, this.state.target, now);
  }
}
