/**
 * The network builder: hidden layers (add / remove, ± units, activation), output activation,
 * initialization (with its scale) and the weight seed. Owns those controls; reports patches.
 */

import { html, setHtml } from './html.js';

export class Builder {
  /**
   * @param {object} options GET /api/options
   */
  constructor(options) {
    this.options = options;
    this.limits = options.limits;
    /** Output activations that fit each task (GET /api/options `outputs`, first = default). */
    this.outputs = options.outputs;
    this.hidden = options.activations.filter((a) => a.hidden);
    this.titles = Object.fromEntries(options.activations.map((a) => [a.name, a.title]));
    this.el = {
      layers: document.getElementById('layer-controls'),
      add: document.getElementById('add-layer'),
      remove: document.getElementById('remove-layer'),
      count: document.getElementById('layer-count'),
      init: document.getElementById('init'),
      scale: document.getElementById('init-scale'),
      scaleLabel: document.getElementById('scale-label'),
      output: document.getElementById('output'),
      seed: document.getElementById('seed'),
    };
    this.inits = Object.fromEntries(options.initializations.map((i) => [i.name, i]));
    for (const i of options.initializations) {
      const option = new Option(i.title, i.name);
      option.title = i.description;
      this.el.init.add(option);
    }
    this.layers = [];
  }

  /**
   * Call `handler(patch)` when the user changes the network.
   * @param {(patch: object) => void} handler
   */
  bindChange(handler) {
    const el = this.el;
    const layersWith = (fn) => handler({ layers: fn(structuredClone(this.layers)) });
    el.add.addEventListener('click', () => layersWith((ls) => {
      const last = ls[ls.length - 1] || { units: 4, activation: 'tanh' };
      return [...ls, { units: Math.min(last.units, this.limits.max_units), activation: last.activation }];
    }));
    el.remove.addEventListener('click', () => layersWith((ls) => ls.slice(0, -1)));
    el.layers.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-delta]');
      if (!button) return;
      const i = Number(button.dataset.layer);
      layersWith((ls) => {
        ls[i].units = clamp(ls[i].units + Number(button.dataset.delta), 1, this.limits.max_units);
        return ls;
      });
    });
    el.layers.addEventListener('change', (event) => {
      const select = event.target.closest('select[data-layer]');
      if (!select) return;
      layersWith((ls) => {
        ls[Number(select.dataset.layer)].activation = select.value;
        return ls;
      });
    });
    el.init.addEventListener('change', () => handler({ init: el.init.value }));
    el.scale.addEventListener('change', () => handler({ scale: Number(el.scale.value) }));
    el.output.addEventListener('change', () => handler({ output: el.output.value }));
    el.seed.addEventListener('change', () => handler({ seed: Math.max(0, Math.trunc(Number(el.seed.value))) }));
  }

  /**
   * Show the state; `task` constrains the output menu.
   * @param {object} state
   * @param {string} task binary, multiclass or regression
   */
  render(state, task) {
    const el = this.el;
    this.layers = structuredClone(state.layers);
    const n = this.layers.length;
    el.count.textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
    el.add.disabled = n >= this.limits.max_hidden_layers;
    el.remove.disabled = n === 0;
    const edge = (text) => Object.assign(document.createElement('div'), { className: 'layer-edge', textContent: text });
    el.layers.style.gridTemplateColumns = `repeat(${n + 2}, minmax(0, 1fr))`;
    el.layers.replaceChildren(
      edge('Inputs'), ...this.layers.map((layer, i) => this.layerControl(layer, i)), edge('Output'));
    el.init.value = state.init;
    el.scale.value = state.scale;
    el.scaleLabel.hidden = !this.inits[state.init]?.uses_scale;
    const outputs = this.outputs[task] || this.outputs.binary;
    el.output.replaceChildren(...outputs.map((name) => new Option(this.titles[name] || name, name)));
    el.output.value = outputs.includes(state.output) ? state.output : outputs[0];
    el.output.disabled = outputs.length < 2;
    el.seed.value = state.seed;
  }

  layerControl(layer, i) {
    const box = document.createElement('div');
    box.className = 'layer-control';
    box.dataset.field = `layers.${i}`;
    const options = this.hidden
      .map((a) => html`<option value="${a.name}"${a.name === layer.activation ? html` selected` : ''}>${a.title}</option>`);
    setHtml(box, html`
      <span class="layer-name">Layer ${i + 1}</span>
      <span class="units">
        <button data-layer="${i}" data-delta="-1" data-testid="layer-${i}-units-minus" aria-label="fewer units in layer ${i + 1}"${layer.units <= 1 ? html` disabled` : ''}>−</button>
        <output data-testid="layer-${i}-units">${layer.units}</output>
        <button data-layer="${i}" data-delta="1" data-testid="layer-${i}-units-plus" aria-label="more units in layer ${i + 1}"${layer.units >= this.limits.max_units ? html` disabled` : ''}>+</button>
      </span>
      <select data-layer="${i}" data-testid="layer-${i}-activation" aria-label="activation of layer ${i + 1}">${options}</select>`);
    return box;
  }
}

function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}
