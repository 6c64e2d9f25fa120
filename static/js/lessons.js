/**
 * The course's lessons: static/lessons.json, loaded once by the composition root (loadLessons).
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

/**
 * The lessons: `base`, what every lesson sets (in the state's keys: the run does not depend on
 * the server's defaults), and `lessons`, each {id, title, notes, text, state, costScale?}.
 * @typedef {{base: object, lessons: {id: string, title: string, notes: string, text: string, state: object, costScale?: 'log'}[]}} Course
 */

/**
 * The file, or no lessons if it cannot be read (the playground works without them).
 * @param {URL|string} [url]
 * @returns {Promise<Course>}
 */
export async function loadLessons(url = LESSONS_URL) {
  let doc = {};
  try {
    const response = await fetch(url);
    if (response.ok) doc = await response.json();
  } catch {
    // offline or unreadable: no lessons menu entries
  }
  return { base: Object.freeze(doc.base || {}), lessons: doc.lessons || [] };
}

/**
 * A lesson by id.
 * @param {Course} course
 * @param {string} id
 * @returns {object|undefined}
 */
export function lessonById(course, id) {
  return course.lessons.find((lesson) => lesson.id === id);
}

/**
 * The full state a lesson loads: the defaults, the lessons' base, then the lesson's own settings.
 * @param {Course} course
 * @param {object} lesson
 * @param {object} defaults defaultState(options.defaults)
 * @returns {object}
 */
export function lessonState(course, lesson, defaults) {
  // A lesson opens on the view that shows its claim: `costScale: 'log'` where costs span decades.
  const view = { logcost: lesson.costScale === 'log' };
  return {
    ...structuredClone(defaults), ...view, ...structuredClone(course.base), ...structuredClone(lesson.state), lesson: lesson.id, open: null,
  };
}
