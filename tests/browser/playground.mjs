// The playground in a real browser: Debian's Chromium, headless, driven by playwright-core.
//
//   node tests/browser/playground.mjs STEPWISE_BINARY SCREENSHOT_FOLDER [--bench]
//
// Starts `stepwise play` on a free port in a fresh folder, then checks what a learner does:
// play, pause, one STEP, reset, the command in a terminal, save → predict, a broken upload.
// With --bench it measures instead: samples/s in the page against `stepwise train`, and the
// page's redraws per second (bench/README.md).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import http from 'node:http';
import { chromium } from 'playwright-core';

const [binary, shots, mode] = process.argv.slice(2);
assert.ok(binary && shots, 'usage: node playground.mjs STEPWISE_BINARY SCREENSHOT_FOLDER [--bench]');
mkdirSync(shots, { recursive: true });
const folder = mkdtempSync(join(tmpdir(), 'stepwise-play-'));

const step = (text) => console.log(`- ${text}`);

/// `stepwise play --port 0` in `folder`, and the address it prints.
function startServer() {
  const server = spawn(binary, ['play', '--port', '0'], { cwd: folder, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let printed = '';
    server.stdout.on('data', (chunk) => {
      printed += chunk;
      const found = printed.match(/http:\/\/[0-9.:]+\//);
      if (found) resolve({ server, url: found[0] });
    });
    server.on('exit', (code) => reject(new Error(`stepwise play ended (${code}) before serving: ${printed}`)));
  });
}

/// Chromium as root on a closed network: no sandbox, no calls home. (playwright gives each
/// launch a fresh, empty profile folder of its own.)
function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const update = (page) => page.evaluate(() => window.playground.update);
const waitFor = (page, test, arg, timeout = 60000) => page.waitForFunction(test, arg, { timeout, polling: 50 });

/// Sets the form's fields (by id) and starts a session with them.
async function setUp(page, fields) {
  for (const [id, value] of Object.entries(fields)) {
    const tag = await page.$eval(`#${id}`, (element) => element.tagName);
    if (tag === 'SELECT') await page.selectOption(`#${id}`, String(value));
    else await page.fill(`#${id}`, String(value));
  }
  const before = await page.evaluate(() => window.playground.sessionId);
  await page.click('#apply');
  await waitFor(page, (old) => window.playground.sessionId !== null && window.playground.sessionId !== old
    && window.playground.update !== null, before);
}

async function playUntilStop(page) {
  await page.click('#play');
  await waitFor(page, () => window.playground.update && window.playground.update.stop, undefined, 120000);
  return update(page);
}

async function test(page, url) {
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => { if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`); });

  step('the page loads and INITs a network on moons, with no console errors');
  await page.goto(url);
  await waitFor(page, () => window.playground.update !== null && document.querySelector('#command').textContent !== '');
  assert.equal((await update(page)).phase, 'INIT');
  assert.match(await page.textContent('#command'), /^stepwise train --dataset moons /);

  step('play: the loss falls and validation accuracy passes 0.9');
  await setUp(page, { dataset: 'moons', hidden: '8,8', activation: 'tanh', lr: '0.1', momentum: '0.9', 'batch-size': '16', epochs: '300', seed: '1' });
  await page.click('#play');
  await waitFor(page, () => {
    const h = window.playground.update.history;
    return h.length > 1 && h[h.length - 1].valid_accuracy > 0.9;
  });
  const history = (await update(page)).history;
  assert.ok(history[history.length - 1].train_loss < history[0].train_loss, 'the loss fell');
  await page.screenshot({ path: join(shots, 'moons.png'), fullPage: true });

  step('pause: the epoch stops advancing');
  await page.click('#play');
  await waitFor(page, () => !window.playground.update.running);
  const paused = await update(page);
  await page.waitForTimeout(1000);
  const later = await update(page);
  assert.deepEqual([later.epoch, later.steps], [paused.epoch, paused.steps]);
  assert.equal(later.epochs_done, paused.epochs_done);

  step('one STEP advances exactly one minibatch and shows its numbers');
  await page.click('#step');
  await waitFor(page, (steps) => window.playground.update.steps === steps + 1 && window.playground.update.step, paused.steps);
  const stepped = await update(page);
  assert.equal(stepped.steps, paused.steps + 1);
  assert.equal(stepped.step.parameters.length, 6, 'three layers, a weight and a bias each');
  assert.ok(stepped.step.parameters.every((p) => p.gradient_norm > 0 && p.moved > 0));
  assert.ok(await page.isVisible('#step-numbers'));
  assert.match(await page.textContent('#step-numbers caption'), /LOSS \d/);
  await page.screenshot({ path: join(shots, 'one-step.png'), fullPage: true });

  step('reset: the same seed gives the same first loss');
  const first = history[0].train_loss;
  await page.click('#reset');
  await waitFor(page, () => window.playground.update.steps === 0 && window.playground.update.run === 1);
  await page.click('#epoch');
  await waitFor(page, () => window.playground.update.epochs_done === 1 && !window.playground.update.running);
  assert.equal((await update(page)).history[0].train_loss, first);

  step('the command the page shows trains the same run in a terminal');
  await setUp(page, { dataset: 'spiral', hidden: '16,16', activation: 'relu', lr: '0.05', epochs: '12', seed: '7' });
  const done = await playUntilStop(page);
  const command = (await page.textContent('#command')).trim();
  const args = command.replace(/^stepwise /, '').split(' ');
  execFileSync(binary, [...args, '--out', 'cli-run', '--quiet'], { cwd: folder });
  const rows = readFileSync(join(folder, 'cli-run', 'metrics.csv'), 'utf8').trim().split('\n');
  const header = rows[0].split(','), last = rows[rows.length - 1].split(',');
  const pageLast = done.history[done.history.length - 1];
  assert.equal(rows.length - 1, done.epochs_done);
  closeTo(Number(last[header.indexOf('train_loss')]), pageLast.train_loss);
  closeTo(Number(last[header.indexOf('valid_loss')]), pageLast.valid_loss);
  await page.screenshot({ path: join(shots, 'stopped.png'), fullPage: true });

  step('save writes a folder that predict loads');
  await page.click('#save');
  await waitFor(page, () => !document.querySelector('#saved').hidden);
  const saved = (await page.textContent('#saved')).match(/saved in (\S+)/)[1];
  const predicted = execFileSync(binary, ['predict', '--model', saved, '--input', '0.5,-0.2'], { cwd: folder, encoding: 'utf8' });
  assert.match(predicted, /probability/);

  assert.deepEqual(problems, [], 'no console errors');
  step('a broken CSV upload shows the loader\'s error, and the server goes on serving');
  await page.setInputFiles('#upload', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('x1,x2,label\n1,2,a\n3,4\n') });
  await waitFor(page, () => !document.querySelector('#error').hidden);
  const error = await page.textContent('#error');
  assert.match(error, /broken\.csv|line 3|field/i, error);
  await page.screenshot({ path: join(shots, 'broken-upload.png'), fullPage: true });
  // The refused session is the only failed request, as the browser logs it.
  assert.ok(problems.length > 0 && problems.every((p) => /400/.test(p)), problems.join('\n'));
  problems.length = 0;
  await setUp(page, { dataset: 'circles', hidden: '4', epochs: '5' });
  assert.ok(await page.isHidden('#error'));

  step('an option out of range shows the same error as the command line, in the page');
  await page.fill('#lr', '-1');
  await page.click('#apply');
  await waitFor(page, () => !document.querySelector('#error').hidden);
  assert.match(await page.textContent('#error'), /--lr/);
  assert.ok(problems.every((p) => /400/.test(p)), problems.join('\n'));
  problems.length = 0;

  step('a link reproduces the setup');
  await setUp(page, { dataset: 'xor', model: 'mlp', hidden: '4', activation: 'tanh', lr: '0.3', epochs: '50' });
  const link = new URL(await page.getAttribute('#link', 'href'), url).href;
  const other = await page.context().browser().newPage();
  await other.goto(link);
  await waitFor(other, () => window.playground.opening !== null);
  assert.equal(await other.textContent('#command'), await page.textContent('#command'));
  await other.close();

  step('the line: its loss surface and the path STEP takes');
  await setUp(page, { dataset: 'line', model: 'linear', lr: '0.05', momentum: '0.5', epochs: '30' });
  await playUntilStop(page);
  const line = await update(page);
  assert.ok(line.path.length > 10, 'a path of steps');
  assert.ok(await page.isVisible('#surface'));
  await page.screenshot({ path: join(shots, 'line-surface.png'), fullPage: true });

  step('sine: the fitted curve');
  await setUp(page, { dataset: 'sine', model: 'mlp', hidden: '16,16', activation: 'tanh', lr: '0.05', momentum: '0.9', epochs: '40' });
  await playUntilStop(page);
  assert.ok(await page.isVisible('#curve'));
  await page.screenshot({ path: join(shots, 'sine-curve.png'), fullPage: true });

  assert.deepEqual(problems, [], 'no console errors');
}

/// What the server says to requests a page would not make.
async function api(url) {
  const post = (path, body) => fetch(new URL(path, url), { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const start = (args) => post('/api/sessions', { arguments: args });

  step('the server refuses a file no one named, a command it does not know, and a session that ended');
  let response = await start(['--dataset', '/etc/passwd']);
  assert.equal(response.status, 400);
  assert.match((await response.json()).error, /none of them/);
  response = await post('/api/sessions/999999/play');
  assert.equal(response.status, 404);
  assert.match((await response.json()).error, /reload the page/);

  step('an upload larger than the bound is refused, and the server goes on serving');
  // On a connection of its own, the body sent only if the server asks for it (100-continue):
  // the server answers from the length alone and closes the connection, which a pooled
  // connection, reused by the next request, would find closed.
  const size = 17 << 20;
  const status = await new Promise((resolve, reject) => {
    let answered = false;
    const request = http.request(new URL('/api/upload?name=big.csv', url), {
      method: 'POST', agent: false, headers: { 'content-length': size, expect: '100-continue' },
    }, (answer) => { answered = true; answer.resume(); resolve(answer.statusCode); request.destroy(); });
    request.on('continue', () => request.end(Buffer.alloc(size, 49)));
    request.on('error', (error) => { if (!answered) reject(error); });
  });
  assert.equal(status, 413);
  assert.equal((await fetch(new URL('/api/choices', url))).status, 200);

  step('sessions past the bound are told to wait, and one closed makes room');
  const ids = [];
  for (;;) {
    response = await start(['--dataset', 'xor', '--epochs', '1']);
    if (response.status !== 200) break;
    ids.push((await response.json()).id);
    assert.ok(ids.length <= 64, 'a bound on sessions');
  }
  assert.equal(response.status, 503);
  assert.match((await response.json()).error, /at once/);
  // The default bound is 4: the test's own page holds one, and the pages closed before (the
  // link's) were freed when they went.
  assert.equal(ids.length, 3, 'sessions of closed pages are freed');
  await post(`/api/sessions/${ids.pop()}/close`);
  response = await start(['--dataset', 'xor', '--epochs', '1']);
  assert.equal(response.status, 200);
  ids.push((await response.json()).id);
  for (const id of ids) await post(`/api/sessions/${id}/close`);
}

function closeTo(cli, page) {
  assert.ok(Math.abs(cli - page) <= 1e-6 * Math.max(1, Math.abs(page)), `${cli} (terminal) vs ${page} (page)`);
}

/// Samples/s in the page against `stepwise train` on the same set and network, in rounds (a
/// page's run, then the terminal's) so that both see the machine alike; and the page's redraws
/// a second while it plays.
async function bench(page, url) {
  await page.goto(url);
  await waitFor(page, () => window.playground.update !== null);
  const fields = { dataset: 'moons', hidden: '16,16', activation: 'tanh', lr: '0.05', 'batch-size': '16', epochs: '3000', seed: '1' };
  await setUp(page, fields);
  const command = (await page.textContent('#command')).trim().replace(/^stepwise /, '').split(' ');
  const fps = [], ratios = [];
  for (let round = 0; round < 5; round++) {
    if (round > 0) {
      await page.click('#reset');
      await waitFor(page, (run) => window.playground.update.run === run && window.playground.update.steps === 0, round);
    }
    await page.click('#play');
    if (round === 0) {
      for (let second = 0; second < 6; second++) {
        await page.waitForTimeout(1000);
        fps.push(await page.evaluate(() => window.playground.fps));
      }
    }
    await waitFor(page, () => window.playground.update.stop, undefined, 240000);
    const inPage = (await update(page)).samples_per_second;
    execFileSync(binary, [...command, '--out', 'bench-run', '--quiet', '--overwrite'], { cwd: folder });
    const summary = JSON.parse(readFileSync(join(folder, 'bench-run', 'summary.json'), 'utf8'));
    const inTerminal = summary.train_rows * summary.epochs_run / summary.wall_time_seconds;
    ratios.push(inPage / inTerminal);
    console.log(`round ${round + 1}: page ${Math.round(inPage)} samples/s, stepwise train ${Math.round(inTerminal)} samples/s, ratio ${(inPage / inTerminal).toFixed(2)}`);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log(`moons, mlp 2-16-16-2 tanh, batch 16, 3000 epochs: the page trains at ${median(ratios).toFixed(2)} of stepwise train's samples/s (median of ${ratios.length} rounds)`);
  console.log(`page redraws a second while playing: median ${median(fps)} (each second: ${fps.join(' ')})`);
}

const { server, url } = await startServer();
let browser, failed;
try {
  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    if (mode === '--bench') await bench(page, url);
    else { await test(page, url); await api(url); }
  } catch (failure) {
    // What the page showed when it failed, to read beside the assertion.
    await page.screenshot({ path: join(shots, 'failed.png'), fullPage: true }).catch(() => {});
    const shown = await page.evaluate(() => ({ error: document.querySelector('#error').textContent,
      sessionId: window.playground.sessionId, update: window.playground.update && { ...window.playground.update, drawn: undefined } }))
      .catch(() => ({}));
    console.log(`the page showed: ${JSON.stringify(shown).slice(0, 2000)}`);
    throw failure;
  }
  console.log(`screenshots in ${shots}`);
} catch (failure) {
  failed = failure;
} finally {
  if (browser) await browser.close().catch(() => {});
}
if (failed) {
  server.kill('SIGKILL');
  throw failed;
}
// Ctrl-C stops the server cleanly: it says so and exits 0.
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
let said = '';
server.stdout.on('data', (chunk) => { said += chunk; });
server.kill('SIGINT');
const timeout = new Promise((resolve) => setTimeout(() => resolve({ code: 'still running after 10 s' }), 10000));
const { code, signal } = await Promise.race([exited, timeout]);
assert.equal(code, 0, `stepwise play after Ctrl-C: ${code} ${signal} ${said}`);
assert.match(said, /stopped/);
step('Ctrl-C stops the server cleanly');
process.exit(0);
