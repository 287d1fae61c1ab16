// Page object of the Overread renderer for the end-to-end tests: the worklist, the viewer and its review
// panel, reached the way a user reaches them (buttons by their accessible names, keys from the sheet).
import type { Page, Response } from 'playwright-core';
import type { FindingInfo } from '../../../src/shared/api-types.ts';
import { findColour, type ColourHits } from '../canvas-pixels.ts';

export interface FindingRow {
  title: string;
  detail: string;
  decision: string;
  selected: boolean;
}

export interface WorklistRow {
  patient: string;
  patientId: string;
  series: string;
  /** The Largest column: the model's largest finding across. */
  largest: string;
  status: string;
  findings: string;
}

export class OverreadApp {
  constructor(readonly page: Page) {}

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByRole('table', { name: 'Series to read' }).waitFor();
  }

  /** Answers the first-run "Who is reading?" dialog. */
  async chooseReader(name: string): Promise<void> {
    const dialog = this.page.getByRole('dialog', { name: 'Who is reading?' });
    await dialog.waitFor();
    await dialog.getByLabel('Reader name').fill(name);
    await dialog.getByRole('button', { name: 'Start reading' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await this.page.waitForFunction(
      (expected) => document.getElementById('session-line')?.textContent?.startsWith(expected),
      name,
    );
  }

  // ── worklist ──────────────────────────────────────────────────────────────

  async importPaths(paths: string[]): Promise<void> {
    await this.page.getByRole('button', { name: 'Import…' }).click();
    await this.page.getByLabel('Paths to import').fill(paths.join('\n'));
    await this.page.getByRole('button', { name: 'Import', exact: true }).click();
  }

  /** From now on, remembers the accessible name of every progress bar the top bar shows (they come and go). */
  async recordProgressBars(): Promise<void> {
    // A string, not a function: tsx names inner arrow functions with a helper that does not exist in the page.
    await this.page.evaluate(`(() => {
      const seen = (window.progressSeen = new Set());
      const note = () =>
        document.querySelectorAll('#jobs progress').forEach((bar) =>
          seen.add(bar.getAttribute('aria-label') + (bar.hasAttribute('value') ? ' determinate' : ' indeterminate')),
        );
      new MutationObserver(note).observe(document.getElementById('jobs'), {
        childList: true, subtree: true, attributes: true,
      });
    })()`);
  }

  progressBarsSeen(): Promise<string[]> {
    return this.page.evaluate(() =>
      [...(window as unknown as { progressSeen: Set<string> }).progressSeen].sort(),
    );
  }

  async showAllStatuses(): Promise<void> {
    await this.page.getByLabel('Status filter').selectOption('all');
  }

  worklistRows(): Promise<WorklistRow[]> {
    // Cells are found by their column's header, so a new column does not shift what the tests read. (No named
    // function inside: tsx would wrap it in a helper the page does not have.)
    return this.page.$$eval('#worklist-body tr', (rows) => {
      const headers = Array.from(document.querySelectorAll('#worklist-table thead th'), (th) =>
        (th.textContent ?? '').trim(),
      );
      const [patient, patientId, series, largest, findings, status] = [
        'Patient',
        'Patient ID',
        'Series',
        'Largest',
        'Findings',
        'Status',
      ].map((h) => headers.indexOf(h));
      return rows.map((row) => {
        const cells = Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? '');
        return {
          patient: cells[patient!]!,
          patientId: cells[patientId!]!,
          series: cells[series!]!,
          largest: cells[largest!]!,
          findings: cells[findings!]!,
          status: cells[status!]!,
        };
      });
    });
  }

  /** Waits until the worklist shows `count` series, none of them still waiting for the model. */
  async waitForTriagedSeries(count: number, timeout = 90_000): Promise<void> {
    await this.page.waitForFunction(
      (expected) => {
        const statuses = Array.from(
          document.querySelectorAll('#worklist-body tr td:last-child'),
          (td) => td.textContent,
        );
        return statuses.length >= expected && statuses.every((s) => s !== 'Unread' && s !== 'Model running');
      },
      count,
      { timeout, polling: 500 },
    );
  }

  /** Reloads the app (after API calls changed its state), lists every status, and returns the Done row. */
  async reloadToDoneRow(): Promise<number> {
    await this.page.reload();
    await this.page.getByRole('table', { name: 'Series to read' }).waitFor();
    await this.showAllStatuses();
    const rows = await this.worklistRows();
    const done = rows.findIndex((row) => row.status === 'Done');
    if (done < 0) throw new Error(`no done series in ${JSON.stringify(rows)}`);
    return done;
  }

  async refreshWorklist(): Promise<void> {
    await this.page.reload();
    await this.page.getByRole('table', { name: 'Series to read' }).waitFor();
  }

  /** How many pixels wider than its window the worklist is (0 when it fits). */
  worklistOverflow(): Promise<number> {
    return this.page.evaluate(() => {
      const wrap = document.querySelector('#worklist-body')!.closest('.table-wrap')!;
      return wrap.scrollWidth - wrap.clientWidth;
    });
  }

  async openSelectedSeries(): Promise<void> {
    // The table is in the page from the start; its rows come with the first worklist answer, which a loaded
    // machine can deliver after the test is ready to press Enter (nothing to open yet: a CI run waited 30 s).
    await this.page.locator('#worklist-body tr[aria-selected="true"]').waitFor();
    await this.page.locator('body').press('Enter');
    await this.waitForViewer();
  }

  // ── viewer ────────────────────────────────────────────────────────────────

  /**
   * Waits until the viewer shows a series: the view says which (data-series-uid, set once the series' first
   * slice is drawn and cleared when another starts opening), so a stale view of the previous series never
   * passes.
   */
  async waitForViewer(): Promise<void> {
    await this.page.getByRole('region', { name: 'Viewer' }).waitFor();
    await this.page.waitForFunction(
      () =>
        document.getElementById('viewer-view')?.dataset['seriesUid'] !== undefined &&
        /Slice \d+ \/ \d+/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
    );
  }

  /** The text of the element `selector` names ('' when it has none). */
  async text(selector: string): Promise<string> {
    return (await this.page.locator(selector).textContent()) ?? '';
  }

  async sliceText(): Promise<string> {
    return (await this.page.locator('#corner-bottom-left').textContent()) ?? '';
  }

  findings(): Promise<FindingRow[]> {
    return this.page.$$eval('#findings-list li', (items) =>
      items.map((li) => ({
        title: li.querySelector('.finding-title')?.textContent ?? '',
        detail: li.querySelector('.finding-detail')?.textContent ?? '',
        decision: li.querySelector('.finding-decision')?.textContent ?? '',
        selected: li.classList.contains('selected'),
      })),
    );
  }

  /** Waits until the review panel lists `count` findings. */
  async waitForFindingCount(count: number, timeout = 15_000): Promise<void> {
    await this.page.waitForFunction(
      (n) => document.querySelectorAll('#findings-list li').length === n,
      count,
      { timeout },
    );
  }

  /** Waits until finding `index`'s decision text starts with `text` (e.g. "Confirmed", "Rejected — vessel"). */
  async waitForDecision(index: number, text: string, timeout = 15_000): Promise<void> {
    await this.page.waitForFunction(
      ([i, expected]) =>
        (
          document.querySelectorAll('#findings-list .finding-decision')[i as number]?.textContent ?? ''
        ).startsWith(expected as string),
      [index, text] as const,
      { timeout },
    );
  }

  async selectFinding(index: number): Promise<void> {
    await this.page.locator('#findings-list li').nth(index).getByRole('button').click();
  }

  /** Selects the first finding of series `uid` still pending in the list, and waits for its focus slice. */
  async selectPendingFinding(uid: string): Promise<FindingInfo> {
    const findings = await this.apiJson<FindingInfo[]>(`/api/series/${encodeURIComponent(uid)}/findings`);
    const listed = await this.findings();
    const index = listed.findIndex((f) => f.decision === 'Pending');
    if (index < 0) throw new Error(`no pending finding: ${JSON.stringify(listed)}`);
    const finding = findings[index]!;
    await this.selectFinding(index);
    await this.waitForSlice(finding.focusSlice + 1);
    return finding;
  }

  async press(key: string): Promise<void> {
    await this.page.locator('body').press(key);
  }

  /** Presses a key and waits for the API call it makes (method + URL pattern); returns the response. */
  async pressAndWait(key: string, method: string, url: RegExp): Promise<Response> {
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => r.request().method() === method && url.test(r.url())),
      this.press(key),
    ]);
    return response;
  }

  /** Drags on the image (as dragOnImage) and waits for the API call the stroke makes; returns the response. */
  async dragAndWait(
    from: { x: number; y: number },
    to: { x: number; y: number },
    method: string,
    url: RegExp,
  ): Promise<Response> {
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => r.request().method() === method && url.test(r.url())),
      this.dragOnImage(from, to),
    ]);
    return response;
  }

  /** Waits until the corner shows slice n (1-based, as the reader sees it). */
  async waitForSlice(n: number): Promise<void> {
    await this.page.waitForFunction(
      (k) =>
        new RegExp(`^Slice ${k} /`).test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
      n,
    );
  }

  viewportFrame() {
    return this.page.locator('#viewport-frame');
  }

  async viewportScreenshot(path?: string): Promise<Buffer> {
    return this.viewportFrame().screenshot(path ? { path } : {});
  }

  /** Screenshots the viewport until at least `minimum` pixels show `rgb` (overlays draw after their fetches). */
  async waitForColour(rgb: [number, number, number], minimum: number, timeout = 10_000): Promise<ColourHits> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const hits = findColour(await this.viewportScreenshot(), rgb);
      if (hits.count >= minimum || Date.now() > deadline) return hits;
      await this.page.waitForTimeout(200);
    }
  }

  /** Screenshots the viewport until no pixel shows `rgb`; returns how many still did at the deadline. */
  async waitForColourGone(rgb: [number, number, number], timeout = 10_000): Promise<number> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const { count } = findColour(await this.viewportScreenshot(), rgb);
      if (count === 0 || Date.now() > deadline) return count;
      await this.page.waitForTimeout(200);
    }
  }

  /**
   * Image pixel → position in the viewport frame (the coordinates dragOnImage takes), from two readings of the
   * pixel under the pointer in the lower left corner: the viewport's scale and offset (square screen pixels).
   */
  async imageToFrame(): Promise<(column: number, row: number) => { x: number; y: number }> {
    const frame = (await this.viewportFrame().boundingBox())!;
    const probe = async (x: number, y: number) => {
      await this.page.mouse.move(frame.x + x, frame.y + y);
      await this.page.waitForFunction(() =>
        / at \d+, \d+$/.test(document.getElementById('corner-bottom-left')?.textContent ?? ''),
      );
      const match = / at (\d+), (\d+)$/.exec(await this.text('#corner-bottom-left'))!;
      return { column: Number(match[1]), row: Number(match[2]) };
    };
    const a = await probe(frame.width * 0.3, frame.height * 0.3);
    const b = await probe(frame.width * 0.7, frame.height * 0.7);
    const scale = (b.column - a.column) / (frame.width * 0.4);
    return (column, row) => ({
      x: frame.width * 0.3 + (column + 0.5 - a.column) / scale,
      y: frame.height * 0.3 + (row + 0.5 - a.row) / scale,
    });
  }

  /** Clicks the image at a position of the viewport frame and waits for the API call it makes. */
  async clickAndWait(at: { x: number; y: number }, method: string, url: RegExp): Promise<Response> {
    const box = (await this.viewportFrame().boundingBox())!;
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => r.request().method() === method && url.test(r.url())),
      this.page.mouse.click(box.x + at.x, box.y + at.y),
    ]);
    return response;
  }

  /** Drags on the image from → to, in screenshot coordinates of the viewport frame. */
  async dragOnImage(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
    const box = (await this.viewportFrame().boundingBox())!;
    await this.page.mouse.move(box.x + from.x, box.y + from.y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + to.x, box.y + to.y, { steps: 8 });
    await this.page.mouse.up();
  }

  /** Buttons, inputs and selects with no accessible name (text, aria-label or an enclosing label). */
  unnamedControls(): Promise<string[]> {
    return this.page.$$eval('button, input, select, textarea', (controls) =>
      controls
        .filter((control) => {
          const named =
            (control.getAttribute('aria-label') ?? '').trim() ||
            (control.tagName === 'BUTTON' ? (control.textContent ?? '').trim() : '') ||
            control.closest('label')?.textContent?.trim();
          return !named;
        })
        .map((control) => control.outerHTML.slice(0, 80)),
    );
  }

  /** The active model's threshold, as the session says. */
  async modelThreshold(): Promise<number> {
    const session = await this.apiJson<{ model: { threshold: number } | null }>('/api/session');
    if (!session.model) throw new Error('no model is active');
    return session.model.threshold;
  }

  errorToasts(): Promise<string[]> {
    return this.page.$$eval('.toast.error', (toasts) => toasts.map((t) => t.textContent ?? ''));
  }

  /** Calls the API from inside the page (same cookie as the app) and returns the bytes. */
  async apiBytes(path: string): Promise<number[]> {
    return this.page.evaluate(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return Array.from(new Uint8Array(await response.arrayBuffer()));
    }, path);
  }

  /** Slice k's modality values as the API serves them (int16, or float32 where the header says so). */
  async sliceValues(uid: string, k: number): Promise<number[]> {
    return this.page.evaluate(
      async ({ uid, k }) => {
        const response = await fetch(`/api/series/${encodeURIComponent(uid)}/slices/${k}`);
        if (!response.ok) throw new Error(`slice ${k}: ${response.status}`);
        const buffer = await response.arrayBuffer();
        const float = response.headers.get('x-pixel-type') === 'float32';
        return Array.from(float ? new Float32Array(buffer) : new Int16Array(buffer));
      },
      { uid, k },
    );
  }

  /** The UID of the series the viewer shows (once it has drawn it: see waitForViewer). */
  async openSeriesUid(): Promise<string> {
    await this.waitForViewer();
    return (await this.page.locator('#viewer-view').getAttribute('data-series-uid'))!;
  }

  async apiJson<T>(path: string): Promise<T> {
    return this.page.evaluate(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return response.json();
    }, path) as Promise<T>;
  }
}
