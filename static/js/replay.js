/**
 * Replay's pacing, shared by the single-run timeline (timeline.js) and compare mode (compare.js):
 * step through the past from a first iteration to the newest one, `every` iterations a step,
 * asking for the next moment only once the previous one is answered (one seek in flight, never a
 * backlog: docs/protocol.md, `seek`), at most REPLAY_FPS steps a second; past the newest
 * iteration, `finish` (its owner goes back to live). No DOM and no socket: the owner sends each
 * seek (`ask`) and calls `answered()` once its answers are in.
 */

/** Replay's pace at most: seeks a second (each still waits for the previous answer). */
export const REPLAY_FPS = 20;

export class Replay {
  /**
   * @param {{ask(iteration: number): void, finish(): void, schedule?: Function}} deps ask: send
   *   the seek of that moment; finish: the end reached; schedule(fn, ms): setTimeout (a fake in tests)
   */
  constructor({ ask, finish, schedule = (fn, ms) => setTimeout(fn, ms) }) {
    this.ask = ask;
    this.finish = finish;
    this.schedule = schedule;
    /** The replay under way ({every, next, end}); null: none. */
    this.active = null;
  }

  /**
   * Start from `from`, `every` iterations a step, up to `end()` (read at each step: the newest
   * iteration shown last, whatever the run reached meanwhile).
   * @param {{from: number, every: number, end: () => number}} replay
   */
  start({ from, every, end }) {
    this.active = { every: Math.max(1, Math.round(every) || 1), next: from, end };
    this.step();
  }

  /** The moment asked last is answered: the next one, after the pause. */
  answered() {
    const active = this.active;
    if (!active) return;
    // A replay stopped (or started again) meanwhile is not stepped by this answer's timer.
    this.schedule(() => { if (this.active === active) this.step(); }, 1000 / REPLAY_FPS);
  }

  step() {
    const active = this.active;
    if (!active) return;
    const end = active.end();
    if (active.next > end) {
      this.active = null; // the end reached: it stays on the last moment, which is now
      this.finish();
      return;
    }
    const iteration = active.next;
    active.next = iteration >= end ? end + 1 : Math.min(end, iteration + active.every);
    this.ask(iteration);
  }

  stop() {
    this.active = null;
  }
}
