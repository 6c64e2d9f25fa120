/**
 * Drawing's memory and paths, pure (static/js/drawTool.js uses them): the undo history of the
 * drawn points, one step per stroke (a press-and-drag that painted or erased, a click, a Clear),
 * and the places along a drag where a stroke paints, evenly spaced in screen pixels whatever
 * the pointer's speed.
 */

/** Undo steps kept (each a copy of the points before it: at most 2000 points, 3 numbers each). */
export const MAX_UNDO = 100;

/** Drawn points {x1: [], x2: [], y: []}, compared by value. */
export function samePoints(a, b) {
  return a.y.length === b.y.length && a.y.every((c, i) => c === b.y[i] && a.x1[i] === b.x1[i] && a.x2[i] === b.x2[i]);
}

/**
 * What undo and redo give back: the points before each change, the points each undo left.
 */
export class StrokeHistory {
  /** @param {number} [limit] MAX_UNDO */
  constructor(limit = MAX_UNDO) {
    this.limit = limit;
    this.clear();
  }

  clear() {
    /** The points before each change, oldest first. */
    this.done = [];
    /** The points each undo took away, the latest last. */
    this.undone = [];
  }

  get canUndo() {
    return this.done.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /**
   * A change made (one stroke, a Clear): undo gives `before` back. Forgets what was undone.
   * @param {object} before the points before it
   * @param {object} after the points after it (no change: nothing recorded)
   * @returns {boolean} whether it was recorded
   */
  record(before, after) {
    if (samePoints(before, after)) return false;
    this.done.push(structuredClone(before));
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
    return true;
  }

  /**
   * @param {object} current the points now (what redo gives back)
   * @returns {object|null} the points before the last change, or null if none
   */
  undo(current) {
    if (!this.done.length) return null;
    this.undone.push(structuredClone(current));
    return this.done.pop();
  }

  /**
   * @param {object} current the points now (what undo gives back again)
   * @returns {object|null} the points the last undo took away, or null if none
   */
  redo(current) {
    if (!this.undone.length) return null;
    this.done.push(structuredClone(current));
    return this.undone.pop();
  }
}

/**
 * Where a stroke paints between the last painted place and the pointer now: every `spacing`
 * pixels along the segment (none if the pointer moved less).
 * @param {number[]} from [x, y] the last painted place, px
 * @param {number[]} to [x, y] the pointer, px
 * @param {number} spacing px
 * @returns {number[][]} [x, y] places, the last one the new `from`
 */
export function spacedAlong(from, to, spacing) {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const length = Math.hypot(dx, dy);
  const n = Math.floor(length / spacing);
  return Array.from({ length: n }, (_, k) => [from[0] + (dx * (k + 1) * spacing) / length, from[1] + (dy * (k + 1) * spacing) / length]);
}
