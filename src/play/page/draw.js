// The playground's drawing: each view on its canvas, from what the server sent (the
// pictures' cells arrive as one character per cell, see src/play/views.rs). play.js calls
// these at each animation frame that has a new update.
'use strict';

const $ = (id) => document.getElementById(id);
const COLOURS = [[232, 113, 10], [25, 103, 210], [24, 128, 56], [161, 66, 244], [217, 48, 37],
  [0, 137, 123], [249, 171, 0], [95, 99, 104], [233, 30, 99], [121, 85, 72]];
// A picture's cells arrive one character each, one of 64 levels (src/play/views.rs).
const LEVELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LEVEL = new Uint8Array(128);
for (let i = 0; i < 64; i++) LEVEL[LEVELS.charCodeAt(i)] = i;
const level = (text, i) => LEVEL[text.charCodeAt(i)];

// Small numbers (a loss near 0, a gradient) in scientific notation: 0.0000 would say nothing.
const number = (x, digits = 4) => {
  if (x === null || x === undefined) return '—';
  return x !== 0 && Math.abs(x) < 10 ** -(digits - 1) ? Number(x).toExponential(2) : Number(x).toFixed(digits);
};

function drawStatus(update, opening, fps) {
  const last = update.history[update.history.length - 1];
  // Playing, the four phases of a step follow each other faster than the eye: all are lit.
  const cycling = update.running && !update.stop;
  const lit = cycling ? ['PREDICT', 'LOSS', 'GRADIENT', 'STEP'] : [update.phase];
  $('phase').textContent = cycling ? 'PREDICT → LOSS → GRADIENT → STEP, batch after batch' : update.phase;
  for (const li of $('phases').children) li.classList.toggle('now', lit.includes(li.dataset.phase));
  $('epoch-count').textContent = `${update.epoch} of ${opening.epochs} (${update.epochs_done} done)`;
  $('steps').textContent = `${update.steps} (${update.steps_done} of ${opening.fixed.batches_per_epoch} this epoch)`;
  $('train-loss').textContent = last ? number(last.train_loss) : update.batch_loss !== null ? `batch ${number(update.batch_loss)}` : '—';
  $('valid-loss').textContent = last ? number(last.valid_loss) : '—';
  $('accuracy').textContent = last && last.valid_accuracy !== null ? number(last.valid_accuracy, 3) : '—';
  $('speed').textContent = update.samples_per_second ? Math.round(update.samples_per_second).toLocaleString('en') : '—';
  $('fps').textContent = String(fps);
  $('play').textContent = update.running ? '❚❚ pause' : '▶ play';
  $('play').setAttribute('aria-label', update.running ? 'pause' : 'play');
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
  const epochs = history[history.length - 1].epoch;
  const x = (i) => m + (W - m - 8) * (epochs === 1 ? 1 : (history[i].epoch - 1) / (epochs - 1));
  const y = (v) => 4 + (H - m - 8) * (1 - Math.min(v, top) / top);
  c.fillText(top.toPrecision(3), 2, 12); c.fillText('0', 20, H - m);
  c.fillText(String(epochs), W - 20, H - m + 12);
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
    // The loss in bands of its logarithm (above a floor, so the bottom is one band): the band
    // edges are the contour lines.
    const least = Math.min(...surface.loss), most = Math.max(...surface.loss), floor = (most - least) * 0.03;
    const logs = surface.loss.map((v) => Math.log(v - least + floor)), lo = Math.min(...logs), hi = Math.max(...logs);
    const band = (i) => Math.floor((logs[i] - lo) / (hi - lo + 1e-9) * 10);
    surface.image = picture(n, (i) => {
      const row = Math.floor(i / n), col = i % n, flipped = (n - 1 - row) * n + col;
      const b = band(flipped), edge = (col + 1 < n && band(flipped + 1) !== b) || (row + 1 < n && band(flipped - n) !== b);
      const shade = 60 + b * 15;
      return edge ? [255, 255, 255] : [shade * 0.55, shade * 0.75, shade];
    });
  }
  c.imageSmoothingEnabled = true;
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
      // Small weights faint and thin: the large ones carry what the network learned.
      const size = Math.abs(w) / largest, alpha = (0.1 + 0.9 * size).toFixed(2);
      c.strokeStyle = w >= 0 ? `rgba(232,113,10,${alpha})` : `rgba(25,103,210,${alpha})`;
      c.lineWidth = 0.3 + 3.5 * size;
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
