// The renderer's entry: builds the screens, loads the session, and routes every key press through the one
// shortcut map (shortcuts.ts) to the worklist or the viewer.
import type { WorklistItem } from '../src/shared/api-types.ts';
import { setUpAboutDialog } from './about-dialog.ts';
import { api } from './api-client.ts';
import { activatesControl, byId, element, isTyping } from './dom.ts';
import { setUpExport } from './export-dialog.ts';
import { setUpImport } from './jobs-panel.ts';
import { ModelPage } from './model-page.ts';
import { setUpPacs } from './pacs-dialog.ts';
import { watchHashCommands } from './hash-commands.ts';
import { ComparePanel } from './compare-panel.ts';
import { PriorPanel } from './prior-panel.ts';
import { ReviewActions } from './review-actions.ts';
import { setUpReportDialog } from './report-dialog.ts';
import { SeriesThumbnails } from './series-thumbnails.ts';
import { SessionPanel } from './session-panel.ts';
import { setUpShortcutSheet } from './shortcut-sheet.ts';
import { actionForKey } from './shortcuts.ts';
import { showError } from './toasts.ts';
import { ViewerPage } from './viewer-page.ts';
import { WorklistPage } from './worklist-page.ts';
import { WINDOW_PRESETS } from './window-presets.ts';
import { nextToRead } from './worklist-filter.ts';

let threshold = 0.5;

const viewer = new ViewerPage();
const compare = new ComparePanel(viewer);
const priorPanel = new PriorPanel(viewer);
viewer.onFindingsLoaded = () => {
  void compare.refresh();
  void priorPanel.refresh();
};
priorPanel.onOpen = (seriesUid, studyUid, findingId) => void openAtFinding(seriesUid, studyUid, findingId);
priorPanel.onToggleSideBySide = () => void actions.run('toggle-prior');
const worklist = new WorklistPage((item) => void openSeries(item));
const sheet = setUpShortcutSheet();
const importer = setUpImport(() => void worklist.refresh());
const exporter = setUpExport();
setUpPacs(() => void worklist.refresh());
const about = setUpAboutDialog();
const report = setUpReportDialog(() => viewer.series?.seriesUid ?? null);
const thumbnails = new SeriesThumbnails((item) => void openSeries(item));
const session = new SessionPanel(() => {
  worklist.followUps.clear(); // each comparison was the last reader's view
  void worklist.refresh();
});
worklist.onRendered = (items) => session.offerSample(items.length === 0);

/**
 * Opens a series of the patient at one of its findings without touching its review status — a prior opened
 * from the Since prior box to compare images, or the way back from it.
 */
async function openAtFinding(seriesUid: string, studyUid: string, findingId: number | null): Promise<void> {
  worklist.hide();
  try {
    thumbnails.render(
      worklist.items.filter((other) => other.studyUid === studyUid),
      seriesUid,
    );
    await viewer.open(seriesUid, threshold);
    document.title = `Overread — ${viewer.series?.seriesDescription || seriesUid}`;
    if (findingId !== null && viewer.findings.some((f) => f.id === findingId)) viewer.select(findingId);
  } catch (error) {
    showError(error);
  }
}

async function openSeries(item: WorklistItem): Promise<void> {
  worklist.hide();
  worklist.opened(item.patientId);
  try {
    thumbnails.render(
      worklist.items.filter((other) => other.studyUid === item.studyUid),
      item.seriesUid,
    );
    await viewer.open(item.seriesUid, threshold);
    document.title = `Overread — ${item.seriesDescription || item.seriesUid}`;
    if (item.status === 'flagged' || item.status === 'no-findings') {
      await api.setStatus(item.seriesUid, { status: 'in-review' });
    }
  } catch (error) {
    showError(error);
  }
}

function showWorklist(): void {
  viewer.hide();
  document.title = 'Overread';
  worklist.show();
}

const modelPage = new ModelPage({
  beforeShow() {
    viewer.hide();
    worklist.hide();
  },
  back: showWorklist,
});

const actions = new ReviewActions(viewer, {
  back: showWorklist,
  report: () => void report.open(),
  comparison: () => priorPanel.comparison(),
  async done(seriesUid) {
    await worklist.refresh();
    const next = nextToRead(worklist.items, seriesUid);
    if (next) await openSeries(next);
    else showWorklist();
  },
});

const presetSelect = byId<HTMLSelectElement>('preset-select');
for (const preset of WINDOW_PRESETS) {
  presetSelect.append(
    element('option', {
      text: `${preset.key} ${preset.name} (W${preset.width} L${preset.center})`,
      attributes: { value: preset.key },
    }),
  );
}
presetSelect.addEventListener('change', () => {
  const preset = WINDOW_PRESETS.find((p) => p.key === presetSelect.value);
  if (preset) viewer.viewport.setWindow(preset);
  presetSelect.value = '';
  presetSelect.blur(); // give the keys back to the viewer
});

document.addEventListener('keydown', (event) => {
  if (document.querySelector('dialog[open]')) return; // dialogs keep their own keys (Esc closes them)
  if (isTyping(event.target) || activatesControl(event)) return;
  if (modelPage.visible) return; // the Model page has no shortcuts beyond Esc (its own)
  const context = viewer.visible ? (viewer.awaitingReason ? 'reason' : 'viewer') : 'worklist';
  const action = actionForKey(event, context);
  if (!action) return;
  event.preventDefault();
  if (action === 'show-shortcuts') return sheet.open();
  if (context === 'worklist') {
    if (action === 'worklist-up') worklist.move(-1);
    else if (action === 'worklist-down') worklist.move(1);
    else if (action === 'worklist-open') worklist.open();
    else if (action === 'focus-filter') worklist.focusFilter();
    else if (action === 'import') importer.open();
    else if (action === 'export') exporter.open();
    return;
  }
  void actions.run(action);
});

// A button clicked with the mouse gives focus back, so the next Enter confirms rather than clicking it again.
document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest('button');
  if (button && event.detail > 0) button.blur();
});

async function start(): Promise<void> {
  const info = await session.load();
  threshold = info?.model?.threshold ?? 0.5;
  worklist.show();
  // First run: nobody has read in this dataset yet, so ask who is reading before the first decision.
  if (info && info.sampleAvailable && info.readers.length <= 1) session.askReader();
  watchHashCommands((command) => {
    if (command.kind === 'import') importer.importPaths(command.paths);
    else if (command.kind === 'shortcuts') sheet.open();
    else if (command.kind === 'about') void about.open();
    else if (command.kind === 'export') exporter.open();
    else session.askReader();
  });
}

void start();
