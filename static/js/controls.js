/**
 * The training controls and view toggles: play / pause / step (with its size) / reset, the
 * counters, learning rate, optimizer, batch size, L2, L1, speed, and the output panel's toggles.
 * Owns those elements; reports commands and patches to the controller.
 */

import { OWN_DATA } from './state.js';
import { formatCount, setData, setDisabled, setHidden, setText } from './domWrite.js';

export class Controls {
  /** @param {object} options GET /api/options */
  constructor(options) {
    const $ = (id) => document.getElementById(id);
    this.el = {
      play: $('play'), pause: $('pause'), step: $('step'), reset: $('reset'), stepSize: $('step-size'),
      iteration: $('iteration'), epoch: $('epoch'), epochCount: $('epoch-count'), status: $('run-status'),
      lr: $('learning-rate'), opt: $('optimizer'), batch: $('batch-size'), l2: $('l2'), l1: $('l1'), speed: $('speed'),
      test: $('show-test'), discrete: $('discretize'), logcost: $('log-cost'), smooth: $('smoothing'),
      trainCost: $('train-cost'), testCost: $('test-cost'), trainAcc: $('train-acc'), testAcc: $('test-acc'),
    };
    for (const o of options.optimizers) this.el.opt.add(new Option(o.title, o.name));
    this.el.batch.max = options.limits.max_samples;
    const maxSpeed = options.limits.max_iterations_per_frame;
    // The server sends a frame at most `frame_rate` times a second with that many iterations
    // each: the speed reads as iterations per second, not as the protocol's "per frame".
    const rate = options.frame_rate;
    for (const option of [...this.el.speed.options]) {
      if (option.value === 'max' || option.value === 'auto') continue;
      if (Number(option.value) > maxSpeed) option.remove();
      else option.textContent = formatCount(Math.round(Number(option.value) * rate));
    }
  }

  /**
   * @param {{play: Function, pause: Function, step: Function, reset: Function}} commands
   * @param {(patch: object) => void} onChange
   */
  bind(commands, onChange) {
    const el = this.el;
    el.play.addEventListener('click', () => commands.play());
    el.pause.addEventListener('click', () => commands.pause());
    el.step.addEventListener('click', () => commands.step());
    el.reset.addEventListener('click', () => commands.reset());
    el.stepSize.addEventListener('change', () => onChange({ stepn: Number(el.stepSize.value) }));
    const number = (input, key, parse = Number) => input.addEventListener('change', () => {
      const value = input.value === '' ? null : parse(input.value);
      onChange({ [key]: value });
    });
    number(el.lr, 'lr');
    number(el.batch, 'batch', (v) => Math.trunc(Number(v)));
    number(el.l2, 'l2');
    number(el.l1, 'l1');
    el.opt.addEventListener('change', () => onChange({ opt: el.opt.value }));
    el.speed.addEventListener('change', () => onChange({ speed: el.speed.value }));
    el.test.addEventListener('change', () => onChange({ test: el.test.checked }));
    el.discrete.addEventListener('change', () => onChange({ discrete: el.discrete.checked }));
    el.logcost.addEventListener('change', () => onChange({ logcost: el.logcost.checked }));
    el.smooth.addEventListener('change', () => onChange({ smooth: Number(el.smooth.value) }));
  }

  /** Show the state's values in the controls. */
  render(state) {
    const el = this.el;
    el.stepSize.value = String(state.stepn);
    if (document.activeElement !== el.lr) el.lr.value = state.lr;
    el.opt.value = state.opt;
    el.batch.value = state.batch ?? '';
    el.l2.value = state.l2;
    el.l1.value = state.l1;
    el.speed.value = state.speed;
    const drawn = state.dataset === OWN_DATA.DRAW; // every drawn point is shown (controller.setView)
    el.test.checked = state.test || drawn;
    el.test.disabled = drawn;
    el.test.parentElement.title = drawn ? 'Drawn points are all shown: the diamonds are the test share (Train share)' : '';
    el.discrete.checked = state.discrete;
    el.logcost.checked = state.logcost;
    el.smooth.value = state.smooth;
  }

  /**
   * Put the state's value back into a typed field, even one that has the focus (which render
   * leaves alone while the student types): after a refused value.
   * @param {object} state
   * @param {string} key lr, batch, l2 or l1 (other keys: nothing to do)
   */
  restore(state, key) {
    const input = { lr: this.el.lr, batch: this.el.batch, l2: this.el.l2, l1: this.el.l1 }[key];
    if (input) input.value = state[key] ?? '';
  }

  /**
   * Show the run's progress and scores from a frame header.
   * @param {object} header
   */
  renderFrame(header) {
    const el = this.el;
    // Every animation frame: each element is written only when its value changes (domWrite.js).
    setText(el.iteration, formatCount(header.iteration));
    setData(el.iteration, 'value', String(header.iteration));
    setText(el.epoch, formatCount(header.epoch));
    // With the whole training set as one batch an epoch is an iteration: say it once.
    setHidden(el.epochCount, header.epoch === header.iteration);
    this.renderStatus(header.status);
    setText(el.trainCost, fmt(header.train_cost));
    setText(el.testCost, fmt(header.test_cost));
    setText(el.trainAcc, pct(header.train_accuracy));
    setText(el.testAcc, pct(header.test_accuracy));
  }

  /** Show play or pause, and the status word. */
  renderStatus(status) {
    const running = status === 'running';
    const ended = status === 'diverged' || status === 'finished';
    setHidden(this.el.play, running);
    setHidden(this.el.pause, !running);
    setDisabled(this.el.play, ended);
    setDisabled(this.el.step, ended);
    setText(this.el.status, status);
    setData(this.el.status, 'status', status);
  }

  /** Clear counters (a new run). */
  clear() {
    this.renderFrame({ iteration: 0, epoch: 0, status: 'paused' });
  }
}

function fmt(v) {
  if (v == null) return '–';
  return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}

function pct(v) {
  return v == null ? '–' : `${(v * 100).toFixed(1)}%`;
}
