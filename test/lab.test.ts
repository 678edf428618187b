/**
 * A real browser: JupyterLab from .venv on a free loopback port (token auth on), a notebook opened and run
 * with the tslab kernel, and a rendered vega chart found in its output area. No request leaves 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { artifact, freePort, launchBrowser } from './browser';
import { cifarSource, ROOT } from './helpers';

test('JupyterLab runs a notebook with the tslab kernel and draws its vega-lite chart', { timeout: 300_000 }, async () => {
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  // A copy, so that Lab's autosave never writes outputs into the committed notebook.
  const name = '_browser-test.ipynb';
  const copy = path.join(ROOT, 'notebooks', name);
  fs.copyFileSync(path.join(ROOT, 'notebooks', '01-toy-2d.ipynb'), copy);
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-lab-runs-'));
  const lab = spawn(path.join(ROOT, '.venv', 'bin', 'jupyter'), ['lab', '--ip=127.0.0.1', `--port=${port}`, '--no-browser',
    `--IdentityProvider.token=${token}`, `--notebook-dir=${path.join(ROOT, 'notebooks')}`, ...(process.getuid?.() === 0 ? ['--allow-root'] : [])],
  { env: { ...process.env, MIXUP_PROFILE: 'smoke', MIXUP_RUNS_DIR: runs, MIXUP_CIFAR10: process.env.MIXUP_CIFAR10 ?? cifarSource() }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  lab.stdout.on('data', (b) => { log += b; });
  lab.stderr.on('data', (b) => { log += b; });
  const browser = await launchBrowser();
  try {
    const started = Date.now();
    while (!log.includes(`127.0.0.1:${port}`)) {
      if (Date.now() - started > 60_000 || lab.exitCode !== null) throw new Error(`JupyterLab did not start:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const outside: string[] = [];
    page.on('request', (r) => { const u = new URL(r.url()); if (!['127.0.0.1', ''].includes(u.hostname) && u.protocol !== 'data:') outside.push(r.url()); });
    await page.goto(`http://127.0.0.1:${port}/lab/tree/${name}?token=${token}`);
    await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: 90_000 });
    // The kernel's display name in the toolbar means the tslab kernel has started.
    await page.waitForFunction(() => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes('TypeScript'), undefined, { timeout: 60_000 });
    await page.click('.lm-MenuBar-itemLabel:text-is("Run")');
    await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")');
    const chart = await page.waitForSelector('.jp-OutputArea .vega-embed canvas, .jp-OutputArea .vega-embed svg.marks', { timeout: 180_000 });
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, 'the chart has a size');
    await chart.scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('jupyterlab-notebook.png') });
    const errors = await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count();
    assert.equal(errors, 0, 'no cell wrote an error');
    assert.deepEqual(outside, [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    lab.kill('SIGTERM');
    fs.rmSync(copy, { force: true });
    fs.rmSync(runs, { recursive: true, force: true });
  }
});
