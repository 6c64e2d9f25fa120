/**
 * The composition root: fetch the menus' options, build the views, hand them to the controller.
 */

import { Builder } from './builder.js';
import { BoundaryChart, CostChart, GradientChart, SaturationChart } from './charts.js';
import { Controller } from './controller.js';
import { Controls } from './controls.js';
import { CoursePanel } from './course.js';
import { DataPanel } from './dataPanel.js';
import { Diagram } from './diagram.js';
import { bindShortcuts } from './shortcuts.js';
import { Socket } from './socket.js';
import { StatusView } from './status.js';

async function main() {
  const status = new StatusView();
  const response = await fetch('/api/options');
  if (!response.ok) {
    status.showError({ message: `the server could not list its options (HTTP ${response.status})` });
    return;
  }
  const options = await response.json();
  const $ = (id) => document.getElementById(id);
  const views = {
    status,
    data: new DataPanel(options),
    builder: new Builder(options),
    controls: new Controls(options),
    boundary: new BoundaryChart($('boundary-chart')),
    cost: new CostChart($('cost-chart')),
    gradients: new GradientChart($('gradient-chart')),
    saturation: new SaturationChart($('saturation-chart')),
    diagram: new Diagram($('diagram'), options),
    course: new CoursePanel($('course')),
  };
  const socket = new Socket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  const controller = new Controller({ options, socket, views });
  controller.start();
  bindShortcuts({
    toggle: () => controller.toggle(), step: () => controller.step(), reset: () => controller.reset(),
    closeZoom: () => views.diagram.closeZoom(),
  });
  views.data.drawPreviews((name) => fetch('/api/datasets/preview', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }),
  }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.statusText)))));
}

main();
