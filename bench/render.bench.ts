// `npm run bench -- render [--slices 300] [--size 512] [--opens 5]`: the viewer in Debian's Chromium against a
// real `overread serve`, on a synthetic CT series written by `overread sample` (cached in os.tmpdir()).
// Every time is measured inside the page (performance.now, requestAnimationFrame, cornerstone's
// IMAGE_RENDERED event), never from Node, so Playwright's round trips are not counted:
//   - open → first image: from the Enter that opens the series in the worklist to the first rendered image,
//     in a fresh browser context each time (empty HTTP cache); the first open after the server starts is
//     reported apart (the server's own caches are cold then).
//   - scroll: one wheel step per animation frame from the first slice to the last, cold (slices fetched as
//     they are reached, three prefetched each side) and again warm (cornerstone's cache full). Frame time =
//     interval between animation frames while scrolling; latency = wheel step → that slice on screen.
//   - scroll with a 10 mm thick-slab MIP (T), warm: each step's maximum (the viewer starts from the previous
//     step's, slabMaximum).
//   - the coronal and sagittal planes (V), the series cached: V → both planes on screen; the warm scroll again
//     with them on (each step moves their crosshair); one wheel step per frame on the sagittal plane (each step
//     gathers a new plane from the cached slices and draws it), step → that plane on screen; the same steps with
//     the 10 mm slab on (each plane then the maximum over the slab's columns).
// Reference in the same run and page: the floor — the same slices (fetched beforehand from the same API),
// windowed to grey in plain JavaScript and drawn with putImageData + drawImage into a 2D canvas of the same
// on-screen size, one per animation frame; no cornerstone, no overlays, no fetch while scrolling. For the MIP,
// the floor takes the maximum over all the same slab's slices in plain JavaScript before drawing, every step (the
// straightforward way, which the viewer's reuse of the previous slab now beats); for a plane, it
// gathers the same column of every slice, windows and draws it into a canvas of the pane's size.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { printTable } from './report.ts';
import { startServe } from '../tests/e2e/serve-process.ts';

const CHROMIUM = '/usr/bin/chromium';

function sampleSeries(size: number, slices: number): string {
  const dir = path.join(os.tmpdir(), `overread-bench-render-${size}x${size}x${slices}`);
  if (existsSync(dir)) return dir;
  console.error(`generating a ${slices}-slice ${size}×${size} sample study with overread sample…`);
  const scratch = `${dir}.tmp-${process.pid}`;
  execFileSync(
    process.execPath,
    ['bin/overread.js', 'sample', scratch, '--size', String(size), '--slices', String(slices), '--seed', '7'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  renameSync(scratch, dir);
  return dir;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const median = (values: number[]) => percentile(values, 50);

interface ScrollResult {
  frames: number[];
  latencies: number[];
  shown: number;
  steps: number;
  wallMs: number;
}

// In-page code is passed as strings: the bench runs under tsx, whose transforms may add helpers (__name) that
// do not exist in the page.

/** Imports `dir` through the API and waits for the job; returns the series UID of the one series. */
const IMPORT = `async (dir) => {
  const post = await fetch('/api/import', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paths: [dir] }),
  });
  if (!post.ok) throw new Error('import: ' + post.status + ' ' + (await post.text()));
  let job = await post.json();
  while (job.state === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    job = await (await fetch('/api/jobs/' + job.id)).json();
  }
  if (job.state !== 'done') throw new Error('import ' + job.state + ': ' + job.message);
  // With a model installed the import queues a run: cancel it, the bench measures the viewer alone.
  for (const running of await (await fetch('/api/jobs')).json()) {
    if (running.kind === 'model') await fetch('/api/jobs/' + running.id + '/cancel', { method: 'POST' });
  }
  for (let i = 0; i < 300 && (await (await fetch('/api/jobs')).json()).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const list = await (await fetch('/api/worklist?limit=10')).json();
  return list.items[0].seriesUid;
}`;

/** Arms a timer from the next Enter (capture phase, before the app sees it) to cornerstone's first render. */
const ARM_OPEN = `() => {
  window.__open = new Promise((resolve) => {
    let start = 0;
    document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !start) start = performance.now(); }, { capture: true });
    const viewport = document.getElementById('viewport');
    viewport.addEventListener('cornerstoneimagerendered', () => resolve(performance.now() - start), { once: true });
  });
}`;

/** The floor for opening: the same two requests the viewer needs (series, one slice) drawn into a 2D canvas. */
const OPEN_FLOOR = `async (uid) => {
  const start = performance.now();
  const info = await (await fetch('/api/series/' + uid)).json();
  const k = Math.floor(info.slices / 2);
  const response = await fetch('/api/series/' + uid + '/slices/' + k);
  const float = response.headers.get('x-pixel-type') === 'float32';
  const buffer = await response.arrayBuffer();
  const values = float ? new Float32Array(buffer) : new Int16Array(buffer);
  const canvas = document.createElement('canvas');
  canvas.width = info.columns; canvas.height = info.rows;
  document.body.append(canvas);
  const image = new ImageData(info.columns, info.rows);
  const low = info.windowCenter - info.windowWidth / 2, gain = 255 / info.windowWidth;
  for (let i = 0; i < values.length; i++) {
    const g = (values[i] - low) * gain; const v = g < 0 ? 0 : g > 255 ? 255 : g;
    image.data[i * 4] = v; image.data[i * 4 + 1] = v; image.data[i * 4 + 2] = v; image.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d').putImageData(image, 0, 0);
  await new Promise((r) => requestAnimationFrame(() => r()));
  canvas.remove();
  return performance.now() - start;
}`;

/** One wheel step per animation frame over cornerstone's element, first slice to last. */
const SCROLL_VIEWER = `async (slices) => {
  const viewport = document.getElementById('viewport');
  const corner = document.getElementById('corner-bottom-left');
  const current = () => Number(/Slice (\\d+)/.exec(corner.textContent)[1]) - 1;
  const targets = []; const latencies = []; const frames = []; const seen = new Set();
  let waiting = 0;
  viewport.addEventListener('cornerstoneimagerendered', () => {
    const now = performance.now(); const k = current(); seen.add(k);
    while (waiting < targets.length && targets[waiting].k <= k) { latencies.push(now - targets[waiting].t); waiting++; }
  });
  return await new Promise((resolve) => {
    let last = 0; let next = 1; const start = performance.now();
    const frame = (t) => {
      if (last) frames.push(t - last);
      last = t;
      if (next < slices) {
        targets.push({ k: next, t: performance.now() });
        viewport.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, bubbles: true, cancelable: true }));
        next++;
      }
      if (waiting >= targets.length && next >= slices) {
        resolve({ frames, latencies, shown: seen.size, steps: slices - 1, wallMs: performance.now() - start });
      } else if (performance.now() - start > 60000) {
        resolve({ frames, latencies, shown: seen.size, steps: slices - 1, wallMs: NaN });
      } else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}`;

/** The floor: all slices fetched first, then one windowed putImageData + scaled drawImage per frame. */
const SCROLL_FLOOR = `async (uid, slabMm) => {
  const info = await (await fetch('/api/series/' + uid)).json();
  const fetchStart = performance.now();
  const slices = [];
  for (let k = 0; k < info.slices; k++) {
    const r = await fetch('/api/series/' + uid + '/slices/' + k);
    const float = r.headers.get('x-pixel-type') === 'float32';
    const buffer = await r.arrayBuffer();
    slices.push(float ? new Float32Array(buffer) : new Int16Array(buffer));
  }
  const fetchMs = performance.now() - fetchStart;
  const target = document.querySelector('#viewport canvas');
  const canvas = document.createElement('canvas');
  canvas.width = target.width; canvas.height = target.height;
  canvas.style.cssText = 'position:fixed;left:0;top:0;z-index:99';
  document.body.append(canvas);
  const context = canvas.getContext('2d');
  const scratch = document.createElement('canvas');
  scratch.width = info.columns; scratch.height = info.rows;
  const scratchContext = scratch.getContext('2d');
  const image = new ImageData(info.columns, info.rows);
  const scale = Math.min(canvas.width / info.columns, canvas.height / info.rows);
  const low = info.windowCenter - info.windowWidth / 2, gain = 255 / info.windowWidth;
  // A slab: slices within slabMm / 2 of slice k's position (the viewer's rule), their maximum.
  const positions = info.slicePositionsMm;
  const projected = new Float32Array(info.rows * info.columns);
  const slab = (k) => {
    if (!slabMm) return slices[k];
    let first = k, last = k;
    while (first > 0 && Math.abs(positions[first - 1] - positions[k]) <= slabMm / 2 + 1e-3) first--;
    while (last < slices.length - 1 && Math.abs(positions[last + 1] - positions[k]) <= slabMm / 2 + 1e-3) last++;
    projected.set(slices[first]);
    for (let j = first + 1; j <= last; j++) {
      const s = slices[j];
      for (let i = 0; i < s.length; i++) if (s[i] > projected[i]) projected[i] = s[i];
    }
    return projected;
  };
  const draw = (values) => {
    const data = image.data;
    for (let i = 0; i < values.length; i++) {
      const g = (values[i] - low) * gain; const v = g < 0 ? 0 : g > 255 ? 255 : g;
      data[i * 4] = v; data[i * 4 + 1] = v; data[i * 4 + 2] = v; data[i * 4 + 3] = 255;
    }
    scratchContext.putImageData(image, 0, 0);
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(scratch, (canvas.width - info.columns * scale) / 2, (canvas.height - info.rows * scale) / 2,
      info.columns * scale, info.rows * scale);
  };
  const frames = []; const latencies = [];
  const result = await new Promise((resolve) => {
    let last = 0; let k = 1; const start = performance.now();
    const frame = (t) => {
      if (last) frames.push(t - last);
      last = t;
      const input = performance.now();
      draw(slab(k));
      latencies.push(performance.now() - input);
      k++;
      if (k < info.slices) requestAnimationFrame(frame);
      else resolve({ frames, latencies, shown: info.slices - 1, steps: info.slices - 1, wallMs: performance.now() - start });
    };
    requestAnimationFrame(frame);
  });
  canvas.remove();
  return { ...result, fetchMs };
}`;

/** From the V that opens the planes (capture phase) until both show a whole plane (labels no longer loading). */
const ARM_PLANES = `() => {
  window.__planes = new Promise((resolve) => {
    let start = 0;
    const panes = [...document.querySelectorAll('#plane-panes .plane-frame')];
    const done = () => panes.every((p) => /^(Coronal|Sagittal) · (row|column) \\d+ \\/ \\d+$/.test(p.querySelector('.plane-label').textContent));
    document.addEventListener('keydown', (e) => { if (e.key === 'v' && !start) start = performance.now(); }, { capture: true });
    for (const pane of panes) {
      pane.querySelector('.plane-viewport').addEventListener('cornerstoneimagerendered', () => {
        if (start && done()) resolve(performance.now() - start);
      });
    }
  });
}`;

/** One wheel step per animation frame on the sagittal plane; latency = step → the new plane rendered. */
const STEP_PLANE = `async (steps) => {
  const frame = document.getElementById('plane-column');
  const pane = frame.querySelector('.plane-viewport');
  const label = frame.querySelector('.plane-label');
  const index = () => Number(/column (\\d+)/.exec(label.textContent)[1]);
  const targets = []; const latencies = []; const frames = [];
  let waiting = 0;
  pane.addEventListener('cornerstoneimagerendered', () => {
    const now = performance.now(); const shown = index();
    while (waiting < targets.length && targets[waiting].index <= shown) { latencies.push(now - targets[waiting].t); waiting++; }
  });
  const first = index();
  return await new Promise((resolve) => {
    let last = 0; let n = 0; const start = performance.now();
    const tick = (t) => {
      if (last) frames.push(t - last);
      last = t;
      if (n < steps) {
        n++;
        targets.push({ index: first + n, t: performance.now() });
        pane.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, bubbles: true, cancelable: true }));
      }
      if (waiting >= targets.length && n >= steps) resolve({ frames, latencies, shown: latencies.length, steps, wallMs: performance.now() - start });
      else if (performance.now() - start > 60000) resolve({ frames, latencies, shown: latencies.length, steps, wallMs: NaN });
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}`;

/** The floor for a plane step: the same column of every slice gathered, windowed and drawn at the pane's size. */
const PLANE_FLOOR = `async (uid, steps, first) => {
  const info = await (await fetch('/api/series/' + uid)).json();
  const slices = [];
  for (let k = 0; k < info.slices; k++) {
    const r = await fetch('/api/series/' + uid + '/slices/' + k);
    const buffer = await r.arrayBuffer();
    slices.push(r.headers.get('x-pixel-type') === 'float32' ? new Float32Array(buffer) : new Int16Array(buffer));
  }
  const target = document.querySelector('#plane-column canvas');
  const canvas = document.createElement('canvas');
  canvas.width = target.width; canvas.height = target.height;
  canvas.style.cssText = 'position:fixed;left:0;top:0;z-index:99';
  document.body.append(canvas);
  const context = canvas.getContext('2d');
  const width = info.rows, height = info.slices;
  const scratch = document.createElement('canvas');
  scratch.width = width; scratch.height = height;
  const scratchContext = scratch.getContext('2d');
  const image = new ImageData(width, height);
  const low = info.windowCenter - info.windowWidth / 2, gain = 255 / info.windowWidth;
  const gaps = info.slicePositionsMm.slice(1).map((p, k) => Math.abs(p - info.slicePositionsMm[k])).sort((a, b) => a - b);
  const aspect = gaps[Math.floor(gaps.length / 2)] / info.pixelSpacingMm[0];
  const scale = Math.min(canvas.width / width, canvas.height / (height * aspect));
  const draw = (column) => {
    const data = image.data;
    for (let r = 0; r < height; r++) {
      const slice = slices[height - 1 - r];
      for (let x = 0; x < width; x++) {
        const g = (slice[x * info.columns + column] - low) * gain; const v = g < 0 ? 0 : g > 255 ? 255 : g;
        const i = (r * width + x) * 4;
        data[i] = v; data[i + 1] = v; data[i + 2] = v; data[i + 3] = 255;
      }
    }
    scratchContext.putImageData(image, 0, 0);
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(scratch, (canvas.width - width * scale) / 2, (canvas.height - height * aspect * scale) / 2,
      width * scale, height * aspect * scale);
  };
  const frames = []; const latencies = [];
  const result = await new Promise((resolve) => {
    let last = 0; let n = 0; const start = performance.now();
    const tick = (t) => {
      if (last) frames.push(t - last);
      last = t;
      const input = performance.now();
      draw(first + n);
      latencies.push(performance.now() - input);
      n++;
      if (n < steps) requestAnimationFrame(tick);
      else resolve({ frames, latencies, shown: steps, steps, wallMs: performance.now() - start });
    };
    requestAnimationFrame(tick);
  });
  canvas.remove();
  return result;
}`;

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.locator('#worklist-body tr').first().waitFor();
  // First run on an empty dataset asks who is reading; answer it like a user.
  if (await page.locator('#reader-dialog[open]').count()) {
    await page.getByLabel('Reader name').fill('bench');
    await page.getByRole('button', { name: 'Start reading' }).click();
  }
  return page;
}

async function openToFirstImage(browser: Browser, url: string): Promise<number> {
  const page = await openPage(browser, url);
  try {
    await page.evaluate(`(${ARM_OPEN})()`);
    await page.locator('body').press('Enter');
    return (await page.evaluate('window.__open')) as number;
  } finally {
    await page.context().close();
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { slices: { type: 'string' }, size: { type: 'string' }, opens: { type: 'string' } },
  });
  const slices = Number(values.slices ?? 300);
  const size = Number(values.size ?? 512);
  const opens = Number(values.opens ?? 5);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  execFileSync(process.execPath, ['scripts/build-renderer.js'], { stdio: 'inherit' });
  const dir = sampleSeries(size, slices);
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-bench-render-db-'));
  // No extra model; a bundled one's run is cancelled after the import (it would compete for the CPU).
  const server = await startServe(path.join(work, 'bench.db'), ['--models', path.join(work, 'no-models')]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const setup = await browser.newPage();
    await setup.goto(server.url);
    const uid = (await setup.evaluate(`(${IMPORT})(${JSON.stringify(path.resolve(dir))})`)) as string;
    await setup.context().close();

    const firstOpen = await openToFirstImage(browser, server.url);
    const opened: number[] = [];
    for (let i = 0; i < opens; i++) opened.push(await openToFirstImage(browser, server.url));

    const page = await openPage(browser, server.url);
    const openFloor: number[] = [];
    for (let i = 0; i < opens; i++) {
      openFloor.push((await page.evaluate(`(${OPEN_FLOOR})(${JSON.stringify(uid)})`)) as number);
    }
    await page.locator('body').press('Enter');
    await page.waitForFunction(() =>
      /Slice \d+ \//.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    await page.locator('body').press('Home');
    await page.waitForFunction(() =>
      /^Slice 1 \//.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    const cold = (await page.evaluate(`(${SCROLL_VIEWER})(${slices})`)) as ScrollResult;
    await page.waitForTimeout(2000); // let the background prefetch finish: "warm" means the stack is in memory
    await page.locator('body').press('Home');
    await page.waitForFunction(() =>
      /^Slice 1 \//.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    const warm = (await page.evaluate(`(${SCROLL_VIEWER})(${slices})`)) as ScrollResult;
    // The same warm scroll over a 10 mm thick-slab MIP (T).
    await page.locator('body').press('t');
    await page.locator('body').press('Home');
    await page.waitForFunction(() =>
      /^Slice 1 \/[\s\S]*MIP 10 mm/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    const mip = (await page.evaluate(`(${SCROLL_VIEWER})(${slices})`)) as ScrollResult;
    const slabText = /MIP 10 mm · slices (\d+)–(\d+)/.exec(
      (await page.locator('#corner-bottom-left').textContent()) ?? '',
    );
    const floor = (await page.evaluate(`(${SCROLL_FLOOR})(${JSON.stringify(uid)}, 0)`)) as ScrollResult & {
      fetchMs: number;
    };
    const mipFloor = (await page.evaluate(`(${SCROLL_FLOOR})(${JSON.stringify(uid)}, 10)`)) as ScrollResult;

    // The coronal and sagittal planes (V), the series in cornerstone's cache by now.
    await page.locator('body').press('t');
    await page.locator('body').press('Home');
    await page.waitForFunction(
      () => !/MIP/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    await page.evaluate(`(${ARM_PLANES})()`);
    await page.locator('body').press('v');
    const planesOpen = (await page.evaluate('window.__planes')) as number;
    await page.locator('body').press('Home');
    await page.waitForFunction(() =>
      /^Slice 1 \//.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
    const withPlanes = (await page.evaluate(`(${SCROLL_VIEWER})(${slices})`)) as ScrollResult;
    const planeSteps = Math.min(100, Math.floor(size / 3));
    const firstColumn = Number(
      /column (\d+)/.exec((await page.locator('#plane-column .plane-label').textContent()) ?? '')![1],
    );
    const stepped = (await page.evaluate(`(${STEP_PLANE})(${planeSteps})`)) as ScrollResult;
    // The same steps with the thick slab on: each step gathers the maximum over the slab's columns.
    await page.locator('body').press('t');
    await page.waitForFunction(() =>
      /\nMIP 10 mm · columns \d+–\d+$/.test(
        document.querySelector('#plane-column .plane-label')?.textContent ?? '',
      ),
    );
    const slabColumns = /columns (\d+)–(\d+)$/
      .exec((await page.locator('#plane-column .plane-label').textContent()) ?? '')!
      .slice(1)
      .map(Number);
    const steppedSlab = (await page.evaluate(`(${STEP_PLANE})(${planeSteps})`)) as ScrollResult;
    await page.locator('body').press('t');
    const stepFloor = (await page.evaluate(
      `(${PLANE_FLOOR})(${JSON.stringify(uid)}, ${planeSteps}, ${firstColumn})`,
    )) as ScrollResult;
    await page.context().close();

    const title = `Viewer in Chromium (${CHROMIUM}, software rendering): ${slices} slices of ${size}×${size}, overread serve on 127.0.0.1`;
    printTable(title, [
      {
        what: 'scroll frame time p95, warm',
        unit: 'ms',
        ours: percentile(warm.frames, 95),
        reference: percentile(floor.frames, 95),
        referenceName: 'plain 2D canvas putImageData (floor)',
        higherIsBetter: false,
        goal: '≤ 16.7 ms',
      },
      {
        what: 'scroll frame time p95, cold (fetching as it scrolls)',
        unit: 'ms',
        ours: percentile(cold.frames, 95),
        reference: percentile(floor.frames, 95),
        referenceName: 'plain 2D canvas putImageData (floor)',
        higherIsBetter: false,
        goal: '≤ 16.7 ms',
      },
      {
        what: 'scroll frame time p95, warm, 10 mm MIP',
        unit: 'ms',
        ours: percentile(mip.frames, 95),
        reference: percentile(mipFloor.frames, 95),
        referenceName: 'plain 2D canvas: max over the whole slab each step + putImageData',
        higherIsBetter: false,
        goal: '≤ 16.7 ms',
      },
      {
        what: 'wheel step → slab on screen p95, warm, 10 mm MIP',
        unit: 'ms',
        ours: percentile(mip.latencies, 95),
        reference: percentile(mipFloor.latencies, 95),
        referenceName: 'plain canvas: whole-slab max + draw time in the same frame',
        higherIsBetter: false,
      },
      {
        what: 'scroll frame time p95, warm, coronal and sagittal planes on',
        unit: 'ms',
        ours: percentile(withPlanes.frames, 95),
        reference: percentile(floor.frames, 95),
        referenceName: 'plain 2D canvas putImageData (floor)',
        higherIsBetter: false,
        goal: '≤ 16.7 ms',
      },
      {
        what: 'sagittal plane frame time p95, one wheel step per frame',
        unit: 'ms',
        ours: percentile(stepped.frames, 95),
        reference: percentile(stepFloor.frames, 95),
        referenceName: 'plain 2D canvas: gather the column + putImageData (floor)',
        higherIsBetter: false,
        goal: '≤ 16.7 ms',
      },
      {
        what: 'wheel step → sagittal plane on screen p95',
        unit: 'ms',
        ours: percentile(stepped.latencies, 95),
        reference: percentile(stepFloor.latencies, 95),
        referenceName: 'floor: gather + draw time in the same frame',
        higherIsBetter: false,
      },
      {
        what: `sagittal 10 mm MIP plane (${slabColumns[1]! - slabColumns[0]! + 1} columns) frame time p95, one wheel step per frame`,
        unit: 'ms',
        ours: percentile(steppedSlab.frames, 95),
        higherIsBetter: false,
        goal: '≤ 16.7 ms',
      },
      {
        what: 'wheel step → sagittal 10 mm MIP plane on screen p95',
        unit: 'ms',
        ours: percentile(steppedSlab.latencies, 95),
        higherIsBetter: false,
      },
      {
        what: 'V → both planes on screen, series cached',
        unit: 'ms',
        ours: planesOpen,
        reference: 2 * median(stepFloor.latencies),
        referenceName: 'floor: two planes gathered + drawn (2 × draw p50)',
        higherIsBetter: false,
      },
      {
        what: 'wheel step → slice on screen p95, warm',
        unit: 'ms',
        ours: percentile(warm.latencies, 95),
        reference: percentile(floor.latencies, 95),
        referenceName: 'floor: draw time in the same frame',
        higherIsBetter: false,
      },
      {
        what: 'wheel step → slice on screen p95, cold',
        unit: 'ms',
        ours: percentile(cold.latencies, 95),
        reference: percentile(floor.latencies, 95),
        referenceName: 'floor: draw time in the same frame',
        higherIsBetter: false,
      },
      {
        what: `open → first image, median of ${opens} (fresh context)`,
        unit: 'ms',
        ours: median(opened),
        reference: median(openFloor),
        referenceName: 'floor: GET series + GET slice + putImageData',
        higherIsBetter: false,
        goal: '≤ 1000 ms',
      },
      {
        what: 'open → first image, first after server start',
        unit: 'ms',
        ours: firstOpen,
        higherIsBetter: false,
        goal: '≤ 1000 ms',
      },
    ]);
    console.log(
      [
        `Scroll, cold: ${cold.shown} of ${cold.steps + 1} slices drawn (the rest overtaken by the next step), ` +
          `${cold.steps} steps in ${cold.wallMs.toFixed(0)} ms, frame p50 ${median(cold.frames).toFixed(1)} ms, max ${Math.max(...cold.frames).toFixed(1)} ms.`,
        `Scroll, warm: ${warm.shown} of ${warm.steps + 1} slices drawn, ${warm.steps} steps in ${warm.wallMs.toFixed(0)} ms, ` +
          `frame p50 ${median(warm.frames).toFixed(1)} ms, max ${Math.max(...warm.frames).toFixed(1)} ms.`,
        `Scroll, warm, 10 mm MIP (${slabText ? Number(slabText[2]) - Number(slabText[1]) + 1 : '?'} slices in the slab at the last slice, clipped by the stack's end): ${mip.shown} of ${mip.steps + 1} slabs drawn, ` +
          `${mip.steps} steps in ${mip.wallMs.toFixed(0)} ms, frame p50 ${median(mip.frames).toFixed(1)} ms, max ${Math.max(...mip.frames).toFixed(1)} ms; ` +
          `floor frame p50 ${median(mipFloor.frames).toFixed(1)} ms, max + draw p50 ${median(mipFloor.latencies).toFixed(2)} ms.`,
        `Floor: ${floor.steps} steps in ${floor.wallMs.toFixed(0)} ms, frame p50 ${median(floor.frames).toFixed(1)} ms, ` +
          `draw p50 ${median(floor.latencies).toFixed(2)} ms; fetching all ${slices} slices one by one took ${floor.fetchMs.toFixed(0)} ms.`,
        `Open → first image, each fresh context (ms): ${opened.map((v) => v.toFixed(0)).join(', ')}.`,
        `Planes on: scroll ${withPlanes.shown} of ${withPlanes.steps + 1} slices drawn, frame p50 ${median(withPlanes.frames).toFixed(1)} ms; ` +
          `sagittal plane ${stepped.shown} of ${stepped.steps} steps drawn, frame p50 ${median(stepped.frames).toFixed(1)} ms, ` +
          `step → on screen p50 ${median(stepped.latencies).toFixed(1)} ms; floor gather + draw p50 ${median(stepFloor.latencies).toFixed(2)} ms.`,
        `Sagittal 10 mm MIP plane: ${steppedSlab.shown} of ${steppedSlab.steps} steps drawn, frame p50 ${median(steppedSlab.frames).toFixed(1)} ms, ` +
          `max ${Math.max(...steppedSlab.frames).toFixed(1)} ms, step → on screen p50 ${median(steppedSlab.latencies).toFixed(1)} ms.`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
