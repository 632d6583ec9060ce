// The playground's page: the choices become `stepwise train` arguments, the server runs the
// loop, and every update it sends (server-sent events) is drawn at the next animation frame.
// The drawing is in draw.js, loaded before this file.
'use strict';

const FIELDS = ['dataset', 'noise', 'valid-fraction', 'model', 'hidden', 'activation', 'optimizer', 'lr',
  'momentum', 'batch-size', 'epochs', 'patience', 'target-loss', 'seed'];

// What the page knows; `window.playground` lets a test (or a curious learner) read it.
const state = { choices: null, opening: null, update: null, events: null, drawn: 0,
  redraws: [], fps: 0, pending: false, sessionId: null };
window.playground = state;

// ---- choices → arguments, and back (the link) ----
function argumentsFromForm() {
  const value = (id) => $(id).value.trim();
  const args = [];
  // `--lr=-1`, not `--lr -1`: a value that starts with '-' would read as an option.
  const push = (flag, id) => {
    const v = value(id);
    if (v.startsWith('-')) args.push(`${flag}=${v}`); else args.push(flag, v);
  };
  const optional = (flag, id) => { if (value(id) !== '') push(flag, id); };
  push('--dataset', 'dataset');
  if (planeSet(value('dataset'))) optional('--noise', 'noise');
  optional('--valid-fraction', 'valid-fraction');
  push('--model', 'model');
  if (value('model') === 'mlp') { push('--hidden', 'hidden'); push('--activation', 'activation'); }
  push('--optimizer', 'optimizer');
  push('--lr', 'lr');
  if (value('optimizer') === 'sgd') push('--momentum', 'momentum');
  push('--batch-size', 'batch-size');
  push('--epochs', 'epochs');
  optional('--patience', 'patience');
  optional('--target-loss', 'target-loss');
  push('--seed', 'seed');
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
  drawStatus(update, opening, state.fps);
  drawLoss(update.history);
  const fixed = opening.fixed, drawn = update.drawn;
  if (drawn.regions) drawRegions(fixed, drawn.regions);
  if (drawn.neurons.length) drawNeurons(fixed, drawn.neurons);
  if (drawn.curve) drawCurve(fixed, drawn.curve);
  if (fixed.surface) drawSurface(fixed.surface, update.path);
  drawNetwork(fixed.widths, drawn.weights);
  drawStep(update.step);
}

// ---- wiring ----
$('setup').addEventListener('submit', (event) => { event.preventDefault(); start(); });
$('dataset').addEventListener('change', () => { $('noise').dataset.touched = ''; showNoise(); });
$('noise').addEventListener('input', () => { $('noise').dataset.touched = 'yes'; });
$('optimizer').addEventListener('change', () => { $('momentum').disabled = $('optimizer').value !== 'sgd'; });
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
  $('optimizer').dispatchEvent(new Event('change'));
  start();
}).catch((error) => showError(`cannot reach the server: ${error.message}`));
