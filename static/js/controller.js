/**
 * The controller: holds the state, turns user changes into protocol commands (rebuild the run,
 * update it live, or only redraw), routes the server's answers and frames to the views, and
 * keeps the URL in step. It never touches the DOM itself.
 */

import { splitParameters } from './frames.js';
import { KIND, PROPS, changedKeys, defaultState, fromHash, toHash, toRunConfig } from './state.js';
import { OUTPUTS_FOR_TASK } from './builder.js';

const LIVE_FIELDS = { lr: 'learning_rate', opt: 'optimizer', batch: 'batch_size', l2: 'l2' };
const DATA_KEYS = new Set(['dataset', 'noise', 'size', 'train', 'dseed', 'features', 'classes']);

export class Controller {
  /**
   * @param {object} deps {options, socket, views: {data, builder, controls, boundary, cost,
   *   gradients, saturation, diagram, course, status}}
   */
  constructor({ options, socket, views }) {
    this.options = options;
    this.socket = socket;
    this.v = views;
    this.datasets = Object.fromEntries(options.datasets.map((d) => [d.name, d]));
    this.base = defaultState(options.defaults);
    this.state = this.sanitize(fromHash(location.hash, this.base));
    this.runId = null;
    this.createRef = null;
    this.created = null;
    this.wantPlay = false;
    this.status = 'paused';
    this.lastIteration = 0;
    this.frame = null;
    this.raf = 0;
    this.everConnected = false;
  }

  /** Wire the views and the socket, show the state, connect. */
  start() {
    const v = this.v;
    const change = (patch) => this.change(patch);
    v.data.bindChange(change);
    v.builder.bindChange(change);
    v.controls.bind({
      play: () => this.play(), pause: () => this.pause(), step: () => this.step(), reset: () => this.reset(),
    }, change);
    this.socket.on({
      state: (state, delay) => v.status.setConnection(state, delay),
      open: () => this.onHello(),
      message: (message) => this.onMessage(message),
      binary: (message) => this.onBinary(message),
    });
    window.addEventListener('popstate', () => this.onUrl());
    window.addEventListener('hashchange', () => this.onUrl());
    window.addEventListener('pagehide', () => this.socket.close());
    history.replaceState(null, '', toHash(this.state));
    this.render();
    this.setView();
    this.socket.connect();
  }

  /** Keyboard: play or pause. */
  toggle() {
    if (this.status === 'running') this.pause();
    else this.play();
  }

  // --- commands ---------------------------------------------------------------------------------

  play() {
    if (!this.runId) {
      this.wantPlay = true;
      return;
    }
    if (this.status === 'diverged' || this.status === 'finished') return;
    this.socket.send({ type: 'play', runs: [this.runId] });
    this.setStatus('running');
  }

  pause() {
    this.wantPlay = false;
    if (!this.runId) return;
    this.socket.send({ type: 'pause', runs: [this.runId] });
    this.setStatus('paused');
  }

  step() {
    if (!this.runId || this.status === 'diverged' || this.status === 'finished') return;
    this.socket.send({ type: 'step', runs: [this.runId], n: this.state.stepn });
  }

  reset() {
    this.wantPlay = false;
    if (!this.runId) return;
    this.socket.send({ type: 'reset', runs: [this.runId] });
    this.clearCurves();
    this.setStatus('paused');
  }

  setStatus(status) {
    this.status = status;
    this.v.controls.renderStatus(status);
  }

  // --- state changes ----------------------------------------------------------------------------

  /** A patch from a view: apply it, record it in the history, act on what changed. */
  change(patch) {
    const next = this.sanitize({ ...this.state, ...patch });
    const keys = changedKeys(this.state, next);
    if (!keys.length) return;
    history.pushState(null, '', toHash(next));
    this.apply(next, keys);
  }

  onUrl() {
    const next = this.sanitize(fromHash(location.hash, this.base));
    const keys = changedKeys(this.state, next);
    if (keys.length) this.apply(next, keys);
  }

  /** Keep the state consistent: an output that fits the task, known names. */
  sanitize(state) {
    if (!this.datasets[state.dataset]) state.dataset = this.base.dataset;
    const d = this.datasets[state.dataset];
    if (state.noise == null) state.noise = d.default_noise;
    if (state.size == null) state.size = d.default_size;
    if (d.task === 'multiclass' && state.classes == null) state.classes = d.default_classes;
    if (d.task !== 'multiclass') state.classes = null;
    if (state.output && !OUTPUTS_FOR_TASK[d.task].includes(state.output)) state.output = '';
    return state;
  }

  apply(next, keys) {
    this.state = next;
    const kinds = new Set(keys.map((k) => PROPS[k].kind));
    this.render();
    if (kinds.has(KIND.RUN)) {
      const what = keys.some((k) => DATA_KEYS.has(k)) ? 'Data changed' : 'Network changed';
      if (this.runId && this.lastIteration > 0) {
        this.v.status.showNotice(`${what}: new run — training restarts at iteration 0.`);
      }
      this.createRun();
      return;
    }
    if (kinds.has(KIND.LIVE) && this.runId) {
      const update = { type: 'update', runs: [this.runId] };
      for (const key of keys) if (LIVE_FIELDS[key]) update[LIVE_FIELDS[key]] = next[key];
      this.updateRef = this.socket.send(update);
      if (this.created) {
        this.created.config = { ...this.created.config, ...toRunConfig(next), dataset: this.created.config.dataset };
        this.v.course.render(this.created);
      }
    }
    if (kinds.has(KIND.SPEED)) this.sendSpeed();
    if (kinds.has(KIND.VIEW)) this.setView();
  }

  setView() {
    const s = this.state;
    this.v.boundary.setView({ test: s.test, discrete: s.discrete });
    this.v.cost.setView({ log: s.logcost, smooth: s.smooth });
    this.scheduleDraw();
  }

  sendSpeed() {
    if (!this.runId) return;
    const speed = this.state.speed === 'max' ? 'max' : Number(this.state.speed);
    this.socket.send({ type: 'speed', runs: [this.runId], iterations_per_frame: speed });
  }

  render() {
    const s = this.state;
    this.v.data.render(s);
    this.v.builder.render(s, this.datasets[s.dataset].task);
    this.v.controls.render(s);
  }

  // --- the run ----------------------------------------------------------------------------------

  /** Replace the run with one built from the current state (delete + create). */
  createRun() {
    if (this.runId) this.socket.send({ type: 'delete', runs: [this.runId] });
    if (this.status === 'running') this.wantPlay = true;
    this.runId = null;
    this.createRef = this.socket.send({ type: 'create', config: toRunConfig(this.state) });
  }

  onHello() {
    if (this.everConnected) this.v.status.showNotice('Reconnected: the run was recreated from the link.');
    this.everConnected = true;
    this.runId = null;
    this.createRun();
  }

  onMessage(message) {
    switch (message.type) {
      case 'created':
        if (message.ref !== this.createRef) {
          this.socket.send({ type: 'delete', runs: [message.run] }); // superseded by a newer create
          return;
        }
        this.onCreated(message);
        break;
      case 'error':
        if (message.ref && message.ref === this.createRef) this.createRef = null;
        this.v.status.showError(message);
        break;
      case 'ack':
        if (message.ref === this.updateRef && message.action === 'update') this.v.status.clearError();
        break;
      default:
        break;
    }
  }

  onCreated(created) {
    const v = this.v;
    this.runId = created.run;
    this.created = created;
    this.lastIteration = 0;
    this.frame = null;
    v.status.clearError();
    v.controls.clear();
    this.setStatus('paused');
    v.boundary.setRun(created);
    v.diagram.setNetwork(created);
    v.course.render(created);
    const dims = created.network.layer_dims;
    v.gradients.setRun(dims.length - 1);
    v.saturation.setRun(created.network.activations.slice(0, -1));
    v.cost.reset();
    if (this.state.speed !== '10') this.sendSpeed();
    if (this.wantPlay) {
      this.wantPlay = false;
      this.play();
    }
    this.scheduleDraw();
  }

  onBinary({ header, blobs }) {
    if (header.run !== this.runId) return;
    if (header.type === 'detail') {
      const theta = blobs.parameters?.data;
      if (theta) this.v.diagram.updateDetail(splitParameters(theta, this.created.network.layer_dims), blobs.maps);
      this.scheduleDraw();
      return;
    }
    if (header.iteration < this.lastIteration) this.clearCurves();
    this.lastIteration = header.iteration;
    if (blobs.costs) this.v.cost.add(header, blobs.costs.data);
    this.v.gradients.add(header);
    if (blobs.boundary) {
      this.v.boundary.update(blobs.boundary);
      this.v.diagram.updateBoundary(blobs.boundary);
    }
    this.v.saturation.update(header.activation_stats);
    this.frame = header;
    if (header.status !== 'running' || this.status !== 'paused') this.status = header.status;
    this.scheduleDraw();
  }

  clearCurves() {
    this.v.cost.reset();
    this.v.gradients.setRun(this.created ? this.created.network.layer_dims.length - 1 : 0);
    this.lastIteration = 0;
  }

  /** Draw at most once per animation frame, whatever the frame rate of the server. */
  scheduleDraw() {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      const v = this.v;
      if (this.frame) {
        v.controls.renderFrame(this.frame);
        v.controls.renderStatus(this.status);
        v.status.renderFrame(this.frame);
      }
      v.boundary.draw();
      v.cost.draw();
      v.diagram.draw();
      v.gradients.draw();
      v.saturation.draw();
    });
  }
}
