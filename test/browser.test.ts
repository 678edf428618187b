/**
 * Real-browser checks in Debian's Chromium (playwright-core, no browser download):
 *  - JupyterLab from .venv on a free loopback port (token auth on) runs a notebook with the tslab kernel and draws
 *    its vega chart; no request leaves 127.0.0.1; no news prompt greets the user.
 *  - The exported report page shows its SVG charts offline.
 * A missing Chromium fails each check at once, before anything is started; JupyterLab and its kernel are stopped on
 * every path, a time-out included (scripts/processes.ts).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { executeNotebooks, parseArgs } from '../scripts/notebooks';
import { spawnTracked, stopTree } from '../scripts/processes';
import { writeReport } from '../scripts/report';
import { freePort } from '../scripts/net';
import { artifact, launchBrowser } from './browser';
import { cifarSource, ROOT } from './helpers';

/** Text of the page, read in the page (Lab skips rendering cells out of view, so textContent, not innerText). */
const bodyText = (page: { evaluate<R>(f: () => R): Promise<R> }) =>
  page.evaluate(
    () => (globalThis as unknown as { document: { body: { textContent: string } } }).document.body.textContent,
  );

test(
  'JupyterLab: a person edits the seed in a notebook’s parameters cell, runs all, and sees that seed’s runs and chart',
  { timeout: 300_000 },
  async (t) => {
    const browser = await launchBrowser();
    const port = await freePort();
    const token = crypto.randomBytes(16).toString('hex');
    // A copy, so that Lab's autosave never writes outputs into the committed notebook.
    const name = '_browser-test.ipynb';
    const copy = path.join(ROOT, 'notebooks', name);
    // Notebook 1, left open in a tab by "an earlier session": the test's cells must be found in its own panel.
    const other = '_browser-other.ipynb';
    const otherCopy = path.join(ROOT, 'notebooks', other);
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-lab-runs-'));
    // A workspace of the test's own (never the user's ~/.jupyter/lab/workspaces), holding that other tab.
    const workspaces = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-lab-workspaces-'));
    let lab: ReturnType<typeof spawnTracked> | null = null;
    let page: Awaited<ReturnType<typeof browser.newPage>> | null = null;
    try {
      fs.copyFileSync(path.join(ROOT, 'notebooks', '02-cifar10.ipynb'), copy);
      fs.copyFileSync(path.join(ROOT, 'notebooks', '01-toy-2d.ipynb'), otherCopy);
      fs.writeFileSync(
        path.join(workspaces, 'default-37a8.jupyterlab-workspace'),
        JSON.stringify({
          data: {
            'layout-restorer:data': {
              main: {
                dock: { type: 'tab-area', currentIndex: 0, widgets: [`notebook:${other}`] },
                current: `notebook:${other}`,
              },
            },
            [`notebook:${other}`]: { data: { path: other, factory: 'Notebook' } },
          },
          metadata: { id: 'default' },
        }),
      );
      lab = spawnTracked(
        path.join(ROOT, '.venv', 'bin', 'jupyter'),
        [
          'lab',
          '--ip=127.0.0.1',
          `--port=${port}`,
          '--no-browser',
          `--IdentityProvider.token=${token}`,
          `--notebook-dir=${path.join(ROOT, 'notebooks')}`,
          `--LabApp.workspaces_dir=${workspaces}`,
          ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
        ],
        {
          // No MIXUP_PROFILE / MIXUP_SEEDS: as under `npm run lab`, the parameters cell's literals decide.
          env: {
            ...Object.fromEntries(
              Object.entries(process.env).filter(([k]) => !/^MIXUP_(PROFILE|SEEDS?|PARAMS)$/.test(k)),
            ),
            MIXUP_RUNS_DIR: runs,
            MIXUP_CIFAR10: process.env.MIXUP_CIFAR10 ?? cifarSource(),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          signal: t.signal,
        },
      );
      let log = '';
      lab.stdout!.on('data', (b) => {
        log += b;
      });
      lab.stderr!.on('data', (b) => {
        log += b;
      });
      const started = Date.now();
      while (!log.includes(`127.0.0.1:${port}`)) {
        if (Date.now() - started > 60_000 || lab.exitCode !== null)
          throw new Error(`JupyterLab did not start:\n${log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const outside: string[] = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (!['127.0.0.1', ''].includes(u.hostname) && u.protocol !== 'data:') outside.push(r.url());
      });
      await page.goto(`http://127.0.0.1:${port}/lab/tree/${name}?token=${token}`);
      await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: 90_000 });
      // The kernel's display name in the toolbar means the tslab kernel has started.
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes(
            'TypeScript',
          ),
        undefined,
        { timeout: 60_000 },
      );
      // Under load the notebook can still be settling when the menu is used: Run All Cells then runs nothing (seen once
      // with both cores training, every prompt left at "[ ]"). Wait for the idle kernel, and ask again if no cell started.
      await page.waitForFunction(
        () =>
          /TypeScript\s*\|\s*Idle/.test(
            (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText,
          ),
        undefined,
        { timeout: 60_000 },
      );
      // Both tabs are open: every locator below is scoped to the test notebook's own panel.
      const panel = page.locator('.jp-NotebookPanel', { has: page.locator('.jp-CodeCell', { hasText: 'lab.cifar' }) });
      assert.equal(await page.locator('.lm-TabBar-tabLabel', { hasText: other }).count(), 1, 'the other tab is open');
      // Edit the parameters cell as a person would: its literals become the smoke profile and seed 7.
      const cell = panel.locator('.jp-CodeCell', { hasText: 'lab.params(' }).first();
      await cell.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      const nb = JSON.parse(fs.readFileSync(copy, 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
      const edited = nb.cells
        .find((c) => c.cell_type === 'code')!
        .source.join('')
        .replace(/\{ profile: 'quick', seeds: \[1\]/, "{ profile: 'smoke', seeds: [7]");
      assert.match(edited, /seeds: \[7\]/, 'the parameters cell has the literals this test edits');
      await page.keyboard.insertText(edited);
      for (let attempt = 1; ; attempt++) {
        await page.click('.lm-MenuBar-itemLabel:text-is("Run")');
        await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")');
        const started = await page
          .waitForFunction(
            () =>
              [
                ...(
                  globalThis as unknown as {
                    document: { querySelectorAll(s: string): { textContent: string | null }[] };
                  }
                ).document.querySelectorAll('.jp-InputPrompt'),
              ].some((e) => /\[(\*|\d+)\]/.test(e.textContent ?? '')),
            undefined,
            { timeout: 20_000 },
          )
          .then(
            () => true,
            () => false,
          );
        if (started) break;
        if (attempt === 3) throw new Error('Run All Cells started no cell, three times');
      }
      const chart = await page.waitForSelector(
        '.jp-OutputArea .vega-embed canvas, .jp-OutputArea .vega-embed svg.marks',
        { timeout: 180_000 },
      );
      const box = await chart.boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, 'the chart has a size');
      // The finding's table names the seed the cell asked for, and so do the runs' progress lines.
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes(
            'Finding.',
          ),
        undefined,
        { timeout: 180_000 },
      );
      const shown = await page.evaluate(
        () => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText,
      );
      assert.match(shown, /seeds\s+\[7\]\s+this cell/, 'the parameters table shows seed 7 from the cell');
      assert.match(shown, /profile\s+smoke\s+this cell/, 'and the profile from the cell');
      // Lab skips the rendering of cells scrolled out of view (content-visibility), which innerText leaves out: the
      // training cell's progress is read from the page's text content.
      const all = await page.evaluate(
        () => (globalThis as unknown as { document: { body: { textContent: string } } }).document.body.textContent,
      );
      assert.match(all, /ERM, seed 7/, "the run's progress names seed 7");
      assert.match(shown, /\nERM\s+7\s+\d/, "the table's ERM row lists seed 7");
      assert.doesNotMatch(all, /ERM, seed 1\b/, 'no run of the old seed');
      await chart.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifact('jupyterlab-notebook.png') });
      const errors = await page
        .locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        .count();
      assert.equal(errors, 0, 'no cell wrote an error');
      const text = await page.evaluate(
        () => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText,
      );
      assert.doesNotMatch(text, /official Jupyter news/i, "the project's Lab settings turn the news prompt off");

      // Stale results: the seed changed and only the parameters cell and the last cell rerun.
      await cell.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(edited.replace('seeds: [7]', 'seeds: [9]'));
      await page.keyboard.press('Shift+Enter');
      await panel.locator('.jp-CodeCell').last().locator('.cm-content').click();
      await page.keyboard.press('Shift+Enter');
      await page.waitForFunction(
        () =>
          /Stale: these results were computed with seeds 7 \(the cell now asks for 9\)/.test(
            (globalThis as unknown as { document: { body: { textContent: string } } }).document.body.textContent,
          ),
        undefined,
        { timeout: 60_000 },
      );

      // A mistake in notebook 1's parameters cell: one line naming alpha, before anything trains.
      await page.locator('.lm-TabBar-tabLabel', { hasText: other }).click();
      const toy = page.locator('.jp-NotebookPanel', { has: page.locator('.jp-CodeCell', { hasText: 'lab.toy' }) });
      const toyParams = toy.locator('.jp-CodeCell', { hasText: 'lab.params(' }).first();
      await toyParams.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      const toyNb = JSON.parse(fs.readFileSync(otherCopy, 'utf8')) as {
        cells: { cell_type: string; source: string[] }[];
      };
      const typo = toyNb.cells
        .find((c) => c.cell_type === 'code')!
        .source.join('')
        .replace("{ profile: 'quick', seeds: [1, 2, 3] }", "{ profile: 'smoke', seeds: [1], alpha: -1 }");
      assert.match(typo, /alpha: -1/);
      await page.keyboard.insertText(typo);
      await page.keyboard.press('Shift+Enter');
      const error = toyParams.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
      await error.waitFor({ timeout: 60_000 });
      const said = ((await error.textContent()) ?? '').trim();
      // Node shows an error with no trace as [Name: message].
      assert.match(said, /^\[?ParamError: the parameters cell: alpha = -1 is negative/, said);
      assert.equal(said.split('\n').length, 1, `one line, no stack trace: ${said}`);
      // Nothing ran past the parameters cell: the training cell has no output at all.
      assert.equal(
        await toy.locator('.jp-CodeCell').nth(1).locator('.jp-OutputArea-output').count(),
        0,
        'nothing trained',
      );
      await page.screenshot({ path: artifact('jupyterlab-param-error.png') });
      assert.deepEqual(outside, [], 'no request left 127.0.0.1');
    } catch (e) {
      // What the page showed when it failed, for the person reading the failure.
      await page?.screenshot({ path: artifact('jupyterlab-failure.png') }).catch(() => {});
      throw e;
    } finally {
      await browser.close();
      if (lab) await stopTree(lab);
      fs.rmSync(copy, { force: true });
      fs.rmSync(otherCopy, { force: true });
      fs.rmSync(runs, { recursive: true, force: true });
      fs.rmSync(workspaces, { recursive: true, force: true });
    }
  },
);

test('the exported report page shows its charts offline in a real browser', { timeout: 180_000 }, async (t) => {
  const browser = await launchBrowser();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-report-'));
  const runsBefore = process.env.MIXUP_RUNS_DIR;
  try {
    process.env.MIXUP_RUNS_DIR = path.join(tmp, 'runs');
    const timings = await executeNotebooks({
      ...parseArgs(['toy', '--profile', 'smoke', '--out', path.join(tmp, 'executed')]),
      signal: t.signal,
    });
    const index = await writeReport(timings, 'smoke', path.join(tmp, 'reports'));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const url = `file://${path.join(path.dirname(index), '01-toy-2d.html')}`;
    await page.goto(url);
    const charts = page.locator('.chart svg');
    assert.ok((await charts.count()) >= 2, 'the page shows its charts');
    const box = await charts.first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, 'a chart has a drawn size');
    assert.ok((await page.locator('.chart svg path, .chart svg rect').count()) > 20, 'charts have marks');
    assert.deepEqual(requests, [url], 'nothing but the page itself was requested');
    await page.screenshot({ path: artifact('report-01-toy-2d.png'), fullPage: true });
  } finally {
    await browser.close();
    if (runsBefore === undefined) delete process.env.MIXUP_RUNS_DIR;
    else process.env.MIXUP_RUNS_DIR = runsBefore;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
