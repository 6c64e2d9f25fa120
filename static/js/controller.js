/**
 * The single-run view's controller: takes the views' patches to the store (store.js: checked,
 * kept consistent, in the URL), turns what changed into the run's commands through the run
 * client (runClient.js: rebuild the run, update it live, new points, speed) or only a redraw,
 * hands the run's answers and frames to the views, and asks the render loop (renderLoop.js) to
 * paint. It never touches the DOM itself. Compare mode (compare.js) hands the page over to it
 * and back through handOver, adopt, suspend and resume; a class (classroom.js) points it at a
 * run another session owns through follow, unfollow and forkFollowed: the views then show that
 * run's frames, read-only, and the page's own run waits (kept, not shown) until unfollow.
 */

import {
  KIND, LIVE_FIELDS, OWN_DATA, PROPS, changedKeys, hasData, plannedNetwork, stateFromConfig, toDataConfig, toHash, toRunConfig, trainable,
  updateMessage,
} from './state.js';
import { changeKinds } from './store.js';
import { shownDims } from './diagram.js';
import { noteBoundaryDraw, noteCreated, noteFrame, notePlay, stats } from './stats.js';
import { RunView } from './runView.js';
import { explain, keyOf, taskLearningRate } from './rules.js';

const DATA_KEYS = new Set(['dataset', 'noise', 'size', 'train', 'dseed', 'features', 'classes', 'pclasses', 'upload', 'label', 'ctask', 'images']);
/** Fields of the run config a refusal may name that are one state key (others: keyOf, or by their top). */
const FIELD_KEYS = { 'dataset.task': ['ctask'], 'dataset.label': ['label'] };
/** The kinds of keys a run holds: what a refused create or update gives back. */
const RUN_KINDS = new Set([KIND.RUN, KIND.POINTS, KIND.LIVE]);
export class Controller {
  /**
   * @param {object} deps {options, socket (socket.js: connect, close), client (runClient.js: the
   *   runs' life over the socket), recorder (exporter.js: the runs' histories), store
   *   (store.js: the state, the URL), loop (renderLoop.js), views: {data, ownData, draw, builder, controls,
   *   boundary, cost, gradients, saturation, diagram, course, status, gallery, confusion, noBoundary,
   *   hiding (hiding.js: what the link hides)},
   *   example (exampleFollow.js: the example followed, told the run shown and its frames),
   *   compareProgress(): the iteration compare mode's runs have reached}
   */
  constructor({ options, socket, client, recorder, store, loop, views, example = null, compareProgress = () => 0 }) {
    this.options = options;
    this.socket = socket;
    this.client = client;
    this.recorder = recorder;
    this.store = store;
    this.loop = loop;
    this.v = views;
    /** The run's output (boundary, diagram, charts, gallery…), painted once a frame. */
    this.show = new RunView(views);
    this.example = example;
    this.known = store.known;
    this.base = store.base;
    /** What the opening link held that the page does not know (shown once the views are up). */
    this.linkIgnored = [];
    this.created = null;
    this.state = this.readLink(this.linkIgnored);
    this.runId = null;
    this.createRef = null;
    /** The run a pending create replaces: it stays until the new one is created (or refused). */
    this.replacing = null;
    /** The state a pending create was sent with, and the state of the run shown (its last good). */
    this.pendingState = null;
    this.good = null;
    /** The live values of the last update sent, until the server acks (or refuses) them. */
    this.updateValues = null;
    /** A data change to a source whose task only the server knows (a CSV): α may follow it. */
    this.retuneLr = false;
    this.wantPlay = false;
    this.status = 'paused';
    this.lastIteration = 0;
    this.frame = null;
    this.everConnected = false;
    /** Not connected now: the page says "offline", not "running" (the server trains nothing). */
    this.offline = true;
    /** The iteration the connection was lost at, null while connected: what a reconnect lost. */
    this.lostAt = null;
    /** The iteration the single run had reached when compare mode closed it (0: none). */
    this.closedAt = 0;
    /** The iteration of the comparison on screen: what a drop loses there (main.js: compare.progress). */
    this.compareProgress = compareProgress;
    this.suspended = false;
    /** Set while showing a run of a comparison: {group: ids driven together}. */
    this.adopted = null;
    /** Set while showing a watched run (a class): {run, created}; `own` keeps the page's own run. */
    this.following = null;
    this.own = null;
    /** The past moment held on screen (a `seek` answer's header), null while live (timeline.js). */
    this.past = null;
    /** The first iteration of the run's timeline: 0, a fork's iteration, new points' iteration. */
    this.timelineStart = 0;
    /** The timeline controller (timeline.js), told when the run shown changes; set by main.js. */
    this.timeline = null;
    /** A fork from the past was created: (original's created, fork's created); main.js shows
     * them side by side in compare mode (compare.js showPair). */
    this.onForked = (original, fork) => this.takeRun(fork);
  }

  /** Wire the views and the socket, show the state, connect. */
  start() {
    const v = this.v;
    const change = (patch) => this.fromView(patch);
    v.data.bindChange(change);
    v.ownData.bindChange(change);
    v.draw.bind((patch, how) => this.fromView(patch, how)); // a stroke goes on in one history entry
    v.builder.bindChange(change);
    v.controls.bind({
      play: () => this.play(), pause: () => this.pause(), step: () => this.step(), reset: () => this.reset(),
    }, change);
    // The diagram: its input nodes' checkboxes are the features' second view (the data panel's
    // the first: one state), its editor sets a parameter, its hovered unit shows in the plot.
    v.diagram.bindFeatures((features) => change({ features }));
    v.diagram.bindEdit((parameter) => this.setParameter(parameter));
    v.diagram.bindUnitShown((unit) => {
      v.boundary.showUnit(unit);
      this.scheduleDraw();
    });
    this.client.subscribe({
      state: (state, delay) => this.onConnection(state, delay),
      hello: () => this.onHello(),
      message: (message) => this.onMessage(message),
      binary: (message) => this.onBinary(message),
    });
    this.store.set(this.state);
    this.render();
    this.setView();
    v.status.showIgnored(this.linkIgnored);
    this.socket.connect();
  }

  /** Keyboard: play or pause. */
  toggle() {
    if (this.status === 'running') this.pause();
    else this.play();
  }

  // --- commands ---------------------------------------------------------------------------------

  play() {
    if (this.following) return; // a watched run is its owner's to command
    notePlay();
    if (!this.runId || this.createRef) { // a new run is on its way: play that one
      this.wantPlay = true;
      return;
    }
    if (this.status === 'diverged' || this.status === 'finished') return;
    this.client.command('play', this.commandRuns);
    this.setStatus('running');
  }

  pause() {
    this.wantPlay = false;
    if (!this.runId || this.following) return;
    this.client.command('pause', this.commandRuns);
    this.setStatus('paused');
  }

  step() {
    if (!this.runId || this.following || this.status === 'diverged' || this.status === 'finished') return;
    this.wantPlay = false;
    if (this.status === 'running') this.setStatus('paused'); // a step stops playing (server too)
    this.client.command('step', this.commandRuns, { n: this.state.stepn });
  }

  reset() {
    this.wantPlay = false;
    if (!this.runId || this.following) return;
    this.client.command('reset', this.commandRuns);
    this.recorder.get(this.runId)?.history.clear(); // the curve starts again now, not at the next frame
    this.clearCurves();
    this.setStatus('paused');
    this.leavePast();
    this.timelineStart = 0;
  }

  /**
   * Show one run of compare mode's pair (original and fork) as this view's own again.
   * @param {object} created its `created`
   */
  takeRun(created) {
    this.suspended = false;
    this.adopted = null;
    this.store.set(this.sanitize(stateFromConfig(created.config, this.state)), { push: true });
    this.render();
    this.pendingState = structuredClone(this.state);
    this.onCreated(created);
    const record = this.recorder.get(created.run);
    if (record) this.replay(created.run, record);
    this.setStatus(record?.frame?.status === 'diverged' || record?.frame?.status === 'finished' ? record.frame.status : 'paused');
    this.setView();
  }

  // --- the timeline: past moments (static/js/timeline.js) ---------------------------------------

  /** @returns {boolean} whether the run shown can be rewound (its own, or a comparison's opened here) */
  get canSeek() {
    return Boolean(this.runId) && !this.following && !this.suspended;
  }

  /** @returns {boolean} whether "continue from here" can fork the run shown (not a comparison's opened run) */
  get canFork() {
    return this.canSeek && !this.adopted;
  }

  /** A `seek` answer: hold that moment on screen (boundary, maps, diagram, scores) until goLive. */
  showPast(header, blobs) {
    if (header.run !== this.runId) return;
    this.past = header;
    this.show.past(header, blobs, shownDims(this.created));
    this.v.cost.setMarker(header.iteration);
    this.frame = header;
    this.scheduleDraw();
  }

  /** Back to the run as it is now: its newest frame and detail (the recorder keeps them). */
  goLive() {
    if (!this.past) return;
    this.past = null;
    this.v.cost.setMarker(null);
    const record = this.runId ? this.recorder.get(this.runId) : null;
    if (record) this.replay(this.runId, record);
    this.scheduleDraw();
  }

  /** The run shown changes: nothing of the old one's past is held. */
  leavePast() {
    this.past = null;
    this.v.cost.setMarker(null);
    this.timeline?.forget();
  }

  /**
   * "Continue from here": a new run from this run's state at iteration `at` (create with fork and
   * at), with `changes`; once created, `onForked` shows it beside this one (compare mode).
   * @param {number} at
   * @param {object} changes hyperparameters it trains with from there ({learning_rate})
   */
  forkAt(at, changes) {
    if (!this.canFork) return;
    const source = this.runId;
    const original = this.created;
    this.client.supersede(this.createRef);
    this.createRef = this.client.create(null, {
      created: (message) => {
        this.createRef = null;
        if (this.runId !== source || this.suspended) { // the page moved on meanwhile: not wanted
          this.client.remove([message.run]);
          return;
        }
        this.onForked(original, message);
      },
      refused: (message) => {
        this.createRef = null;
        this.showServerError(message);
      },
    }, { fork: source, at, changes });
  }

  /**
   * Set one weight W[layer][row, col] (0-based), or the bias b[layer][row] (col null), of the
   * run shown, paused or playing: it trains on from there (its next detail shows the value).
   * Not of a followed run: that is its owner's.
   * @param {{layer: number, row: number, col: number|null, value: number}} parameter
   */
  setParameter({ layer, row, col, value }) {
    if (!this.runId || this.following || this.adopted) return; // a comparison's run stays as compared
    const where = col == null ? { layer, row, bias: true } : { layer, row, col };
    this.client.command('set_parameter', [this.runId], { ...where, value }, {
      ack: () => this.v.status.clearError(),
      error: (error) => this.showServerError(error),
    });
  }

  /** The runs a command names: this run, or the whole comparison it belongs to (lockstep). */
  get commandRuns() {
    return this.adopted ? this.adopted.group : [this.runId];
  }

  // --- compare mode (static/js/compare.js) ------------------------------------------------------

  /**
   * Hand the page to compare mode: delete this run (not an adopted one, nor with `keep`: compare
   * mode shows it beside its fork), create none.
   * @param {{keep?: boolean}} [how]
   */
  suspend({ keep = false } = {}) {
    this.suspended = true;
    this.wantPlay = false;
    this.leavePast();
    if (keep) this.runId = null; // compare mode has it now
    if (this.runId && !this.adopted) {
      // The comparison needs the session's runs (at most 4): this one goes, and leaving says so.
      if (this.lastIteration > 0) {
        this.closedAt = this.lastIteration;
        this.v.status.showNotice(`Comparing: the single run (${this.closedAt.toLocaleString('en-US')} iterations) was closed `
          + 'to make room for the comparison\'s runs; back in the single view, a new run starts at iteration 0.');
      }
      this.client.remove([this.runId]);
    }
    this.client.supersede(this.createRef); // a run on its way goes too
    this.example?.setRun(null);
    this.runId = null;
    this.created = null;
    this.createRef = null;
    this.replacing = null;
    this.adopted = null;
  }

  /** Compare mode (re)builds its runs: hand the page over, unless one of its runs is open here. */
  handOver() {
    if (!this.adopted) this.suspend();
  }

  /** Whether this view shows the run `runId` (compare mode: is the opened run already here?). */
  shows(runId) {
    return this.runId === runId;
  }

  /** @returns {boolean} whether this view shows a run of a comparison (opened from it) */
  get showsOpenedRun() {
    return Boolean(this.adopted);
  }

  /** Back from compare mode: a run of our own again, from the state (nothing if never left). */
  resume() {
    if (!this.suspended && !this.adopted) return;
    this.suspended = false;
    this.adopted = null;
    this.runId = null;
    if (this.closedAt) {
      this.v.status.showNotice(`Back to a single run: the one you had (${this.closedAt.toLocaleString('en-US')} iterations) `
        + 'was closed when the comparison started (a comparison takes the session\'s runs). This one starts at iteration 0.', { sticky: true });
      this.closedAt = 0;
    }
    this.render();
    this.createRun();
  }

  /**
   * Show a run of a comparison in this view; commands still drive its whole group.
   * @param {{created: object, group: string[], state: object, replay: object}} run the recorder's
   *   record as `replay` (costs so far, newest frame, boundary and parameters)
   */
  adopt({ created, group, state, replay }) {
    this.suspended = false;
    this.adopted = { group };
    this.store.set(this.sanitize(state));
    this.render();
    this.onCreated(created);
    this.replay(created.run, replay);
    this.setView();
  }

  /** Show a run's record (exporter.js RunRecord): its scores so far, newest frame, boundary, θ. */
  replay(runId, replay) {
    if (replay.frame) {
      // The test cost of every frame so far (the train costs are the record's history), then the newest frame.
      this.show.testCosts((replay.points || []).filter((point) => point.iteration < replay.frame.iteration));
      this.onBinary({ header: replay.frame, blobs: replay.boundary ? { boundary: replay.boundary } : {} });
    }
    if (replay.theta) {
      const blobs = { parameters: { data: replay.theta }, ...(replay.maps ? { maps: replay.maps } : {}) };
      this.onBinary({ header: { type: 'detail', run: runId }, blobs });
    }
  }

  // --- a class: following a run another session owns (classroom.js) ----------------------------

  /** @returns {string|null} the page's own run: the one shown, or the one kept while following */
  get ownRunId() {
    return this.following ? (this.own?.runId ?? null) : this.runId;
  }

  /** @returns {string|null} the watched run shown (null: the page's own) */
  get followedRun() {
    return this.following ? this.following.run : null;
  }

  /**
   * Show another session's run (a class's teacher's, a spotlighted student's), live and
   * read-only: watch it and treat its frames as this view's; the page's own run is kept, not shown.
   * @param {string} runId
   * @returns {boolean} whether it is followed (not while comparing)
   */
  follow(runId) {
    if (this.suspended || this.adopted) return false;
    if (this.following?.run === runId) return true;
    if (this.following) this.client.unwatch([this.following.run]);
    else {
      this.own = {
        runId: this.runId, created: this.created, state: structuredClone(this.state), good: this.good, status: this.status,
      };
      this.client.supersede(this.createRef); // a run on its way: not wanted now
      this.createRef = null;
      this.replacing = null;
    }
    this.wantPlay = false;
    const following = { run: runId, created: null };
    this.following = following;
    this.store.setMode({ following: true });
    this.client.request({ type: 'watch', runs: [runId] }, {
      watching: (message) => {
        const described = message.runs.find((r) => r.run === runId);
        if (this.following === following && described) this.showFollowed(following, described);
      },
      error: (error) => {
        if (this.following === following) this.unfollow();
        this.showServerError(error);
      },
    });
    return true;
  }

  showFollowed(following, described) {
    following.created = described;
    this.store.set(this.sanitize(stateFromConfig(described.config, this.state)));
    this.render();
    this.pendingState = null;
    this.onCreated(described);
    this.setView();
  }

  /** Back to the page's own run (as it is now: it may have trained meanwhile), or a new one. */
  unfollow() {
    if (!this.following) return;
    this.client.unwatch([this.following.run]);
    this.following = null;
    const own = this.own;
    this.own = null;
    this.store.setMode({ following: false });
    this.store.set(own ? own.state : this.state);
    this.render();
    const record = own?.runId ? this.recorder.get(own.runId) : null;
    if (!record) {
      this.runId = null;
      this.created = null;
      this.createRun();
      return;
    }
    this.pendingState = own.good;
    this.onCreated(own.created);
    this.replay(own.runId, record);
    this.setStatus(record.frame?.status === 'paused' ? 'paused' : own.status);
    this.setView();
  }

  /**
   * Continue from the followed run's state as the page's own run (create with `fork`: same data,
   * weights and iteration); the run kept while following goes.
   * @param {{created?(message: object): void, refused?(message: object): void}} [then]
   * @param {string} [from] the run to fork when this view follows none: one of a comparison the
   *   page follows (compare.js); this view's run (the page's own, not shown) goes then
   * @returns {boolean} whether the fork was asked for
   */
  forkFollowed(then = {}, from = null) {
    const following = this.following;
    if (following ? !following.created : !from) return false;
    const source = following ? following.run : from;
    this.client.supersede(this.createRef);
    this.createRef = this.client.create(null, {
      created: (message) => {
        this.createRef = null;
        if (following && this.following === following) {
          this.client.unwatch([following.run]);
          this.following = null;
          this.store.setMode({ following: false });
        }
        if (this.own?.runId) this.client.remove([this.own.runId]);
        else if (!following && this.runId && this.runId !== message.run) this.client.remove([this.runId]);
        this.own = null;
        this.store.set(this.sanitize(stateFromConfig(message.config, this.state)), { push: true });
        this.render();
        this.pendingState = structuredClone(this.state);
        this.onCreated(message);
        then.created?.(message);
      },
      refused: (message) => {
        this.createRef = null;
        this.showServerError(message);
        then.refused?.(message);
      },
    }, { fork: source });
    return true;
  }

  setStatus(status) {
    this.status = status;
    this.v.controls.renderStatus(this.offline ? 'offline' : status);
  }

  /**
   * The socket's state: the badge, and "offline" in place of the run's status while the server is
   * out of reach; on a drop, remember how far the run had come (the server forgets it).
   */
  onConnection(state, delay) {
    this.v.status.setConnection(state, delay);
    this.offline = state !== 'connected';
    if (this.offline && this.everConnected && this.lostAt == null) {
      this.lostAt = this.suspended && !this.adopted ? this.compareProgress() : this.lastIteration;
    }
    this.v.controls.renderStatus(this.offline ? 'offline' : this.status);
  }

  // --- state changes ----------------------------------------------------------------------------

  /**
   * A patch from this view's controls. A run opened from a comparison stays as the comparison
   * made it (so that going back shows the comparison as it was, that run unchanged): a change of
   * its network, data or hyperparameters is refused, with a word on where to make it; the view's
   * own settings (test points, log scale…) and the speed go through.
   * @param {object} patch
   * @param {{push?: boolean}} [how]
   */
  fromView(patch, how) {
    if (this.adopted) {
      const refused = Object.keys(patch).filter((key) => RUN_KINDS.has(PROPS[key]?.kind));
      if (refused.length) {
        this.v.status.showNotice('This run belongs to the comparison and stays as it is (← Back to comparison finds it unchanged). '
          + 'To try this change, make it in the comparison, for every run, or leave compare mode (Single run) and make it there.', { sticky: true });
        for (const key of refused) delete patch[key];
        this.render(); // the controls show the run's own values again
        for (const key of Object.keys(LIVE_FIELDS)) this.v.controls.restore(this.state, key);
      }
      if (!Object.keys(patch).length) return;
    }
    this.change(patch, how);
  }

  /**
   * A patch from a view: checked by the store, recorded in the history, acted on.
   * @param {object} patch
   * @param {{push?: boolean}} [how] push: false replaces the history's entry (a stroke going on)
   */
  change(patch, { push = true } = {}) {
    if (this.following) { // only the view's own toggles: the run is someone else's
      for (const key of Object.keys(patch)) if (PROPS[key]?.kind !== KIND.VIEW) delete patch[key];
      this.render();
    }
    const { next, accepted, refused, ignored, keys, retune } = this.store.propose(patch, this.created);
    if (retune !== undefined) this.retuneLr = retune;
    this.v.status.showIgnored(ignored);
    if (refused) {
      // Nothing is sent: the field gets its last good value back, marked, with the reason.
      this.v.status.showError(refused, refused.message);
      this.render();
      this.v.controls.restore(this.state, refused.key);
    } else {
      this.clearFixed(accepted);
    }
    if (!keys.length) return;
    this.store.set(next, { push });
    this.apply(next, keys);
  }

  /** An accepted change to the field an error is shown for fixes it: clear the message. */
  clearFixed(patch) {
    const field = this.v.status.errorField;
    if (!field) return;
    const bare = field.replace(/^config\./, '');
    const top = bare.split('.')[0];
    const keys = Object.keys(patch);
    const key = keyOf(bare);
    if ((key && keys.includes(key)) || keys.includes(top) || (top === 'dataset' && keys.some((k) => DATA_KEYS.has(k)))) {
      this.v.status.clearError();
    }
  }

  /**
   * The first run of a link was refused: put the refused part (a layer, the data…) back to its
   * default, say so with the link's other problems, and create again.
   * @returns {boolean} whether a new create was sent
   */
  fallBack(error) {
    const item = (error.errors || [])[0];
    if (!item) return false;
    const bare = String(item.field || '').replace(/^config\./, '');
    const top = bare.split('.')[0];
    const keys = keyOf(bare) ? [keyOf(bare)] : FIELD_KEYS[bare] ?? (top === 'dataset' ? [...DATA_KEYS] : top === 'init' ? ['init', 'scale'] : [top]);
    const next = { ...this.state };
    for (const key of keys) if (key in PROPS) next[key] = structuredClone(this.base[key]);
    if (!changedKeys(this.state, next).length) return false;
    this.store.set(this.sanitize(next));
    this.v.status.showIgnored([`Refused from the link: ${explain(item, this.options.bounds)} Using the default instead.`]);
    this.render();
    this.createRun();
    return true;
  }

  /** The server refused a create or an update: back to the state of the run shown. */
  restoreGood(kinds) {
    this.pendingState = null;
    this.replacing = null;
    if (!this.good || !this.runId) return;
    const next = { ...this.state };
    for (const key of changedKeys(this.state, this.good)) {
      if (kinds.has(PROPS[key].kind)) next[key] = structuredClone(this.good[key]);
    }
    this.store.set(next);
    if (this.created) {
      this.created.config = { ...this.created.config, ...toRunConfig(next), dataset: this.created.config.dataset };
      this.v.course.render(this.created);
    }
    this.render();
    for (const key of Object.keys(LIVE_FIELDS)) this.v.controls.restore(next, key);
  }

  onUrl() {
    if (this.following) return; // the URL shows the followed run's setup; a push unfollows first
    const ignored = [];
    const next = this.readLink(ignored);
    if (ignored.length) {
      this.v.status.showIgnored(ignored);
      this.store.url.replace(toHash(next)); // the link without what was dropped
    }
    const keys = changedKeys(this.state, next);
    if (keys.length) this.apply(next, keys);
  }

  /** The state the URL describes, checked (store.js readLink); what was dropped goes to `ignored`. */
  readLink(ignored) {
    return this.store.readLink(ignored, this.created);
  }

  /** Keep the state consistent (store.js sanitize). */
  sanitize(state) {
    return this.store.sanitize(state, this.created);
  }

  /** The task of the state's data, or null while unknown (files: until the server reads them). */
  taskOf(state) {
    return this.store.taskOf(state, this.created);
  }

  /** The state, kept by the store (one for every mode). */
  get state() {
    return this.store.state;
  }

  set state(state) {
    this.store.state = state;
  }

  apply(next, keys) {
    this.state = next;
    const kinds = changeKinds(keys);
    this.render();
    if (this.adopted) {
      // A run of a comparison: compare mode (compare.js sync) decides what is shown; the run is
      // never reconfigured from here (a Back from it must find the comparison as it was).
      if (next.open != null && [...RUN_KINDS].some((kind) => kinds.has(kind))) {
        this.v.status.showNotice('This run belongs to a comparison: go back to it (Compare) to change its network or data.');
      }
      if (kinds.has(KIND.SPEED)) this.sendSpeed();
      if (kinds.has(KIND.VIEW)) this.setView();
      return;
    }
    if (kinds.has(KIND.RUN) && this.suspended) {
      // Compare mode builds its runs from the state.
    } else if (kinds.has(KIND.RUN) || (kinds.has(KIND.POINTS) && !this.drawnRun)) {
      const what = keys.some((k) => DATA_KEYS.has(k)) ? 'Data changed' : 'Network changed';
      if (this.runId && this.lastIteration > 0) {
        this.v.status.showNotice(`${what}: new run — training restarts at iteration 0.`);
      }
      this.createRun();
      return;
    }
    if (kinds.has(KIND.POINTS)) this.newPoints();
    if (kinds.has(KIND.LIVE) && this.runId) {
      this.sendUpdate(next, keys);
      if (this.created) {
        this.created.config = { ...this.created.config, ...toRunConfig(next), dataset: this.created.config.dataset };
        this.v.course.render(this.created);
      }
    }
    if (kinds.has(KIND.SPEED)) this.sendSpeed();
    if (kinds.has(KIND.VIEW)) this.setView();
  }

  setView() {
    this.show.setView(this.state, this.state.dataset === OWN_DATA.DRAW);
    this.scheduleDraw();
  }

  sendSpeed() {
    if (!this.runId || this.following) return;
    this.client.speed(this.commandRuns, this.state.speed);
  }

  render() {
    const s = this.state;
    this.v.data.render(s);
    this.v.ownData.render(s);
    this.v.draw.render(s);
    this.v.builder.render(s, this.taskOf(s) || 'binary');
    this.v.controls.render(s);
    this.v.diagram.renderFeatures(s.features);
    this.v.hiding?.render(s);
  }

  // --- own data ---------------------------------------------------------------------------------

  /** Whether this view's run trains on drawn points (so new points can go to it live). */
  get drawnRun() {
    return Boolean(this.runId && !this.adopted && this.created?.config.dataset.kind === 'drawn');
  }

  /** The drawn points changed: show them at once, then send them to the run (it keeps training). */
  newPoints() {
    const s = this.state;
    if (s.dataset !== OWN_DATA.DRAW || this.suspended || this.adopted) return;
    if (!trainable(s.pts)) {
      this.dropRun();
      this.showPlane();
      return;
    }
    if (!this.drawnRun) return; // a new run is on its way (apply created it)
    this.show.plane(this.store.planeDataset(s));
    this.scheduleDraw();
    this.dataRef = this.client.command('data', [this.runId], { dataset: toDataConfig(s) }, { ack: (m) => this.onDataAck(m) });
  }

  /** No run: the empty plane with the drawn points, waiting for more. */
  showPlane() {
    this.clearOutput();
    this.show.plane(this.store.planeDataset(this.state), this.options.boundary_resolution);
    this.setView();
    this.scheduleDraw();
  }

  /** Forget the run (no data to train on yet). */
  dropRun() {
    if (this.runId && !this.adopted) this.client.remove([this.runId]);
    this.client.supersede(this.createRef);
    this.runId = null;
    this.created = null;
    this.createRef = null;
    this.replacing = null;
    this.frame = null;
    this.setStatus('paused');
  }

  /** No run: clear what showed the last one (boundary, network, scores, curves, gallery…). */
  clearOutput() {
    this.example?.setRun(null);
    this.show.clear(this.state.dataset === OWN_DATA.CSV ? 'Choose a CSV file (in the data panel) to train on it.' : null);
    // waiting for data: the network the settings will build, drawn without weights
    if (!hasData(this.state)) this.show.planned(plannedNetwork(this.state, this.options));
    this.v.course.clear();
    this.v.controls.clear();
    this.frame = null;
    this.lastIteration = 0;
  }

  // --- the run ----------------------------------------------------------------------------------

  /** Replace the run with one built from the current state (delete + create). */
  createRun() {
    if (this.suspended || this.following) return;
    if (!hasData(this.state)) { // drawn points of one class, a CSV not uploaded yet: wait
      this.dropRun();
      if (this.state.dataset === OWN_DATA.DRAW) this.showPlane();
      else this.clearOutput();
      return;
    }
    // The run shown stays (drawn, and deleted once the new one is created): if the server
    // refuses the new config, the page is still on its last good run.
    if (this.runId && !this.adopted) this.replacing = this.runId;
    else if (this.adopted) this.runId = null;
    this.adopted = null;
    if (this.status === 'running') this.wantPlay = true;
    this.pendingState = structuredClone(this.state);
    this.client.supersede(this.createRef); // a create still on its way: its run is deleted once made
    this.createRef = this.client.create(toRunConfig(this.state), {
      created: (message) => this.onCreatedAnswer(message),
      refused: (message) => this.onCreateRefused(message),
    });
  }

  onHello() {
    if (this.everConnected) {
      // A new connection is a new session: the server kept nothing of the old one's runs.
      const lost = this.lostAt || 0;
      const what = this.suspended || this.adopted ? "the comparison's runs" : 'the run';
      this.v.status.showNotice(lost > 0
        ? `Reconnected, but the server had lost ${what} when the connection dropped: the progress `
          + `(${lost.toLocaleString('en-US')} iterations) is gone. Recreated from the link, training starts again at iteration 0.`
        : `Reconnected: ${what} recreated from the link.`, { sticky: lost > 0 });
    }
    this.lostAt = null;
    this.everConnected = true;
    this.runId = null;
    if (this.following) { // the new session watches nothing: its class follows again once back in it
      this.store.set(this.own ? this.own.state : this.state);
      this.following = null;
      this.own = null;
      this.store.setMode({ following: false });
      this.render();
    }
    this.replacing = null; // the old connection's runs went with it
    this.createRun();
  }

  /** Our create was answered: the run shown is replaced by the new one. */
  onCreatedAnswer(message) {
    this.createRef = null;
    if (this.replacing && this.replacing !== message.run) this.client.remove([this.replacing]);
    this.replacing = null;
    this.onCreated(message);
  }

  /** Our create was refused: back to the run shown (or, for a link's first run, its defaults). */
  onCreateRefused(message) {
    this.createRef = null;
    this.wantPlay = false;
    if (!this.runId && this.fallBack(message)) return; // no run yet: a link's refused part
    this.restoreGood(RUN_KINDS);
    this.showServerError(message);
  }

  /** Send the live keys that changed to the run; its ack makes them the run's good state. */
  sendUpdate(state, keys) {
    const { message, values } = updateMessage([this.runId], state, keys);
    this.updateValues = values;
    const ref = this.client.command('update', message.runs, message, {
      ack: () => {
        if (ref !== this.updateRef) return; // an older update: the newest one's answer counts
        if (this.good && this.updateValues) Object.assign(this.good, this.updateValues);
        this.updateValues = null;
        this.v.status.clearError();
      },
      error: (error) => {
        if (ref === this.updateRef) {
          this.updateValues = null;
          this.restoreGood(new Set([KIND.LIVE]));
        }
        this.showServerError(error);
      },
    });
    this.updateRef = ref;
  }

  /** The server took the drawn points: the run trains on them, split as it says. */
  onDataAck(message) {
    if (message.ref !== this.dataRef || !this.created) return;
    this.created = { ...this.created, dataset: message.dataset, config: { ...this.created.config, dataset: toDataConfig(this.state) } };
    this.timelineStart = this.lastIteration; // the server keeps no past from before the new points
    this.timeline?.forget();
    this.show.plane(message.dataset);
    this.v.course.render(this.created);
    this.v.status.clearError();
    this.scheduleDraw();
  }

  /** What the server said that no command waits for: its errors are shown. */
  onMessage(message) {
    if (message.type !== 'error') return;
    if (this.suspended && message.ref) return; // compare mode's own (static/js/compare.js)
    this.showServerError(message);
  }

  showServerError(message) {
    this.v.status.showError(message, explain((message.errors || [])[0] || message, this.options.bounds));
  }

  /** A run to show: ours, or one of a comparison opened here. */
  onCreated(created) {
    const v = this.v;
    this.runId = created.run;
    this.created = created;
    this.good = structuredClone(this.pendingState ?? this.state);
    this.pendingState = null;
    noteCreated();
    this.lastIteration = 0;
    this.frame = null;
    this.leavePast();
    this.timelineStart = created.forked_from?.iteration ?? 0;
    v.status.clearError();
    v.controls.clear();
    this.setStatus('paused');
    v.diagram.setEditable(!this.following && !this.adopted); // an opened comparison's run stays as compared
    this.show.showRun(created, this.recorder.open(created).history, () => this.setView());
    this.example?.setRun(created);
    v.course.render(created);
    const d = created.dataset;
    if (this.state.dataset === OWN_DATA.CSV) v.ownData.learnColumns(this.state.upload, d);
    v.ownData.render(this.state);
    v.ownData.describe(d);
    v.builder.render(this.state, this.taskOf(this.state) || d.task);
    if (this.state.speed !== PROPS.speed.initial) this.sendSpeed(); // the server's default too
    if (this.retuneLr) this.retune(created.dataset.task);
    if (this.wantPlay && !this.following) {
      this.wantPlay = false;
      this.play();
    }
    this.scheduleDraw();
  }

  /** A CSV's task is known now: give the run that task's learning rate (see store.js followTask). */
  retune(task) {
    this.retuneLr = false;
    const lr = taskLearningRate(this.options, task);
    if (lr === undefined || lr === this.state.lr || this.adopted) return;
    this.store.set({ ...this.state, lr });
    this.sendUpdate(this.state, ['lr']);
    this.good.lr = lr;
    this.created.config = { ...this.created.config, learning_rate: lr };
    this.v.course.render(this.created);
    this.v.controls.restore(this.state, 'lr');
  }

  onBinary({ header, blobs }) {
    if (header.run !== this.runId) return;
    if (header.type === 'gallery') {
      this.show.images(header, blobs.images);
      return;
    }
    if (header.type === 'detail') {
      if (this.past) return; // the recorder keeps it: Live shows it
      this.show.detail(blobs, shownDims(this.created));
      this.scheduleDraw();
      return;
    }
    if (header.type !== 'frame') return; // a `seek` answer: timeline.js hands it to showPast
    noteFrame(Boolean(blobs.boundary));
    if (header.iteration < this.lastIteration) this.clearCurves();
    this.lastIteration = header.iteration;
    if (this.past) { // a past moment is held: live frames only extend the curves
      this.show.curves(header);
      if (header.status === 'diverged' || header.status === 'finished') this.status = header.status;
      this.scheduleDraw();
      return;
    }
    this.show.frame(header, blobs);
    this.example?.onFrame(header);
    this.frame = header;
    // Only the end states come from the frames. Running and paused follow the user's last command:
    // a frame built before the server saw it ('paused' just after play, as when a run recreated
    // after a reconnect resumes) must not undo it. A followed run's status is its owner's.
    if (this.following || header.status === 'diverged' || header.status === 'finished') this.status = header.status;
    this.scheduleDraw();
  }

  clearCurves() {
    this.show.clearCurves(this.created ? this.created.network.layer_dims.length - 1 : 0);
    this.lastIteration = 0;
  }

  /** Draw at the next animation frame (renderLoop.js: at most once a frame, whatever the server's rate). */
  scheduleDraw() {
    this.loop.request(this);
  }

  /**
   * Every frame: the counters, then the run's output (runView.js: the boundary, the diagram, at
   * most one secondary chart).
   * @param {number} start the frame's time, ms
   * @returns {boolean} whether a chart still waits (the loop comes back next frame)
   */
  paint(start) {
    const v = this.v;
    const frame = this.frame;
    if (frame) {
      if (frame !== this.paintedFrame) { // the loop also comes back for the charts alone
        this.paintedFrame = frame;
        v.controls.renderFrame(frame);
        v.status.renderFrame(frame);
      }
      v.controls.renderStatus(this.offline ? 'offline' : this.status);
    }
    this.timeline?.render(); // its range follows the run (written only when it changes)
    const waiting = this.show.paint(start, () => { if (frame) noteBoundaryDraw(frame.iteration); });
    stats.drawMs += performance.now() - start;
    return waiting;
  }
}
