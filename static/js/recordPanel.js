/**
 * The share menu's "Record the run" form (#record: length, a video, a GIF or PNG frames (at a rate),
 * play while recording), the top bar's badge while it records (the clock, the progress, a click
 * stops it; the menu may be closed meanwhile) and the link to the file made. Owns #record and
 * #record-badge. What is recorded is recording.js's.
 */

import { LENGTHS, PNG_RATES, clockText, parseSeconds } from './recording.js';

/** @returns {string} a size in kB or MB */
function sizeText(bytes) {
  return bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

export class RecordPanel {
  constructor() {
    const $ = (id) => document.getElementById(id);
    this.form = $('record');
    this.seconds = $('record-seconds');
    this.format = $('record-format');
    this.rate = $('record-rate');
    this.rateLabel = $('record-rate-label');
    this.play = $('record-play');
    this.startButton = $('record-start');
    this.file = $('record-file');
    this.error = $('record-error');
    this.badge = $('record-badge');
    this.clock = $('record-clock');
    this.progress = $('record-progress');
    for (const s of LENGTHS) $('record-lengths').append(new Option(`${s} s`, String(s)));
    for (const r of PNG_RATES) this.rate.add(new Option(String(r), String(r), r === PNG_RATES[1], r === PNG_RATES[1]));
    this.format.addEventListener('change', () => { this.rateLabel.hidden = this.format.value === 'webm'; });
    this.url = null;
  }

  /** @param {{start(request: object): void, stop(): void}} handlers */
  bind(handlers) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const seconds = parseSeconds(this.seconds.value);
      if (seconds == null) return;
      this.seconds.value = String(seconds);
      handlers.start({ kind: this.format.value, seconds, rate: Number(this.rate.value), play: this.play.checked });
    });
    this.badge.addEventListener('click', () => handlers.stop());
  }

  /** A recording of `seconds` started. */
  showRecording(seconds) {
    this.error.hidden = true;
    this.startButton.disabled = true;
    this.startButton.textContent = 'Recording…';
    this.badge.hidden = false;
    this.showProgress(0, seconds);
  }

  showProgress(elapsed, total) {
    const text = `${clockText(elapsed)} / ${clockText(total)}`;
    if (this.clock.textContent !== text) this.clock.textContent = text;
    this.progress.value = total ? elapsed / total : 0;
  }

  /** The file is made: a link to it (the download itself starts at once). */
  showDone(blob, name) {
    this.reset();
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = URL.createObjectURL(blob);
    this.file.href = this.url;
    this.file.download = name;
    this.file.textContent = `⤓ ${name} (${sizeText(blob.size)})`;
    this.file.hidden = false;
  }

  showError(message) {
    this.reset();
    this.error.textContent = message;
    this.error.hidden = false;
  }

  reset() {
    this.startButton.disabled = false;
    this.startButton.textContent = '● Record';
    this.badge.hidden = true;
  }
}
