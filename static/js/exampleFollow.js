/**
 * Following one example: a click on the boundary plot (a data point, or any spot of the plane)
 * asks the server for that example's pass through the run's network (the `example` message,
 * docs/protocol.md), shows it in the example panel (examplePanel.js), traces it on the network
 * diagram (diagram.js) and marks it on the plot (charts.js). While the run trains it asks again
 * as frames arrive, at most every `intervalMs` and with one request in flight, so the numbers
 * stay live without flooding the socket. A new run, or none, closes it. No DOM of its own.
 */

/** Shortest time between two requests while frames arrive, ms: a few a second. */
export const EXAMPLE_INTERVAL_MS = 250;

export class ExampleFollower {
  /**
   * @param {object} deps {client (runClient.js: request), view (examplePanel.js), diagram
   *   (diagram.js: trace, untrace), boundary (charts.js BoundaryChart: bindPick, mark),
   *   now(): ms, intervalMs, timers: {set(fn, ms), clear(id)}}
   */
  constructor({ client, view, diagram, boundary, now = () => performance.now(), intervalMs = EXAMPLE_INTERVAL_MS, timers = null }) {
    this.client = client;
    this.view = view;
    this.diagram = diagram;
    this.boundary = boundary;
    this.now = now;
    this.intervalMs = intervalMs;
    this.timers = timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) };
    this.runId = null;
    /** What is followed: {point: [x1, x2]} or {split, index, point}; null: nothing. */
    this.target = null;
    /** The ref of the request in flight, or null. */
    this.inFlight = null;
    /** A frame came since the last request: ask again when allowed. */
    this.stale = false;
    this.askedAt = -Infinity;
    this.timer = null;
    /** How many answers were shown, and the last one (for tests and curious readers). */
    this.answers = 0;
    this.lastAnswer = null;
  }

  /** Listen to the plot's clicks and the panel's close button. */
  start() {
    this.view.bindClose(() => this.close());
    this.boundary.bindPick((pick) => this.pick(pick));
  }

  /**
   * The run shown now (a `created` payload), or null for none: a different run closes the panel.
   * @param {object|null} created
   */
  setRun(created) {
    const runId = created?.run ?? null;
    if (runId !== this.runId) this.close();
    this.runId = runId;
  }

  /**
   * Follow what was clicked.
   * @param {{point: number[], split?: string, index?: number}} pick
   */
  pick(pick) {
    if (!this.runId) return;
    this.target = pick;
    this.inFlight = null; // an answer to an older pick is not shown
    this.boundary.mark(pick.point);
    this.view.waiting(pick);
    this.ask();
  }

  /** A frame of the run shown: the example moved with it; ask again when allowed. */
  onFrame(header) {
    if (!this.target || header.run !== this.runId) return;
    this.stale = true;
    this.schedule();
  }

  schedule() {
    if (!this.stale || this.inFlight || this.timer != null || !this.target) return;
    const wait = this.askedAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.ask();
      return;
    }
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.schedule();
    }, wait);
  }

  ask() {
    const target = this.target;
    if (!target || !this.runId) return;
    const message = { type: 'example', runs: [this.runId] };
    if (target.split != null) Object.assign(message, { split: target.split, index: target.index });
    else message.point = target.point;
    this.stale = false;
    this.askedAt = this.now();
    const ref = this.client.request(message, {
      example: (answer) => this.onAnswer(ref, target, answer),
      error: (error) => this.onError(ref, error),
    });
    this.inFlight = ref;
  }

  onAnswer(ref, target, answer) {
    if (ref !== this.inFlight) return; // superseded by a newer pick, or closed
    this.inFlight = null;
    if (target !== this.target || answer.run !== this.runId) return;
    this.answers += 1;
    this.lastAnswer = answer;
    this.view.render(answer);
    this.diagram.trace(answer);
    this.schedule();
  }

  onError(ref, error) {
    if (ref !== this.inFlight) return;
    this.inFlight = null;
    this.view.error(error.message);
  }

  /** Stop following: the panel, the trace and the mark go. */
  close() {
    this.target = null;
    this.lastAnswer = null;
    this.inFlight = null;
    this.stale = false;
    if (this.timer != null) this.timers.clear(this.timer);
    this.timer = null;
    this.view.hide();
    this.diagram.untrace();
    this.boundary.mark(null);
  }

  /** @returns {boolean} whether an example is followed */
  get active() {
    return this.target !== null;
  }
}
