/**
 * The timeline under the cost curve: a scrubber (a range input, keyboard accessible) over the
 * run's past, the iteration it shows, "Live" to go back, "Replay" with its speed, and "Continue
 * from here" with an optional learning rate. Owns those elements; reports to the timeline
 * controller (timeline.js) through bind, and shows what it is told through render.
 */

import { formatCount, setDisabled, setText } from './domWrite.js';

export class TimelineView {
  constructor() {
    const $ = (id) => document.getElementById(id);
    this.el = {
      root: $('timeline'), scrub: $('scrub'), at: $('scrub-at'), live: $('scrub-live'), replay: $('replay'),
      speed: $('replay-speed'), fork: $('fork-here'), lr: $('fork-lr'), note: $('timeline-note'),
    };
  }

  /**
   * @param {{seek(iteration: number): void, live(): void, replay(every: number): void,
   *   fork(changes: object): void}} handlers
   */
  bind(handlers) {
    const el = this.el;
    el.scrub.addEventListener('input', () => handlers.seek(Number(el.scrub.value)));
    el.live.addEventListener('click', () => handlers.live());
    el.replay.addEventListener('click', () => handlers.replay(Number(el.speed.value)));
    el.fork.addEventListener('click', () => {
      const lr = el.lr.value === '' ? null : Number(el.lr.value);
      handlers.fork(lr != null && Number.isFinite(lr) ? { learning_rate: lr } : {});
    });
  }

  /**
   * @param {{start: number, end: number, shown: number|null, replaying: boolean, canFork: boolean,
   *   note: string}} timeline shown: the past iteration held on screen (null: live)
   */
  render({ start, end, shown, replaying, canFork, note }) {
    const el = this.el;
    el.scrub.min = String(start);
    el.scrub.max = String(end);
    // While live the thumb follows the run; while a past moment is held it stays there.
    const value = shown == null ? end : shown;
    if (Number(el.scrub.value) !== value) el.scrub.value = String(value);
    setDisabled(el.scrub, end <= start);
    el.scrub.setAttribute('aria-valuetext', shown == null ? `live, iteration ${end}` : `iteration ${shown} of ${end}`);
    setText(el.at, shown == null ? 'live' : `iteration ${formatCount(shown)}`);
    el.root.classList.toggle('past', shown != null);
    el.live.setAttribute('aria-pressed', String(shown == null));
    setText(el.replay, replaying ? 'Stop' : 'Replay');
    setDisabled(el.fork, !canFork);
    setText(el.note, note);
  }
}
