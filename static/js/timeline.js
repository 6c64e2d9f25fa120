/**
 * Rewind and replay: the single-run view's timeline. Dragging the scrubber asks the server for the
 * run as it was at that iteration (`seek`: recomputed from the run's snapshots, docs/protocol.md);
 * its answer is held on screen (Controller.showPast) until "Live". One seek is in flight at a
 * time: while it is, only the newest iteration asked waits (a drag never queues a backlog).
 * "Replay" steps through the run from the timeline's start to now, a seek at a time, each sent
 * once the previous one is answered (flow control; the pacing is replay.js's, which compare
 * mode's Replay shares). "Continue from here" forks the run at the iteration shown (create with fork and at), optionally with another
 * learning rate. No DOM: the view (timelineView.js) owns it.
 */

import { Replay } from './replay.js';

export class TimelineController {
  /**
   * @param {{client: object, controller: object, view: object, schedule?: Function}} deps client
   *   (runClient.js), controller (the playground's: runId, lastIteration, showPast, goLive),
   *   view (TimelineView), schedule(fn, ms) (setTimeout; a fake in tests)
   */
  constructor({ client, controller, view, schedule = (fn, ms) => setTimeout(fn, ms) }) {
    this.client = client;
    this.controller = controller;
    this.view = view;
    /** The past iteration held on screen; null: live. */
    this.shown = null;
    this.inflight = null;
    /** The newest iteration asked while a seek was in flight (sent once it is answered). */
    this.wanted = null;
    /** Refs whose answers are no longer wanted (the user went back to live meanwhile). */
    this.dropped = new Set();
    this.replayer = new Replay({
      ask: (iteration) => { this.wanted = iteration; this.send(); this.render(); },
      finish: () => this.live(),
      schedule,
    });
    /** The run's timeline as the last answer described it ({start, end, stride, …}). */
    this.info = null;
    this.runId = null;
    this.lastRendered = '';
  }

  start() {
    this.view.bind({
      seek: (iteration) => { this.stopReplay(); this.seek(iteration); },
      live: () => this.live(),
      replay: (every) => (this.replaying ? this.live() : this.replay(every)),
      fork: (changes) => this.fork(changes),
    });
    this.client.subscribe({ binary: (message) => this.onBinary(message), hello: () => this.forget() });
    this.render();
  }

  /** @returns {object|null} the replay under way (replay.js), null: none */
  get replaying() {
    return this.replayer.active;
  }

  /** @returns {boolean} whether a past moment is held on screen */
  get past() {
    return this.shown != null;
  }

  /** The run shown changed (a new run, a reset, compare mode): back to live, nothing held. */
  forget() {
    this.stopReplay();
    this.shown = null;
    this.info = null;
    if (this.inflight) this.dropped.add(this.inflight);
    this.inflight = null;
    this.wanted = null;
    this.render();
  }

  /** Ask for the run at `iteration` (or, while one is in flight, once it is answered). */
  seek(iteration) {
    const c = this.controller;
    if (!c.runId || !c.canSeek) return;
    this.wanted = Math.max(this.firstIteration, Math.min(Math.round(iteration), c.lastIteration));
    this.send();
  }

  send() {
    if (this.inflight || this.wanted == null) return;
    const c = this.controller;
    const iteration = this.wanted;
    this.wanted = null;
    const runId = c.runId;
    const ref = this.client.command('seek', c.commandRuns, { iteration }, {
      ack: () => this.answered(ref),
      error: (error) => {
        this.answered(ref);
        this.stopReplay();
        if (!this.dropped.delete(ref) && runId === c.runId) c.showServerError(error);
      },
    });
    this.inflight = ref;
  }

  answered(ref) {
    if (this.inflight === ref) this.inflight = null;
    if (this.dropped.delete(ref)) return;
    this.replayer.answered();
    this.send();
  }

  onBinary({ header, blobs }) {
    const c = this.controller;
    if (header.type === 'frame' && header.run === c.runId) {
      if (header.iteration < (this.shown ?? 0) && !this.replaying) this.forget(); // a reset
      this.render();
      return;
    }
    if (header.type !== 'seek' || header.run !== c.runId || header.ref !== this.inflight || this.dropped.has(header.ref)) return;
    this.shown = header.iteration;
    this.info = header.timeline;
    c.showPast(header, blobs);
    this.render();
  }

  /** Back to the run as it is now. */
  live() {
    this.stopReplay();
    if (this.inflight) this.dropped.add(this.inflight);
    this.inflight = null;
    this.wanted = null;
    if (this.shown != null) {
      this.shown = null;
      this.controller.goLive();
    }
    this.render();
  }

  /**
   * Animate the run from its timeline's start to now, `every` iterations a step.
   * @param {number} every
   */
  replay(every) {
    const c = this.controller;
    if (!c.runId || !c.canSeek) return;
    if (c.status === 'running') c.pause(); // the past is replayed up to the iteration it stopped at
    this.replayer.start({ from: this.firstIteration, every, end: () => this.controller.lastIteration });
  }

  stopReplay() {
    if (!this.replaying) return;
    this.replayer.stop();
    this.render();
  }

  /**
   * "Continue from here": a new run from the iteration shown (now, if live), with `changes`.
   * @param {object} changes hyperparameters the new run trains with ({learning_rate})
   */
  fork(changes) {
    const c = this.controller;
    if (!c.runId || !c.canFork) return;
    const at = this.shown ?? c.lastIteration;
    this.stopReplay();
    c.forkAt(at, changes);
  }

  /** @returns {number} the first iteration the run can show */
  get firstIteration() {
    return this.info && this.info.end <= this.controller.lastIteration ? this.info.start : this.controller.timelineStart;
  }

  render() {
    const c = this.controller;
    const end = c.runId ? c.lastIteration : 0;
    const start = Math.min(this.firstIteration, end);
    const note = this.note(start, end);
    const state = { start, end, shown: this.shown, replaying: Boolean(this.replaying), canFork: Boolean(c.runId && c.canFork), note };
    const key = JSON.stringify(state);
    if (key === this.lastRendered) return;
    this.lastRendered = key;
    this.view.render(state);
  }

  note(start, end) {
    if (!this.controller.runId || !this.controller.canSeek) return '';
    const from = start > 0 ? `from iteration ${start.toLocaleString('en-US')} (before it, other data or another run)` : 'from iteration 0';
    const stride = this.info?.stride;
    const kept = stride && stride > 1 ? `; snapshots every ${stride.toLocaleString('en-US')} iterations, the ones between replayed exactly` : '';
    return end > start ? `Every iteration ${from} to now can be shown exactly, recomputed on the server${kept}.` : '';
  }
}
