// The playground's page: the choices become `stepwise train` arguments, the server runs the
// loop, and every update it sends (server-sent events) is drawn at the next animation frame.
'use strict';

const $ = (id) => document.getElementById(id);
const COLOURS = [[232, 113, 10], [25, 103, 210], [24, 128, 56], [161, 66, 244], [217, 48, 37],
  [0, 137, 123], [249, 171, 0], [95, 99, 104], [233, 30, 99], [121, 85, 72]];
// A picture's cells arrive one character each, one of 64 levels (src/play/views.rs).
const LEVELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LEVEL = new Uint8Array(128);
for (let i = 0; i < 64; i++) LEVEL[LEVELS.charCodeAt(i)] = i;
const level = (text, i) => LEVEL[text.charCodeAt(i)];
const FIELDS = ['dataset', 'noise', 'valid-fraction', 'model', 'hidden', 'activation', 'lr',
  'momentum', 'batch-size', 'epochs', 'patience', 'target-loss', 'seed'];

// What the page knows; `window.playground` lets a test (or a curious learner) read it.
const state = { choices: null, opening: null, update: null, events: null, drawn: 0,
  redraws: [], fps: 0, pending: false, sessionId: null };
window.playground = state;

// ---- choices → arguments, and back (the link) ----
function argumentsFromForm() {
  const value = (id) => $(id).value.trim();
  const args = ['--dataset', value('dataset')];
  const plane = planeSet(value('dataset'));
  if (plane && value('noise') !== '') args.push('--noise', value('noise'));
  if (value('valid-fraction') !== '') args.push('--valid-fraction', value('valid-fraction'));
  args.push('--model', value('model'));
  if (value('model') === 'mlp') args.push('--hidden', value('hidden'), '--activation', value('activation'));
  args.push('--lr', value('lr'), '--momentum', value('momentum'), '--batch-size', value('batch-size'),
    '--epochs', value('epochs'));
  if (value('patience') !== '') args.push('--patience', value('patience'));
  if (value('target-loss') !== '') args.push('--target-loss', value('target-loss'));
  args.push('--seed', value('seed'));
  return args;
}

function planeSet(name) {
  const set = state.choices && state.choices.builtin.find((s) => s.name === name);
  return set ? set.plane : false;
}

function saveToLink() {
  const query = new URLSearchParams();
  for (const id of FIELDS) if ($(id).value !== '') query.set(id, $(id).value);
  const link = `${location.pathname}?${query}`;
  history.replaceState(null, '', link);
  $('link').href = link;
}

function loadFromLink() {
  const query = new URLSearchParams(location.search);
  for (const id of FIELDS) {
    if (!query.has(id)) continue;
    const value = query.get(id);
    if (id === 'dataset' && ![...$('dataset').options].some((o) => o.value === value)) {
      addOption($('dataset'), value, value);
    }
    $(id).value = value;
  }
}

function addOption(select, value, text, group) {
  const option = new Option(text, value);
  (group || select).appendChild(option);
  return option;
}

async function loadChoices() {
  state.choices = await (await fetch('/api/choices')).json();
  const select = $('dataset');
  const group = (label) => { const g = document.createElement('optgroup'); g.label = label; select.appendChild(g); return g; };
  const plane = group('2-D classes'), curves = group('curves'), tables = group('tables');
  for (const set of state.choices.builtin) {
    addOption(select, set.name, set.name, set.plane ? plane : set.name === 'xor' ? tables : curves).title = set.description;
  }
  for (const name of state.choices.shipped) addOption(select, name, name, tables);
  if (state.choices.named) addOption(select, state.choices.named, state.choices.named, group('your file'));
  select.value = 'moons';
  showNoise();
}

function showNoise() {
  const set = state.choices.builtin.find((s) => s.name === $('dataset').value);
  $('noise-label').hidden = !(set && set.plane);
  if (set && set.plane && !$('noise').dataset.touched) $('noise').value = Number(set.noise.toFixed(4));
  $('dataset-hint').textContent = set ? set.description : '';
}

// ---- the session ----
async function start() {
  saveToLink();
  closeSession();
  showError(null);
  $('saved').hidden = true;
  $('apply').disabled = true;
  try {
    const response = await fetch('/api/sessions', { method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arguments: argumentsFromForm() }) });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    open(body);
  } catch (error) {
    showError(error.message);
  } finally {
    $('apply').disabled = false;
  }
}

function open(opening) {
  state.opening = opening;
  state.sessionId = opening.id;
  state.update = null;
  $('command').textContent = opening.command;
  $('network-line').textContent = `${opening.network} · learning rate ${opening.learning_rate} · `
    + `${opening.fixed.train_rows} training rows, ${opening.fixed.valid_rows} validation rows, `
    + `${opening.fixed.batches_per_epoch} minibatches an epoch`;
  $('notes').replaceChildren(...opening.notes.map((note) => Object.assign(document.createElement('li'), { textContent: note })));
  const fixed = opening.fixed;
  const plane = fixed.classification && fixed.extent.length === 4;
  $('regions-view').hidden = !plane;
  $('neurons-view').hidden = !plane;
  $('curve-view').hidden = !(!fixed.classification && fixed.extent.length === 2);
  $('surface-view').hidden = !fixed.surface;
  $('network-view').hidden = true;
  $('step-view').hidden = true;
  $('stop').textContent = '';
  state.events = new EventSource(`/api/sessions/${opening.id}/events`);
  state.events.onmessage = (message) => {
    state.update = JSON.parse(message.data);
    if (!state.pending) { state.pending = true; requestAnimationFrame(redraw); }
  };
  state.events.onerror = () => {
    if (state.events && state.events.readyState === EventSource.CLOSED) showError('the server went away: start stepwise play again and reload');
  };
}

function closeSession() {
  if (state.events) state.events.close();
  if (state.sessionId !== null) navigator.sendBeacon(`/api/sessions/${state.sessionId}/close`);
  state.events = null;
  state.sessionId = null;
}

async function command(action) {
  if (state.sessionId === null) return;
  const response = await fetch(`/api/sessions/${state.sessionId}/${action}`, { method: 'POST' });
  if (!response.ok) showError((await response.json()).error);
}

async function save() {
  if (state.sessionId === null) return;
  const response = await fetch(`/api/sessions/${state.sessionId}/save`, { method: 'POST' });
  const body = await response.json();
  if (!response.ok) { showError(body.error); return; }
  $('saved').hidden = false;
  $('saved').textContent = `saved in ${body.dir} — try: stepwise predict --model ${body.dir} …, or stepwise eval --model ${body.dir}`;
}

async function upload(file) {
  showError(null);
  if (file.size > state.choices.most_upload_bytes) {
    showError(`${file.name} is ${(file.size / 1048576).toFixed(1)} MiB; the page takes CSV files up to ${state.choices.most_upload_bytes / 1048576} MiB (train larger ones with stepwise train)`);
    return;
  }
  const response = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
  const body = await response.json().catch(() => ({ error: `the upload failed (${response.status})` }));
  if (!response.ok) { showError(body.error); return; }
  const select = $('dataset');
  if (![...select.options].some((o) => o.value === body.dataset)) addOption(select, body.dataset, body.dataset);
  select.value = body.dataset;
  showNoise();
  start();
}

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

// ---- drawing ----
function redraw() {
  state.pending = false;
  const update = state.update, opening = state.opening;
  if (!update || !opening) return;
  const now = performance.now();
  state.redraws.push(now);
  while (state.redraws.length && state.redraws[0] < now - 1000) state.redraws.shift();
  state.fps = state.redraws.length;
  state.drawn += 1;
  drawStatus(update);
  drawLoss(update.history);
  const fixed = opening.fixed, drawn = update.drawn;
  if (drawn.regions) drawRegions(fixed, drawn.regions);
  if (drawn.neurons.length) drawNeurons(fixed, drawn.neurons);
  if (drawn.curve) drawCurve(fixed, drawn.curve);
  if (fixed.surface) drawSurface(fixed.surface, update.path);
  drawNetwork(fixed.widths, drawn.weights);
  drawStep(update.step);
}

const number = (x, digits = 4) => (x === null || x === undefined ? '—' : Number(x).toFixed(digits));

function drawStatus(update) {
  const last = update.history[update.history.length - 1];
  $('phase').textContent = update.phase;
  for (const li of $('phases').children) li.classList.toggle('now', li.dataset.phase === update.phase);
  $('epoch-count').textContent = `${update.epoch} of ${state.opening.epochs} (${update.history.length} done)`;
  $('steps').textContent = `${update.steps} (${update.steps_done} of ${state.opening.fixed.batches_per_epoch} this epoch)`;
  $('train-loss').textContent = last ? number(last.train_loss) : update.batch_loss !== null ? `batch ${number(update.batch_loss)}` : '—';
  $('valid-loss').textContent = last ? number(last.valid_loss) : '—';
  $('accuracy').textContent = last && last.valid_accuracy !== null ? number(last.valid_accuracy, 3) : '—';
  $('speed').textContent = update.samples_per_second ? Math.round(update.samples_per_second).toLocaleString('en') : '—';
  $('fps').textContent = String(state.fps);
  $('play').textContent = update.running ? '❚❚ pause' : '▶ play';
  $('play').dataset.running = update.running;
  $('stop').textContent = update.stop ? `STOP: ${update.stop}. Reset to train again, or save it.` : '';
  for (const id of ['play', 'step', 'epoch']) $(id).disabled = Boolean(update.stop || update.error);
  if (update.error) showError(update.error);
}

function axes(context, width, height, margin) {
  context.strokeStyle = '#dadce0';
  context.strokeRect(margin, 4, width - margin - 4, height - margin - 4);
}

function drawLoss(history) {
  const canvas = $('loss'), c = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, m = 34;
  c.clearRect(0, 0, W, H);
  axes(c, W, H, m);
  c.fillStyle = '#5f6368'; c.font = '11px system-ui';
  c.fillText('epoch', W / 2, H - 6);
  if (!history.length) { c.fillText('the curves appear after the first epoch', m + 10, H / 2); return; }
  const losses = history.flatMap((h) => [h.train_loss, h.valid_loss]).filter((x) => x !== null && isFinite(x));
  const top = Math.max(...losses, 1e-9);
  const x = (i) => m + (W - m - 8) * (history.length === 1 ? 1 : i / (history.length - 1));
  const y = (v) => 4 + (H - m - 8) * (1 - Math.min(v, top) / top);
  c.fillText(top.toPrecision(3), 2, 12); c.fillText('0', 20, H - m);
  c.fillText(String(history.length), W - 20, H - m + 12);
  const line = (key, colour, scale) => {
    c.strokeStyle = colour; c.lineWidth = 2; c.beginPath();
    history.forEach((h, i) => { const v = h[key]; if (v === null) return; const yy = scale ? 4 + (H - m - 8) * (1 - v) : y(v); i ? c.lineTo(x(i), yy) : c.moveTo(x(i), yy); });
    c.stroke();
  };
  line('train_loss', 'rgb(232,113,10)');
  line('valid_loss', 'rgb(25,103,210)');
  if (history[0].valid_accuracy !== null) line('valid_accuracy', 'rgb(24,128,56)', true);
}

function colour(index, confidence) {
  // Paler where the network is unsure: blend the class colour towards white.
  const [r, g, b] = COLOURS[index % COLOURS.length];
  const t = Math.max(0, Math.min(1, confidence));
  return [255 - (255 - r) * t, 255 - (255 - g) * t, 255 - (255 - b) * t];
}

function picture(size, pixel) {
  const offscreen = document.createElement('canvas');
  offscreen.width = offscreen.height = size;
  const c = offscreen.getContext('2d'), image = c.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = pixel(i);
    image.data.set([r, g, b, 255], i * 4);
  }
  c.putImageData(image, 0, 0);
  return offscreen;
}

function drawRegions(fixed, [classes, confidence]) {
  const canvas = $('regions'), c = canvas.getContext('2d'), k = Math.max(2, fixed.class_names.length);
  const grid = picture(fixed.grid, (i) => colour(level(classes, i), ((level(confidence, i) / 63) - 1 / k) / (1 - 1 / k) * 0.65));
  c.imageSmoothingEnabled = true;
  c.drawImage(grid, 0, 0, canvas.width, canvas.height);
  const [x0, x1, y0, y1] = fixed.extent;
  const px = (x) => (x - x0) / (x1 - x0) * canvas.width, py = (y) => (1 - (y - y0) / (y1 - y0)) * canvas.height;
  const dots = (points, filled) => {
    if (!points) return;
    for (let i = 0; i < points.targets.length; i++) {
      const [r, g, b] = COLOURS[points.targets[i] % COLOURS.length];
      c.beginPath(); c.arc(px(points.inputs[2 * i]), py(points.inputs[2 * i + 1]), 3.2, 0, 2 * Math.PI);
      c.fillStyle = `rgb(${r},${g},${b})`; c.strokeStyle = filled ? '#fff' : `rgb(${r},${g},${b})`;
      c.lineWidth = filled ? 1 : 1.6;
      if (filled) c.fill(); else { c.fillStyle = '#fff'; c.fill(); }
      c.stroke();
    }
  };
  dots(fixed.train, true);
  dots(fixed.valid, false);
}

function diverging(v) {
  const t = Math.min(1, Math.abs(v) / 100), [r, g, b] = v >= 0 ? COLOURS[0] : COLOURS[1];
  return [255 - (255 - r) * t, 255 - (255 - g) * t, 255 - (255 - b) * t];
}

function drawNeurons(fixed, neurons) {
  const box = $('neurons'), widths = fixed.widths.slice(1, -1);
  if (box.dataset.shape !== widths.join(',')) {
    box.replaceChildren();
    let index = 0;
    widths.forEach((width, layer) => {
      const column = document.createElement('div');
      column.className = 'layer';
      column.appendChild(Object.assign(document.createElement('span'), { textContent: `layer ${layer + 1}` }));
      for (let n = 0; n < width && index < neurons.length; n++, index++) {
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = fixed.neuron_grid;
        canvas.title = `layer ${layer + 1}, neuron ${n + 1}`;
        column.appendChild(canvas);
      }
      box.appendChild(column);
    });
    box.dataset.shape = widths.join(',');
  }
  const canvases = box.querySelectorAll('canvas');
  neurons.forEach((values, i) => {
    if (!canvases[i]) return;
    canvases[i].getContext('2d').drawImage(picture(fixed.neuron_grid, (p) => diverging((level(values, p) / 63 * 2 - 1) * 100)), 0, 0);
  });
}

function drawCurve(fixed, curve) {
  const canvas = $('curve'), c = canvas.getContext('2d'), W = canvas.width, H = canvas.height;
  c.clearRect(0, 0, W, H);
  const [x0, x1] = fixed.extent, points = fixed.train;
  const ys = points.targets.concat(curve).filter(isFinite);
  const y0 = Math.min(...ys) - 0.2, y1 = Math.max(...ys) + 0.2;
  const px = (x) => (x - x0) / (x1 - x0) * W, py = (y) => (1 - (y - y0) / (y1 - y0)) * H;
  c.fillStyle = 'rgba(25,103,210,0.55)';
  points.targets.forEach((y, i) => { c.beginPath(); c.arc(px(points.inputs[i]), py(y), 2.5, 0, 2 * Math.PI); c.fill(); });
  c.strokeStyle = 'rgb(232,113,10)'; c.lineWidth = 2.5; c.beginPath();
  curve.forEach((y, i) => { const x = x0 + (x1 - x0) * i / (curve.length - 1); i ? c.lineTo(px(x), py(y)) : c.moveTo(px(x), py(y)); });
  c.stroke();
}

function drawSurface(surface, path) {
  const canvas = $('surface'), c = canvas.getContext('2d'), W = canvas.width, H = canvas.height, n = surface.size;
  if (!surface.image) {
    // log loss in bands: the band edges are the contour lines.
    const logs = surface.loss.map((v) => Math.log(v + 1e-6)), lo = Math.min(...logs), hi = Math.max(...logs);
    const band = (i) => Math.floor((logs[i] - lo) / (hi - lo + 1e-9) * 12);
    surface.image = picture(n, (i) => {
      const row = Math.floor(i / n), col = i % n, flipped = (n - 1 - row) * n + col;
      const b = band(flipped), edge = (col + 1 < n && band(flipped + 1) !== b) || (row + 1 < n && band(flipped - n) !== b);
      const shade = 60 + b * 15;
      return edge ? [255, 255, 255] : [shade * 0.55, shade * 0.75, shade];
    });
  }
  c.imageSmoothingEnabled = false;
  c.drawImage(surface.image, 0, 0, W, H);
  const px = (w) => (w - surface.slope[0]) / (surface.slope[1] - surface.slope[0]) * W;
  const py = (b) => (1 - (b - surface.intercept[0]) / (surface.intercept[1] - surface.intercept[0])) * H;
  c.fillStyle = '#fbbc04'; c.beginPath(); c.arc(px(surface.best[0]), py(surface.best[1]), 5, 0, 2 * Math.PI); c.fill();
  if (!path.length) return;
  c.strokeStyle = 'rgb(232,113,10)'; c.lineWidth = 2; c.beginPath();
  path.forEach(([w, b], i) => (i ? c.lineTo(px(w), py(b)) : c.moveTo(px(w), py(b))));
  c.stroke();
  c.fillStyle = '#fff'; c.beginPath(); c.arc(px(path[0][0]), py(path[0][1]), 4, 0, 2 * Math.PI); c.fill();
  c.fillStyle = '#5f6368'; c.font = '11px system-ui';
  c.fillText('slope →', W - 52, H - 6); c.fillText('intercept ↑', 4, 12);
}

function drawNetwork(widths, weights) {
  $('network-view').hidden = !weights.length;
  if (!weights.length) return;
  const canvas = $('network'), c = canvas.getContext('2d'), W = canvas.width, H = canvas.height;
  c.clearRect(0, 0, W, H);
  const shown = widths.map((w) => Math.min(w, 16));
  const x = (layer) => 20 + (W - 40) * layer / (widths.length - 1);
  const y = (layer, i) => H / 2 + (i - (shown[layer] - 1) / 2) * Math.min(28, (H - 20) / shown[layer]);
  const largest = Math.max(1e-6, ...weights.flatMap((layer) => layer.map(Math.abs)));
  weights.forEach((layer, l) => {
    const outputs = widths[l + 1];
    for (let i = 0; i < shown[l]; i++) for (let j = 0; j < shown[l + 1]; j++) {
      const w = layer[i * outputs + j];
      c.strokeStyle = w >= 0 ? 'rgba(232,113,10,0.8)' : 'rgba(25,103,210,0.8)';
      c.lineWidth = 0.3 + 4 * Math.abs(w) / largest;
      c.beginPath(); c.moveTo(x(l), y(l, i)); c.lineTo(x(l + 1), y(l + 1, j)); c.stroke();
    }
  });
  shown.forEach((count, l) => {
    for (let i = 0; i < count; i++) { c.fillStyle = '#fff'; c.strokeStyle = '#5f6368'; c.lineWidth = 1; c.beginPath(); c.arc(x(l), y(l, i), 5, 0, 2 * Math.PI); c.fill(); c.stroke(); }
  });
}

function drawStep(step) {
  $('step-view').hidden = !step;
  if (!step) return;
  const table = $('step-numbers');
  table.caption.textContent = `STEP ${step.step} of epoch ${step.epoch}: PREDICT on ${step.batch_rows} rows → LOSS ${number(step.loss)} → GRADIENT → STEP with learning rate ${step.learning_rate}`;
  table.tBodies[0].replaceChildren(...step.parameters.map((p) => {
    const row = document.createElement('tr');
    for (const text of [p.name, number(p.gradient_norm, 5), number(p.sgd_step, 5), number(p.moved, 5)]) {
      row.appendChild(Object.assign(document.createElement('td'), { textContent: text }));
    }
    return row;
  }));
}

// ---- wiring ----
$('setup').addEventListener('submit', (event) => { event.preventDefault(); start(); });
$('dataset').addEventListener('change', () => { $('noise').dataset.touched = ''; showNoise(); });
$('noise').addEventListener('input', () => { $('noise').dataset.touched = 'yes'; });
$('model').addEventListener('change', () => { const linear = $('model').value === 'linear'; $('hidden').disabled = linear; $('activation').disabled = linear; });
$('play').addEventListener('click', () => command(state.update && state.update.running ? 'pause' : 'play'));
$('step').addEventListener('click', () => command('step'));
$('epoch').addEventListener('click', () => command('epoch'));
$('reset').addEventListener('click', () => command('reset'));
$('save').addEventListener('click', save);
$('upload').addEventListener('change', () => { if ($('upload').files[0]) upload($('upload').files[0]); });
window.addEventListener('pagehide', closeSession);
document.addEventListener('keydown', (event) => {
  if (event.key === ' ' && !['INPUT', 'SELECT', 'BUTTON'].includes(document.activeElement.tagName)) {
    event.preventDefault(); $('play').click();
  }
});

loadChoices().then(() => {
  loadFromLink();
  if (location.search) $('noise').dataset.touched = 'yes';
  showNoise();
  $('model').dispatchEvent(new Event('change'));
  start();
}).catch((error) => showError(`cannot reach the server: ${error.message}`));
