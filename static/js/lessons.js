/**
 * The course's lessons: static/lessons.json, loaded once when this module is first imported.
 * Each one is a patch over the lessons' common `base` and the default state (data, network,
 * hyperparameters and a comparison) and a short text to read aloud; other fields (costScale)
 * pass through. Pure: no DOM.
 *
 * Every number a text states is checked against the engine with the same config, seed and split
 * the page uses, by tests/engine/test_lessons.py, which reads the same file: the numbers quoted
 * are what the page shows at the stated iteration. Lessons 2 and 4 come in two parts because a
 * comparison holds at most 4 runs (the server's per-session limit).
 */

const LESSONS_URL = new URL('../lessons.json', import.meta.url);

/** The file, or no lessons if it cannot be read (the playground works without them). */
async function load() {
  try {
    const response = await fetch(LESSONS_URL);
    if (response.ok) return await response.json();
  } catch {
    // offline or unreadable: no lessons menu entries
  }
  return { base: {}, lessons: [] };
}

const DOC = await load();

/** What every lesson sets, in the state's keys: the run does not depend on the server's defaults. */
export const LESSON_BASE = Object.freeze(DOC.base || {});

/** @type {{id: string, title: string, notes: string, text: string, state: object, costScale?: 'log'}[]} */
export const LESSONS = DOC.lessons || [];

/**
 * A lesson by id.
 * @param {string} id
 * @returns {object|undefined}
 */
export function lessonById(id) {
  return LESSONS.find((lesson) => lesson.id === id);
}

/**
 * The full state a lesson loads: the defaults, the lessons' base, then the lesson's own settings.
 * @param {object} lesson
 * @param {object} defaults defaultState(options.defaults)
 * @returns {object}
 */
export function lessonState(lesson, defaults) {
  // A lesson opens on the view that shows its claim: `costScale: 'log'` where costs span decades.
  const view = { logcost: lesson.costScale === 'log' };
  return {
    ...structuredClone(defaults), ...view, ...structuredClone(LESSON_BASE), ...structuredClone(lesson.state), lesson: lesson.id, open: null,
  };
}
