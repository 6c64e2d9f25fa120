/**
 * The course's lessons as data: each one is a patch over the default state (data, network,
 * hyperparameters and, for most, a comparison) and a short text to read aloud. Pure: no DOM.
 *
 * Every claim in a text was checked against the engine with the same config, seed and split the
 * page uses (the numbers quoted are what the engine gives at the stated iteration). Lessons 2 and
 * 4 come in two parts because a comparison holds at most 4 runs (the server's per-session limit).
 */

const HIDDEN = (n, units, activation) => Array.from({ length: n }, () => ({ units, activation }));

/** @type {{id: string, title: string, notes: string, text: string, state: object}[]} */
export const LESSONS = [
  {
    id: 'logistic-vs-hidden',
    title: '1. Logistic regression vs one hidden layer',
    notes: 'Week 3: planar data classification',
    text: 'Logistic regression draws one straight line, and no straight line splits the petals of '
      + 'the flower: it stays near a coin toss (about 49% train, 43% test). One hidden layer of four '
      + 'tanh units bends the boundary around the petals and reaches about 93% train, 92% test within '
      + '2000 iterations. Watch the two boundaries and the two cost curves.',
    state: { layers: HIDDEN(1, 4, 'tanh'), cmp: 'depth', vals: ['0', '1'], target: 0.3 },
  },
  {
    id: 'hidden-size-small',
    title: '2a. Hidden layer size: 1, 2, 3, 4 units',
    notes: 'Week 3: tuning the hidden layer size',
    text: 'Each hidden unit adds one bend. One or two units underfit: the cost stalls above 0.5 and '
      + 'accuracy stays near 65%. From three units on the petals are captured, about 91% on the test '
      + 'points. Then open part 2b for 5, 20 and 50 units.',
    state: { layers: HIDDEN(1, 4, 'tanh'), cmp: 'width', vals: ['1', '2', '3', '4'], target: 0.3 },
  },
  {
    id: 'hidden-size-large',
    title: '2b. Hidden layer size: 5, 20, 50 units',
    notes: 'Week 3: tuning the hidden layer size',
    text: 'More units fit the training points a little better (a lower cost, about 95% train), '
      + 'but the test accuracy stays at about 90%: beyond a handful of units the extra capacity buys '
      + 'nothing on new points. A bigger network is not automatically a better one.',
    state: { layers: HIDDEN(1, 4, 'tanh'), cmp: 'width', vals: ['5', '20', '50'], target: 0.3 },
  },
  {
    id: 'zero-init',
    title: '3. Zero initialization vs small random',
    notes: 'Week 3: random initialization',
    text: 'With every weight zero, every hidden unit computes the same thing and gets the same '
      + 'update, so they stay copies of each other: the symmetry never breaks. Here it is worse '
      + 'still: the gradients are exactly zero and the cost sits at 0.693 (log 2) forever. Small '
      + 'random weights (× 0.01) break the symmetry and the network learns the flower.',
    state: { layers: HIDDEN(1, 4, 'tanh'), cmp: 'init', vals: ['zeros', 'random:0.01'], target: 0.3 },
  },
  {
    id: 'large-init-tanh',
    title: '4a. Large random weights saturate tanh',
    notes: 'Week 3: random initialization; week 4: deep networks',
    text: 'Weights drawn ten times too large push Z deep into the flat tails of tanh, where its '
      + 'slope is almost zero, so the first layers barely learn: the cost crawls (still about 0.6 '
      + 'after 2000 iterations). Xavier and He scale the weights by one over the square root of the '
      + 'layer\'s inputs, keep Z moderate, and the cost drops below 0.1.',
    state: {
      layers: HIDDEN(3, 8, 'tanh'), lr: 0.1, cmp: 'init', vals: ['random:10', 'xavier', 'he'], target: 0.3,
    },
  },
  {
    id: 'large-init-relu',
    title: '4b. He initialization for ReLU',
    notes: 'Week 4: deep networks',
    text: 'ReLU does not saturate, but huge weights still ruin it: the first updates overshoot, '
      + 'units die (output zero for every point) and the cost stays flat near 0.69. He '
      + 'initialization, made for ReLU, starts with the right scale and learns steadily (about 0.22 '
      + 'after 2000 iterations at this small learning rate).',
    state: { layers: HIDDEN(3, 8, 'relu'), lr: 0.03, cmp: 'init', vals: ['random:10', 'he'], target: 0.3 },
  },
  {
    id: 'deep-activations',
    title: '5. Sigmoid vs tanh vs ReLU in a deep network',
    notes: 'Week 3: activation functions; week 1: why ReLU made training faster',
    text: 'Five hidden layers of eight units, same start, same learning rate. Sigmoid\'s slope is at '
      + 'most 0.25, and backpropagation multiplies one such factor per layer: its gradients vanish '
      + '(see the gradient chart: far smaller in every layer) and its cost hardly moves from 0.69. tanh '
      + 'and ReLU keep their gradients and pass 0.3 within a few hundred iterations.',
    state: { layers: HIDDEN(5, 8, 'tanh'), init: 'he', lr: 0.1, cmp: 'activation', vals: ['sigmoid', 'tanh', 'relu'], target: 0.3 },
  },
  {
    id: 'linear-xor',
    title: '6. Linear activations cannot solve XOR',
    notes: 'Week 3: why a non-linear activation',
    text: 'A stack of linear layers is still one linear function: three of them draw the same '
      + 'straight line logistic regression would, and XOR stays unsolved (cost stuck at 0.68). '
      + 'Put tanh or ReLU in the same layers and the network carves out the four quadrants, '
      + 'reaching about 100% accuracy.',
    state: {
      dataset: 'xor', layers: HIDDEN(3, 4, 'linear'), init: 'xavier', lr: 0.3, cmp: 'activation',
      vals: ['linear', 'tanh', 'relu'], target: 0.1,
    },
  },
  {
    id: 'learning-rate',
    title: '7. Learning rate: too small, good, too large',
    notes: 'Week 2: gradient descent; week 4: hyperparameters',
    text: 'α sets the size of each step downhill. At 0.01 the steps are tiny and the cost crawls '
      + '(still 0.65 after 2000 iterations). At 1.2 it settles near 0.18. At 50 each step '
      + 'overshoots the valley: the cost jumps up and down, far above the good run\'s.',
    state: { layers: HIDDEN(1, 4, 'tanh'), cmp: 'lr', vals: ['0.01', '1.2', '50'], target: 0.3 },
  },
  {
    id: 'why-deep',
    title: '8. Why deep: the spiral',
    notes: 'Week 4: why deep representations',
    text: 'Each layer builds on the one before: the first cuts the plane with lines, later ones '
      + 'combine those pieces into curls. One layer of eight tanh units struggles with the spiral '
      + '(about 80% train even after 10,000 iterations); two layers do better, and four layers of the '
      + 'same width wrap both arms (about 100% train, 99% test, by iteration 3000).',
    state: {
      dataset: 'spiral', layers: HIDDEN(1, 8, 'tanh'), init: 'xavier', lr: 0.3, cmp: 'depth',
      vals: ['1', '2', '4'], target: 0.2, speed: '50',
    },
  },
];

/**
 * A lesson by id.
 * @param {string} id
 * @returns {object|undefined}
 */
export function lessonById(id) {
  return LESSONS.find((lesson) => lesson.id === id);
}

/**
 * The full state a lesson loads: the defaults, then the lesson's own settings.
 * @param {object} lesson
 * @param {object} defaults defaultState(options.defaults)
 * @returns {object}
 */
export function lessonState(lesson, defaults) {
  return { ...structuredClone(defaults), ...structuredClone(lesson.state), lesson: lesson.id, open: null };
}
