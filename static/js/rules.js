/**
 * What a typed number may be, said in the student's words: each field's name and the server's
 * bounds (GET /api/options `bounds`, read from the same models that validate a run), a check that
 * refuses a value before anything is sent, and the server's own refusals (pydantic's "Input
 * should be greater than 0") said the same way. Pure: no DOM, no network.
 */

/**
 * The number fields a student types: state key → the field's path in a run config (the server's
 * `bounds` and error fields use it), how to name it, and a word on why the bound is there.
 */
export const FIELDS = {
  lr: { path: 'learning_rate', label: 'The learning rate α', why: 'at 0 the weights never move' },
  l2: { path: 'l2', label: 'L2 λ', why: '0 turns the penalty off' },
  l1: { path: 'l1', label: 'L1 λ', why: '0 turns the penalty off' },
  batch: { path: 'batch_size', label: 'The batch size', why: 'leave it empty to use every training example' },
  scale: { path: 'init.scale', label: 'The scale of the random weights', why: '0.01 is the course’s' },
  seed: { path: 'seed', label: 'The seed', why: '' },
  dseed: { path: 'dataset.seed', label: 'The data seed', why: '' },
};

/** The state key whose field a path names ("config.learning_rate", "l2" → "lr", "l2"). */
export function keyOf(path) {
  const bare = String(path || '').replace(/^config\./, '');
  return Object.keys(FIELDS).find((key) => FIELDS[key].path === bare) ?? null;
}

/** A number as a student reads it: −1 with a real minus, 4294967295 without exponent. */
export function shown(value) {
  if (value === null || value === undefined || value === '') return 'an empty field';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'not a number';
  return String(value).replace(/^-/, '−');
}

/**
 * The values a field takes, in words ("more than 0 and at most 100", "a whole number from 0 to
 * 4294967295").
 * @param {{type: string, minimum?: number, maximum?: number, exclusiveMinimum?: number, exclusiveMaximum?: number}} b
 */
export function allowed(b) {
  if (b.type === 'integer') return `a whole number from ${shown(b.minimum ?? 0)} to ${shown(b.maximum)}`;
  const low = b.exclusiveMinimum !== undefined ? `more than ${shown(b.exclusiveMinimum)}` : b.minimum !== undefined ? `at least ${shown(b.minimum)}` : '';
  const high = b.exclusiveMaximum !== undefined ? `less than ${shown(b.exclusiveMaximum)}` : b.maximum !== undefined ? `at most ${shown(b.maximum)}` : '';
  if (b.minimum !== undefined && b.maximum !== undefined) return `between ${shown(b.minimum)} and ${shown(b.maximum)}`;
  return [low, high].filter(Boolean).join(' and ');
}

/**
 * Whether a field's value is one the server takes.
 * @param {string} key a key of FIELDS
 * @param {number|null} value as the page parsed it (NaN: not a number)
 * @param {object} bounds options.bounds
 */
export function accepts(key, value, bounds) {
  const b = bounds?.[FIELDS[key]?.path];
  if (!b) return true;
  if (value === null || value === undefined) return Boolean(b.nullable);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (b.type === 'integer' && !Number.isInteger(value)) return false;
  if (b.minimum !== undefined && value < b.minimum) return false;
  if (b.exclusiveMinimum !== undefined && value <= b.exclusiveMinimum) return false;
  if (b.maximum !== undefined && value > b.maximum) return false;
  if (b.exclusiveMaximum !== undefined && value >= b.exclusiveMaximum) return false;
  return true;
}

/**
 * What a field takes, as one sentence: "L2 λ must be between 0 and 100 (0 turns the penalty off)."
 * @param {string} key a key of FIELDS
 * @param {object} bounds options.bounds
 */
export function rule(key, bounds) {
  const field = FIELDS[key];
  const b = bounds?.[field.path];
  const range = b ? allowed(b) : 'a number';
  return `${field.label} must be ${range}${field.why ? ` (${field.why})` : ''}.`;
}

/**
 * The refusal of a value, or null if the field takes it.
 * @param {string} key a key of FIELDS
 * @param {number|null} value
 * @param {object} bounds options.bounds
 * @param {string} [where] who gave the value: "you typed", "the link has"
 * @returns {string|null}
 */
export function refusal(key, value, bounds, where = 'you typed') {
  if (!FIELDS[key] || accepts(key, value, bounds)) return null;
  return `${rule(key, bounds)} ${where[0].toUpperCase()}${where.slice(1)} ${shown(value)}.`;
}

/**
 * A server error item ({field, rule, message, limit}) in the student's words: the field's rule
 * for a typed number, else the server's message with pydantic's "Input should be" said plainly.
 * @param {{field?: string, message: string}} item
 * @param {object} bounds options.bounds
 */
export function explain(item, bounds) {
  const key = keyOf(item.field);
  if (key) return rule(key, bounds);
  const text = String(item.message || '').replace(/^Input should be /, 'This must be ');
  return text ? text[0].toUpperCase() + text.slice(1) : 'The server refused this value.';
}

/**
 * The learning rate a task starts with (GET /api/options `task_defaults`), or undefined.
 * @param {object} options
 * @param {string|null} task
 */
export function taskLearningRate(options, task) {
  return options.task_defaults?.[task]?.learning_rate;
}
