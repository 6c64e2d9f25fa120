/**
 * A run's train-cost history, stored once for the whole page (the recorder's record holds it; the
 * cost chart, the compare view and the exporter read it) and bounded whatever the run's length:
 * the newest EXACT costs are kept at full resolution (float32, as they arrive), older ones are
 * folded into buckets of `width` iterations that keep their min and max (and where each was), so
 * a spike stays visible in a downsampled curve, and their sum for a mean. Pure: no DOM.
 *
 * Iterations count from 1: the cost of iteration i is the i-th cost received (a frame's costs end
 * at its header's iteration).
 */

/** Costs kept at full resolution (the newest), 512 KiB of float32. */
export const EXACT = 1 << 17;
/**
 * Buckets kept for older costs; past it adjacent pairs merge (the width doubles). With 8192, a
 * bucket is never wider than a point of a chart of 3000 points (the stride of its downsampling).
 */
export const MAX_BUCKETS = 8192;

export class CostHistory {
  /**
   * @param {{exact?: number, maxBuckets?: number}} [sizes] EXACT (even) and MAX_BUCKETS, smaller in tests
   */
  constructor({ exact = EXACT, maxBuckets = MAX_BUCKETS } = {}) {
    this.capacity = exact;
    this.maxBuckets = maxBuckets;
    /** Grows by one on every clear: a chart drawn from an older epoch starts over. */
    this.epoch = 0;
    this.clear();
  }

  /** Forget every cost (a reset, a new run). */
  clear() {
    this.values = new Float32Array(Math.min(1024, this.capacity));
    /** Costs at full resolution: values[k] is the cost of iteration start + k + 1. */
    this.n = 0;
    /** Iterations folded into buckets (always a whole number of buckets). */
    this.start = 0;
    this.width = 1;
    /** @type {{min: number, minAt: number, max: number, maxAt: number, sum: number, count: number, gaps: number}[]} */
    this.buckets = [];
    this.epoch += 1;
  }

  /** @returns {number} the last iteration with a cost (0: none) */
  get length() {
    return this.start + this.n;
  }

  /** @returns {number} numbers held (full-resolution costs and buckets): bounded */
  get storedSize() {
    return this.values.length + 7 * this.buckets.length;
  }

  /**
   * Append a frame's costs: the last is of iteration `iteration`, so the first is of iteration
   * − length + 1 (robust to gaps, filled with NaN, and to costs already held, which are skipped).
   * @param {number} iteration the frame header's
   * @param {ArrayLike<number>} costs
   */
  add(iteration, costs) {
    const first = iteration - costs.length + 1;
    for (let i = 0; i < costs.length; i++) {
      const x = first + i;
      if (x <= this.length) continue;
      while (this.length < x - 1) this.push(NaN);
      this.push(costs[i]);
    }
  }

  /** @param {number} v the cost of iteration length + 1 */
  push(v) {
    if (this.n === this.values.length) {
      if (this.values.length < this.capacity) {
        const grown = new Float32Array(Math.min(this.capacity, 2 * this.values.length));
        grown.set(this.values);
        this.values = grown;
      } else {
        this.fold(this.capacity / 2);
      }
    }
    this.values[this.n++] = v;
  }

  /** Fold the oldest `k` full-resolution costs into buckets of the current width. */
  fold(k) {
    for (let lo = 0; lo < k; lo += this.width) {
      const bucket = { min: NaN, minAt: 0, max: NaN, maxAt: 0, sum: 0, count: 0, gaps: 0 };
      for (let j = lo; j < Math.min(k, lo + this.width); j++) include(bucket, this.values[j], this.start + j + 1);
      this.buckets.push(bucket);
    }
    this.values.copyWithin(0, k, this.n);
    this.n -= k;
    this.start += k;
    while (this.buckets.length > this.maxBuckets) {
      const merged = [];
      for (let i = 0; i < this.buckets.length; i += 2) merged.push(merge(this.buckets[i], this.buckets[i + 1]));
      this.buckets = merged;
      this.width *= 2;
    }
  }

  /**
   * The cost of one iteration: exact where it is still held at full resolution, else its
   * bucket's mean (NaN: none).
   * @param {number} it
   */
  at(it) {
    if (it > this.start) return it <= this.length ? this.values[it - this.start - 1] : NaN;
    const bucket = this.buckets[Math.floor((it - 1) / this.width)];
    return bucket && bucket.count ? bucket.sum / bucket.count : NaN;
  }

  /**
   * Min and max (and where) of the costs of iterations lo..hi, with their sum and count of
   * finite costs; folded iterations count by whole buckets.
   * @param {number} lo first iteration
   * @param {number} hi last iteration (inclusive)
   */
  extremes(lo, hi) {
    const out = { min: NaN, minAt: 0, max: NaN, maxAt: 0, sum: 0, count: 0, gaps: 0 };
    let it = Math.max(1, lo);
    while (it <= Math.min(hi, this.start)) {
      const b = Math.floor((it - 1) / this.width);
      Object.assign(out, merge(out, this.buckets[b]));
      it = (b + 1) * this.width + 1;
    }
    for (; it <= Math.min(hi, this.length); it++) include(out, this.values[it - this.start - 1], it);
    return out;
  }

  /**
   * The curve downsampled to about `most` buckets of `stride` iterations (a power of two), each
   * shown by its min and its max in the order they came: a one-iteration spike stays visible.
   * @param {number} most
   * @param {number} [from] first iteration to show
   * @param {number} [stride] iterations per bucket (default: the smallest power of two that fits)
   * @returns {{x: number[], y: (number|null)[], upTo: number}} upTo: the last iteration covered
   */
  downsample(most, from = 1, stride = strideFor(this.length, most)) {
    // Folded costs are known by whole buckets: a stride finer than them cannot show them. (Never
    // the case with MAX_BUCKETS ≥ 2 × most: a bucket spans at most 2/MAX_BUCKETS of the run.)
    stride = Math.max(stride, this.width);
    const x = [];
    const y = [];
    let upTo = from - 1;
    for (let end = Math.ceil(from / stride) * stride; end <= this.length; end += stride) {
      const e = this.extremes(end - stride + 1, end);
      upTo = end;
      if (!e.count) { // only gaps (or non-finite costs): a hole in the line
        x.push(end);
        y.push(null);
        continue;
      }
      const points = e.minAt === e.maxAt ? [[e.minAt, e.min]] : [[e.minAt, e.min], [e.maxAt, e.max]].sort((a, b) => a[0] - b[0]);
      for (const [at, v] of points) {
        x.push(at);
        y.push(v);
      }
    }
    return { x, y, upTo };
  }

  /**
   * downsample(most) of the whole curve, kept between calls and extended with what came since
   * (a chart redrawn at 5 Hz then costs what arrived, not the run's length). Copies: a chart
   * may hold on to the arrays it was given.
   * @param {number} most
   * @returns {{x: number[], y: (number|null)[], upTo: number}}
   */
  curve(most) {
    const stride = strideFor(this.length, most);
    const c = this.cached;
    if (!c || c.epoch !== this.epoch || c.stride !== stride || c.most !== most) {
      this.cached = { epoch: this.epoch, stride, most, ...this.downsample(most, 1, stride) };
    } else if (Math.floor(this.length / stride) * stride > c.upTo) {
      const more = this.downsample(most, c.upTo + 1, stride);
      c.x.push(...more.x);
      c.y.push(...more.y);
      c.upTo = more.upTo;
    }
    return { x: this.cached.x.slice(), y: this.cached.y.slice(), upTo: this.cached.upTo };
  }

  /**
   * Iterations until the cost fell to `target` and stayed there: the first iteration from which
   * every cost so far is ≤ target (null if the latest is above it, or there is none).
   * @param {number} target
   * @returns {number|null}
   */
  reached(target) {
    let k = this.n;
    while (k > 0 && this.values[k - 1] <= target) k--;
    if (k > 0) return k === this.n ? null : this.start + k + 1;
    if (this.n === 0 && this.start === 0) return null;
    let b = this.buckets.length;
    while (b > 0 && !this.buckets[b - 1].gaps && this.buckets[b - 1].max <= target) b--;
    return b * this.width + 1;
  }

  /**
   * The history as rows: each iteration still at full resolution; before those, one row per
   * bucket (its first and last iteration, its mean cost, its min and max).
   * @returns {{iteration: number, cost: number, first?: number, min?: number, max?: number}[]}
   */
  rows() {
    const rows = [];
    this.buckets.forEach((bucket, b) => {
      rows.push({
        iteration: (b + 1) * this.width, first: b * this.width + 1,
        cost: bucket.count ? bucket.sum / bucket.count : NaN, min: bucket.min, max: bucket.max,
      });
    });
    for (let k = 0; k < this.n; k++) rows.push({ iteration: this.start + k + 1, cost: this.values[k] });
    return rows;
  }

  /** @returns {number[]} the costs held at full resolution (iterations start + 1 on) */
  toArray() {
    return Array.from(this.values.subarray(0, this.n));
  }
}

/** The stride of a downsampling of `length` iterations into at most `most` buckets. */
export function strideFor(length, most) {
  let stride = 1;
  while (length / stride > most) stride *= 2;
  return stride;
}

/** Entries a ScoreLog keeps at most (one a frame: 16384 frames is 9 minutes at 30 frames/s). */
export const MAX_SCORES = 16384;

/**
 * What the page keeps once per frame (test cost and accuracies), bounded and evenly spaced over
 * the whole run: it keeps every `every`-th frame's entry, and when that outgrows `cap` entries
 * the spacing doubles and every other entry goes. With `newest`, the latest entry is kept too,
 * in the last place, until the next one takes it (a download ends with the latest scores).
 * @template T
 */
export class ScoreLog {
  /** @param {{cap?: number, newest?: boolean}} [options] */
  constructor({ cap = MAX_SCORES, newest = true } = {}) {
    this.cap = cap;
    this.newest = newest;
    this.clear();
  }

  clear() {
    /** @type {T[]} */
    this.items = [];
    this.frames = []; // the frame number of each entry
    this.every = 1;
    this.count = 0;
  }

  /** @returns {T|undefined} */
  get last() {
    return this.items[this.items.length - 1];
  }

  /** The newest entry again (the same frame, sent once more): it takes the last place. */
  replaceLast(item) {
    if (this.items.length) this.items[this.items.length - 1] = item;
  }

  /**
   * One frame's entry.
   * @param {T} item
   * @returns {boolean} whether older entries went (a chart of them redraws)
   */
  add(item) {
    this.count += 1;
    const n = this.items.length;
    if (n && this.frames[n - 1] % this.every !== 0) { // the newest, off the spacing: replaced
      this.items.pop();
      this.frames.pop();
    }
    if (this.count % this.every !== 0 && !this.newest) return false;
    this.items.push(item);
    this.frames.push(this.count);
    if (this.items.length <= this.cap) return false;
    this.every *= 2;
    const last = this.frames.length - 1;
    const keep = this.frames.map((f, i) => f % this.every === 0 || (this.newest && i === last));
    this.items = this.items.filter((_, i) => keep[i]);
    this.frames = this.frames.filter((_, i) => keep[i]);
    return true;
  }
}

/** Count one cost in a bucket. */
function include(bucket, v, it) {
  if (!Number.isFinite(v)) {
    bucket.gaps += 1;
    return;
  }
  if (!(v >= bucket.min)) [bucket.min, bucket.minAt] = [v, it];
  if (!(v <= bucket.max)) [bucket.max, bucket.maxAt] = [v, it];
  bucket.sum += v;
  bucket.count += 1;
}

/** Two buckets (the second may be missing) as one. */
function merge(a, b) {
  if (!b) return { ...a };
  const out = { ...a, sum: a.sum + b.sum, count: a.count + b.count, gaps: a.gaps + b.gaps };
  if (b.count && !(b.min >= a.min)) [out.min, out.minAt] = [b.min, b.minAt];
  if (b.count && !(b.max <= a.max)) [out.max, out.maxAt] = [b.max, b.maxAt];
  return out;
}
