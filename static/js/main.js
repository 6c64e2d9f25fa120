/**
 * The composition root: open the socket (held until everything listens), fetch the menus'
 * options (and the lessons), build the store, the run client, the render loop and the views, hand
 * them to the controllers, bind the window's events.
 * The only module with an effect at import (it runs main()), with earlySocket.js (it opens the
 * connection); the others can be imported by Node (tests/js).
 *
 *   store.js       the state every mode shares: sanitize, URL history, change kinds, the mode
 *   runClient.js   runs over the socket: create, supersede, delete, commands, answers by ref
 *   renderLoop.js  one animation frame for every painter; relayout when the layout changes
 *   controller.js  the single run's life: patches to commands, answers and frames to its views
 *   runView.js     the single run's output views, set up, fed and painted (charts' throttle)
 *   compare.js     compare mode: its runs as one lockstep group; opens one in the single view
 *   timeline.js    rewind and replay: the scrubber's seeks, held past moments, forks from the past
 *   replay.js      replay's pacing (one seek in flight), the single view's and compare mode's
 *   exporter.js    the recorder (every run's history: history.js) and the downloads
 *   recording.js   the run recorded for a slide: a WebM video or PNG frames (recordPanel.js)
 *   pageMode.js    the body classes the style sheets read, from the store's mode
 *   classroom.js   a class: teacher or student, the followed run, pushes (classView.js, boardView.js)
 *   exampleFollow.js  one example clicked on the plot, followed live (examplePanel.js, the diagram)
 */

import { BoardView } from './boardView.js';
import { Builder } from './builder.js';
import { ClassController, STORAGE_KEY, joinLink } from './classroom.js';
import { ClassView } from './classView.js';
import { CompareController, VARY } from './compare.js';
import { CompareView } from './compareView.js';
import { Recorder, downloadBlob, downloadRun } from './exporter.js';
import { LessonPanel } from './lessonPanel.js';
import { RecordPanel } from './recordPanel.js';
import { RecordingController, compareScene, runScene } from './recording.js';
import { lessonById, lessonState, loadLessons } from './lessons.js';
import { SharePanel } from './sharePanel.js';
import { HIDEABLE, HiddenControls } from './hiding.js';
import { WelcomeCard } from './welcome.js';
import { defaultState, knownNames } from './state.js';
import { BoundaryChart, CostChart, GradientChart, SaturationChart, refreshFont } from './charts.js';
import { BoundaryKey } from './boundaryKey.js';
import { Controller } from './controller.js';
import { Controls } from './controls.js';
import { CoursePanel } from './course.js';
import { DataPanel } from './dataPanel.js';
import { Diagram } from './diagram.js';
import { DrawTool } from './drawTool.js';
import { socketUrl, takeEarlySocket } from './earlySocket.js';
import { ExampleFollower } from './exampleFollow.js';
import { ExamplePanel } from './examplePanel.js';
import { ConfusionView, GalleryView, NoBoundaryNote } from './evaluation.js';
import { OwnDataPanel } from './ownData.js';
import { bindPageMode } from './pageMode.js';
import { RenderLoop } from './renderLoop.js';
import { RunClient } from './runClient.js';
import { bindShortcuts } from './shortcuts.js';
import { Socket } from './socket.js';
import { firstBoundaryDrawn, stats } from './stats.js';
import { StatusView } from './status.js';
import { TimelineController } from './timeline.js';
import { TimelineView } from './timelineView.js';
import { Store } from './store.js';

/**
 * Resolves when the page's start is over: `graceMs` after the first boundary is on screen (or
 * after `fallbackMs`, if none comes), and, if play is pressed by then, only `learnFirstMs` after
 * play: the auto speed's quick start (app/runs.py AUTO_BOOST_SECONDS) learns most problems in
 * that time. What the page can do without waits for it, so that a student who presses play at
 * once gets the click answered and watches the network learn, boundary and accuracies, first.
 * (Main-thread work right after the first boundary, the thumbnails' drawing, delayed a click on
 * play by ~110 ms in bench/bench_tfplayground.py's cold load.)
 */
function afterStart(fallbackMs = 1500, graceMs = 700, learnFirstMs = 2500) {
  const after = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  return Promise.race([firstBoundaryDrawn.then(() => after(graceMs)), after(fallbackMs + graceMs)])
    .then(() => (
      stats.playAt == null ? null : after(stats.playAt + learnFirstMs - performance.now())
    ));
}

/** Resolves when the main thread is idle (or after `timeoutMs`). */
function idle(timeoutMs = 500) {
  return new Promise((resolve) => {
    if (window.requestIdleCallback) window.requestIdleCallback(resolve, { timeout: timeoutMs });
    else setTimeout(resolve, 0);
  });
}

/**
 * Plotly (its basic bundle, static/vendor/: 1.2 MB, ~0.2 s of the main thread to compile and
 * run on a first visit, during which nothing is drawn; the full bundle took 1.2-1.4 s) is
 * loaded after the page's start (`start`: afterStart()), so that it does not hold it up: the
 * charts, with the whole cost history, come after. Until Plotly runs, the boundary and its
 * points are drawn in a canvas. Resolves when it has run (rejects if it could not load).
 */
function loadPlotly(start) {
  return start.then(() => new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/plotly-basic.min.js';
    script.addEventListener('load', resolve);
    script.addEventListener('error', () => reject(new Error('plotly.js did not load')));
    document.head.append(script);
  }));
}

/** The tab's class ({role, code, token|name}), kept across a reload (classroom.js). */
function tabStorage() {
  const key = STORAGE_KEY;
  const safe = (f) => { try { return f(); } catch { return null; } }; // storage may be refused
  return {
    get: () => safe(() => JSON.parse(sessionStorage.getItem(key))),
    set: (value) => safe(() => sessionStorage.setItem(key, JSON.stringify(value))),
    clear: () => safe(() => sessionStorage.removeItem(key)),
  };
}

/** A join link's code (`/?join=KQ7M`, app/routes/pages.py), taken off the URL (the hash stays). */
function joinCodeOfUrl() {
  const params = new URLSearchParams(location.search);
  const code = params.get('join');
  if (code == null) return null;
  params.delete('join');
  const query = params.toString();
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  return code.slice(0, 16);
}

/**
 * The teacher's link `nnplay serve --class` prints (`/?teach=KQ7M#class_token=…`: the token in
 * the fragment, which no request carries): kept as this tab's class, then taken off the URL
 * before anything reads its hash as a page state. The page then leads the class (class_teach).
 * @param {{set(value: object): void}} storage the tab's class (tabStorage)
 */
function takeTeacherLink(storage) {
  const params = new URLSearchParams(location.search);
  const code = params.get('teach');
  if (code == null) return;
  const token = new URLSearchParams(location.hash.slice(1)).get('class_token');
  if (token) storage.set({ role: 'teacher', code: code.slice(0, 16), token: token.slice(0, 64) });
  history.replaceState(null, '', location.pathname);
}

async function main() {
  window.nnplayStats = stats; // the rendering counters, for the benchmarks (bench/bench_browser.py)
  const classStorage = tabStorage();
  takeTeacherLink(classStorage);
  const status = new StatusView();
  // The connection opens first, while the options and lessons arrive (templates/index.html
  // preloads them) and the views are built; what it says waits for the handlers (release()).
  const wsUrl = socketUrl();
  const socket = new Socket(wsUrl);
  socket.hold();
  socket.connect(takeEarlySocket(wsUrl)); // opened before the modules had loaded, if it could be
  const lessonsLoading = loadLessons(); // at the same time as the options
  const response = await fetch('/api/options');
  if (!response.ok) {
    socket.close();
    status.showError({ message: `the server could not list its options (HTTP ${response.status})` });
    return;
  }
  const options = await response.json();
  const lessonDoc = await lessonsLoading;
  const $ = (id) => document.getElementById(id);
  const known = knownNames(options, { lessons: lessonDoc.lessons.map((lesson) => lesson.id), vary: VARY, hide: HIDEABLE });
  const url = {
    hash: () => location.hash,
    push: (hash) => history.pushState(null, '', hash),
    replace: (hash) => history.replaceState(null, '', hash),
  };
  const store = new Store(options, { known, url });
  refreshFont();
  const loop = new RenderLoop({ onLayout: refreshFont });
  /** What Plotly's `responsive` does on a window resize, for a layout the page changed itself. */
  const fitCharts = () => {
    for (const el of document.querySelectorAll('.js-plotly-plot')) if (el.offsetParent && window.Plotly) window.Plotly.Plots.resize(el);
  };
  const relayout = () => { loop.relayout(); fitCharts(); };
  bindPageMode(store, { body: document.body, relayout });
  window.addEventListener('resize', () => loop.relayout()); // the charts' type follows the page's
  const boundary = new BoundaryChart($('boundary-chart'));
  const views = {
    status,
    data: new DataPanel(options),
    ownData: new OwnDataPanel(options),
    draw: new DrawTool(boundary, options),
    gallery: new GalleryView(),
    confusion: new ConfusionView(),
    noBoundary: new NoBoundaryNote(),
    builder: new Builder(options),
    controls: new Controls(options),
    boundary,
    boundaryKey: new BoundaryKey(),
    cost: new CostChart($('cost-chart')),
    gradients: new GradientChart($('gradient-chart')),
    saturation: new SaturationChart($('saturation-chart')),
    diagram: new Diagram($('diagram'), options),
    course: new CoursePanel($('course')),
    hiding: new HiddenControls(),
  };
  const client = new RunClient(socket); // the socket's handlers: runs' answers, then the subscribers
  const recorder = new Recorder();
  recorder.attach(socket); // a listener: hears everything, after the handlers
  const example = new ExampleFollower({ client, view: new ExamplePanel({ relayout }), diagram: views.diagram, boundary });
  example.start();
  let compare = null;
  const controller = new Controller({
    options, socket, client, recorder, store, loop, views, example, compareProgress: () => (compare ? compare.progress() : 0),
  });
  controller.start();
  const timeline = new TimelineController({ client, controller, view: new TimelineView() });
  controller.timeline = timeline;
  timeline.start();
  for (const chart of [views.cost, views.gradients, views.saturation]) chart.onShown = () => controller.scheduleDraw();
  const lessons = new LessonPanel(lessonDoc);
  let classroom = null; // made below; the lesson card asks it what a follower shows
  compare = new CompareController({
    client, controller, recorder, loop, store, status, view: new CompareView(), afterSync: (state) => lessons.render(classroom ? classroom.lessonShown(state) : state),
  });
  compare.start();
  controller.onForked = (original, fork) => compare.showPair(original, fork);
  const onUrl = () => {
    controller.onUrl();
    compare.sync();
  };
  window.addEventListener('popstate', onUrl);
  window.addEventListener('hashchange', onUrl);
  window.addEventListener('pagehide', () => socket.close());
  const plotly = loadPlotly(afterStart()).then(() => {
    controller.scheduleDraw();
    compare.scheduleDraw();
  });
  const loadLesson = (id) => compare.change(lessonState(lessonDoc, lessonById(lessonDoc, id), defaultState(options.defaults)));
  lessons.bind({ load: loadLesson, close: () => compare.change({ lesson: '' }) });
  new WelcomeCard().bind({ lesson: loadLesson });
  const share = new SharePanel(store);
  const comparing = () => compare.active && controller.state.open == null;
  const recording = new RecordingController({
    view: new RecordPanel(),
    scene: () => (comparing()
      ? compareScene({
        runs: compare.runs, records: compare.runs.map((run) => recorder.get(run.id)), charts: compare.view.charts,
        state: compare.state, varied: VARY[compare.state.cmp]?.label ?? 'runs',
      })
      : runScene({ record: recorder.get(controller.runId), chart: views.boundary, state: controller.state })),
    dataset: () => recorder.get(comparing() ? compare.runs[0]?.id : controller.runId)?.created.dataset.name ?? controller.state.dataset,
    play: () => (comparing() ? compare : controller).play(),
    save: downloadBlob,
  });
  recording.view.bind({ start: (request) => recording.start(request), stop: () => recording.stop() });
  classroom = new ClassController({
    client, socket, controller, compare, store,
    view: new ClassView(), board: new BoardView(options), storage: classStorage,
    loadHash: (hash) => { history.pushState(null, '', `#${hash}`); onUrl(); },
    origin: location.origin, joinCode: joinCodeOfUrl(), lessons,
  });
  classroom.start();
  share.bind({
    download: (what) => {
      const record = recorder.get(controller.runId);
      if (record) downloadRun(record, what, `nnplay-${controller.state.dataset}`);
    },
    joinLink: () => (classroom.role === 'teacher' && classroom.info ? joinLink(location.origin, classroom.info) : null),
  });
  window.nnplay = { recorder, recording, controller, compare, classroom, socket, timeline, example }; // for the browser tests and the console
  const active = () => (comparing() ? compare : controller);
  bindShortcuts({
    toggle: () => active().toggle(), step: () => active().step(), reset: () => active().reset(),
    closeZoom: () => { views.diagram.closeZoom(); example.close(); },
    undo: () => !controller.following && views.draw.undo(), redo: () => !controller.following && views.draw.redo(),
  }, store);
  // The datasets' thumbnails (a request each, computed by the server) come after the page's
  // start and Plotly's run, once the main thread is idle: play's click and the run go first.
  plotly.catch(() => null).then(() => idle()).then(() => views.data.drawPreviews((name) => fetch('/api/datasets/preview', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }),
  }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.statusText))))));
  socket.release(); // everything listens now: what the server said meanwhile (hello) is heard
}

main();
